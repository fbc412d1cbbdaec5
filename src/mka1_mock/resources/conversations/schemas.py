"""Request bodies and resource models of the Conversations endpoints."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from ..._core.metadata import Metadata
from ..._core.resource import Resource
from ..._core.validation import RequestModel, json_type_name, wire_error
from ...items.models import ItemUnion, UniqueIds

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


def _array_problem(value: Any, err: ValidationError) -> PydanticCustomError | None:
    """The API's wording of an ``items`` array that is not an array or has too many or too few items."""
    first = err.errors(include_url=False)[0]
    if first["loc"]:
        return None  # a problem inside an item: pydantic's error says where
    if not isinstance(value, list):
        return wire_error(
            "invalid_type",
            f"Invalid type for {{where}}: expected an array of items, but got {json_type_name(value)} instead.",
        )
    if first["type"] == "too_long":
        return wire_error(
            "array_above_max_length",
            f"Invalid {{where}}: array too long. Expected at most {MAX_ITEMS_PER_CREATE} items at a time, but got "
            f"{len(value)}. Send them in batches of {MAX_ITEMS_PER_CREATE}.",
        )
    if first["type"] == "too_short":
        minimum = first.get("ctx", {}).get("min_length")
        return wire_error(
            "empty_array", f"Invalid {{where}}: expected at least {minimum} item, but got an empty array."
        )
    return None


def _items_worded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as err:
        problem = _array_problem(value, err)
        if problem is None:
            raise
        raise problem from None


def _new_items(minimum: int) -> Any:
    """``items`` of a create: ``minimum``..20 items (any of the types), client ids unique."""
    size = Field(min_length=minimum, max_length=MAX_ITEMS_PER_CREATE)
    return Annotated[list[ItemUnion], size, UniqueIds, WrapValidator(_items_worded)]


class CreateConversationBody(RequestModel):
    items: _new_items(0) | None = None  # type: ignore[valid-type]  # a built type
    metadata: Metadata | None = None


class UpdateConversationBody(RequestModel):
    metadata: Metadata


class CreateItemsBody(RequestModel):
    items: _new_items(1)  # type: ignore[valid-type]  # a built type
    include: list[str] | None = None  # "not implemented yet" upstream: accepted and ignored


def _ids_worded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as err:
        if err.errors(include_url=False)[0]["type"] == "too_short":
            raise wire_error(
                "empty_array", "Invalid {where}: expected at least 1 item id, but got an empty array."
            ) from None
        raise wire_error("invalid_type", "Invalid type for {where}: expected an array of item id strings.") from None


class DeleteItemsBody(RequestModel):
    item_ids: Annotated[list[str], Field(min_length=1), WrapValidator(_ids_worded)]


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
