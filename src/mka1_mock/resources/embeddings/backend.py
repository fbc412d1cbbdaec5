"""Embeddings: deterministic vectors for the catalogue's embeddings models, and pins a test sets.

The models come from the ``Models`` backend (its public verbs): ``auto`` means the first embeddings
model of the catalogue. Sizes follow contract §4.5: without ``dimensions`` the model's native size
(its range's ``max``); with it, that size, unless the model is fixed-size (then it is dropped).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from ..._core.errors import InvalidRequest
from ..._core.state import Commit, LoadContext, Store
from ...items.tokens import count_tokens
from ..models import Models
from ..models.catalogue import AUTO
from ..models.schemas import ModelObject
from .schemas import (
    Embedding,
    EmbeddingModelLimits,
    EmbeddingModelList,
    EmbeddingModelObject,
    EmbeddingsBody,
    EmbeddingsList,
    EmbeddingsUsage,
)
from .vectors import embed, to_base64

__all__ = ["Embeddings", "MAX_BATCH_SIZE"]

MAX_BATCH_SIZE = 1000
"""Inputs per request (the docs' example limit for every embeddings model)."""
_DEFAULT_CONTEXT = 8192


class Embeddings:
    """Vectors on demand; pinned vectors (by model and text) win over computed ones."""

    section: ClassVar[str | None] = None  # pins are test scaffolding, not state: reset clears them
    fixture_model: ClassVar[Any] = None

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = store.lock
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._pins: dict[tuple[str | None, str], list[float]] = {}

    def export(self) -> Any:
        return None

    def stage(self, data: Any, context: LoadContext, *, replace: bool) -> Commit:  # pragma: no cover - no section
        raise NotImplementedError("embeddings keep nothing a state document holds")

    # -- API verbs -----------------------------------------------------------------------------

    def create(self, body: EmbeddingsBody) -> EmbeddingsList:
        """Embed every input, in order; all of them or a 400 naming what is wrong."""
        with self._lock:
            model = self._model(body.model)
            limits = _limits(model)
            texts = body.texts
            if len(texts) > limits.max_batch_size:
                raise InvalidRequest(
                    f"Invalid 'input': {len(texts)} inputs, but model '{model.id}' takes at most "
                    f"{limits.max_batch_size} per request. Send them in batches.",
                    param="input",
                    code="array_above_max_length",
                )
            for n, text in enumerate(texts):
                if len(text) > limits.max_input_length:
                    where = "input" if isinstance(body.input, str) else f"input[{n}]"
                    raise InvalidRequest(
                        f"Invalid '{where}': {len(text)} characters, but model '{model.id}' takes at most "
                        f"{limits.max_input_length} per input (see GET /embeddings/models).",
                        param=where,
                        code="string_above_max_length",
                    )
            size = _size(model, body.dimensions)
            data = []
            for index, text in enumerate(texts):
                vector = self._pins.get((model.id, text)) or self._pins.get((None, text)) or embed(model.id, text, size)
                encoded: list[float] | str = to_base64(vector) if body.encoding_format == "base64" else list(vector)
                data.append(Embedding(embedding=encoded, index=index))
            tokens = sum(count_tokens(text) for text in texts)
            return EmbeddingsList(
                data=data, model=body.model, usage=EmbeddingsUsage(prompt_tokens=tokens, total_tokens=tokens)
            )

    def list_models(self) -> EmbeddingModelList:
        """The catalogue's embeddings models with their limits."""
        with self._lock:
            models = self._store.backend(Models).of_type("embeddings")
            return EmbeddingModelList(data=[_model_object(m) for m in models])

    # -- control plane -------------------------------------------------------------------------

    def pin(self, text: str, vector: Sequence[float], *, model: str | None = None) -> None:
        """Answer ``vector`` (as given) for ``text`` (under ``model``, or any model) until reset."""
        with self._lock:
            self._pins[(model, text)] = [float(v) for v in vector]

    def pins(self) -> list[dict[str, Any]]:
        with self._lock:
            return [{"model": m, "text": t, "dimensions": len(v)} for (m, t), v in self._pins.items()]

    # -- internals -----------------------------------------------------------------------------

    def _model(self, name: str) -> ModelObject:
        models = self._store.backend(Models)
        if name == AUTO:
            embedding_models = models.of_type("embeddings")
            if embedding_models:
                return embedding_models[0]
        model = models.find(name)
        if model is None or model.model_type != "embeddings":
            kind = "is not an embeddings model" if model is not None else "is not in the catalogue"
            known = ", ".join(m.id for m in models.of_type("embeddings")) or "none"
            raise InvalidRequest(
                f"Invalid 'model': '{name}' {kind}. Embeddings models here: {known} (or 'auto'); add one "
                "with set_models / PUT /__mock__/models.",
                param="model",
                code="model_not_found",
            )
        return model


def _limits(model: ModelObject) -> EmbeddingModelLimits:
    context = model.context_window or _DEFAULT_CONTEXT
    return EmbeddingModelLimits(max_batch_size=MAX_BATCH_SIZE, max_input_tokens=context, max_input_length=2 * context)


def _model_object(model: ModelObject) -> EmbeddingModelObject:
    provider, _, name = model.id.partition(":")
    if not name:
        provider, name = model.owned_by, model.id
    return EmbeddingModelObject(id=model.id, provider=provider, model=name, limits=_limits(model))


def _size(model: ModelObject, requested: int | None) -> int:
    span = model.embedding_dimension_range
    native = span.max if span is not None else 1024
    if requested is None or (span is not None and span.min == span.max):
        return native
    return requested
