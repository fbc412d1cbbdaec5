"""The settings of one mock app; every field has the default a test wants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["MockConfig", "IdentityMode"]

IdentityMode = Literal["hash", "raw"]


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
    """

    api_keys: frozenset[str] | None = None
    users: dict[str, str] = field(default_factory=dict)
    identity_mode: IdentityMode = "hash"
    max_body_bytes: int = 16 * 1024 * 1024
    default_api_key: str = "mk-test"
    journal_size: int = 1000
    models: tuple[Mapping[str, Any], ...] | None = None
    strict_models: bool = False
