"""What came before a response, read in place: the model's context without copying it.

A response in a conversation sees the conversation's items as of its creation (a watermark on the
store's sequence); a chained response sees its predecessors' context, inputs and outputs. Both are
read lazily, so creating a response in a 100,000-item conversation costs the same as in an empty one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, overload

from ...items.page import Item

if TYPE_CHECKING:
    from ..conversations.record import ConversationRecord
    from .backend import ResponseRecord

__all__ = ["Concat", "ConversationItems", "History", "resolve_references"]


def resolve_references(items: list[Item], lookup: Callable[[str], Item | None]) -> list[Item]:
    """Replace ``item_reference`` items by the items they name, where the history has them."""
    return [(lookup(item["id"]) or item) if item.get("type") == "item_reference" else item for item in items]


class _View(Sequence[Item]):
    """A read-only sequence defined by its length and ``_at(index)`` for 0 <= index < len."""

    def _at(self, index: int) -> Item:
        raise NotImplementedError

    @overload
    def __getitem__(self, index: int) -> Item: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Item]: ...
    def __getitem__(self, index: int | slice) -> Item | Sequence[Item]:
        size = len(self)
        if isinstance(index, slice):
            return [self._at(i) for i in range(*index.indices(size))]
        if index < 0:
            index += size
        if not 0 <= index < size:
            raise IndexError(index)
        return self._at(index)


class Concat(_View):
    """Two sequences read as one, without copying (a conversation's items plus the new input)."""

    def __init__(self, first: Sequence[Item], second: Sequence[Item]) -> None:
        self._first = first
        self._second = second

    def __len__(self) -> int:
        return len(self._first) + len(self._second)

    def _at(self, index: int) -> Item:
        first = len(self._first)
        return self._first[index] if index < first else self._second[index - first]


class ConversationItems(_View):
    """The items a conversation had at a watermark (store sequence), in order, read in place."""

    def __init__(self, conversation: ConversationRecord, watermark: int) -> None:
        self._conversation = conversation
        self._count = conversation.order.count_up_to(watermark)

    def __len__(self) -> int:
        return self._count

    def _at(self, index: int) -> Item:
        return self._conversation.items[self._conversation.order.id_at(index)]


@dataclass(frozen=True)
class History:
    """What came before a response: a conversation (as of a watermark) or a previous response.

    Read lazily: a response in a long conversation costs O(1) to create, not O(conversation).
    """

    conversation: ConversationRecord | None = None
    watermark: int = 0
    previous: ResponseRecord | None = None

    def items(self) -> Sequence[Item]:
        if self.conversation is not None:
            return ConversationItems(self.conversation, self.watermark)
        chain: list[ResponseRecord] = []
        record = self.previous
        while record is not None:
            chain.append(record)
            record = record.history.previous
        out: list[Item] = list(chain[-1].history.items()) if chain else []
        for record in reversed(chain):
            lookup = {item["id"]: item for item in out}
            out += resolve_references(record.input_items, lookup.get)
            out += record.output
        return out

    def lookup(self, past: Sequence[Item]) -> Callable[[str], Item | None]:
        """Find a past item by id (for ``item_reference`` inputs)."""
        if self.conversation is not None:
            return self.conversation.items.get
        return {item["id"]: item for item in past}.get
