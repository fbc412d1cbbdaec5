"""The models catalogue's wire shapes: the ``Model`` object (23 keys the SDK requires, nullable ones
present as ``null``), its list, and ``ModelDefinition``, the looser form a test or a ``--models``
file gives (only ``id`` is required; the rest takes the defaults of an active text LLM)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..._core.resource import Resource

__all__ = [
    "Capabilities",
    "DimensionRange",
    "Lifecycle",
    "ModelDefinition",
    "ModelList",
    "ModelObject",
    "Resolution",
]

ModelType = Literal["llm", "embeddings", "images", "speech_to_text", "text_to_speech"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Resolution(_Strict):
    width: int = Field(ge=1)
    height: int = Field(ge=1)


class DimensionRange(_Strict):
    """Embedding sizes: ``min == max`` means a fixed size."""

    min: int = Field(ge=1)
    max: int = Field(ge=1)
    default: int = Field(ge=1)


class Voice(_Strict):
    id: str
    name: str
    language: str


class Tts(_Strict):
    default_voice: dict[str, str]
    voices: list[Voice]


class Lifecycle(_Strict):
    status: Literal["active", "deprecated", "retired"] = "active"
    deprecated_at: dt.date | None = None
    retires_at: dt.date | None = None
    successor: str | None = None


class Capabilities(_Strict):
    supports_temperature: bool = True
    supports_top_p: bool = True
    supports_reasoning: bool = False
    supports_reasoning_effort: bool = False
    supports_structured_outputs: bool | None = None


class ModelDefinition(_Strict):
    """One catalogue entry as a test gives it: ``id`` and whatever differs from an active text LLM."""

    id: str = Field(min_length=1, description="e.g. 'meetkai:functionary-urdu-mini-pak' (provider:model)")
    object: Literal["model"] = "model"
    created: int = Field(1_704_067_200, ge=0, description="Unix seconds (fixed, not the mock's clock).")
    owned_by: str | None = Field(None, description="Default: the provider part of the id.")
    model_type: ModelType = "llm"
    input_modalities: list[str] = Field(default_factory=lambda: ["text"])
    output_modalities: list[str] | None = Field(None, description="Default: ['text'] (['embedding'] for embeddings).")
    context_window: int | None = Field(131_072, ge=1)
    max_image_resolution: Resolution | None = None
    min_image_resolution: Resolution | None = None
    embedding_dimension_range: DimensionRange | None = None
    parameter_count: int | None = None
    active_parameter_count: int | None = None
    release_date: dt.date | None = None
    serving_locations: list[str] | None = None
    developer: str | None = None
    base_model: str | None = None
    weights: Literal["open", "closed"] | None = None
    license: str | None = None
    languages: list[str] | None = None
    tts: Tts | None = None
    limitations: str | None = None
    lifecycle: Lifecycle = Lifecycle()
    capabilities: Capabilities | None = Field(None, description="Default: an LLM's (all false for other types).")

    def to_resource(self) -> ModelObject:
        values: dict[str, Any] = self.model_dump()
        if values["owned_by"] is None:
            values["owned_by"] = self.id.split(":", 1)[0] if ":" in self.id else "meetkai"
        if values["output_modalities"] is None:
            values["output_modalities"] = ["embedding"] if self.model_type == "embeddings" else ["text"]
        if values["capabilities"] is None:
            llm = self.model_type == "llm"
            values["capabilities"] = Capabilities(
                supports_temperature=llm,
                supports_top_p=llm,
                supports_structured_outputs=None if llm else False,
            ).model_dump()
        return ModelObject.model_validate(values)


class ModelObject(Resource):
    """A model as ``GET /models`` answers it: every key present."""

    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str
    model_type: ModelType
    input_modalities: list[str]
    output_modalities: list[str]
    context_window: int | None
    max_image_resolution: Resolution | None
    min_image_resolution: Resolution | None
    embedding_dimension_range: DimensionRange | None
    parameter_count: int | None
    active_parameter_count: int | None
    release_date: dt.date | None
    serving_locations: list[str] | None
    developer: str | None
    base_model: str | None
    weights: Literal["open", "closed"] | None
    license: str | None
    languages: list[str] | None
    tts: Tts | None
    limitations: str | None
    lifecycle: Lifecycle
    capabilities: Capabilities

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class ModelList(Resource):
    object: Literal["list"] = "list"
    data: list[ModelObject]

    def to_wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json")
