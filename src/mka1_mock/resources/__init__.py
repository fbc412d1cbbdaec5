"""Every emulated resource, one package each (models, backend, endpoint table).

Adding a resource is one package here and one line in ``RESOURCES``: the app mounts its endpoints,
the store registers its backend, and reset, export, load and the OpenAPI document follow.
"""

from __future__ import annotations

from collections.abc import Iterator
from types import ModuleType

from .._core.config import MockConfig
from .._core.endpoints import Endpoint
from .._core.state import Store
from . import conversations, embeddings, models, responses

__all__ = ["RESOURCES", "endpoints", "install"]

# Order matters only where one backend uses another: a backend comes after those it calls.
RESOURCES: tuple[ModuleType, ...] = (conversations, models, responses, embeddings)


def install(store: Store, config: MockConfig) -> Store:
    """Register every resource's backend on ``store`` (those already registered are kept)."""
    with store.lock:
        for resource in RESOURCES:
            if not store.has(resource.BACKEND):
                store.register(resource.backend(store, config))
    return store


def endpoints() -> Iterator[Endpoint]:
    """Every resource's endpoints, in table order."""
    for resource in RESOURCES:
        yield from resource.ENDPOINTS
