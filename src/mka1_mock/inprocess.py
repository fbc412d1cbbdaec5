"""A synchronous ``httpx`` transport that calls the ASGI app directly: HTTP with no socket.

httpx ships only an async ASGI transport; this one runs it on a private event loop thread (an anyio
blocking portal), so a plain ``httpx.Client`` (and the official SDK built on it) can talk to the app
in-process. Exceptions the app raises propagate to the caller, so a crash in the mock surfaces in the
test that caused it.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import Any

import anyio.from_thread
import httpx
from starlette.types import ASGIApp

__all__ = ["InProcessTransport"]


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._portal_cm: AbstractContextManager[Any] | None = None
        self._portal: Any = None

    def _ensure_portal(self) -> Any:
        if self._portal is None:
            self._portal_cm = anyio.from_thread.start_blocking_portal()
            self._portal = self._portal_cm.__enter__()
        return self._portal

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a read request's stream serves async readers too

        async def call() -> tuple[int, httpx.Headers, bytes, dict[str, Any]]:
            response = await self._asgi.handle_async_request(request)
            body = await response.aread()
            return response.status_code, response.headers, body, response.extensions

        status, headers, body, extensions = self._ensure_portal().call(call)
        return httpx.Response(
            status, headers=headers, stream=httpx.ByteStream(body), extensions=extensions
        )

    def close(self) -> None:
        if self._portal_cm is not None:
            self._portal_cm.__exit__(None, None, None)
            self._portal_cm = None
            self._portal = None
