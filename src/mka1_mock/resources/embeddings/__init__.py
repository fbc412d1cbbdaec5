"""Embeddings (``/api/v1/llm/embeddings``): deterministic vectors, the embeddings-models list, pins."""

from __future__ import annotations

from ..._core.config import MockConfig
from ..._core.state import Store
from .backend import Embeddings
from .endpoints import ENDPOINTS

__all__ = ["BACKEND", "ENDPOINTS", "Embeddings", "backend"]

BACKEND = Embeddings
"""The backend class (pins only: no section in state documents)."""


def backend(store: Store, config: MockConfig) -> Embeddings:
    return Embeddings(store)
