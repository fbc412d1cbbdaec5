"""Conversation items (contract §2): the registry of the item models, their union, and validation.

``ItemUnion`` is the union of the 24 SDK item shapes (23 ``type`` values: both message shapes are
``Message``), dispatched on ``type``; an object without ``type`` but with ``role`` and ``content`` is
an "easy message". ``stored`` turns validated items into the dicts the store keeps (the keys as sent,
plus ``type``); ``validate_item`` / ``validate_items`` do both for raw JSON, or raise
``InvalidRequest`` naming the field, e.g. ``items[2].content[1].text``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Union

from pydantic import AfterValidator, Discriminator, Tag, TypeAdapter, ValidationError

from .._core.validation import UNION_TAGS, RequestModel, invalid_from, wire_error
from .kinds import ITEM_KINDS
from .tagged import type_tag

__all__ = [
    "DEFAULT_STATUS_TYPES",
    "ID_PREFIXES",
    "ITEM_MODELS",
    "ITEM_TYPES",
    "ItemUnion",
    "UniqueIds",
    "item_text",
    "stored",
    "validate_item",
    "validate_items",
]

ITEM_MODELS: dict[str, type[RequestModel]] = {type_tag(m): m for m in ITEM_KINDS}
ITEM_TYPES: tuple[str, ...] = tuple(ITEM_MODELS)

# The prefix of a generated id (``<prefix>_<32 hex>``), per type. ``item_reference`` has none: its ``id``
# is required and names the referenced item.
ID_PREFIXES: dict[str, str] = {
    "message": "msg",
    "output_audio": "oa",
    "file_search_call": "fs",
    "computer_call": "cu",
    "computer_call_output": "cuo",
    "web_search_call": "ws",
    "function_call": "fc",
    "function_call_output": "fco",
    "reasoning": "rs",
    "image_generation_call": "ig",
    "code_interpreter_call": "ci",
    "local_shell_call": "lsh",
    "local_shell_call_output": "lsho",
    "shell_call": "sh",
    "shell_call_output": "sho",
    "mcp_list_tools": "mcpl",
    "mcp_approval_request": "mcpr",
    "mcp_approval_response": "mcpa",
    "mcp_call": "mcp",
    "custom_tool_call": "ctc",
    "custom_tool_call_output": "ctco",
    "compaction": "cmp",
}

# Types with an optional ``status`` that OpenAI sets to "completed" when it stores the item.
DEFAULT_STATUS_TYPES: frozenset[str] = frozenset(
    {
        "message",
        "function_call",
        "function_call_output",
        "computer_call_output",
        "local_shell_call_output",
        "shell_call_output",
    }
)


def _item_kind(value: Any) -> str:
    """The tag of an item: ``#<type>``, or a ``!…`` tag naming why it can't be dispatched (``invalid_from``
    renders those: not an object, no ``type``, a ``type`` that is not a string; ``?``: an unknown type)."""
    if isinstance(value, dict):
        if "type" not in value:
            return "#message" if "role" in value and "content" in value else "!missing"
        kind = value["type"]
        if not isinstance(kind, str):
            return "!type"
        return f"#{kind}" if kind in ITEM_MODELS else "?"
    if isinstance(value, RequestModel):  # serialising a validated item
        return f"#{getattr(value, 'type')}"  # noqa: B009 - every item model has `type`
    return "!object"


UNION_TAGS.update(f"#{kind}" for kind in ITEM_TYPES)

# One conversation item, any of the types (a runtime-built union: mypy sees ``Any``).
ItemUnion: Any = Annotated[
    Union[tuple(Annotated[m, Tag(f"#{kind}")] for kind, m in ITEM_MODELS.items())],  # noqa: UP007 - runtime-built
    Discriminator(_item_kind),
]


def _unique_ids(items: list[RequestModel]) -> list[RequestModel]:
    """Client-supplied ``id``s must be unique within one request."""
    seen: set[str] = set()
    for j, item in enumerate(items):
        item_id = getattr(item, "id", None)
        if item_id is None:
            continue
        if item_id in seen:
            raise wire_error(
                "duplicate_item_id",
                "Duplicate item found with id '{id}'. Item ids must be unique within a request.",
                j,
                "id",
                id=item_id,
            )
        seen.add(item_id)
    return items


# The validator of an item array: its ids are unique (the ``duplicate_item_id`` error).
UniqueIds = AfterValidator(_unique_ids)
_ITEM: TypeAdapter[Any] = TypeAdapter(ItemUnion)
_ITEMS: TypeAdapter[list[Any]] = TypeAdapter(Annotated[list[ItemUnion], UniqueIds])


def stored(items: Iterable[RequestModel]) -> list[dict[str, Any]]:
    """Validated items as the store keeps them: the keys as sent (``type`` first, always present)."""
    out = []
    for item in items:
        data = item.model_dump(mode="json", by_alias=True, exclude_unset=True)
        if "type" not in data:  # an easy message
            data = {"type": getattr(item, "type"), **data}  # noqa: B009 - every item model has `type`
        out.append(data)
    return out


def validate_item(raw: object, *, param: str) -> dict[str, Any]:
    """The item to store (the keys as sent, plus ``type``), or ``InvalidRequest`` naming the field."""
    try:
        return stored([_ITEM.validate_python(raw)])[0]
    except ValidationError as err:
        raise invalid_from(err, param) from None


def validate_items(raw: object, *, param: str = "items") -> list[dict[str, Any]]:
    """Validate an array of items (any number); client-supplied ``id``s must be unique within it."""
    try:
        return stored(_ITEMS.validate_python(raw))
    except ValidationError as err:
        raise invalid_from(err, param) from None


# Per type, the top-level string fields holding human text (message, reasoning and file search are
# handled in ``item_text`` because their text is nested).
_TEXT_KEYS: dict[str, tuple[str, ...]] = {
    "function_call": ("arguments",),
    "function_call_output": ("output",),
    "local_shell_call_output": ("output",),
    "custom_tool_call": ("input",),
    "custom_tool_call_output": ("output",),
    "mcp_approval_request": ("arguments",),
    "mcp_call": ("arguments", "output"),
    "compaction": ("content",),
    "output_audio": ("transcript",),
}
_PART_TEXT_KEYS = {"input_text": "text", "output_text": "text", "refusal": "refusal"}


def item_text(item: dict[str, Any]) -> list[str]:
    """Every human-readable text of a stored (so already validated) item, for full-text search."""
    kind = item["type"]
    texts = [item[key] for key in _TEXT_KEYS.get(kind, ()) if key in item]
    if kind == "message":
        content = item["content"]
        if isinstance(content, str):
            texts.append(content)
        else:
            for part in content:
                if isinstance(part, str):
                    texts.append(part)
                elif part["type"] in _PART_TEXT_KEYS:
                    texts.append(part[_PART_TEXT_KEYS[part["type"]]])
    elif kind == "reasoning":
        texts.extend(part["text"] for part in [*item["summary"], *item.get("content", ())])
    elif kind == "file_search_call":
        texts.extend(item["queries"])
    return texts
