"""The request journal: what came in and what went out, bounded, for tests to inspect.

``JournalMiddleware`` records every request outside the control plane (``/__mock__/``) into the
app's ``Journal``. Secrets are masked as they are recorded; bodies are kept as parsed JSON when
they are JSON (text otherwise, cut at ``MAX_BODY_CHARS``).
"""

from __future__ import annotations

import json
import re
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Journal", "JournalMiddleware", "RecordedRequest", "mask_headers", "FAULT_SCOPE_KEY", "RECORD_NOW_KEY"]

CONTROL_PREFIX = "/__mock__"
# Where an injected answer names what produced it (a fault rule's id, or "rate_limit"); the journal
# reads it into ``RecordedRequest.fault``.
FAULT_SCOPE_KEY = "mka1_mock.fault"
# A callable that records the request now, as it stands: a fault calls it before dropping the
# connection, so the journal shows the request by the time the client sees the drop.
RECORD_NOW_KEY = "mka1_mock.record_now"
MAX_BODY_CHARS = 64 * 1024
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


def mask_headers(headers: dict[str, str]) -> dict[str, str]:
    """A copy with secrets hidden: ``Bearer mk-abcdef123`` becomes ``Bearer mk-a…123``."""
    masked = {}
    for name, value in headers.items():
        if name.lower() in SECRET_HEADERS:
            scheme, _, secret = value.partition(" ")
            if not secret:
                scheme, secret = "", value
            hidden = f"{secret[:4]}…{secret[-3:]}" if len(secret) > 10 else "***"
            value = f"{scheme} {hidden}" if scheme else hidden
        masked[name] = value
    return masked


_SECRET_RAW = frozenset(name.encode() for name in SECRET_HEADERS)


def _mask_raw(headers: Sequence[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    """Raw headers with secret values masked now, so no secret is kept in the journal."""
    out = []
    for name, value in headers:
        if name.lower() in _SECRET_RAW:
            key = name.decode("latin-1").lower()
            value = mask_headers({key: value.decode("latin-1")})[key].encode("utf-8")
        out.append((name, value))
    return out


def path_pattern(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: ``*`` matches within one segment, ``**`` across segments."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return None
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            pass
    return text[:MAX_BODY_CHARS]


class RecordedRequest:
    """One request the mock answered. Recorded raw (cheap); decoded on first access.

    ``query`` maps each key to its values; ``headers`` are lower-cased with secrets masked;
    ``body`` and ``response`` are parsed JSON (text when not JSON, ``None`` when empty).
    ``fault`` names what injected the answer: a fault rule's id (``fault_1``), ``"rate_limit"``, or
    ``None`` for a real answer. ``status`` is 0 when no answer was sent (a dropped connection, or a
    client that gave up during injected latency).
    """

    __slots__ = ("method", "path", "status", "seq", "fault", "_raw", "_decoded")

    def __init__(
        self,
        *,
        method: str,
        path: str,
        status: int,
        raw_query: bytes = b"",
        raw_headers: Sequence[tuple[bytes, bytes]] = (),
        raw_body: bytes = b"",
        raw_response: bytes = b"",
        response_type: str = "",
        seq: int = 0,
        fault: str | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.status = status
        self.seq = seq
        self.fault = fault
        self._raw = (raw_query, raw_headers, raw_body, raw_response, response_type)
        self._decoded: dict[str, Any] | None = None

    def _decode(self) -> dict[str, Any]:
        if self._decoded is None:
            raw_query, raw_headers, raw_body, raw_response, response_type = self._raw
            headers = {k.decode("latin-1").lower(): v.decode("utf-8", errors="replace") for k, v in raw_headers}
            query: dict[str, list[str]] = {}
            for key, value in parse_qsl(raw_query.decode("latin-1"), keep_blank_values=True):
                query.setdefault(key, []).append(value)
            self._decoded = {
                "query": query,
                "headers": headers,
                "body": _decode(raw_body, headers.get("content-type", "")),
                "response": _decode(raw_response, response_type),
            }
        return self._decoded

    @property
    def query(self) -> dict[str, list[str]]:
        return self._decode()["query"]  # type: ignore[no-any-return]

    @property
    def headers(self) -> dict[str, str]:
        return self._decode()["headers"]  # type: ignore[no-any-return]

    @property
    def body(self) -> Any:
        """The request body: parsed JSON, text, or None."""
        return self._decode()["body"]

    json = body

    @property
    def response(self) -> Any:
        """The response body: parsed JSON, text (e.g. an event stream), or None."""
        return self._decode()["response"]

    def __repr__(self) -> str:
        injected = f" (injected by {self.fault})" if self.fault else ""
        return f"<RecordedRequest #{self.seq} {self.method} {self.path} -> {self.status}{injected}>"

    def to_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "status": self.status,
            "response": self.response,
            "fault": self.fault,
        }


class Journal:
    """The last ``maxlen`` requests, oldest first. Thread-safe."""

    def __init__(self, maxlen: int = 1000) -> None:
        self._entries: deque[RecordedRequest] = deque(maxlen=maxlen)
        self._lock = threading.Lock()
        self._seq = 0

    @property
    def maxlen(self) -> int:
        return self._entries.maxlen or 0

    def record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self._seq += 1
            entry.seq = self._seq
            self._entries.append(entry)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seq = 0

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        with self._lock:
            return iter(list(self._entries))

    def filter(
        self, method: str | None = None, path: str | None = None, *, status: int | None = None
    ) -> list[RecordedRequest]:
        """Entries matching ``method``, ``path`` and ``status``.

        ``path`` is a glob: ``*`` matches within one segment (``/conversations/*`` is one
        conversation, not its items), ``**`` across segments (``/api/**``).
        """
        regex = path_pattern(path) if path is not None else None
        return [
            entry
            for entry in self
            if (method is None or entry.method == method.upper())
            and (regex is None or regex.fullmatch(entry.path))
            and (status is None or entry.status == status)
        ]

    def assert_called(
        self, method: str, path: str, *, times: int | None = None, status: int | None = None
    ) -> list[RecordedRequest]:
        """Assert ``method path`` was requested (exactly ``times`` times, if given); return them."""
        found = self.filter(method, path, status=status)
        wanted = f"exactly {times} time(s)" if times is not None else "at least once"
        if (times is None and not found) or (times is not None and len(found) != times):
            seen = "\n".join(f"  {e.method} {e.path} -> {e.status}" for e in self) or "  (none)"
            raise AssertionError(
                f"expected {method.upper()} {path} {wanted}"
                f"{f' with status {status}' if status else ''}, found {len(found)}. "
                f"Requests seen:\n{seen}"
            )
        return found

    def assert_not_called(self, method: str, path: str) -> None:
        """Assert no request matched ``method path``."""
        self.assert_called(method, path, times=0)


class JournalMiddleware:
    """Pure ASGI middleware: records each API request with its response into ``journal``."""

    def __init__(self, app: ASGIApp, journal: Journal) -> None:
        self.app = app
        self.journal = journal

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX) or scope["path"] == "/openapi.json":
            await self.app(scope, receive, send)
            return
        request_body = bytearray()
        response_body = bytearray()
        status = 0
        response_type = ""
        recorded = False

        def record() -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            fault = scope.get(FAULT_SCOPE_KEY)
            self.journal.record(
                RecordedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    status=status or (0 if fault else 500),
                    fault=fault,
                    raw_query=scope["query_string"],
                    raw_headers=_mask_raw(scope["headers"]),
                    raw_body=bytes(request_body),
                    raw_response=bytes(response_body),
                    response_type=response_type,
                )
            )

        async def receive_and_keep() -> Message:
            message = await receive()
            if message["type"] == "http.request" and len(request_body) <= MAX_BODY_CHARS * 4:
                request_body.extend(message.get("body", b""))
            return message

        async def send_and_keep(message: Message) -> None:
            nonlocal status, response_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        response_type = value.decode("latin-1")
            elif message["type"] == "http.response.body":
                if len(response_body) <= MAX_BODY_CHARS * 4:
                    response_body.extend(message.get("body", b""))
                if not message.get("more_body", False):
                    # Record before the last byte leaves: once a client has its answer, the
                    # journal already shows the request (no race with the next test's reset).
                    record()
            await send(message)

        scope[RECORD_NOW_KEY] = record
        try:
            await self.app(scope, receive_and_keep, send_and_keep)
        finally:
            record()
