"""Run a mock app on a real socket: uvicorn in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import threading
from collections.abc import Callable, Iterator
from types import TracebackType

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.auto import AutoHTTPProtocol

from ..control.faults import ABORT_EXTENSION

__all__ = ["MockServer", "bind_socket", "serve_forever"]


class _Uvicorn(uvicorn.Server):
    """uvicorn's server, telling us the moment it accepts connections (no polling, no sleeps)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            self._on_ready()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        """SIGINT/SIGTERM end the serve loop gracefully (a second one forces it) and exit 0.

        uvicorn's own version re-raises the signal after shutdown, which turns a clean stop into
        a "killed by signal" exit status.
        """
        if threading.current_thread() is not threading.main_thread():
            yield
            return

        def stop(signum: int, frame: object) -> None:
            if self.should_exit:
                self.force_exit = True
            self.should_exit = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


class _Protocol(AutoHTTPProtocol):  # type: ignore[misc,valid-type]  # a class chosen at import
    """uvicorn's HTTP protocol, offering the app a way to close the connection with no (or a partial)
    answer: the ``mka1_mock.abort`` extension that fault rules use to drop a connection."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        app: ASGIApp = getattr(self, "app")  # noqa: B009 - set by uvicorn's protocol, untyped here

        async def with_abort(scope: Scope, receive: Receive, send: Send) -> None:
            scope.setdefault("extensions", {})[ABORT_EXTENSION] = transport.close
            await app(scope, receive, send)

        setattr(self, "app", with_abort)  # noqa: B010


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; ``port=0`` lets the OS pick a free port."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio turns on TCP_NODELAY only for sockets that say so, and
    # without it every keep-alive request waits ~40 ms on Nagle + delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _url(sock: socket.socket, host: str) -> str:
    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


def _config(app: ASGIApp, log_level: str, access_log: bool) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        log_level=log_level,
        access_log=access_log,
        log_config=None,  # the CLI (or the host test suite) owns logging configuration
        http=_Protocol,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )


class MockServer:
    """A mock app served on ``host`` (default 127.0.0.1) and a free port, in a daemon thread.

    >>> with MockServer(create_app()) as server:
    ...     requests.get(server.url + "/api/v1/llm/conversations", headers=...)
    """

    def __init__(self, app: ASGIApp, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "warning") -> None:
        self.app = app
        self.host = host
        self._port = port
        self._log_level = log_level
        self._server: _Uvicorn | None = None
        self._thread: threading.Thread | None = None
        self.url = ""

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1]) if self.url else self._port

    def start(self, timeout: float = 30.0) -> MockServer:
        """Bind, start serving, and return once the server accepts connections."""
        if self._thread is not None:
            raise RuntimeError("MockServer already started")
        sock = bind_socket(self.host, self._port)
        ready = threading.Event()
        server = _Uvicorn(_config(self.app, self._log_level, access_log=False), ready.set)
        failure: list[BaseException] = []

        def run() -> None:
            try:
                server.run(sockets=[sock])
            except BaseException as exc:  # noqa: BLE001 - reported to the caller below
                failure.append(exc)
            finally:
                ready.set()
                sock.close()

        self._server = server
        self._thread = threading.Thread(target=run, name="mka1-mock-server", daemon=True)
        self._thread.start()
        ready.wait(timeout)
        if failure or not server.started:
            self.stop()
            raise RuntimeError(f"mka1-mock server failed to start: {failure[:1] or 'timeout'}")
        self.url = _url(sock, self.host)
        return self

    def stop(self) -> None:
        """Stop serving and wait for the thread to end (idempotent)."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def __enter__(self) -> MockServer:
        return self.start() if self._thread is None else self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


def serve_forever(
    app: ASGIApp,
    *,
    host: str,
    port: int,
    log_level: str,
    on_ready: Callable[[str], None],
) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; ``on_ready(url)`` runs once it accepts."""
    sock = bind_socket(host, port)
    url = _url(sock, host)
    server = _Uvicorn(_config(app, log_level, access_log=True), lambda: on_ready(url))
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
