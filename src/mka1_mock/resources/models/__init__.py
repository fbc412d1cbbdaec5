"""The models catalogue (``/api/v1/llm/models``): schemas, backend, endpoint table."""

from __future__ import annotations

from ..._core.config import MockConfig
from ..._core.state import Store
from .backend import Models, parse_catalogue
from .endpoints import ENDPOINTS
from .schemas import ModelDefinition, ModelObject

__all__ = ["BACKEND", "ENDPOINTS", "ModelDefinition", "ModelObject", "Models", "backend"]

BACKEND = Models
"""The backend class (configuration only: no section in state documents)."""


def backend(store: Store, config: MockConfig) -> Models:
    catalogue = parse_catalogue(list(config.models), param="config.models") if config.models is not None else None
    return Models(store, catalogue=catalogue, strict=config.strict_models)
