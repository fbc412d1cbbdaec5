"""``mka1-mock``: the command line. ``main(argv) -> exit status``; all the work is elsewhere."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__
from ._core.clock import Clock
from ._core.config import MockConfig, RateLimit
from ._core.errors import InvalidRequest, MockError
from ._core.ids import IdFactory
from .app import create_app
from .testing.server import serve_forever

__all__ = ["main", "build_parser"]

LOG_LEVELS = ("critical", "error", "warning", "info", "debug")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mka1-mock",
        description="A local, in-memory fake of the MKA1 LLM API for integration tests.",
    )
    parser.add_argument("--version", action="version", version=f"mka1-mock {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    serve = commands.add_parser(
        "serve",
        help="run the mock server until interrupted",
        description="Serve the MKA1 API under /api/v1/llm/ until SIGINT or SIGTERM. The first line "
        "on stdout is 'mka1-mock listening on http://HOST:PORT'; logs go to stderr.",
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    serve.add_argument("--port", type=int, default=8080, help="port to bind; 0 picks a free one (default: %(default)s)")
    serve.add_argument(
        "--api-key",
        action="append",
        dest="api_keys",
        metavar="KEY",
        help="accept only this bearer key (repeatable); by default any non-empty key is accepted",
    )
    serve.add_argument(
        "--identity-mode",
        choices=("hash", "raw"),
        default="hash",
        help="how 'identity' is written: SHA-256 of user:external-user, or raw (default: %(default)s)",
    )
    serve.add_argument(
        "--max-body-bytes",
        type=int,
        default=MockConfig.max_body_bytes,
        metavar="N",
        help="largest request body accepted; bigger ones get 413 (default: %(default)s)",
    )
    serve.add_argument(
        "--seed",
        type=int,
        metavar="N",
        help="generate ids from a repeatable sequence seeded with N (default: random ids)",
    )
    serve.add_argument(
        "--sequential-ids",
        action="store_true",
        help="generate readable ids: conv_000...001, conv_000...002 (overrides --seed)",
    )
    serve.add_argument(
        "--freeze-time",
        type=int,
        metavar="UNIX",
        help="freeze the clock at this Unix time (seconds) instead of following the system clock",
    )
    serve.add_argument(
        "--fixtures",
        action="append",
        default=[],
        metavar="PATH",
        help="load a fixture file, or every *.json fixture in a directory, at start-up (repeatable)",
    )
    serve.add_argument(
        "--models",
        metavar="FILE",
        help="replace the models catalogue with this JSON file: a list of model objects, or "
        '{"data": [...]}; only "id" is required (default: the model names the MKA1 docs use)',
    )
    serve.add_argument(
        "--strict-models",
        action="store_true",
        help="answer 400 (param 'model') to a response whose model is not in the catalogue and not 'auto'",
    )
    serve.add_argument(
        "--rate-limit",
        action="append",
        default=[],
        dest="rate_limits",
        metavar="[KEY=]N/WINDOW",
        type=_rate_limit,
        help="the gateway's per-API-key limit, e.g. 10/second, 5000/hour (combinable, repeatable; "
        "window: second|minute|hour|day, or s|m|h|d); KEY=... limits that key only. Default: none",
    )
    serve.add_argument(
        "--log-level",
        choices=LOG_LEVELS,
        default="info",
        help="log level for stderr; 'info' logs every request (default: %(default)s)",
    )
    return parser


def _rate_limit(text: str) -> RateLimit:
    try:
        return RateLimit.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def _serve(args: argparse.Namespace) -> int:
    logging.basicConfig(
        stream=sys.stderr,
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        models = _read_models(Path(args.models)) if args.models else None
        config = MockConfig(
            api_keys=frozenset(args.api_keys) if args.api_keys else None,
            identity_mode=args.identity_mode,
            max_body_bytes=args.max_body_bytes,
            models=models,
            strict_models=args.strict_models,
            rate_limits=tuple(args.rate_limits),
        )
        app = create_app(
            config=config,
            clock=Clock(frozen_at=args.freeze_time),
            ids=IdFactory(args.seed, sequential=args.sequential_ids),
        )
    except MockError as err:
        print(f"mka1-mock: {err}", file=sys.stderr)
        return 2

    try:
        for path in _fixture_paths(args.fixtures):
            loaded = app.state.control.load_file(path)
            logging.getLogger("mka1_mock").info("loaded %d conversation(s) from %s", len(loaded), path)
    except MockError as err:
        print(f"mka1-mock: {err}", file=sys.stderr)
        return 2

    def announce(url: str) -> None:
        print(f"mka1-mock listening on {url}", flush=True)

    try:
        serve_forever(app, host=args.host, port=args.port, log_level=args.log_level, on_ready=announce)
    except OSError as err:
        print(
            f"mka1-mock: cannot listen on {args.host}:{args.port}: {err}. Is another server using "
            "it? Pick another --port, or --port 0 for a free one.",
            file=sys.stderr,
        )
        return 1
    return 0


def _read_models(path: Path) -> tuple[dict[str, Any], ...]:
    """The model objects of a ``--models`` file (checked when the app is built)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidRequest(f"--models file not found: {path}", code="file_not_found") from None
    except ValueError as err:
        raise InvalidRequest(f"--models file {path} is not valid JSON: {err}", code="invalid_json") from None
    if isinstance(data, dict) and set(data) == {"data"}:
        data = data["data"]
    if not isinstance(data, list) or not all(isinstance(entry, dict) for entry in data):
        raise InvalidRequest(
            f'--models file {path} must hold a JSON array of model objects (or {{"data": [...]}}).',
            code="invalid_type",
        )
    return tuple(data)


def _fixture_paths(given: Sequence[str]) -> list[Path]:
    paths: list[Path] = []
    for name in given:
        path = Path(name)
        if path.is_dir():
            paths += sorted(p for p in path.glob("*.json") if not p.name.endswith(".schema.json"))
        else:
            paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    parser.print_help()
    return 2
