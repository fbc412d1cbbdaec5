"""Conversations and their items (``/api/v1/llm/conversations``): models, backend, endpoint table."""

from __future__ import annotations

from ..._core.config import MockConfig
from ..._core.state import Store
from .backend import Conversations
from .endpoints import ENDPOINTS

__all__ = ["BACKEND", "Conversations", "ENDPOINTS", "backend"]

BACKEND = Conversations
"""The backend class (its ``section`` and ``fixture_model`` shape state documents)."""


def backend(store: Store, config: MockConfig) -> Conversations:
    return Conversations(store)
