"""The fixture-file format (JSON, versioned) and the typed view of the mock's whole state.

A fixture file holds conversations with their owners and items, optionally with pinned ids and
timestamps. ``GET /__mock__/state`` and ``Mka1Mock.export()`` write this same format, so a state can
be saved and loaded back unchanged. The JSON Schema (``fixture.schema.json`` in the package, also
committed under ``fixtures/``) is generated from these models.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "FORMAT",
    "VERSION",
    "FixtureFile",
    "FixtureConversation",
    "FixtureOwner",
    "StoredItem",
    "OwnerState",
    "ConversationState",
    "MockState",
]

FORMAT: Literal["mka1-mock/fixture"] = "mka1-mock/fixture"
VERSION: Literal[1] = 1


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FixtureOwner(_Strict):
    """Who owns a conversation: the account (by API key or user id) and the end user acted for.

    Give ``api_key`` (the key your tests send) or ``user_id`` (as exported), not both. Leave the
    whole owner out to mean the default API key with no ``X-On-Behalf-Of``.
    """

    api_key: str | None = Field(None, min_length=1, description="The bearer key that owns it.")
    user_id: str | None = Field(None, min_length=1, description="The account id (as exported).")
    on_behalf_of: str | None = Field(
        None, min_length=1, description="The X-On-Behalf-Of value; omit for the account itself."
    )


class FixtureConversation(_Strict):
    """One conversation. Everything but ``items`` is optional; unpinned values are generated."""

    id: str | None = Field(None, min_length=1, description="Pinned id, e.g. 'conv_support_1'.")
    owner: FixtureOwner | None = None
    created_at: int | None = Field(None, ge=0, description="Unix seconds; default: the clock.")
    updated_at: int | None = Field(None, ge=0, description="Unix seconds; default: created_at.")
    deleted_at: int | None = Field(None, ge=0, description="Set to load it soft-deleted.")
    metadata: dict[str, str] = Field(default_factory=dict)
    items: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Items as the API returns them: any of the 24 item types, with optional "
        "'id', 'response_id' and 'metadata' (the response's metadata).",
    )

    @model_validator(mode="after")
    def _times_in_order(self) -> FixtureConversation:
        if self.created_at is not None:
            for name in ("updated_at", "deleted_at"):
                value = getattr(self, name)
                if value is not None and value < self.created_at:
                    raise ValueError(f"{name} ({value}) is earlier than created_at ({self.created_at})")
        return self


class FixtureFile(_Strict):
    """A fixture file: ``{"format": "mka1-mock/fixture", "version": 1, "conversations": [...]}``."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        populate_by_name=True,
        title="mka1-mock fixture file",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    schema_: str | None = Field(
        None, alias="$schema", description="Optional path or URL of this schema, for editors."
    )
    format: Literal["mka1-mock/fixture"] = FORMAT
    version: Literal[1] = VERSION
    description: str | None = None
    conversations: list[FixtureConversation] = Field(default_factory=list)


class StoredItem(BaseModel):
    """An item as stored: the client's fields (as attributes) plus ``id`` and ``response_id``."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    type: str
    response_id: str | None = None


class OwnerState(_Strict):
    user_id: str
    on_behalf_of: str | None = None
    identity: str


class ConversationState(_Strict):
    """A conversation with everything the mock knows, deleted ones included."""

    id: str
    owner: OwnerState
    created_at: int
    updated_at: int
    deleted_at: int | None
    metadata: dict[str, str]
    items: list[StoredItem]

    @property
    def deleted(self) -> bool:
        return self.deleted_at is not None

    def item(self, item_id: str) -> StoredItem:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(f"no item {item_id!r} in conversation {self.id!r}")


class MockState(_Strict):
    """The whole state, in list order (oldest update first), soft-deleted conversations included."""

    conversations: list[ConversationState]

    def conversation(self, conversation_id: str) -> ConversationState:
        for conversation in self.conversations:
            if conversation.id == conversation_id:
                return conversation
        known = ", ".join(c.id for c in self.conversations[:10]) or "none"
        raise KeyError(f"no conversation {conversation_id!r} in the mock (it holds: {known})")

    def to_fixture(self) -> dict[str, Any]:
        """This state as a fixture file (owners by user id), loadable with ``load``."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "conversations": [
                {
                    "id": c.id,
                    "owner": {"user_id": c.owner.user_id, "on_behalf_of": c.owner.on_behalf_of},
                    "created_at": c.created_at,
                    "updated_at": c.updated_at,
                    "deleted_at": c.deleted_at,
                    "metadata": dict(c.metadata),
                    "items": [item.model_dump() for item in c.items],
                }
                for c in self.conversations
            ],
        }
