"""``/api/v1/llm/conversations/{id}/items``: create, list, get, delete one, delete many."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from ..auth import Owner
from ..schemas.base import parse
from ..schemas.conversations import CreateItemsBody, DeleteItemsBody
from ..schemas.queries import parse_page_query
from ..schemas.resources import Conversation, Item, ItemList
from .conversations import PREFIX
from .http import api_endpoint, read_json, store_of

__all__ = ["routes"]

MAX_LIST_LIMIT = 100


async def create_items(request: Request, owner: Owner) -> ItemList:
    body = parse(CreateItemsBody, await read_json(request))
    return store_of(request).add_items(owner, request.path_params["conversation_id"], body.items)


async def list_items(request: Request, owner: Owner) -> ItemList:
    page = parse_page_query(request.query_params, max_limit=MAX_LIST_LIMIT)
    return store_of(request).list_items(owner, request.path_params["conversation_id"], page)


async def get_item(request: Request, owner: Owner) -> Item:
    params = request.path_params
    return store_of(request).get_item(owner, params["conversation_id"], params["item_id"])


async def delete_item(request: Request, owner: Owner) -> Conversation:
    params = request.path_params
    return store_of(request).delete_items(owner, params["conversation_id"], [params["item_id"]])


async def delete_items(request: Request, owner: Owner) -> Conversation:
    body = parse(DeleteItemsBody, await read_json(request))
    return store_of(request).delete_items(
        owner, request.path_params["conversation_id"], body.item_ids, param="item_ids"
    )


ITEMS = PREFIX + "/{conversation_id}/items"

routes = [
    Route(ITEMS, api_endpoint(create_items), methods=["POST"]),
    Route(ITEMS, api_endpoint(list_items), methods=["GET"]),
    Route(ITEMS, api_endpoint(delete_items), methods=["DELETE"]),
    Route(ITEMS + "/{item_id:path}", api_endpoint(get_item), methods=["GET"]),
    Route(ITEMS + "/{item_id:path}", api_endpoint(delete_item), methods=["DELETE"]),
]
