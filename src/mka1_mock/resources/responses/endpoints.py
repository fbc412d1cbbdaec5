"""The Responses endpoint table: ``/api/v1/llm/responses`` (create as JSON or SSE, list, get, update,
delete, cancel, input items)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence

from pydantic import Field
from starlette.responses import Response, StreamingResponse

from ..._core.endpoints import Call, Endpoint
from ..._core.errors import InvalidRequest, NotFound
from ..._core.paging import page_params
from ..._core.validation import QueryModel
from ...items.page import ItemList
from ._streaming import encode_event, response_events
from .backend import Responses
from .objects import ResponseDeleted, ResponseList, ResponseObject
from .schemas import CreateResponseBody, UpdateResponseBody

__all__ = ["ENDPOINTS", "PREFIX"]

PREFIX = "/api/v1/llm/responses"
ONE = PREFIX + "/{response_id}"

_ResponsePage = page_params("ResponsePage", max_limit=100, default_order="desc")
InputItemsQuery = page_params("InputItemsQuery", max_limit=100, default_order="desc")


class ResponseListQuery(_ResponsePage):  # type: ignore[misc,valid-type]  # a built model
    before: str | None = Field(None, description="Return responses before this id (a cursor).")


class GetResponseQuery(QueryModel):
    """``stream=true`` replays the response as server-sent events, after ``starting_after``."""

    stream: bool = Field(False, description="Answer as server-sent events.")
    starting_after: int | None = Field(None, ge=0, description="Replay events after this sequence number.")

    @classmethod
    def from_query(cls, query: Mapping[str, str], multi: Sequence[tuple[str, str]]) -> GetResponseQuery:
        stream = query.get("stream") == "true"
        raw = query.get("starting_after")
        if not stream or raw is None:
            return cls(stream=stream)
        if not (raw.isascii() and raw.isdigit()):
            raise InvalidRequest(
                f"Invalid 'starting_after': expected a non-negative integer, got {raw!r}.",
                param="starting_after",
                code="invalid_type",
            )
        return cls(stream=True, starting_after=int(raw))


def _event_stream(response: ResponseObject, starting_after: int | None = None) -> Response:
    events = [
        e for e in response_events(response.to_wire())
        if starting_after is None or e["sequence_number"] > starting_after
    ]  # fmt: skip

    async def frames() -> AsyncIterator[bytes]:
        for event in events:
            yield encode_event(event)

    return StreamingResponse(frames(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})


def _responses(call: Call) -> Responses:
    return call.backend(Responses)


def create_response(call: Call) -> ResponseObject | Response:
    body: CreateResponseBody = call.body
    responses = _responses(call)
    response = responses.create(call.owner, body, call.state.responder)
    if body.stream:
        return _event_stream(responses.follow(response.id))
    return response


def list_responses(call: Call) -> ResponseList:
    return _responses(call).list_responses(call.owner, call.query.page, before=call.query.before or None)


def get_response(call: Call) -> ResponseObject | Response:
    query: GetResponseQuery = call.query
    responses = _responses(call)
    response = responses.get(call.owner, call.path["response_id"])
    if query.stream:
        return _event_stream(responses.follow(response.id), query.starting_after)
    return response


def update_response(call: Call) -> ResponseObject:
    body: UpdateResponseBody = call.body
    return _responses(call).update(call.owner, call.path["response_id"], body.metadata)


def delete_response(call: Call) -> ResponseDeleted:
    return _responses(call).delete(call.owner, call.path["response_id"])


def cancel_response(call: Call) -> ResponseObject:
    return _responses(call).cancel(call.owner, call.path["response_id"])


def list_input_items(call: Call) -> ItemList:
    return _responses(call).input_items(call.owner, call.path["response_id"], call.query.page)


def compact(call: Call) -> ResponseObject:
    raise NotFound(
        "POST /api/v1/llm/responses/compact is not emulated by mka1-mock.",
        code="unsupported_endpoint",
    )


_TAGS = ("Responses",)

ENDPOINTS = (
    Endpoint("POST", PREFIX, create_response, "Create a response", body=CreateResponseBody,
             returns=ResponseObject, errors=(404,), streams=True, tags=_TAGS),
    Endpoint("GET", PREFIX, list_responses, "List responses", query=ResponseListQuery, returns=ResponseList,
             tags=_TAGS),
    Endpoint("POST", PREFIX + "/compact", compact, "Compact a response (not emulated: always 404)",
             errors=(404,), tags=_TAGS),
    Endpoint("GET", ONE, get_response, "Retrieve a response", query=GetResponseQuery, returns=ResponseObject,
             errors=(404,), streams=True, tags=_TAGS),
    Endpoint("POST", ONE, update_response, "Update a response's metadata", body=UpdateResponseBody,
             returns=ResponseObject, errors=(404,), tags=_TAGS),
    Endpoint("DELETE", ONE, delete_response, "Delete a response", returns=ResponseDeleted, errors=(404,),
             tags=_TAGS),
    Endpoint("POST", ONE + "/cancel", cancel_response, "Cancel a background response", returns=ResponseObject,
             errors=(400, 404), tags=_TAGS),
    Endpoint("GET", ONE + "/input_items", list_input_items, "List a response's input items",
             query=InputItemsQuery, returns=ItemList, errors=(404,), tags=_TAGS),
)  # fmt: skip
