"""The servers bench/run.py measures, each run in its own process (so the load generator's GIL never
slows the server down).

    python bench/_servers.py mock [--small N] [--large N]   # the mock app, with two seeded conversations
    python bench/_servers.py bare                           # a bare Starlette app: GET /ping, POST /echo

Both are served by ``mka1_mock.testing.server.serve_forever`` (the same uvicorn settings as ``mka1-mock serve``)
on 127.0.0.1 and a free port. Protocol on stdout, one line each:

    bench-info {"tcp_nodelay": "...", "small": "conv_...", "large": "conv_...", ...}
    mka1-mock listening on http://127.0.0.1:PORT

``tcp_nodelay`` is "native" when the listening socket ``mka1_mock.testing.server.bind_socket`` makes is
IPPROTO_TCP, "missing" otherwise: asyncio sets TCP_NODELAY only on connections accepted from such a
socket, and without it every response stalls ~40 ms (Nagle + delayed ACK) -- run.py flags that.

The server stops on SIGINT/SIGTERM, and also when its stdin reaches end of file: the parent holds the
other end of that pipe, so a server never outlives the benchmark that started it, even a killed one.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

import mka1_mock.testing.server
from mka1_mock import Store
from mka1_mock._core.auth import make_owner, user_id_for_key
from mka1_mock._core.config import MockConfig
from mka1_mock.app import create_app
from mka1_mock.items.models import validate_items

BENCH_KEY = "bench"
SEED_BATCH = 500  # items per add_items call while seeding
LOG_LEVEL = "warning"


def _message(n: int) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "user" if n % 2 == 0 else "assistant",
        "content": [{"type": "input_text", "text": f"seeded message number {n}"}],
    }


def _seed(store: Any, owner: Any, count: int, label: str) -> tuple[str, float]:
    """A conversation holding ``count`` validated message items; returns its id and the seconds taken."""
    started = time.perf_counter()
    conversations = store.section("conversations")  # the Conversations backend, as a resource would reach it
    conversation = conversations.create(owner, metadata={"bench": label})
    done = 0
    while done < count:
        size = min(SEED_BATCH, count - done)
        raw = [_message(done + i) for i in range(size)]
        # The same validation a POST .../items runs (in chunks of 20, the API's batch limit).
        items = [item for j in range(0, size, 20) for item in validate_items(raw[j : j + 20])]
        conversations.add_items(owner, conversation.id, items)
        done += size
    return conversation.id, time.perf_counter() - started


def build_mock(small: int, large: int) -> tuple[Starlette, dict[str, Any]]:
    # The store and config are made here and handed to create_app, so seeding needs no app internals.
    config = MockConfig()
    store = Store()
    app = create_app(store, config=config)
    owner = make_owner(user_id_for_key(BENCH_KEY, config.users), None, config.identity_mode)
    small_id, small_s = _seed(store, owner, small, "small")
    large_id, large_s = _seed(store, owner, large, "large")
    info = {
        "small": small_id,
        "small_items": small,
        "small_seconds": small_s,
        "large": large_id,
        "large_items": large,
        "large_seconds": large_s,
    }
    return app, info


async def ping(request: Request) -> JSONResponse:
    return JSONResponse({"object": "ping", "ok": True, "n": 1})


async def echo(request: Request) -> JSONResponse:
    return JSONResponse(await request.json())


def build_bare() -> Starlette:
    return Starlette(routes=[Route("/ping", ping, methods=["GET"]), Route("/echo", echo, methods=["POST"])])


def tcp_nodelay() -> str:
    """Whether connections the mock accepts get TCP_NODELAY (see the module docstring)."""
    probe = mka1_mock.testing.server.bind_socket("127.0.0.1", 0)
    try:
        return "native" if probe.proto == socket.IPPROTO_TCP else "missing"
    finally:
        probe.close()


def _exit_when_parent_goes() -> None:
    """Stop like on Ctrl-C once stdin closes (the parent exited, cleanly or not)."""

    def watch() -> None:
        try:  # os.read, not sys.stdin: a buffered read would block interpreter shutdown
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("kind", choices=("mock", "bare"))
    parser.add_argument("--small", type=int, default=100, help="items in the small conversation")
    parser.add_argument("--large", type=int, default=100_000, help="items in the large conversation")
    args = parser.parse_args(argv)
    info: dict[str, Any] = {"tcp_nodelay": tcp_nodelay()}
    # As `mka1-mock serve --log-level warning` configures logging.
    logging.basicConfig(
        stream=sys.stderr,
        level=LOG_LEVEL.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if args.kind == "mock":
        app, seed = build_mock(args.small, args.large)
        info.update(seed)
    else:
        app = build_bare()
    print("bench-info " + json.dumps(info), flush=True)
    _exit_when_parent_goes()
    mka1_mock.testing.server.serve_forever(
        app,
        host="127.0.0.1",
        port=0,
        log_level=LOG_LEVEL,
        on_ready=lambda url: print(f"mka1-mock listening on {url}", flush=True),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
