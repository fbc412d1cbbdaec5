"""Request and answer shapes of ``POST /embeddings`` and ``GET /embeddings/models`` (contract §4)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from ..._core.resource import Resource
from ..._core.validation import RequestModel
from ...items.tagged import content_kind

__all__ = [
    "EmbeddingModelLimits",
    "EmbeddingModelList",
    "EmbeddingModelObject",
    "EmbeddingsBody",
    "EmbeddingsList",
    "MAX_INPUT_CHARS",
]

MAX_INPUT_CHARS = 100_000
"""The documented per-string limit (1..100000 characters)."""

InputText = Annotated[str, Field(min_length=1, max_length=MAX_INPUT_CHARS)]


class EmbeddingsBody(RequestModel):
    input: Annotated[
        Annotated[InputText, Tag("#str")] | Annotated[list[InputText], Field(min_length=1), Tag("#list")],
        Discriminator(content_kind),
        Field(description="A string or a non-empty array of strings, each 1-100000 characters."),
    ]
    model: Annotated[str, Field(min_length=1, description="An embeddings model of the catalogue, or 'auto'.")]
    dimensions: Annotated[int, Field(ge=1)] | None = Field(
        None, description="Vector size; dropped silently for fixed-size models."
    )
    encoding_format: Literal["float", "base64"] = "float"
    user: str | None = None

    @property
    def texts(self) -> list[str]:
        return [self.input] if isinstance(self.input, str) else list(self.input)


class Embedding(Resource):
    object: Literal["embedding"] = "embedding"
    embedding: list[float] | str
    index: int


class EmbeddingsUsage(Resource):
    prompt_tokens: int
    total_tokens: int


class EmbeddingsList(Resource):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingsUsage


class EmbeddingModelLimits(Resource):
    max_batch_size: int
    max_input_tokens: int
    max_input_length: int


class EmbeddingModelObject(Resource):
    id: str
    provider: str
    model: str
    limits: EmbeddingModelLimits


class EmbeddingModelList(Resource):
    object: Literal["list"] = "list"
    data: list[EmbeddingModelObject]

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
