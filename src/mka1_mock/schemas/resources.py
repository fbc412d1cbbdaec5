"""What the API returns: the resource models every handler renders (no hand-built dicts)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

__all__ = ["Conversation", "ConversationDeleted", "ConversationList", "ItemList", "Item"]

Item = dict[str, Any]
"""A stored item as the API returns it: the client's fields plus ``id`` and ``response_id``."""


class Resource(BaseModel):
    model_config = ConfigDict(frozen=True)

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="python", exclude_none=False)


class Conversation(Resource):
    id: str
    object: Literal["conversation"] = "conversation"
    created_at: int
    deleted_at: int | None = None
    metadata: dict[str, str]
    identity: str


class ConversationDeleted(Resource):
    id: str
    object: Literal["conversation.deleted"] = "conversation.deleted"
    deleted: Literal[True] = True


class ConversationList(Resource):
    object: Literal["list"] = "list"
    data: list[Conversation]
    has_more: bool
    first_id: str | None
    last_id: str | None


class ItemList(Resource):
    """Items page. ``last_id`` is a string even for an empty page (``""``): the SDK requires it."""

    object: Literal["list"] = "list"
    data: list[Item]
    has_more: bool
    first_id: str
    last_id: str

    @classmethod
    def page(cls, data: list[Item], *, has_more: bool) -> ItemList:
        """A page of items, ``first_id``/``last_id`` taken from it (``""`` when empty)."""
        return cls(
            data=data,
            has_more=has_more,
            first_id=data[0]["id"] if data else "",
            last_id=data[-1]["id"] if data else "",
        )
