"""``/api/v1/llm/responses``: create (JSON or SSE), list, get, update, delete, cancel, input items."""

from __future__ import annotations

from collections.abc import AsyncIterator

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from ..auth import Owner
from ..errors import InvalidRequest, NotFound
from ..schemas.base import parse
from ..schemas.queries import parse_page_query
from ..schemas.resources import ItemList
from ..schemas.response_object import ResponseDeleted, ResponseList, ResponseObject
from ..schemas.responses import CreateResponseBody, UpdateResponseBody
from ..streaming import encode_event, response_events
from .http import api_endpoint, read_json, store_of

__all__ = ["routes"]

PREFIX = "/api/v1/llm/responses"
MAX_LIST_LIMIT = 100


def _event_stream(response: ResponseObject, starting_after: int | None = None) -> Response:
    events = [
        e for e in response_events(response.to_wire())
        if starting_after is None or e["sequence_number"] > starting_after
    ]  # fmt: skip

    async def frames() -> AsyncIterator[bytes]:
        for event in events:
            yield encode_event(event)

    return StreamingResponse(
        frames(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )


async def create_response(request: Request, owner: Owner) -> ResponseObject | Response:
    body = parse(CreateResponseBody, await read_json(request))
    responses = store_of(request).responses
    response = responses.create(owner, body, request.app.state.mock.responder)
    if body.stream:
        return _event_stream(responses.follow(response.id))
    return response


async def list_responses(request: Request, owner: Owner) -> ResponseList:
    page = parse_page_query(request.query_params, max_limit=MAX_LIST_LIMIT, default_order="desc")
    before = request.query_params.get("before") or None
    return store_of(request).responses.list_responses(owner, page, before=before)


def _starting_after(request: Request) -> int | None:
    raw = request.query_params.get("starting_after")
    if raw is None:
        return None
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidRequest(
            f"Invalid 'starting_after': expected a non-negative integer, got {raw!r}.",
            param="starting_after",
            code="invalid_type",
        )
    return int(raw)


async def get_response(request: Request, owner: Owner) -> ResponseObject | Response:
    stream = request.query_params.get("stream") == "true"
    starting_after = _starting_after(request) if stream else None
    responses = store_of(request).responses
    response = responses.get(owner, request.path_params["response_id"])
    if stream:
        return _event_stream(responses.follow(response.id), starting_after)
    return response


async def update_response(request: Request, owner: Owner) -> ResponseObject:
    body = parse(UpdateResponseBody, await read_json(request))
    return store_of(request).responses.update(owner, request.path_params["response_id"], body.metadata)


async def delete_response(request: Request, owner: Owner) -> ResponseDeleted:
    return store_of(request).responses.delete(owner, request.path_params["response_id"])


async def cancel_response(request: Request, owner: Owner) -> ResponseObject:
    return store_of(request).responses.cancel(owner, request.path_params["response_id"])


async def list_input_items(request: Request, owner: Owner) -> ItemList:
    page = parse_page_query(request.query_params, max_limit=MAX_LIST_LIMIT, default_order="desc")
    return store_of(request).responses.input_items(owner, request.path_params["response_id"], page)


async def compact(request: Request, owner: Owner) -> ResponseObject:
    raise NotFound(
        "POST /api/v1/llm/responses/compact is not emulated by mka1-mock.",
        code="unsupported_endpoint",
    )


ONE = PREFIX + "/{response_id}"

routes = [
    Route(PREFIX, api_endpoint(create_response), methods=["POST"]),
    Route(PREFIX, api_endpoint(list_responses), methods=["GET"]),
    Route(PREFIX + "/compact", api_endpoint(compact), methods=["POST"]),
    Route(ONE, api_endpoint(get_response), methods=["GET"]),
    Route(ONE, api_endpoint(update_response), methods=["POST"]),
    Route(ONE, api_endpoint(delete_response), methods=["DELETE"]),
    Route(ONE + "/cancel", api_endpoint(cancel_response), methods=["POST"]),
    Route(ONE + "/input_items", api_endpoint(list_input_items), methods=["GET"]),
]
