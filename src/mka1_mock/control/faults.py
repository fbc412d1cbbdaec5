"""Fault injection: rules that make the mock answer like the API on a bad day.

A rule is ``{"match": {...}, "action": {...}}`` plus how often it fires: the next ``times``
matching calls, and/or with ``probability`` under the rule's own ``random.Random(seed)`` (the same
seed gives the same sequence of faults; latency ranges are drawn from it too). Rules are tried in
the order they were added; the first that fires acts.

Actions that answer instead of the API (a status, a drop before the response, latency followed by
either) run before the endpoint, so nothing is stored. ``drop: after_headers``, ``cut_stream_after``
and ``stream_error_after`` break the answer *after* the API has done its work: the state is as if
the client had received everything (a network failure, not an API failure).

Dropping a connection needs the server's help: the mock's own servers (``MockServer``, the CLI, the
in-process transports) put a ``mka1_mock.abort`` callable in the ASGI scope's ``extensions``. Under
another ASGI server the drop falls back to raising ``ConnectionDropped`` (which such a server turns
into a closed connection or a 500).
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import json
import random
import re
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._core.errors import InvalidRequest
from .._core.validation import RequestModel, invalid_from
from .journal import CONTROL_PREFIX, FAULT_SCOPE_KEY, RECORD_NOW_KEY, path_pattern
from .rate_limits import bearer_key

__all__ = [
    "ABORT_EXTENSION",
    "ConnectionDropped",
    "FaultAction",
    "FaultMatch",
    "FaultMiddleware",
    "FaultRule",
    "FaultRules",
    "FaultSpec",
    "GATEWAY_MESSAGES",
]

ABORT_EXTENSION = "mka1_mock.abort"

# What the gateway (Kong) answers when the service behind it fails.
GATEWAY_MESSAGES = {
    500: "An unexpected error occurred",
    502: "An invalid response was received from the upstream server",
    503: "The upstream server is currently unavailable",
    504: "The upstream server is timing out",
}


class ConnectionDropped(Exception):
    """Raised to the ASGI server when it offers no way to close the connection itself."""


# -- the rule's JSON form --------------------------------------------------------------------------


class FaultMatch(RequestModel):
    method: str | None = Field(None, description="HTTP method (any case).")
    path: str | None = Field(None, description="A path glob: '*' within a segment, '**' across.")
    conversation: str | None = Field(None, description="A conversation id, in the path or the body.")
    model: str | None = Field(None, description="The body's 'model'.")
    api_key: str | None = Field(None, description="The bearer key.")
    on_behalf_of: str | None = Field(None, description="The X-On-Behalf-Of header.")


class FaultAction(RequestModel):
    status: int | None = Field(None, ge=200, le=599, description="Answer this status instead of the API.")
    retry_after: int | None = Field(None, ge=0, description="Seconds, sent as Retry-After and retry-after-ms.")
    retry_after_format: Literal["seconds", "http-date"] = "seconds"
    body: Any = Field(None, description="A custom body (JSON); default: the gateway's or an error envelope.")
    headers: dict[str, str] = Field(default_factory=dict)
    latency_ms: int | list[int] | None = Field(None, description="A delay, or a [min, max] range (ms).")
    drop: Literal["before_response", "after_headers"] | None = None
    cut_stream_after: int | None = Field(None, ge=0, description="Close an event stream after N events.")
    stream_error_after: int | None = Field(None, ge=0, description="Send an 'error' event after N events.")

    @model_validator(mode="after")
    def _one_effect(self) -> FaultAction:
        effects = [
            name for name in ("status", "drop", "cut_stream_after", "stream_error_after")
            if getattr(self, name) is not None
        ]  # fmt: skip
        if len(effects) > 1:
            raise ValueError(f"an action has one effect (with optional latency_ms), got {' and '.join(effects)}")
        if not effects and self.latency_ms is None:
            raise ValueError("an action needs status, latency_ms, drop, cut_stream_after or stream_error_after")
        if self.status is None and (self.retry_after is not None or self.body is not None or self.headers):
            raise ValueError("retry_after, body and headers go with status")
        if isinstance(self.latency_ms, list):
            if len(self.latency_ms) != 2 or not 0 <= self.latency_ms[0] <= self.latency_ms[1]:
                raise ValueError("latency_ms range must be [min, max] with 0 <= min <= max")
        elif self.latency_ms is not None and self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        return self

    @property
    def streams(self) -> bool:
        return self.cut_stream_after is not None or self.stream_error_after is not None


class FaultSpec(RequestModel):
    match: FaultMatch = FaultMatch()
    action: FaultAction
    times: int | None = Field(None, ge=1, description="Fire for the next N matching calls (default: all).")
    probability: float | None = Field(None, gt=0, le=1, description="Fire with this probability.")
    seed: int | None = Field(None, description="Seed of the rule's RNG (default: a random one, reported).")


# -- rules -----------------------------------------------------------------------------------------


@dataclass
class Request:
    """What a rule looks at: method, path, query, headers, and the body once read."""

    method: str
    path: str
    query: str
    api_key: str | None
    on_behalf_of: str | None
    body: Any = None

    @property
    def wants_stream(self) -> bool:
        return bool(re.search(r"(^|&)stream=true(&|$)", self.query)) or (
            isinstance(self.body, dict) and self.body.get("stream") is True
        )

    def conversation(self) -> str | None:
        found = re.search(r"/conversations/([^/]+)", self.path)
        if found:
            return found.group(1)
        if isinstance(self.body, dict):
            value = self.body.get("conversation")
            if isinstance(value, dict):
                value = value.get("id")
            if isinstance(value, str):
                return value
        return None


@dataclass
class FaultRule:
    """One rule, live: ``matched`` and ``fired`` count as requests come in."""

    id: str
    spec: FaultSpec
    seed: int
    rng: random.Random = field(repr=False)
    path: re.Pattern[str] | None = field(repr=False)
    matched: int = 0
    fired: int = 0

    @property
    def action(self) -> FaultAction:
        return self.spec.action

    @property
    def remaining(self) -> int | None:
        return None if self.spec.times is None else self.spec.times - self.fired

    @property
    def needs_body(self) -> bool:
        match = self.spec.match
        return match.conversation is not None or match.model is not None or self.action.streams

    def prefilter(self, request: Request) -> bool:
        """Every matcher that needs no body fits (and the rule can still fire)."""
        match = self.spec.match
        return (
            (self.remaining is None or self.remaining > 0)
            and (match.method is None or match.method.upper() == request.method)
            and (self.path is None or self.path.fullmatch(request.path) is not None)
            and (match.api_key is None or match.api_key == request.api_key)
            and (match.on_behalf_of is None or match.on_behalf_of == request.on_behalf_of)
        )

    def fits(self, request: Request) -> bool:
        """The matchers that read the body fit too."""
        match = self.spec.match
        return (
            (match.model is None or (isinstance(request.body, dict) and request.body.get("model") == match.model))
            and (match.conversation is None or request.conversation() == match.conversation)
            and (not self.action.streams or request.wants_stream)
        )

    def latency(self) -> float:
        """Seconds to wait before answering (drawn from the rule's RNG for a range)."""
        latency = self.action.latency_ms
        if latency is None:
            return 0.0
        if isinstance(latency, list):
            return self.rng.randint(latency[0], latency[1]) / 1000
        return latency / 1000

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "match": self.spec.match.model_dump(exclude_none=True),
            "action": self.spec.action.model_dump(exclude_defaults=True),
            "times": self.spec.times,
            "probability": self.spec.probability,
            "seed": self.seed,
            "remaining": self.remaining,
            "matched": self.matched,
            "fired": self.fired,
        }


class FaultRules:
    """The app's fault rules, in order; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next = 1

    def __bool__(self) -> bool:
        return bool(self._rules)

    def add(self, spec: FaultSpec | dict[str, Any]) -> FaultRule:
        """Add a rule from its JSON form (validated: a bad one is a 400 naming the field)."""
        if not isinstance(spec, FaultSpec):
            try:
                spec = FaultSpec.model_validate(spec)
            except ValidationError as err:
                error = invalid_from(err)
                raise InvalidRequest(
                    f"Invalid fault rule: {error.message}", param=error.param, code=error.code
                ) from None
        seed = spec.seed if spec.seed is not None else random.SystemRandom().randrange(2**32)
        path = path_pattern(spec.match.path) if spec.match.path is not None else None
        with self._lock:
            rule = FaultRule(id=f"fault_{self._next}", spec=spec, seed=seed, rng=random.Random(seed), path=path)
            self._next += 1
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules = []
            self._next = 1

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def candidates(self, request: Request) -> list[FaultRule]:
        with self._lock:
            return [rule for rule in self._rules if rule.prefilter(request)]

    def decide(self, candidates: Sequence[FaultRule], request: Request) -> tuple[FaultRule, float] | None:
        """The first rule that matches and fires, with its latency; counts ``matched``/``fired``."""
        with self._lock:
            for rule in candidates:
                if not rule.prefilter(request) or not rule.fits(request):
                    continue
                rule.matched += 1
                probability = rule.spec.probability
                if probability is not None and rule.rng.random() >= probability:
                    continue
                rule.fired += 1
                return rule, rule.latency()
        return None


# -- the middleware --------------------------------------------------------------------------------


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app the already-read body, then the real channel."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _until_disconnect(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


async def _wait(seconds: float, receive: Receive) -> bool:
    """Sleep without blocking the loop; False if the client went away meanwhile."""
    watcher = asyncio.ensure_future(_until_disconnect(receive))
    try:
        done, _ = await asyncio.wait({watcher}, timeout=seconds)
        return not done
    finally:
        watcher.cancel()
        with contextlib.suppress(BaseException):
            await watcher


async def _drop(scope: Scope, receive: Receive) -> None:
    abort: Callable[[], None] | None = scope.get("extensions", {}).get(ABORT_EXTENSION)
    if abort is None:
        raise ConnectionDropped("mka1-mock fault: connection dropped")
    record_now: Callable[[], None] | None = scope.get(RECORD_NOW_KEY)
    if record_now is not None:
        record_now()
    abort()
    await _until_disconnect(receive)


def _answer(rule: FaultRule) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    action = rule.action
    status = action.status or 500
    body = action.body
    if body is None:
        if status == 429:
            body = {"error": "Rate limit exceeded"}
        elif status in GATEWAY_MESSAGES:
            body = {"message": GATEWAY_MESSAGES[status]}
        else:
            body = {"error": {
                "message": f"Injected fault ({rule.id}): HTTP {status}.",
                "type": "server_error" if status >= 500 else "invalid_request_error",
                "param": None,
                "code": "injected_fault",
            }}  # fmt: skip
    raw = body.encode() if isinstance(body, str) else json.dumps(body, separators=(",", ":")).encode()
    content_type = b"text/plain; charset=utf-8" if isinstance(body, str) else b"application/json"
    headers = [(b"content-type", content_type), (b"content-length", str(len(raw)).encode())]
    retry_after = action.retry_after if action.retry_after is not None else (1 if status == 429 else None)
    if retry_after is not None:
        if action.retry_after_format == "http-date":
            # Only the date: a client's date parsing is what this form tests (clients prefer
            # retry-after-ms when both are sent).
            date = email.utils.formatdate(time.time() + retry_after, usegmt=True)
            headers.append((b"retry-after", date.encode()))
        else:
            headers += [
                (b"retry-after", str(retry_after).encode()),
                (b"retry-after-ms", str(retry_after * 1000).encode()),
            ]
    headers += [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in action.headers.items()]
    return status, raw, headers


class _StreamBreaker:
    """Wraps ``send``: passes ``limit`` SSE events (or, for ``after_headers``, none) and swallows the
    rest, so the app still runs to its end (its state is complete) while the client gets less."""

    def __init__(self, send: Send, limit: int) -> None:
        self.send = send
        self.limit = limit
        self.events = 0
        self.last_sequence = -1
        self.started = False
        self.sse = False
        self.broken = False
        self._pending = b""

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = dict(message.get("headers", []))
            self.sse = headers.get(b"content-type", b"").startswith(b"text/event-stream")
            await self.send(message)
            return
        if message["type"] != "http.response.body" or self.broken:
            return
        if not self.sse:  # not an event stream after all: pass it through untouched
            await self.send(message)
            return
        data = self._pending + message.get("body", b"")
        out = b""
        while self.events < self.limit:
            end = data.find(b"\n\n")
            if end < 0:
                break
            frame, data = data[: end + 2], data[end + 2 :]
            out += frame
            self.events += 1
            found = re.search(rb'"sequence_number":\s*(\d+)', frame)
            if found:
                self.last_sequence = int(found.group(1))
        self._pending = data
        more = message.get("more_body", False)
        if self.events >= self.limit and (data or more):
            self.broken = True
        if out or not more or self.broken:
            await self.send({"type": "http.response.body", "body": out, "more_body": more or self.broken})


class FaultMiddleware:
    """Pure ASGI middleware applying the app's fault rules to every API request."""

    def __init__(self, app: ASGIApp, rules: FaultRules) -> None:
        self.app = app
        self.rules = rules

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.rules or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        request = Request(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode("latin-1"),
            api_key=bearer_key(scope),
            on_behalf_of=_header(scope, b"x-on-behalf-of"),
        )
        candidates = self.rules.candidates(request)
        if not candidates:
            await self.app(scope, receive, send)
            return
        raw = await _read_body(receive)
        if any(rule.needs_body for rule in candidates):
            with contextlib.suppress(ValueError, RecursionError):
                request.body = json.loads(raw) if raw.strip() else None
        app_receive = _replaying(raw, receive)
        decided = self.rules.decide(candidates, request)
        if decided is None:
            await self.app(scope, app_receive, send)
            return
        rule, latency = decided
        scope[FAULT_SCOPE_KEY] = rule.id
        if latency and not await _wait(latency, receive):
            return  # the client gave up during the delay: the request is never processed
        action = rule.action
        if action.status is not None:
            status, body, headers = _answer(rule)
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body, "more_body": False})
        elif action.drop == "before_response":
            await _drop(scope, receive)
        elif action.drop == "after_headers":
            await self.app(scope, app_receive, _headers_only(send))
            await _drop(scope, receive)
        elif action.cut_stream_after is not None:
            breaker = _StreamBreaker(send, action.cut_stream_after)
            await self.app(scope, app_receive, breaker)
            if breaker.broken:
                await _drop(scope, receive)
        elif action.stream_error_after is not None:
            breaker = _StreamBreaker(send, action.stream_error_after)
            await self.app(scope, app_receive, breaker)
            if breaker.broken:
                error = {
                    "type": "error",
                    "code": "server_error",
                    "message": f"Injected stream error ({rule.id}): the stream failed after {breaker.events} events.",
                    "param": None,
                    "sequence_number": breaker.last_sequence + 1,
                }
                frame = f"event: error\ndata: {json.dumps(error, separators=(',', ':'))}\n\n".encode()
                await send({"type": "http.response.body", "body": frame, "more_body": False})
        else:
            await self.app(scope, app_receive, send)


def _headers_only(send: Send) -> Send:
    """Forwards the response's start (status and headers) and swallows its body."""

    async def forward(message: Message) -> None:
        if message["type"] == "http.response.start":
            await send(message)

    return forward
