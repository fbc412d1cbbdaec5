"""The models catalogue: configuration rather than state (it is not exported), replaceable per test.

``reset`` restores the catalogue the app was configured with. With ``strict`` on, the Responses
backend asks ``require`` before it creates anything, so an unknown model is a 400 naming ``model``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, ClassVar

from pydantic import TypeAdapter, ValidationError

from ..._core.errors import InvalidRequest, NotFound
from ..._core.state import Commit, LoadContext, Store
from ..._core.validation import invalid_from
from .catalogue import AUTO, DEFAULT_CATALOGUE
from .schemas import ModelDefinition, ModelList, ModelObject

__all__ = ["ModelNotFound", "Models", "parse_catalogue"]

_DEFINITIONS: TypeAdapter[list[ModelDefinition]] = TypeAdapter(list[ModelDefinition])


class ModelNotFound(NotFound):
    default_code = "model_not_found"

    def __init__(self, model_id: str) -> None:
        super().__init__(f"Model '{model_id}' not found", param="model_id")
        self.model_id = model_id


def parse_catalogue(entries: Any, *, param: str = "models") -> list[ModelDefinition]:
    """A list of model definitions (or a ``{"data": [...]}`` document), checked; ids must be unique."""
    if isinstance(entries, Mapping) and set(entries) == {"data"}:
        entries = entries["data"]
    try:
        definitions = _DEFINITIONS.validate_python(entries)
    except ValidationError as err:
        raise invalid_from(err, param) from None
    seen: set[str] = set()
    for n, definition in enumerate(definitions):
        if definition.id in seen:
            raise InvalidRequest(
                f"Invalid '{param}[{n}].id': the catalogue already has a model '{definition.id}'.",
                param=f"{param}[{n}].id",
                code="duplicate_id",
            )
        seen.add(definition.id)
    return definitions


class Models:
    """The catalogue ``GET /models`` lists, and whether responses must name a model from it."""

    section: ClassVar[str | None] = None  # configuration, not state: exports leave it out
    fixture_model: ClassVar[Any] = None

    def __init__(self, store: Store, *, catalogue: Iterable[ModelDefinition] | None = None, strict: bool = False):
        self._lock = store.lock
        self._configured = tuple(catalogue) if catalogue is not None else DEFAULT_CATALOGUE
        self._configured_strict = strict
        self.reset()

    def reset(self) -> None:
        """Back to the configured catalogue and strictness."""
        with self._lock:
            self._set(self._configured)
            self.strict = self._configured_strict

    def export(self) -> Any:
        return None

    def stage(self, data: Any, context: LoadContext, *, replace: bool) -> Commit:  # pragma: no cover - no section
        raise NotImplementedError("the models catalogue is not part of state documents")

    # -- API verbs -----------------------------------------------------------------------------

    def list_models(self) -> ModelList:
        with self._lock:
            return ModelList(data=list(self._models.values()))

    def get(self, model_id: str) -> ModelObject:
        with self._lock:
            model = self._models.get(model_id)
            if model is None:
                raise ModelNotFound(model_id)
            return model

    # -- for other backends ----------------------------------------------------------------------

    def find(self, model_id: str) -> ModelObject | None:
        """The catalogue's model with this id, if any."""
        return self._models.get(model_id)

    def of_type(self, model_type: str) -> list[ModelObject]:
        """The catalogue's models of one type (``embeddings``, ``llm``, ...), in catalogue order."""
        return [m for m in self._models.values() if m.model_type == model_type]

    def knows(self, model_id: str) -> bool:
        """Whether ``model_id`` is in the catalogue or is the ``auto`` alias."""
        return model_id == AUTO or model_id in self._models

    def require(self, model_id: str, *, param: str = "model") -> None:
        """In strict mode, the 400 for a model that is neither in the catalogue nor ``auto``."""
        if self.strict and not self.knows(model_id):
            known = ", ".join(sorted(self._models)[:8]) or "none"
            raise InvalidRequest(
                f"The model '{model_id}' does not exist or you do not have access to it (the mock's catalogue "
                f"holds: {known}; 'auto' is always accepted). Add it to the catalogue (set_models, "
                "PUT /__mock__/models, --models) or turn strict models off.",
                param=param,
                code="model_not_found",
            )

    # -- control plane -------------------------------------------------------------------------

    def replace(self, definitions: Sequence[ModelDefinition]) -> list[ModelObject]:
        """Make ``definitions`` the catalogue (until the next reset)."""
        with self._lock:
            self._set(definitions)
            return list(self._models.values())

    def set_strict(self, strict: bool) -> None:
        with self._lock:
            self.strict = strict

    def _set(self, definitions: Iterable[ModelDefinition]) -> None:
        self._models: dict[str, ModelObject] = {d.id: d.to_resource() for d in definitions}
