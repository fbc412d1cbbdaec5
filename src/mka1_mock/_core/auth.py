"""Who is calling: the bearer key and ``X-On-Behalf-Of`` become an ``Owner`` (the tenancy scope)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from .config import MockConfig
from .errors import Unauthorized

__all__ = ["Owner", "authenticate", "user_id_for_key", "make_owner"]


@dataclass(frozen=True)
class Owner:
    """The scope a resource belongs to: the account behind the key, and the end user acted for.

    Two requests see the same conversations only when both ``user_id`` and ``on_behalf_of`` match;
    a missing ``X-On-Behalf-Of`` is its own scope, not a wildcard. ``identity`` is what the API
    reports as the owner's identity; it does not take part in comparisons.
    """

    user_id: str
    on_behalf_of: str | None = None
    identity: str = field(default="", compare=False)


def user_id_for_key(api_key: str, users: Mapping[str, str] | None = None) -> str:
    """The account id behind a key: the configured one, else ``user_`` + 16 hex of its SHA-256."""
    if users and api_key in users:
        return users[api_key]
    return "user_" + hashlib.sha256(api_key.encode()).hexdigest()[:16]


def make_owner(user_id: str, on_behalf_of: str | None, identity_mode: str = "hash") -> Owner:
    """An ``Owner`` with its identity written as the API does (``userId:externalUserId``)."""
    raw = f"{user_id}:{on_behalf_of}" if on_behalf_of else user_id
    identity = raw if identity_mode == "raw" else hashlib.sha256(raw.encode()).hexdigest()
    return Owner(user_id=user_id, on_behalf_of=on_behalf_of, identity=identity)


def authenticate(headers: Mapping[str, str], config: MockConfig) -> Owner:
    """The caller's ``Owner``, or ``Unauthorized`` saying what is wrong with the credentials."""
    header = headers.get("authorization")
    if not header:
        raise Unauthorized("No API key provided. Send the header 'Authorization: Bearer <your MKA1 API key>'.")
    scheme, _, key = header.strip().partition(" ")
    key = key.strip()
    if scheme.lower() != "bearer" or not key:
        raise Unauthorized("Malformed Authorization header. Expected 'Authorization: Bearer <your MKA1 API key>'.")
    if config.api_keys is not None and key not in config.api_keys:
        raise Unauthorized(
            "Invalid API key. This mock was started with --api-key and accepts only the keys listed there."
        )
    on_behalf_of = headers.get("x-on-behalf-of") or None
    return make_owner(user_id_for_key(key, config.users), on_behalf_of, config.identity_mode)
