"""The ``conversations`` section of a state document (fixture files, exports), and its typed view.

A fixture's conversations carry their owners and items, optionally with pinned ids and timestamps.
``seeds_from`` checks a section as the API would check a request (items, metadata, owners) and turns
it into ``ConversationSeed``s; ``ConversationState`` is what an export holds, typed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, model_validator

from ..._core.auth import Owner
from ..._core.errors import InvalidRequest
from ..._core.metadata import check_metadata
from ..._core.state import LoadContext
from ..._core.validation import invalid_from
from ...items.models import validate_items
from ...items.page import Item

__all__ = [
    "ConversationSeed",
    "FixtureConversation",
    "FixtureOwner",
    "StoredItem",
    "OwnerState",
    "ConversationState",
    "seeds_from",
]


@dataclass(frozen=True)
class ConversationSeed:
    """A conversation to load as it is (fixtures, seeding): unpinned values are generated.

    ``items`` are validated items; each may carry its own ``id``, ``response_id`` and ``metadata``.
    """

    owner: Owner
    id: str | None = None
    created_at: int | None = None
    updated_at: int | None = None
    deleted_at: int | None = None
    metadata: Mapping[str, str] = field(default_factory=dict)
    items: Sequence[Item] = ()


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

    def to_fixture(self) -> dict[str, Any]:
        """This conversation as a fixture entry (owner by user id), loadable with ``load``."""
        return {
            "id": self.id,
            "owner": {"user_id": self.owner.user_id, "on_behalf_of": self.owner.on_behalf_of},
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "deleted_at": self.deleted_at,
            "metadata": dict(self.metadata),
            "items": [item.model_dump() for item in self.items],
        }


# Keys a stored item carries that are not part of the item's own schema.
_ORIGIN_KEYS = ("response_id", "metadata")
_SECTION: TypeAdapter[list[FixtureConversation]] = TypeAdapter(list[FixtureConversation])


def seeds_from(data: Any, context: LoadContext) -> list[ConversationSeed]:
    """A ``conversations`` section as seeds, checked as the API checks requests; or the 400 naming
    the field (``conversations[2].items[0].content``) and the source."""
    try:
        conversations = _SECTION.validate_python(data)
    except ValidationError as err:
        error = invalid_from(err, "conversations")
        raise InvalidRequest(f"Invalid {context.source}: {error.message}", param=error.param, code=error.code) from None
    return [seed_from(c, f"conversations[{n}]", context) for n, c in enumerate(conversations)]


def seed_from(conversation: FixtureConversation, where: str, context: LoadContext) -> ConversationSeed:
    """One fixture conversation as a seed (``where`` names it in errors)."""
    source = context.source
    owner_spec = conversation.owner or FixtureOwner()
    if owner_spec.api_key and owner_spec.user_id:
        raise InvalidRequest(
            f"Invalid {source}: {where}.owner has both 'api_key' and 'user_id'; give one.",
            param=f"{where}.owner",
        )
    owner = context.owner(owner_spec.api_key, owner_spec.user_id, owner_spec.on_behalf_of)
    try:
        check_metadata(conversation.metadata, param=f"{where}.metadata")
        bare = [{k: v for k, v in item.items() if k not in _ORIGIN_KEYS} for item in conversation.items]
        validated = validate_items(bare, param=f"{where}.items")
    except InvalidRequest as err:
        raise InvalidRequest(f"Invalid {source}: {err.message}", param=err.param, code=err.code) from None
    items = []
    for n, (original, item) in enumerate(zip(conversation.items, validated, strict=True)):
        where_item = f"{where}.items[{n}]"
        response_id = original.get("response_id")
        if response_id is not None and not isinstance(response_id, str):
            raise InvalidRequest(
                f"Invalid {source}: '{where_item}.response_id' must be a string or null.",
                param=f"{where_item}.response_id",
                code="invalid_type",
            )
        if "response_id" in original:
            item["response_id"] = response_id
        if original.get("metadata") is not None:
            item["metadata"] = check_metadata(original["metadata"], param=f"{where_item}.metadata")
        elif "metadata" in original:
            item["metadata"] = None
        items.append(item)
    return ConversationSeed(
        owner=owner,
        id=conversation.id,
        created_at=conversation.created_at,
        updated_at=conversation.updated_at,
        deleted_at=conversation.deleted_at,
        metadata=conversation.metadata,
        items=items,
    )
