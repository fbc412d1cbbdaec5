"""A synchronous ``httpx`` transport that calls the ASGI app directly: HTTP with no socket.

httpx ships only an async ASGI transport; this one runs it on a private event loop in a daemon
thread, so a plain ``httpx.Client`` (and the official SDK built on it) can talk to the app
in-process. A client that is never closed does not keep the interpreter from exiting.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import httpx
from starlette.types import ASGIApp

__all__ = ["InProcessTransport"]


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._asgi = httpx.ASGITransport(app=app)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _running_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="mka1-mock-in-process", daemon=True)
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()  # a read request's stream serves async readers too

        async def call() -> tuple[int, httpx.Headers, bytes, dict[str, Any]]:
            response = await self._asgi.handle_async_request(request)
            body = await response.aread()
            return response.status_code, response.headers, body, response.extensions

        future = asyncio.run_coroutine_threadsafe(call(), self._running_loop())
        status, headers, body, extensions = future.result()
        return httpx.Response(status, headers=headers, stream=httpx.ByteStream(body), extensions=extensions)

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()
