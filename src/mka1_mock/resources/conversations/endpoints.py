"""The Conversations endpoint table: ``/api/v1/llm/conversations[/{id}[/items[/{item_id}]]]``."""

from __future__ import annotations

from pydantic import Field

from ..._core.endpoints import Call, Endpoint
from ..._core.paging import page_params
from ...items.models import stored
from ...items.page import Item, ItemList
from ._query import parse_metadata_filter
from .backend import Conversations
from .schemas import (
    Conversation,
    ConversationDeleted,
    ConversationList,
    CreateConversationBody,
    CreateItemsBody,
    DeleteItemsBody,
    UpdateConversationBody,
)

__all__ = ["ENDPOINTS", "PREFIX", "ConversationListQuery", "ItemListQuery"]

PREFIX = "/api/v1/llm/conversations"
ONE = PREFIX + "/{conversation_id}"
ITEMS = ONE + "/items"
ONE_ITEM = ITEMS + "/{item_id:path}"

_ConversationPage = page_params("ConversationPage", max_limit=50)
ItemListQuery = page_params("ItemListQuery", max_limit=100)


class ConversationListQuery(_ConversationPage):  # type: ignore[misc,valid-type]  # a built model
    """The conversation list's query: paging, ``search``, and a metadata filter (``metadata`` as a
    JSON object, ``metadata[key]=value``, or any other key as a pair)."""

    search: str | None = Field(None, description="Words every returned conversation's items contain.")
    metadata: str | None = Field(None, description='A JSON object of pairs to match, e.g. {"k":"v"}.')


def _conversations(call: Call) -> Conversations:
    return call.backend(Conversations)


def create_conversation(call: Call) -> Conversation:
    body: CreateConversationBody = call.body
    return _conversations(call).create(call.owner, metadata=body.metadata, items=stored(body.items or ()))


def list_conversations(call: Call) -> ConversationList:
    query = call.request.query_params
    wanted = parse_metadata_filter(query.multi_items())
    return _conversations(call).list_page(
        call.owner, call.query.page, metadata=wanted, search=call.query.search or None
    )


def get_conversation(call: Call) -> Conversation:
    return _conversations(call).get(call.owner, call.path["conversation_id"])


def update_conversation(call: Call) -> Conversation:
    body: UpdateConversationBody = call.body
    return _conversations(call).update(call.owner, call.path["conversation_id"], metadata=body.metadata)


def delete_conversation(call: Call) -> ConversationDeleted:
    return _conversations(call).delete(call.owner, call.path["conversation_id"])


def create_items(call: Call) -> ItemList:
    body: CreateItemsBody = call.body
    return _conversations(call).add_items(call.owner, call.path["conversation_id"], stored(body.items))


def list_items(call: Call) -> ItemList:
    return _conversations(call).list_items(call.owner, call.path["conversation_id"], call.query.page)


def get_item(call: Call) -> Item:
    return _conversations(call).get_item(call.owner, call.path["conversation_id"], call.path["item_id"])


def delete_item(call: Call) -> Conversation:
    path = call.path
    return _conversations(call).delete_items(call.owner, path["conversation_id"], [path["item_id"]])


def delete_items(call: Call) -> Conversation:
    body: DeleteItemsBody = call.body
    return _conversations(call).delete_items(call.owner, call.path["conversation_id"], body.item_ids, param="item_ids")


_TAGS = ("Conversations",)

ENDPOINTS = (
    Endpoint("POST", PREFIX, create_conversation, "Create a conversation", body=CreateConversationBody,
             returns=Conversation, tags=_TAGS),
    Endpoint("GET", PREFIX, list_conversations, "List conversations", query=ConversationListQuery,
             returns=ConversationList, tags=_TAGS),
    Endpoint("GET", ONE, get_conversation, "Retrieve a conversation", returns=Conversation, errors=(404,),
             tags=_TAGS),
    Endpoint("POST", ONE, update_conversation, "Update a conversation's metadata", body=UpdateConversationBody,
             returns=Conversation, errors=(404,), tags=_TAGS),
    Endpoint("DELETE", ONE, delete_conversation, "Delete a conversation", returns=ConversationDeleted,
             errors=(404,), tags=_TAGS),
    Endpoint("POST", ITEMS, create_items, "Create items", body=CreateItemsBody, returns=ItemList,
             errors=(404,), tags=_TAGS),
    Endpoint("GET", ITEMS, list_items, "List items", query=ItemListQuery, returns=ItemList, errors=(404,),
             tags=_TAGS),
    Endpoint("DELETE", ITEMS, delete_items, "Delete items", body=DeleteItemsBody, returns=Conversation,
             errors=(404,), tags=_TAGS),
    Endpoint("GET", ONE_ITEM, get_item, "Retrieve an item", returns=Item, errors=(404,), tags=_TAGS),
    Endpoint("DELETE", ONE_ITEM, delete_item, "Delete an item", returns=Conversation, errors=(404,),
             tags=_TAGS),
)  # fmt: skip
