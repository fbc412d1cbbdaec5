"""The models endpoint table: ``GET /api/v1/llm/models`` and ``GET /api/v1/llm/models/{model_id}``."""

from __future__ import annotations

from ..._core.endpoints import Call, Endpoint
from .backend import Models
from .schemas import ModelList, ModelObject

__all__ = ["ENDPOINTS", "PREFIX"]

PREFIX = "/api/v1/llm/models"


def list_models(call: Call) -> ModelList:
    return call.backend(Models).list_models()


def get_model(call: Call) -> ModelObject:
    return call.backend(Models).get(call.path["model_id"])


_TAGS = ("Models",)

ENDPOINTS = (
    Endpoint("GET", PREFIX, list_models, "List models", returns=ModelList, tags=_TAGS),
    # Model ids hold ':' and may hold '/': the SDK leaves both raw in the path.
    Endpoint("GET", PREFIX + "/{model_id:path}", get_model, "Retrieve a model", returns=ModelObject, errors=(404,),
             tags=_TAGS),
)  # fmt: skip
