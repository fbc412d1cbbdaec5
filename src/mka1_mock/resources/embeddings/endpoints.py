"""The embeddings endpoint table: ``POST /api/v1/llm/embeddings``, ``GET /api/v1/llm/embeddings/models``."""

from __future__ import annotations

from ..._core.endpoints import Call, Endpoint
from .backend import Embeddings
from .schemas import EmbeddingModelList, EmbeddingsBody, EmbeddingsList

__all__ = ["ENDPOINTS", "PREFIX"]

PREFIX = "/api/v1/llm/embeddings"


def create_embeddings(call: Call) -> EmbeddingsList:
    body: EmbeddingsBody = call.body
    return call.backend(Embeddings).create(body)


def list_embedding_models(call: Call) -> EmbeddingModelList:
    return call.backend(Embeddings).list_models()


_TAGS = ("Embeddings",)

ENDPOINTS = (
    Endpoint("POST", PREFIX, create_embeddings, "Create embeddings", body=EmbeddingsBody, returns=EmbeddingsList,
             tags=_TAGS),
    Endpoint("GET", PREFIX + "/models", list_embedding_models, "List embeddings models", returns=EmbeddingModelList,
             tags=_TAGS),
)  # fmt: skip
