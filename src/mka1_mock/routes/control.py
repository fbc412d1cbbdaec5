"""``/__mock__/``: the control plane over HTTP, for a standalone server (no API key needed).

Each route is a thin door onto ``Controller``, the same object the in-process handle uses.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..control import Controller
from ..errors import MockError
from ..failures import crash_response
from ..replies import Reply
from ..schemas.base import RequestModel, parse
from .http import read_json

__all__ = ["routes", "PREFIX"]

PREFIX = "/__mock__"


class ClockBody(RequestModel):
    freeze_at: int | None = None
    advance: int | None = None
    unfreeze: bool = False


class IdsBody(RequestModel):
    seed: int | None = None
    sequential: bool = False


class RepliesBody(RequestModel):
    replies: list[Any]


class RuleMatch(RequestModel):
    text: str | None = None
    model: str | None = None
    tool: str | None = None
    conversation: str | None = None


class RuleBody(RequestModel):
    match: RuleMatch = RuleMatch()
    reply: Any
    times: int | None = None


class BackgroundBody(RequestModel):
    mode: str = "retrievals"
    retrievals: int = 2


class AdvanceBody(RequestModel):
    to_end: bool = False


def _control(request: Request) -> Controller:
    return request.app.state.control  # type: ignore[no-any-return]


def _pending(request: Request) -> dict[str, list[str]]:
    scripts = _control(request).scripts()
    return {"queue": scripts["queue"], "rules": scripts["rules"]}


def _summary(request: Request) -> dict[str, Any]:
    state = _control(request).snapshot()
    return {
        "conversations": len(state.conversations),
        "items": sum(len(c.items) for c in state.conversations),
    }


async def reset(request: Request) -> Response:
    _control(request).reset()
    return JSONResponse({"reset": True, **_summary(request)})


async def get_state(request: Request) -> Response:
    return JSONResponse(_control(request).export())


async def put_state(request: Request) -> Response:
    _control(request).replace_state(await read_json(request, require_json_type=False))
    return JSONResponse(_summary(request))


async def load_fixture(request: Request) -> Response:
    loaded = _control(request).load(await read_json(request, require_json_type=False))
    return JSONResponse({"loaded": [c.id for c in loaded], **_summary(request)})


async def list_requests(request: Request) -> Response:
    query = request.query_params
    entries = _control(request).requests(query.get("method"), query.get("path"))
    return JSONResponse({"object": "list", "data": entries})


async def clear_requests(request: Request) -> Response:
    _control(request).clear_requests()
    return JSONResponse({"cleared": True})


async def clock(request: Request) -> Response:
    body = parse(ClockBody, await read_json(request, require_json_type=False))
    control = _control(request)
    if body.unfreeze:
        control.unfreeze_time()
    if body.freeze_at is not None:
        control.freeze_time(body.freeze_at)
    if body.advance is not None:
        control.advance_time(body.advance)
    return JSONResponse(control.clock_state())


async def ids(request: Request) -> Response:
    body = parse(IdsBody, await read_json(request, require_json_type=False))
    _control(request).seed_ids(body.seed, sequential=body.sequential)
    return JSONResponse({"seed": body.seed, "sequential": body.sequential})


async def queue_replies(request: Request) -> Response:
    body = parse(RepliesBody, await read_json(request, require_json_type=False))
    replies = [Reply.from_spec(spec, f"replies[{n}]") for n, spec in enumerate(body.replies)]
    _control(request).queue_replies(*replies)
    return JSONResponse(_pending(request))


async def add_rule(request: Request) -> Response:
    body = parse(RuleBody, await read_json(request, require_json_type=False))
    match = body.match
    _control(request).add_rule(
        Reply.from_spec(body.reply),
        text=match.text,
        model=match.model,
        tool=match.tool,
        conversation=match.conversation,
        times=body.times,
    )
    return JSONResponse(_pending(request))


async def get_responder(request: Request) -> Response:
    return JSONResponse(_control(request).scripts())


async def clear_responder(request: Request) -> Response:
    _control(request).clear_scripts()
    return JSONResponse(_pending(request))


async def background(request: Request) -> Response:
    body = parse(BackgroundBody, await read_json(request, require_json_type=False))
    _control(request).set_background(body.mode, body.retrievals)
    return JSONResponse({"mode": body.mode, "retrievals": body.retrievals})


async def advance_response(request: Request) -> Response:
    body = parse(AdvanceBody, await read_json(request, require_json_type=False))
    response = _control(request).advance_response(request.path_params["response_id"], to_end=body.to_end)
    return JSONResponse(response.to_wire())


def _guarded(handler: Callable[[Request], Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    """A bug in the mock answers 500 here (keeping the connection) and fails the test later."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except MockError:
            raise
        except Exception as exc:
            return crash_response(request, exc)

    endpoint.__name__ = handler.__name__
    return endpoint


routes = [
    Route(PREFIX + "/reset", _guarded(reset), methods=["POST"]),
    Route(PREFIX + "/state", _guarded(get_state), methods=["GET"]),
    Route(PREFIX + "/state", _guarded(put_state), methods=["PUT"]),
    Route(PREFIX + "/fixtures", _guarded(load_fixture), methods=["POST"]),
    Route(PREFIX + "/requests", _guarded(list_requests), methods=["GET"]),
    Route(PREFIX + "/requests", _guarded(clear_requests), methods=["DELETE"]),
    Route(PREFIX + "/clock", _guarded(clock), methods=["POST"]),
    Route(PREFIX + "/ids", _guarded(ids), methods=["POST"]),
    Route(PREFIX + "/responder", _guarded(get_responder), methods=["GET"]),
    Route(PREFIX + "/responder", _guarded(clear_responder), methods=["DELETE"]),
    Route(PREFIX + "/responder/replies", _guarded(queue_replies), methods=["POST"]),
    Route(PREFIX + "/responder/rules", _guarded(add_rule), methods=["POST"]),
    Route(PREFIX + "/background", _guarded(background), methods=["POST"]),
    Route(PREFIX + "/responses/{response_id}/advance", _guarded(advance_response), methods=["POST"]),
]
