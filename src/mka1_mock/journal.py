"""The request journal: what came in and what went out, bounded, for tests to inspect.

``JournalMiddleware`` records every request outside the control plane (``/__mock__/``) into the
app's ``Journal``. Secrets are masked as they are recorded; bodies are kept as parsed JSON when
they are JSON (text otherwise, cut at ``MAX_BODY_CHARS``).
"""

from __future__ import annotations

import fnmatch
import json
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["Journal", "JournalMiddleware", "RecordedRequest", "mask_headers"]

CONTROL_PREFIX = "/__mock__"
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


@dataclass(frozen=True)
class RecordedRequest:
    """One request the mock answered."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any
    status: int
    response: Any
    seq: int = field(default=0, compare=False)

    @property
    def json(self) -> Any:
        """The request body (parsed JSON, or None)."""
        return self.body

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
            self._entries.append(
                RecordedRequest(**{**entry.__dict__, "seq": self._seq})  # type: ignore[arg-type]
            )

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[RecordedRequest]:
        with self._lock:
            return iter(list(self._entries))

    def filter(
        self, method: str | None = None, path: str | None = None, *, status: int | None = None
    ) -> list[RecordedRequest]:
        """Entries matching ``method`` and ``path`` (a glob: ``*/items*``) and ``status``."""
        return [
            entry
            for entry in self
            if (method is None or entry.method == method.upper())
            and (path is None or fnmatch.fnmatchcase(entry.path, path))
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
        if scope["type"] != "http" or scope["path"].startswith(CONTROL_PREFIX):
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
            headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            query: dict[str, list[str]] = {}
            raw_query = scope["query_string"].decode("latin-1")
            for key, value in parse_qsl(raw_query, keep_blank_values=True):
                query.setdefault(key, []).append(value)
            self.journal.record(
                RecordedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=query,
                    headers=mask_headers(headers),
                    body=_decode(bytes(request_body), headers.get("content-type", "")),
                    status=status or 500,
                    response=_decode(bytes(response_body), response_type),
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

        try:
            await self.app(scope, receive_and_keep, send_and_keep)
        finally:
            record()
