"""An id index kept in sort-key order: O(log n) cursor lookup, O(page) pages, cheap moves."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

__all__ = ["OrderedIndex"]

K = TypeVar("K")


class OrderedIndex(Generic[K]):
    """Ids sorted by ``(key, id)``. Not thread-safe on its own: the store's lock guards it.

    Appending with a key larger than every other (the usual case: time and sequence only grow) is
    O(log n); re-keying or removing one id costs one ``list`` memmove, fast even at 10^5 entries.
    """

    __slots__ = ("_entries", "_key_of")

    def __init__(self) -> None:
        self._entries: list[tuple[K, str]] = []
        self._key_of: dict[str, K] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, id_: object) -> bool:
        return id_ in self._key_of

    def __iter__(self) -> Iterator[str]:
        return (id_ for _, id_ in self._entries)

    def id_at(self, position: int) -> str:
        """The id at ``position`` in key order (negative positions count from the end)."""
        return self._entries[position][1]

    def count_up_to(self, key: K) -> int:
        """How many ids have a key <= ``key`` (the ones that existed at a watermark)."""
        return bisect_right(self._entries, (key, "\U0010ffff"))

    def put(self, id_: str, key: K) -> None:
        """Insert ``id_`` at ``key``, moving it if it is already present."""
        if id_ in self._key_of:
            self.remove(id_)
        self._key_of[id_] = key
        entry = (key, id_)
        if not self._entries or self._entries[-1] < entry:
            self._entries.append(entry)
        else:
            insort(self._entries, entry)

    def remove(self, id_: str) -> None:
        key = self._key_of.pop(id_)
        pos = bisect_left(self._entries, (key, id_))
        del self._entries[pos]

    def page(
        self,
        *,
        after: str | None,
        limit: int,
        descending: bool,
        accept: Callable[[str], bool] | None = None,
    ) -> tuple[list[str], bool]:
        """Up to ``limit`` ids strictly after ``after`` in the chosen order, and whether more remain.

        ``after`` must be in the index (the caller checks and raises the API's error). With
        ``accept``, only ids it accepts count; the scan stops at the first one past the page.
        """
        entries = self._entries
        if descending:
            start = len(entries) - 1
            if after is not None:
                start = bisect_left(entries, (self._key_of[after], after)) - 1
            positions: range = range(start, -1, -1)
        else:
            start = 0
            if after is not None:
                start = bisect_right(entries, (self._key_of[after], after))
            positions = range(start, len(entries))
        out: list[str] = []
        if accept is None:
            stop = positions[: limit + 1]
            out = [entries[i][1] for i in stop]
        else:
            for i in positions:
                id_ = entries[i][1]
                if accept(id_):
                    out.append(id_)
                    if len(out) > limit:
                        break
        has_more = len(out) > limit
        return out[:limit], has_more
