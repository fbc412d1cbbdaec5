"""State documents: the fixture-file format (JSON, versioned) and the typed view of the whole state.

A state document is ``{"format": "mka1-mock/fixture", "version": 1, <section>: [...], ...}`` with
one section per registered resource backend (``conversations`` today). ``GET /__mock__/state`` and
``Mka1Mock.export()`` write this same format, so a state can be saved and loaded back unchanged. The
JSON Schema (``fixture.schema.json``, committed under ``fixtures/``) is generated from the model
``FixtureFile``, which is built from the resources' section models: a new resource adds its section
here without an edit.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

from ..resources import RESOURCES
from ..resources.conversations.fixture import ConversationState

__all__ = ["FORMAT", "VERSION", "FixtureFile", "MockState", "fixture_file_model"]

FORMAT: Literal["mka1-mock/fixture"] = "mka1-mock/fixture"
VERSION: Literal[1] = 1


class _FixtureBase(BaseModel):
    """A fixture file: ``{"format": "mka1-mock/fixture", "version": 1, "conversations": [...]}``."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        title="mka1-mock fixture file",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_: str | None = Field(None, alias="$schema", description="Optional path or URL of this schema, for editors.")
    format: Literal["mka1-mock/fixture"] = FORMAT
    version: Literal[1] = VERSION
    description: str | None = None


def fixture_file_model() -> type[_FixtureBase]:
    """The fixture file model: the header plus one optional section per resource that exports one."""
    sections: dict[str, Any] = {}
    for resource in RESOURCES:
        backend = resource.BACKEND
        if backend.section is not None and backend.fixture_model is not None:
            sections[backend.section] = (backend.fixture_model, Field(default_factory=list))
    return create_model("FixtureFile", __base__=_FixtureBase, __doc__=_FixtureBase.__doc__, **sections)


FixtureFile = fixture_file_model()


class MockState(BaseModel):
    """The whole state, typed: conversations in list order (oldest update first), soft-deleted ones
    included; other sections as exported."""

    model_config = ConfigDict(extra="allow", frozen=True)

    conversations: list[ConversationState]

    def conversation(self, conversation_id: str) -> ConversationState:
        for conversation in self.conversations:
            if conversation.id == conversation_id:
                return conversation
        known = ", ".join(c.id for c in self.conversations[:10]) or "none"
        raise KeyError(f"no conversation {conversation_id!r} in the mock (it holds: {known})")

    def to_fixture(self) -> dict[str, Any]:
        """This state as a fixture file (owners by user id), loadable with ``load``."""
        extra = dict(self.__pydantic_extra__ or {})
        return {
            "format": FORMAT,
            "version": VERSION,
            "conversations": [c.to_fixture() for c in self.conversations],
            **extra,
        }
