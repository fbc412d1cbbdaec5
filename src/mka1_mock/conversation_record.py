"""The stored form of a conversation, and of one to load as it is (fixtures, seeding)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .auth import Owner
from .index import OrderedIndex
from .schemas.fixture import ConversationState, OwnerState, StoredItem
from .schemas.items import item_text
from .schemas.resources import Conversation, Item

__all__ = ["ConversationRecord", "ConversationSeed"]


@dataclass(frozen=True)
class ConversationSeed:
    """A conversation to load as it is (fixtures, seeding): unpinned values are generated.

    ``items`` are validated items; each may carry its own ``id``, ``response_id`` and ``metadata``.
    """

    owner: Owner
    id: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    deleted_at: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    items: Sequence[Item] = ()


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
