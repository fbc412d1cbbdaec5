"""The gateway's rate limits: per API key, per second / minute / hour / day, on the mock's clock.

Off by default. Windows are fixed and aligned to the clock (a per-minute limit counts the requests
of the current clock minute), so a test moves past a limit with ``advance_time`` instead of
sleeping. A request past a limit gets the documented 429 and never reaches the API (nothing is
stored, and it does not count); requests without a bearer key (or with a key the mock refuses)
pass through to get their 401.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

from .._core.clock import Clock
from .._core.config import MockConfig, RateLimit
from .._core.errors import RateLimited
from .._core.failures import error_response
from .journal import CONTROL_PREFIX, FAULT_SCOPE_KEY

__all__ = ["RateLimiter", "RateLimitMiddleware", "bearer_key"]


def bearer_key(scope: Scope) -> str | None:
    """The bearer key of an ASGI request, if any."""
    for name, value in scope["headers"]:
        if name == b"authorization":
            scheme, _, key = value.decode("latin-1").strip().partition(" ")
            return key.strip() or None if scheme.lower() == "bearer" else None
    return None


class RateLimiter:
    """Limits and counters; thread-safe (a socket server and in-process clients may share it)."""

    def __init__(self, clock: Clock, configured: Sequence[RateLimit] = ()) -> None:
        self._clock = clock
        self._configured = tuple(configured)
        self._lock = threading.Lock()
        self._limits: list[RateLimit] = []
        self._counts: dict[tuple[str, str], tuple[int, int]] = {}
        self.reset()

    def reset(self) -> None:
        """Back to the configured limits (``MockConfig.rate_limits``), counters empty."""
        with self._lock:
            self._limits = list(self._configured)
            self._counts = {}

    @property
    def active(self) -> bool:
        return bool(self._limits)

    def set(self, limits: Sequence[RateLimit], api_key: str | None = None) -> None:
        """Replace the default limits (``api_key=None``) or those of one key; counters restart."""
        with self._lock:
            self._limits = [limit for limit in self._limits if limit.api_key != api_key]
            self._limits += [RateLimit(limit.max, limit.window, api_key) for limit in limits]
            self._counts = {}

    def clear(self) -> None:
        """No limits at all (not even the configured ones) until the next ``set`` or ``reset``."""
        with self._lock:
            self._limits = []
            self._counts = {}

    def _limits_for(self, key: str) -> list[RateLimit]:
        own = [limit for limit in self._limits if limit.api_key == key]
        return own or [limit for limit in self._limits if limit.api_key is None]

    def hit(self, key: str) -> int | None:
        """Count one request of ``key``; or, past a limit, count nothing and return the seconds
        until the exceeded window ends (the ``Retry-After``)."""
        with self._lock:
            now = self._clock.now()
            limits = self._limits_for(key)
            windows = []
            wait = 0
            for limit in limits:
                start = now - now % limit.seconds
                window_start, count = self._counts.get((key, limit.window), (start, 0))
                if window_start != start:
                    count = 0
                if count >= limit.max:
                    wait = max(wait, start + limit.seconds - now)
                windows.append((limit, start, count))
            if wait:
                return wait
            for limit, start, count in windows:
                self._counts[(key, limit.window)] = (start, count + 1)
            return None

    def describe(self) -> dict[str, Any]:
        """The limits (``{"default": {...}, "keys": {key: {...}}}``) and the current counts."""
        with self._lock:
            default = {f"per_{limit.window}": limit.max for limit in self._limits if limit.api_key is None}
            keys: dict[str, dict[str, int]] = {}
            for limit in self._limits:
                if limit.api_key is not None:
                    keys.setdefault(limit.api_key, {})[f"per_{limit.window}"] = limit.max
            counts = [
                {"api_key": key, "window": window, "window_start": start, "count": count}
                for (key, window), (start, count) in sorted(self._counts.items())
            ]
        return {"default": default, "keys": keys, "counts": counts}


class RateLimitMiddleware:
    """Pure ASGI middleware: the gateway's limiter in front of every API route."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter, config: MockConfig) -> None:
        self.app = app
        self.limiter = limiter
        self.config = config

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.limiter.active or scope["path"].startswith(CONTROL_PREFIX):
            await self.app(scope, receive, send)
            return
        key = bearer_key(scope)
        accepted = self.config.api_keys is None or key in self.config.api_keys
        wait = self.limiter.hit(key) if key is not None and accepted else None
        if wait is None:
            await self.app(scope, receive, send)
            return
        scope[FAULT_SCOPE_KEY] = "rate_limit"
        await error_response(RateLimited(retry_after=wait))(scope, receive, send)
