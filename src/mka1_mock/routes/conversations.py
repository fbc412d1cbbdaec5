"""``/api/v1/llm/conversations`` and ``/conversations/{id}``: create, list, get, update, delete."""

from __future__ import annotations

from starlette.requests import Request
from starlette.routing import Route

from ..auth import Owner
from ..schemas.base import parse
from ..schemas.conversations import CreateConversationBody, UpdateConversationBody
from ..schemas.queries import parse_metadata_filter, parse_page_query
from ..schemas.resources import Conversation, ConversationDeleted, ConversationList
from .http import api_endpoint, read_json, store_of

__all__ = ["routes"]

MAX_LIST_LIMIT = 50


async def create_conversation(request: Request, owner: Owner) -> Conversation:
    body = parse(CreateConversationBody, await read_json(request))
    return store_of(request).create_conversation(
        owner, metadata=body.metadata, items=body.items or ()
    )


async def list_conversations(request: Request, owner: Owner) -> ConversationList:
    page = parse_page_query(request.query_params, max_limit=MAX_LIST_LIMIT)
    metadata = parse_metadata_filter(request.query_params.multi_items())
    search = request.query_params.get("search") or None
    return store_of(request).list_conversations(owner, page, metadata=metadata, search=search)


async def get_conversation(request: Request, owner: Owner) -> Conversation:
    return store_of(request).get_conversation(owner, request.path_params["conversation_id"])


async def update_conversation(request: Request, owner: Owner) -> Conversation:
    body = parse(UpdateConversationBody, await read_json(request))
    return store_of(request).update_conversation(
        owner, request.path_params["conversation_id"], metadata=body.metadata
    )


async def delete_conversation(request: Request, owner: Owner) -> ConversationDeleted:
    return store_of(request).delete_conversation(owner, request.path_params["conversation_id"])


PREFIX = "/api/v1/llm/conversations"

routes = [
    Route(PREFIX, api_endpoint(create_conversation), methods=["POST"]),
    Route(PREFIX, api_endpoint(list_conversations), methods=["GET"]),
    Route(PREFIX + "/{conversation_id}", api_endpoint(get_conversation), methods=["GET"]),
    Route(PREFIX + "/{conversation_id}", api_endpoint(update_conversation), methods=["POST"]),
    Route(PREFIX + "/{conversation_id}", api_endpoint(delete_conversation), methods=["DELETE"]),
]
