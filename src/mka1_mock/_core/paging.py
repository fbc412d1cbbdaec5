"""Paging: an id index kept in sort-key order (O(log n) cursor lookup, O(page) pages, cheap moves)
and the ``after``/``limit``/``order`` query every list endpoint takes."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar, cast

from pydantic import Field, create_model

from .errors import InvalidRequest
from .validation import QueryModel

__all__ = ["OrderedIndex", "PageParams", "PageQuery", "Order", "page_params", "parse_page_query"]

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


Order = Literal["asc", "desc"]


@dataclass(frozen=True)
class PageQuery:
    after: str | None
    limit: int
    order: Order


class PageParams(QueryModel):
    """``after``, ``limit`` and ``order`` of a list endpoint. Subclasses set the bounds by their
    field constraints (``page_params`` builds them); parsing keeps the API's exact messages."""

    after: str | None = Field(None, description="Return items after this id (a cursor).")
    limit: Annotated[int, Field(ge=1, le=100, description="How many to return.")] = 20
    order: Order = Field("asc", description="Sort order.")

    @classmethod
    def bounds(cls) -> tuple[int, int, Order]:
        """(max limit, default limit, default order), read from the fields."""
        field = cls.model_fields["limit"]
        maximum = next(m.le for m in field.metadata if getattr(m, "le", None) is not None)
        return int(maximum), int(field.default), cls.model_fields["order"].default

    @classmethod
    def from_query(cls: type[P], query: Mapping[str, str], multi: Sequence[tuple[str, str]]) -> P:
        max_limit, default_limit, default_order = cls._bounds()
        page = parse_page_query(query, max_limit=max_limit, default_limit=default_limit, default_order=default_order)
        values: dict[str, Any] = {"after": page.after, "limit": page.limit, "order": page.order}
        for name in cls.model_fields:
            if name not in values:
                values[name] = query.get(name)  # the extra fields are optional strings
        return cast(P, cls.model_construct(**values))  # checked above: no second validation

    @classmethod
    def _bounds(cls) -> tuple[int, int, Order]:
        cached: tuple[int, int, Order] | None = cls.__dict__.get("_bounds_cache")
        if cached is None:
            cached = cls.bounds()
            type.__setattr__(cls, "_bounds_cache", cached)
        return cached

    @property
    def page(self) -> PageQuery:
        return PageQuery(after=self.after, limit=self.limit, order=self.order)


P = TypeVar("P", bound=PageParams)


def page_params(name: str, *, max_limit: int, default_order: Order = "asc") -> type[PageParams]:
    """A ``PageParams`` model whose schema shows ``limit`` in 1..``max_limit`` and the default order."""
    limit: Any = Annotated[int, Field(ge=1, le=max_limit, description="How many to return.")]
    order: Any = Order
    return create_model(
        name,
        __base__=PageParams,
        limit=(limit, 20),
        order=(order, Field(default_order, description="Sort order.")),
    )


def parse_page_query(
    query: Mapping[str, str], *, max_limit: int, default_limit: int = 20, default_order: Order = "asc"
) -> PageQuery:
    """``after``, ``limit`` (1..``max_limit``) and ``order`` (asc/desc), or the 400 naming the bad one."""
    raw_limit = query.get("limit")
    limit = default_limit
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise InvalidRequest(
                f"Invalid 'limit': expected an integer between 1 and {max_limit}, but got {raw_limit!r}.",
                param="limit",
                code="invalid_type",
            ) from None
        if not 1 <= limit <= max_limit:
            raise InvalidRequest(
                f"Invalid 'limit': {limit} is out of range. Expected an integer between 1 and {max_limit}.",
                param="limit",
                code="integer_below_min_value" if limit < 1 else "integer_above_max_value",
            )
    order = query.get("order", default_order)
    if order not in ("asc", "desc"):
        raise InvalidRequest(
            f"Invalid value for 'order': {order!r}. Supported values are: 'asc' and 'desc'.",
            param="order",
            code="invalid_value",
        )
    after = query.get("after") or None
    return PageQuery(after=after, limit=limit, order=order)  # type: ignore[arg-type]  # checked above
