"""The default catalogue: the model names the MKA1 docs use (``auto`` is accepted, not listed)."""

from __future__ import annotations

from .schemas import DimensionRange, ModelDefinition

__all__ = ["AUTO", "DEFAULT_CATALOGUE"]

AUTO = "auto"
"""The routing alias: responses (and embeddings) accept it whatever the catalogue holds."""

DEFAULT_CATALOGUE: tuple[ModelDefinition, ...] = (
    ModelDefinition(id="meetkai:functionary-urdu-mini-pak", developer="MeetKai", languages=["ur", "en"]),
    ModelDefinition(
        id="meetkai:functionary-swahili-large",
        developer="MeetKai",
        input_modalities=["text", "image"],
        languages=["sw", "en"],
    ),
    ModelDefinition(
        id="meetkai:qwen3-embedding-8b",
        model_type="embeddings",
        context_window=32_768,
        embedding_dimension_range=DimensionRange(min=32, max=4096, default=4096),
        developer="Qwen",
    ),
    ModelDefinition(
        id="openai:text-embedding-3-small",
        model_type="embeddings",
        context_window=8_191,
        embedding_dimension_range=DimensionRange(min=1, max=1536, default=1536),
        developer="OpenAI",
    ),
)
