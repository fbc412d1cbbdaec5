"""The request models' JSON Schemas show the limits the mock enforces, and the wire errors keep their words.

The limits live in the pydantic types (``Field`` constraints, discriminated unions), so
``model_json_schema()`` shows them: these tests read them back from the schemas, and check that
the values at and past each limit are accepted and rejected with the API's own messages.
"""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel

from mka1_mock._core.errors import InvalidRequest
from mka1_mock._core.validation import parse
from mka1_mock.items.models import ITEM_TYPES, stored
from mka1_mock.resources.conversations.endpoints import ConversationListQuery, ItemListQuery
from mka1_mock.resources.conversations.schemas import (
    CreateConversationBody,
    CreateItemsBody,
    DeleteItemsBody,
    UpdateConversationBody,
)
from mka1_mock.resources.responses.endpoints import InputItemsQuery, ResponseListQuery
from mka1_mock.resources.responses.schemas import TOOL_TYPES, CreateResponseBody, UpdateResponseBody


def schema_of(model: type[BaseModel]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The model's JSON Schema properties, and its ``$defs``."""
    schema = model.model_json_schema()
    return schema["properties"], schema.get("$defs", {})


def resolve(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a ``$ref`` replaced by its definition."""
    ref = node.get("$ref")
    return defs[ref.rsplit("/", 1)[-1]] if ref else node


def not_null(node: dict[str, Any]) -> dict[str, Any]:
    """The non-null branch of an optional field's schema."""
    branches = [b for b in node.get("anyOf", [node]) if b.get("type") != "null"]
    assert len(branches) == 1, node
    return branches[0]


def type_values(union: dict[str, Any], defs: dict[str, Any]) -> list[str]:
    """Every ``type`` value a ``oneOf`` of objects accepts (its members' consts and enums)."""
    values: list[str] = []
    for member in union["oneOf"]:
        kind = resolve(member, defs)["properties"]["type"]
        values.extend([kind["const"]] if "const" in kind else kind["enum"])
    return values


def wire_error(model: type[BaseModel], body: dict[str, Any]) -> tuple[str | None, str | None, str]:
    """(param, code, message) of the 400 a body gets."""
    with pytest.raises(InvalidRequest) as caught:
        parse(model, body)
    return caught.value.param, caught.value.code, caught.value.message


def msg(text: str = "hi", **extra: Any) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text, **extra}


# --- items ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("model", [CreateConversationBody, CreateItemsBody])
def test_items_are_a_union_discriminated_by_type(model: type[BaseModel]) -> None:
    """``items`` is an array of a ``oneOf`` whose members are tagged by the 23 distinct ``type`` consts."""
    properties, defs = schema_of(model)
    union = not_null(properties["items"])["items"]
    values = type_values(union, defs)
    assert sorted(values) == sorted(ITEM_TYPES)
    assert len(values) == len(set(values)) == 23  # the SDK's 24 members: both message shapes are "message"


def test_input_is_a_string_or_an_array_of_items() -> None:
    """A response's ``input`` is a string or an array of the same item union."""
    properties, defs = schema_of(CreateResponseBody)
    string, array = not_null(properties["input"])["oneOf"]
    assert string == {"type": "string"}
    assert array["type"] == "array"
    assert sorted(type_values(array["items"], defs)) == sorted(ITEM_TYPES)


def test_a_message_may_leave_out_its_type() -> None:
    """``Message.type`` is optional in the schema (an "easy message"); every other item requires it."""
    _, defs = schema_of(CreateItemsBody)
    required = {name: "type" in resolve({"$ref": f"#/$defs/{name}"}, defs).get("required", []) for name in defs}
    assert required["Message"] is False
    assert required["FunctionCall"] is True and required["ItemReference"] is True


@pytest.mark.parametrize("model, minimum", [(CreateConversationBody, 0), (CreateItemsBody, 1)])
def test_items_array_bounds(model: type[BaseModel], minimum: int) -> None:
    """Create-conversation takes 0..20 items and create-items 1..20: the schema says so."""
    properties, _ = schema_of(model)
    items = not_null(properties["items"])
    assert (items["minItems"], items["maxItems"]) == (minimum, 20)


@pytest.mark.parametrize("model", [CreateConversationBody, CreateItemsBody])
def test_items_limits_keep_the_api_messages(model: type[BaseModel]) -> None:
    """21 items, no array and (on create-items) none at all get the API's messages; 20 pass."""
    twenty = [msg(str(n)) for n in range(20)]
    assert len(parse(model, {"items": twenty}).items) == 20  # type: ignore[attr-defined]
    assert wire_error(model, {"items": [*twenty, msg()]}) == (
        "items",
        "array_above_max_length",
        "Invalid 'items': array too long. Expected at most 20 items at a time, but got 21. "
        "Send them in batches of 20.",
    )
    assert wire_error(model, {"items": "hi"}) == (
        "items",
        "invalid_type",
        "Invalid type for 'items': expected an array of items, but got a string instead.",
    )
    if model is CreateItemsBody:
        assert wire_error(model, {"items": []}) == (
            "items",
            "empty_array",
            "Invalid 'items': expected at least 1 item, but got an empty array.",
        )


def test_item_errors_name_the_field_inside_the_array() -> None:
    """An error inside an item is worded as before, with the union's tags left out of ``param``."""
    assert wire_error(CreateItemsBody, {"items": [msg(), {"type": "bogus"}]})[:2] == ("items[1].type", "invalid_value")
    assert wire_error(CreateItemsBody, {"items": [5]}) == (
        "items[0]",
        "invalid_type",
        "Invalid type for 'items[0]': expected an object, but got an integer instead.",
    )
    assert wire_error(CreateItemsBody, {"items": [{"content": "x"}]}) == (
        "items[0].type",
        "missing_required_parameter",
        "Missing required parameter: 'items[0].type'.",
    )
    part = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": 3}]}
    assert wire_error(CreateItemsBody, {"items": [part]})[:2] == ("items[0].content[0].text", "invalid_type")
    assert wire_error(CreateItemsBody, {"items": [msg(id="a"), msg(id="a")]}) == (
        "items[1].id",
        "duplicate_item_id",
        "Duplicate item found with id 'a'. Item ids must be unique within a request.",
    )


def test_stored_items_keep_the_keys_sent() -> None:
    """Validated items are stored with exactly the keys sent, ``type`` first (added to an easy message)."""
    sent = [{"role": "user", "content": "hi"}, {"call_id": "c", "type": "function_call_output", "output": "o"}]
    items = parse(CreateItemsBody, {"items": sent}).items
    assert stored(items) == [{"type": "message", **sent[0]}, sent[1]]
    assert list(stored(items)[0]) == ["type", "role", "content"]


def test_item_ids_need_at_least_one() -> None:
    """Delete-many's ``item_ids`` is a non-empty array of strings, in the schema and on the wire."""
    properties, _ = schema_of(DeleteItemsBody)
    assert properties["item_ids"]["minItems"] == 1
    assert properties["item_ids"]["items"] == {"type": "string"}
    assert wire_error(DeleteItemsBody, {"item_ids": []}) == (
        "item_ids",
        "empty_array",
        "Invalid 'item_ids': expected at least 1 item id, but got an empty array.",
    )


# --- metadata ------------------------------------------------------------------------------------

METADATA_BODIES = [CreateConversationBody, UpdateConversationBody, CreateResponseBody, UpdateResponseBody]


@pytest.mark.parametrize("model", METADATA_BODIES)
def test_metadata_limits_are_in_the_schema(model: type[BaseModel]) -> None:
    """``metadata`` shows at most 16 pairs, keys of at most 64 characters and string values of at most 512."""
    properties, _ = schema_of(model)
    metadata = not_null(properties["metadata"])
    assert metadata["type"] == "object"
    assert metadata["maxProperties"] == 16
    assert metadata["propertyNames"] == {"maxLength": 64}
    assert metadata["additionalProperties"] == {"type": "string", "maxLength": 512}


def test_metadata_errors_keep_the_api_messages() -> None:
    """Each metadata rule is reported with its own message, the pair count first."""
    seventeen = {f"k{n}": "v" for n in range(17)}
    cases = [
        (
            {**seventeen, "k" * 65: "v"},
            "object_above_max_properties",
            "Invalid 'metadata': too many pairs. Expected at most 16 key-value pairs, but got 18.",
        ),
        (
            {"ok": "v", "k" * 65: 1},
            "string_above_max_length",
            f"Invalid 'metadata': key '{'k' * 65}' is 65 characters long; keys may have at most 64.",
        ),
        (
            {"a": "v" * 513, "b": 1},
            "string_above_max_length",
            "Invalid 'metadata': the value of 'a' is 513 characters long; values may have at most 512.",
        ),
        (
            {"b": None},
            "invalid_type",
            "Invalid type for 'metadata.b': expected a string, but got null instead. Metadata values must be strings.",
        ),
        (
            ["k", "v"],
            "invalid_type",
            "Invalid type for 'metadata': expected an object of string pairs, but got an array instead.",
        ),
    ]
    for metadata, code, message in cases:
        assert wire_error(UpdateConversationBody, {"metadata": metadata}) == ("metadata", code, message)
    limits = {f"{n:02d}".ljust(64, "k"): "v" * 512 for n in range(16)}
    assert parse(UpdateConversationBody, {"metadata": limits}).metadata == limits


# --- list queries --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, maximum",
    [(ConversationListQuery, 50), (ItemListQuery, 100), (ResponseListQuery, 100), (InputItemsQuery, 100)],
)
def test_page_limit_bounds_are_in_the_schema(query: type[BaseModel], maximum: int) -> None:
    """A list's ``limit`` is 1..max and ``order`` an enum of asc/desc, in the query model's schema."""
    properties, _ = schema_of(query)
    assert (properties["limit"]["minimum"], properties["limit"]["maximum"]) == (1, maximum)
    assert properties["order"]["enum"] == ["asc", "desc"]


# --- the other shapes of a create-response body --------------------------------------------------


def test_tools_are_objects_with_a_type_enum() -> None:
    """``tools`` is an array of objects whose ``type`` values are the supported tools (not computer use)."""
    properties, defs = schema_of(CreateResponseBody)
    tools = not_null(properties["tools"])
    assert tools["type"] == "array"
    values = type_values(tools["items"], defs)
    assert sorted(values) == sorted(TOOL_TYPES - {"computer_use_preview"})
    function = defs["FunctionTool"]
    assert function["properties"]["name"]["minLength"] == 1 and "name" in function["required"]


def test_tool_choice_is_a_mode_or_an_object() -> None:
    """``tool_choice`` is one of none/auto/required or an object with a string ``type``."""
    properties, defs = schema_of(CreateResponseBody)
    mode, named = not_null(properties["tool_choice"])["oneOf"]
    assert mode["enum"] == ["none", "auto", "required"]
    assert resolve(named, defs)["properties"]["type"]["type"] == "string"


def test_conversation_is_an_id_or_an_object_with_one() -> None:
    """``conversation`` is a non-empty id string or ``{"id": ...}`` with nothing else."""
    properties, defs = schema_of(CreateResponseBody)
    string, ref = not_null(properties["conversation"])["oneOf"]
    assert string == {"type": "string", "minLength": 1}
    obj = resolve(ref, defs)
    assert obj["required"] == ["id"] and obj["additionalProperties"] is False


def test_response_shapes_keep_the_api_messages_and_values() -> None:
    """Bad tools, tool choices, conversations and inputs get the API's messages; good ones are kept as sent."""
    base = {"model": "m", "input": "hi"}
    assert wire_error(CreateResponseBody, {**base, "tools": [{"type": "computer_use_preview"}]}) == (
        "tools[0].type",
        "unsupported_tool",
        "The 'computer_use_preview' tool is not supported. Remove it from 'tools'.",
    )
    assert wire_error(CreateResponseBody, {**base, "tools": [{"type": "function"}]}) == (
        "tools[0].name",
        "missing_required_parameter",
        "Missing required parameter: 'tools[0].name'.",
    )
    assert wire_error(CreateResponseBody, {**base, "tool_choice": "sometimes"})[:2] == ("tool_choice", "invalid_value")
    assert wire_error(CreateResponseBody, {**base, "conversation": {"id": "c", "x": 1}}) == (
        "conversation",
        "invalid_type",
        'Invalid \'conversation\': expected a conversation id string or an object {"id": "conv_…"}.',
    )
    assert wire_error(CreateResponseBody, {"model": "m", "input": 5}) == (
        "input",
        "invalid_type",
        "Invalid type for 'input': expected a string or an array of items, but got an integer instead.",
    )
    # The API checks input, metadata, tools, ... before the other fields: their error is the one reported.
    assert wire_error(CreateResponseBody, {"model": "", "input": 5})[0] == "input"
    tool = {"name": "f", "type": "function", "strict": True}
    body = parse(CreateResponseBody, {**base, "tools": [tool], "tool_choice": {"type": "function", "name": "f"}})
    assert body.tools == [tool] and list(body.tools[0]) == ["name", "type", "strict"]
    assert body.tool_choice == {"type": "function", "name": "f"}
    assert parse(CreateResponseBody, {**base, "conversation": {"id": "conv_1"}}).conversation_id == "conv_1"


def test_a_tool_type_that_is_not_a_string_is_a_400() -> None:
    """A tool whose ``type`` is an array or object is a 400 on ``tools[i].type`` (it used to be a 500)."""
    for kind in ([], {"a": 1}):
        param, code, message = wire_error(CreateResponseBody, {"model": "m", "tools": [{"type": kind}]})
        assert (param, code) == ("tools[0].type", "invalid_value")
        assert message.startswith(f"Invalid value for 'tools[0].type': {kind!r}. Supported values are: agent, ")


def test_client_text_in_a_message_is_not_a_placeholder() -> None:
    """A metadata key or item id that looks like a placeholder (``{where}``) is quoted as sent."""
    assert wire_error(UpdateConversationBody, {"metadata": {"{where}": 1}})[2] == (
        "Invalid type for 'metadata.{where}': expected a string, but got an integer instead. "
        "Metadata values must be strings."
    )
    items = [msg(id="{param}"), msg(id="{param}")]
    assert wire_error(CreateItemsBody, {"items": items})[2].startswith("Duplicate item found with id '{param}'.")
