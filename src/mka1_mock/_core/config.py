"""The settings of one mock app; every field has the default a test wants."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["MockConfig", "IdentityMode", "RateLimit", "WINDOWS"]

IdentityMode = Literal["hash", "raw"]

# The gateway's rate-limit windows (docs: per second, minute, hour or day), in seconds.
WINDOWS: dict[str, int] = {"second": 1, "minute": 60, "hour": 3600, "day": 86400}
_UNITS = {"s": "second", "sec": "second", "m": "minute", "min": "minute", "h": "hour", "d": "day"}
_SPEC = re.compile(r"^(?:(?P<key>.+)=)?(?P<max>\d+)/(?P<unit>[a-z]+)$")


@dataclass(frozen=True)
class RateLimit:
    """At most ``max`` requests per ``window`` (``second``/``minute``/``hour``/``day``) per API key;
    ``api_key`` set: a limit of that key only (it replaces the default limits for that key)."""

    max: int
    window: str
    api_key: str | None = None

    def __post_init__(self) -> None:
        if self.window not in WINDOWS:
            raise ValueError(f"unknown rate-limit window {self.window!r}: use second, minute, hour or day")
        if self.max < 0:
            raise ValueError("a rate limit's maximum must be >= 0")

    @property
    def seconds(self) -> int:
        return WINDOWS[self.window]

    @classmethod
    def parse(cls, text: str) -> RateLimit:
        """``10/second``, ``5000/h``, or ``KEY=10/s`` for one key only."""
        match = _SPEC.match(text.strip())
        unit = match and _UNITS.get(match["unit"], match["unit"])
        if match is None or unit not in WINDOWS:
            raise ValueError(f"invalid rate limit {text!r}: expected N/second|minute|hour|day, optionally KEY=N/...")
        return cls(max=int(match["max"]), window=str(unit), api_key=match["key"])


@dataclass(frozen=True)
class MockConfig:
    """How the mock behaves at the edges.

    ``api_keys``: ``None`` accepts any non-empty bearer key; a set (or a mapping of key -> user id)
    accepts only those keys. ``identity_mode`` picks how ``identity`` is written on conversations
    (``hash``: SHA-256 of ``user_id:external_user_id``; ``raw``: that string itself).
    ``max_body_bytes`` bounds a request body (413 past it). ``default_api_key`` owns what is
    seeded or loaded without an explicit owner. ``journal_size`` bounds the request journal.
    ``models`` replaces the default models catalogue (a sequence of model objects; only ``id`` is
    required); ``strict_models`` makes a response with a model outside the catalogue (and not
    ``auto``) a 400.
    ``rate_limits``: the gateway's per-key limits (none by default; ``reset`` returns to these).
    """

    api_keys: frozenset[str] | None = None
    users: dict[str, str] = field(default_factory=dict)
    identity_mode: IdentityMode = "hash"
    max_body_bytes: int = 16 * 1024 * 1024
    default_api_key: str = "mk-test"
    journal_size: int = 1000
    models: tuple[Mapping[str, Any], ...] | None = None
    strict_models: bool = False
    rate_limits: tuple[RateLimit, ...] = ()
