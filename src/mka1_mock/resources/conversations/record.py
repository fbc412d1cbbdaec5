"""The stored form of a conversation."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..._core.auth import Owner
from ..._core.paging import OrderedIndex
from ...items.models import item_text
from ...items.page import Item
from .fixture import ConversationState, OwnerState, StoredItem
from .schemas import Conversation

__all__ = ["ConversationRecord"]


@dataclass(slots=True)
class ConversationRecord:
    id: str
    owner: Owner
    created_at: int
    updated_at: int
    metadata: dict[str, str]
    deleted_at: int | None = None
    items: dict[str, Item] = field(default_factory=dict)
    order: OrderedIndex[int] = field(default_factory=OrderedIndex)
    text: str | None = None  # lower-cased item text for search; None = stale
    seq: int = 0  # the store's sequence number at the last update (list order tie-break)
    tokens: int = 0  # tokens of all item texts (kept up to date, for responses' usage)

    def to_resource(self) -> Conversation:
        return Conversation(
            id=self.id,
            created_at=self.created_at,
            deleted_at=self.deleted_at,
            metadata=dict(self.metadata),
            identity=self.owner.identity,
        )

    def to_state(self) -> ConversationState:
        return ConversationState(
            id=self.id,
            owner=OwnerState(
                user_id=self.owner.user_id,
                on_behalf_of=self.owner.on_behalf_of,
                identity=self.owner.identity,
            ),
            created_at=self.created_at,
            updated_at=self.updated_at,
            deleted_at=self.deleted_at,
            metadata=dict(self.metadata),
            items=[StoredItem.model_validate(self.items[i]) for i in self.order],
        )

    def search_text(self) -> str:
        if self.text is None:
            self.text = "\n".join(t for item in self.items.values() for t in item_text(item)).lower()
        return self.text
