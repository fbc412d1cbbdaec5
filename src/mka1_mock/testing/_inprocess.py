"""``httpx`` transports that call the ASGI app directly: HTTP with no socket.

The sync transport runs the app on a private event loop in a daemon thread, so a plain
``httpx.Client`` (and the official SDK built on it) can talk to the app in-process; concurrent
requests from several threads run concurrently on that loop (a slow one blocks no other). A client
that is never closed does not keep the interpreter from exiting. The async transport runs the app on
the caller's loop.

Both behave like a socket where the fault rules need it: they honour the request's read timeout
(``httpx.ReadTimeout``), and they offer the app the ``mka1_mock.abort`` extension: a connection
dropped before the answer raises ``httpx.RemoteProtocolError`` as httpx does over a socket, and one
dropped mid-answer gives the headers and the body so far, then that error while reading the rest.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from starlette.types import ASGIApp, Message

from ..control.faults import ABORT_EXTENSION

__all__ = ["InProcessTransport", "AsyncInProcessTransport"]


@dataclass
class _Answer:
    status: int | None = None
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)
    body: bytearray = field(default_factory=bytearray)
    dropped: bool = False


async def _call(app: ASGIApp, request: httpx.Request, body: bytes) -> _Answer:
    answer = _Answer()
    finished = asyncio.Event()
    body_sent = False

    def abort() -> None:
        answer.dropped = True
        finished.set()

    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": request.method,
        "headers": [(name.lower(), value) for name, value in request.headers.raw],
        "scheme": request.url.scheme,
        "path": request.url.path,
        "raw_path": request.url.raw_path.split(b"?")[0],
        "query_string": request.url.query,
        "server": (request.url.host, request.url.port),
        "client": ("127.0.0.1", 123),
        "root_path": "",
        "extensions": {ABORT_EXTENSION: abort},
    }

    async def receive() -> Message:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await finished.wait()
        return {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        if answer.dropped:
            return
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            if request.method != "HEAD":
                answer.body += message.get("body", b"")
            if not message.get("more_body", False):
                finished.set()

    try:
        await app(scope, receive, send)
    finally:
        finished.set()
    return answer


class _BrokenBody(httpx.SyncByteStream, httpx.AsyncByteStream):
    """The body a client got before the connection was dropped, then the error it would see."""

    def __init__(self, body: bytes, request: httpx.Request) -> None:
        self._body = body
        self._request = request

    def _error(self) -> httpx.RemoteProtocolError:
        return httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body (mka1-mock fault)",
            request=self._request,
        )

    def __iter__(self) -> Iterator[bytes]:
        if self._body:
            yield self._body
        raise self._error()

    async def __aiter__(self) -> AsyncIterator[bytes]:
        if self._body:
            yield self._body
        raise self._error()


def _response(answer: _Answer, request: httpx.Request) -> httpx.Response:
    if answer.status is None:
        if answer.dropped:
            raise httpx.RemoteProtocolError(
                "Server disconnected without sending a response. (mka1-mock fault)", request=request
            )
        raise RuntimeError("the mock app returned without answering")
    if answer.dropped:
        return httpx.Response(answer.status, headers=answer.headers, stream=_BrokenBody(bytes(answer.body), request))
    return httpx.Response(answer.status, headers=answer.headers, stream=httpx.ByteStream(bytes(answer.body)))


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {})
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if value is not None else None


async def _cancel_pending() -> None:
    tasks = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._app = app
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
        body = request.read()  # a read request's stream serves async readers too
        future = asyncio.run_coroutine_threadsafe(_call(self._app, request, body), self._running_loop())
        try:
            answer = future.result(timeout=_read_timeout(request))
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise httpx.ReadTimeout("timed out waiting for the mock's answer", request=request) from None
        return _response(answer, request)

    def close(self) -> None:
        with self._lock:
            loop, thread = self._loop, self._thread
            self._loop = self._thread = None
        if loop is not None and thread is not None:
            # Requests still running (e.g. one abandoned on a timeout) end before the loop does.
            with contextlib.suppress(Exception):
                asyncio.run_coroutine_threadsafe(_cancel_pending(), loop).result(timeout=5)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=5)
            loop.close()


class AsyncInProcessTransport(httpx.AsyncBaseTransport):
    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        body = await request.aread()
        try:
            answer = await asyncio.wait_for(_call(self._app, request, body), _read_timeout(request))
        except TimeoutError:
            raise httpx.ReadTimeout("timed out waiting for the mock's answer", request=request) from None
        return _response(answer, request)
