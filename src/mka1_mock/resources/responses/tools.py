"""The ``tools``, ``tool_choice``, ``input`` and ``conversation`` fields of a create-response body.

Each is a pydantic type (so the JSON Schema shows its shape) plus a wrap validator that words
pydantic's error as the API does. ``tools`` and ``tool_choice`` keep the values the client sent (they
are echoed key for key), checked against their models.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    PlainValidator,
    Tag,
    TypeAdapter,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from ..._core.validation import UNION_TAGS, RequestModel, json_type_name, wire_error
from ...items.models import ItemUnion, UniqueIds
from ...items.tagged import ABSENT, content_kind

__all__ = ["TOOL_TYPES", "Conversation", "Input", "ToolChoice", "Tools"]

TOOL_TYPES = frozenset(
    {
        "function", "custom", "mcp", "file_search", "web_search", "web_search_preview",
        "web_search_preview_2025_03_11", "web_search_2025_08_26", "code_interpreter",
        "image_generation", "local_shell", "shell", "history", "sleep", "agent",
        "computer_use_preview", "tool_search", "read_file",
    }
)  # fmt: skip
_UNSUPPORTED = "computer_use_preview"
_BUILTIN = tuple(sorted(TOOL_TYPES - {"function", "custom", _UNSUPPORTED}))


class _Open(RequestModel):
    """An object checked by its declared fields, that may carry any other key."""

    model_config = ConfigDict(extra="allow")


Name = Annotated[str, Field(min_length=1)]


class FunctionTool(_Open):
    type: Literal["function"]
    name: Name
    parameters: dict[str, Any] | None = ABSENT


class CustomTool(_Open):
    type: Literal["custom"]
    name: Name


class BuiltinTool(_Open):
    type: Literal[_BUILTIN]  # type: ignore[valid-type]  # the built-in tools, by name


def _tool_kind(value: Any) -> str:
    if not isinstance(value, dict):
        return "!object"
    kind = value.get("type")
    if kind in ("function", "custom"):
        return f"#{kind}"
    return "#builtin" if kind in _BUILTIN else "?"


UNION_TAGS.update(("#function", "#custom", "#builtin"))
Tool = Annotated[
    Union[  # noqa: UP007 - tagged members
        Annotated[FunctionTool, Tag("#function")],
        Annotated[CustomTool, Tag("#custom")],
        Annotated[BuiltinTool, Tag("#builtin")],
    ],
    Discriminator(_tool_kind),
]


def _tool_problem(value: Any, err: ValidationError) -> PydanticCustomError:
    first = err.errors(include_url=False)[0]
    loc = [p for p in first["loc"] if not (isinstance(p, str) and p in UNION_TAGS)]
    if not loc:
        return wire_error(
            "invalid_type",
            f"Invalid type for {{where}}: expected an array of tool definitions, but got {json_type_name(value)} "
            "instead.",
        )
    n = loc[0]
    tool = value[n]
    if len(loc) == 1:
        if not isinstance(tool, dict):
            return wire_error("invalid_type", "Invalid type for {where}: expected an object.", n)
        if tool.get("type") == _UNSUPPORTED:
            return wire_error(
                "unsupported_tool",
                "The 'computer_use_preview' tool is not supported. Remove it from 'tools'.",
                n,
                "type",
            )
        return wire_error(
            "invalid_value",
            "Invalid value for {where}: {kind}. Supported values are: "
            f"{', '.join(sorted(TOOL_TYPES - {_UNSUPPORTED}))}.",
            n,
            "type",
            kind=repr(tool.get("type")),
        )
    if loc[1] == "name":
        return wire_error("missing_required_parameter", "Missing required parameter: {where}.", n, "name")
    return wire_error("invalid_type", "Invalid type for {where}: expected a JSON Schema object.", n, "parameters")


_TOOLS: TypeAdapter[list[Any]] = TypeAdapter(list[Tool])


def _tools_checked(value: Any) -> list[dict[str, Any]]:
    try:
        _TOOLS.validate_python(value)
    except ValidationError as err:
        raise _tool_problem(value, err) from None
    return value  # type: ignore[no-any-return]  # checked: a list of tool objects


# The tools as sent (echoed key for key), checked as ``list[Tool]`` (which the JSON Schema shows).
Tools = Annotated[list[dict[str, Any]], PlainValidator(_tools_checked, json_schema_input_type=list[Tool])]


class NamedChoice(_Open):
    """A ``tool_choice`` object, e.g. ``{"type": "function", "name": "get_weather"}``."""

    type: str


def _choice_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "#mode"
    return "#named" if isinstance(value, dict) else None


def _choice_checked(value: Any) -> str | dict[str, Any]:
    try:
        _CHOICE.validate_python(value)
    except ValidationError:
        raise wire_error(
            "invalid_value",
            "Invalid {where}: expected 'none', 'auto', 'required' or an object such as "
            '{"type": "function", "name": "get_weather"}.',
        ) from None
    return value  # type: ignore[no-any-return]  # checked: a mode or a tool choice object


UNION_TAGS.update(("#mode", "#named"))
_CHOICE_TYPE = Annotated[
    Union[  # noqa: UP007 - tagged members
        Annotated[Literal["none", "auto", "required"], Tag("#mode")],
        Annotated[NamedChoice, Tag("#named")],
    ],
    Discriminator(_choice_kind),
]
_CHOICE: TypeAdapter[Any] = TypeAdapter(_CHOICE_TYPE)
# ``tool_choice`` as sent, checked as a mode or a ``NamedChoice`` (which the JSON Schema shows).
ToolChoice = Annotated[str | dict[str, Any], PlainValidator(_choice_checked, json_schema_input_type=_CHOICE_TYPE)]


class ConversationRef(RequestModel):
    id: Name


def _conversation_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "#str"
    return "#ref" if isinstance(value, (dict, ConversationRef)) else None


def _conversation_worded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        raise wire_error(
            "invalid_type", 'Invalid {where}: expected a conversation id string or an object {"id": "conv_…"}.'
        ) from None


UNION_TAGS.add("#ref")
# ``"conv_…"`` or ``{"id": "conv_…"}``.
Conversation = Annotated[
    Union[Annotated[Name, Tag("#str")], Annotated[ConversationRef, Tag("#ref")]],  # noqa: UP007 - tagged members
    Discriminator(_conversation_kind),
    WrapValidator(_conversation_worded),
]


def _input_worded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        if first["loc"] or first["type"] != "union_tag_not_found":
            raise  # a problem inside an item: pydantic's error says where
        raise wire_error(
            "invalid_type",
            f"Invalid type for {{where}}: expected a string or an array of items, but got {json_type_name(value)} "
            "instead.",
        ) from None


# A string (one user message) or an array of items (any number, client ids unique).
Input = Annotated[
    Union[  # noqa: UP007 - tagged members
        Annotated[str, Tag("#str")],
        Annotated[list[ItemUnion], UniqueIds, Tag("#list")],
    ],
    Discriminator(content_kind),
    WrapValidator(_input_worded),
]
