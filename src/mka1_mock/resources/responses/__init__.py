"""Responses (``/api/v1/llm/responses``): models, backend, history, streaming, endpoint table."""

from __future__ import annotations

from ..._core.config import MockConfig
from ..._core.state import Store
from .backend import BackgroundPolicy, Responses
from .endpoints import ENDPOINTS

__all__ = ["BACKEND", "BackgroundPolicy", "ENDPOINTS", "Responses", "backend"]

BACKEND = Responses
"""The backend class (its ``section`` and ``fixture_model`` shape state documents)."""


def backend(store: Store, config: MockConfig) -> Responses:
    return Responses(store)
