"""Request bodies and resource models of the Conversations endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

from ..._core.errors import InvalidRequest
from ..._core.metadata import Metadata
from ..._core.resource import Resource
from ..._core.validation import RequestModel, json_type_name
from ...items.models import validate_items

__all__ = [
    "CreateConversationBody",
    "UpdateConversationBody",
    "CreateItemsBody",
    "DeleteItemsBody",
    "MAX_ITEMS_PER_CREATE",
    "Conversation",
    "ConversationDeleted",
    "ConversationList",
]

MAX_ITEMS_PER_CREATE = 20


def _items(minimum: int) -> BeforeValidator:
    """A field validator for ``items``: an array of ``minimum``..20 valid items."""

    def check(value: Any) -> list[dict[str, Any]]:
        if not isinstance(value, list):
            raise InvalidRequest(
                f"Invalid type for 'items': expected an array of items, but got {json_type_name(value)} instead.",
                param="items",
                code="invalid_type",
            )
        if len(value) > MAX_ITEMS_PER_CREATE:
            raise InvalidRequest(
                f"Invalid 'items': array too long. Expected at most {MAX_ITEMS_PER_CREATE} items "
                f"at a time, but got {len(value)}. Send them in batches of {MAX_ITEMS_PER_CREATE}.",
                param="items",
                code="array_above_max_length",
            )
        if len(value) < minimum:
            raise InvalidRequest(
                f"Invalid 'items': expected at least {minimum} item, but got an empty array.",
                param="items",
                code="empty_array",
            )
        return validate_items(value, param="items")

    return BeforeValidator(check)


class CreateConversationBody(RequestModel):
    items: Annotated[list[dict[str, Any]], _items(0)] | None = None
    metadata: Metadata | None = None


class UpdateConversationBody(RequestModel):
    metadata: Metadata


class CreateItemsBody(RequestModel):
    items: Annotated[list[dict[str, Any]], _items(1)]
    include: list[str] | None = None  # "not implemented yet" upstream: accepted and ignored


def _item_ids(value: Any) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidRequest(
            "Invalid type for 'item_ids': expected an array of item id strings.",
            param="item_ids",
            code="invalid_type",
        )
    if not value:
        raise InvalidRequest(
            "Invalid 'item_ids': expected at least 1 item id, but got an empty array.",
            param="item_ids",
            code="empty_array",
        )
    return value


class DeleteItemsBody(RequestModel):
    item_ids: Annotated[list[str], BeforeValidator(_item_ids)]


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
