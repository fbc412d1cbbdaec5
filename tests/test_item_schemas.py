"""Item schemas (contract §2): every SDK item shape is accepted, stored as sent, and errors name the field."""

from __future__ import annotations

import typing
from typing import Any

import pytest
from meetkai_mka1 import models as sdk
from meetkai_mka1.models.item import Item as SdkItem
from pydantic import BaseModel, TypeAdapter

from mka1_mock._core.errors import InvalidRequest
from mka1_mock.items.models import (
    DEFAULT_STATUS_TYPES,
    ID_PREFIXES,
    ITEM_MODELS,
    ITEM_TYPES,
    item_text,
    validate_item,
    validate_items,
)

SDK_INPUT_MODELS: tuple[type[BaseModel], ...] = typing.get_args(SdkItem.__value__)
RETURNED_ITEM = TypeAdapter(sdk.ConversationsItemsRetrieveResponse)

USER_MESSAGE = {"type": "message", "role": "user", "content": "hi"}
OUTPUT_TEXT = {"type": "output_text", "text": "Hello", "annotations": []}

# (SDK input model, SDK returned-item model, a minimal valid item): one row per SDK union member.
MINIMAL: list[tuple[str, str, dict[str, Any]]] = [
    ("InputMessage", "ConversationsItemsRetrieveInputMessageItem", USER_MESSAGE),
    # The SDK's smart union parses an assistant output message as its input-message class (dropping
    # ``phase``); OutputMessageWithID is never chosen.
    (
        "OutputMessage",
        "ConversationsItemsRetrieveInputMessageItem",
        {
            "type": "message",
            "id": "msg_1",
            "role": "assistant",
            "status": "completed",
            "phase": "final_answer",
            "content": [OUTPUT_TEXT],
        },
    ),
    (
        "OutputAudioItem",
        "OutputAudioItemWithID",
        {"type": "output_audio", "id": "oa_1", "data": "AAAA", "transcript": "hi", "status": "completed"},
    ),
    (
        "FileSearchToolCall",
        "FileSearchToolCallWithID",
        {"type": "file_search_call", "id": "fs_1", "queries": ["q"], "status": "searching"},
    ),
    (
        "ComputerToolCall",
        "ComputerToolCallWithID",
        {
            "type": "computer_call",
            "id": "cu_1",
            "call_id": "call_1",
            "action": {"type": "screenshot"},
            "pending_safety_checks": [],
            "status": "completed",
        },
    ),
    (
        "ComputerToolCallOutput",
        "ComputerToolCallOutputWithID",
        {"type": "computer_call_output", "call_id": "call_1", "output": {"type": "computer_screenshot"}},
    ),
    (
        "WebSearchToolCall",
        "WebSearchToolCallWithID",
        {
            "type": "web_search_call",
            "id": "ws_1",
            "action": {"type": "search", "query": "weather"},
            "status": "completed",
        },
    ),
    (
        "FunctionToolCall",
        "FunctionToolCallWithID",
        {"type": "function_call", "call_id": "call_1", "name": "get_weather", "arguments": "{}"},
    ),
    (
        "FunctionToolCallOutput",
        "FunctionToolCallOutputWithID",
        {"type": "function_call_output", "call_id": "call_1", "output": '{"temp": 20}'},
    ),
    ("Reasoning", "ReasoningWithID", {"type": "reasoning", "id": "rs_1", "summary": []}),
    (
        "ImageGenerationCall",
        "ImageGenerationCallWithID",
        {"type": "image_generation_call", "id": "ig_1", "status": "completed", "result": "iVBORw0="},
    ),
    (
        "CodeInterpreterToolCall",
        "CodeInterpreterToolCallWithID",
        {
            "type": "code_interpreter_call",
            "id": "ci_1",
            "code": None,
            "container_id": "cntr_1",
            "outputs": None,
            "status": "interpreting",
        },
    ),
    (
        "LocalShellCall",
        "LocalShellCallWithID",
        {
            "type": "local_shell_call",
            "id": "lsh_1",
            "call_id": "call_1",
            "action": {"type": "exec", "command": ["ls"], "env": {}},
            "status": "completed",
        },
    ),
    (
        "LocalShellCallOutput",
        "LocalShellCallOutputWithID",
        {"type": "local_shell_call_output", "id": "lsho_1", "output": "a.txt"},
    ),
    (
        "ShellCall",
        "ShellCallWithID",
        {"type": "shell_call", "id": "sh_1", "call_id": "call_1", "action": {"type": "exec"}, "status": "completed"},
    ),
    (
        "ShellCallOutput",
        "ShellCallOutputWithID",
        {
            "type": "shell_call_output",
            "id": "sho_1",
            "call_id": "call_1",
            "output": {"stdout": "", "stderr": "", "outcome": {"type": "timeout", "exit_code": None}},
        },
    ),
    (
        "MCPListTools",
        "MCPListToolsWithID",
        {
            "type": "mcp_list_tools",
            "id": "mcpl_1",
            "server_label": "srv",
            "tools": [{"name": "t", "input_schema": {"type": "object"}}],
        },
    ),
    (
        "MCPApprovalRequest",
        "MCPApprovalRequestWithID",
        {"type": "mcp_approval_request", "id": "mcpr_1", "arguments": "{}", "name": "t", "server_label": "srv"},
    ),
    (
        "MCPApprovalResponse",
        "MCPApprovalResponseWithID",
        {"type": "mcp_approval_response", "approval_request_id": "mcpr_1", "approve": False},
    ),
    (
        "MCPToolCall",
        "MCPToolCallWithID",
        {"type": "mcp_call", "id": "mcp_1", "arguments": "{}", "name": "t", "server_label": "srv"},
    ),
    (
        "CustomToolCall",
        "CustomToolCallWithID",
        {"type": "custom_tool_call", "call_id": "call_1", "input": "x = 1", "name": "python"},
    ),
    (
        "CustomToolCallOutput",
        "CustomToolCallOutputWithID",
        {"type": "custom_tool_call_output", "call_id": "call_1", "output": "ok"},
    ),
    ("ItemReference", "ItemReferenceWithID", {"type": "item_reference", "id": "msg_0"}),
    (
        "ResponseCompactionItem",
        "ResponseCompactionItemWithID",
        {"type": "compaction", "id": "cmp_1", "content": "summary so far"},
    ),
]

# Items with every optional field the SDK knows, and every variant of every nested union.
ANNOTATIONS = [
    {"type": "file_citation", "file_id": "file_1", "filename": "a.pdf", "index": 0},
    {"type": "url_citation", "url": "https://x.test", "title": "X", "start_index": 0, "end_index": 4},
    {
        "type": "container_file_citation",
        "container_id": "cntr_1",
        "file_id": "file_1",
        "filename": "a.pdf",
        "start_index": 0,
        "end_index": 4,
    },
    {"type": "file_path", "file_id": "file_1", "index": 1},
]
FULL_OUTPUT_TEXT = {
    "type": "output_text",
    "text": "Hello",
    "annotations": ANNOTATIONS,
    "logprobs": [
        {
            "token": "He",
            "logprob": -0.25,
            "bytes": [72.0, 101.0],
            "top_logprobs": [{"token": "He", "logprob": -0.25, "bytes": [72.0, 101.0]}],
        }
    ],
}
COMPUTER_ACTIONS = [
    {"type": "click", "button": "left", "x": 1, "y": 2},
    {"type": "double_click", "x": 1, "y": 2},
    {"type": "drag", "path": [{"x": 1, "y": 2}, {"x": 3, "y": 4}]},
    {"type": "keypress", "keys": ["CTRL", "C"]},
    {"type": "move", "x": 1, "y": 2},
    {"type": "screenshot"},
    {"type": "scroll", "x": 1, "y": 2, "scroll_x": 0, "scroll_y": 10},
    {"type": "type", "text": "hello"},
    {"type": "wait"},
]
WEB_SEARCH_ACTIONS = [
    {"type": "search", "query": "weather", "sources": [{"type": "url", "url": "https://x.test"}]},
    {"type": "open_page", "url": "https://x.test"},
    {"type": "find", "pattern": "rain", "url": "https://x.test"},
]
FULL: list[tuple[str, dict[str, Any]]] = [
    (
        "InputMessage",
        {
            "type": "message",
            "role": "user",
            "id": "msg_1",
            "status": "completed",
            "content": [
                "a bare string",
                {"type": "input_text", "text": "look"},
                {"type": "input_image", "detail": "high", "file_id": "file_1", "image_url": "https://x.test/i.png"},
                {
                    "type": "input_file",
                    "file_data": "ZGF0YQ==",
                    "file_id": "file_2",
                    "file_url": "https://x.test/f.pdf",
                    "filename": "f.pdf",
                },
                {"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}},
                FULL_OUTPUT_TEXT,
                {"type": "refusal", "refusal": "no"},
            ],
        },
    ),
    (
        "OutputMessage",
        {
            "type": "message",
            "id": "msg_2",
            "role": "assistant",
            "status": "incomplete",
            "phase": "commentary",
            "content": [FULL_OUTPUT_TEXT, {"type": "refusal", "refusal": "no"}],
        },
    ),
    (
        "FileSearchToolCall",
        {
            "type": "file_search_call",
            "id": "fs_1",
            "queries": ["q1", "q2"],
            "status": "completed",
            "results": [
                {
                    "attributes": {"s": "v", "b": True, "n": 1.5},
                    "file_id": "file_1",
                    "filename": "a.pdf",
                    "score": 0.5,
                    "text": "found",
                }
            ],
        },
    ),
    *[
        (
            "ComputerToolCall",
            {
                "type": "computer_call",
                "id": "cu_1",
                "call_id": "call_1",
                "action": action,
                "pending_safety_checks": [{"id": "sc_1", "code": "malicious", "message": "careful"}],
                "status": "in_progress",
            },
        )
        for action in COMPUTER_ACTIONS
    ],
    (
        "ComputerToolCallOutput",
        {
            "type": "computer_call_output",
            "id": "cuo_1",
            "call_id": "call_1",
            "status": "completed",
            "output": {"type": "computer_screenshot", "file_id": "file_1", "image_url": "https://x.test/s.png"},
            "acknowledged_safety_checks": [{"id": "sc_1", "code": "malicious", "message": "careful"}],
        },
    ),
    *[
        ("WebSearchToolCall", {"type": "web_search_call", "id": "ws_1", "action": action, "status": "done"})
        for action in WEB_SEARCH_ACTIONS
    ],
    (
        "FunctionToolCall",
        {
            "type": "function_call",
            "id": "fc_1",
            "call_id": "call_1",
            "name": "f",
            "arguments": "{}",
            "status": "completed",
        },
    ),
    (
        "FunctionToolCallOutput",
        {"type": "function_call_output", "id": "fco_1", "call_id": "call_1", "output": "42", "status": "completed"},
    ),
    (
        "Reasoning",
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "thinking"}],
            "content": [{"type": "reasoning_text", "text": "step 1"}],
            "encrypted_content": "enc",
            "status": "completed",
        },
    ),
    (
        "ImageGenerationCall",
        {
            "type": "image_generation_call",
            "id": "ig_1",
            "status": "generating",
            "result": "iVBORw0=",
            "background": "transparent",
            "output_format": "png",
            "quality": "high",
            "size": "1024x1024",
            "revised_prompt": "a cat",
        },
    ),
    (
        "CodeInterpreterToolCall",
        {
            "type": "code_interpreter_call",
            "id": "ci_1",
            "code": "print(1)",
            "container_id": "cntr_1",
            "outputs": [{"type": "logs", "logs": "1"}, {"type": "image", "url": "https://x.test/p.png"}],
            "status": "completed",
        },
    ),
    (
        "LocalShellCall",
        {
            "type": "local_shell_call",
            "id": "lsh_1",
            "call_id": "call_1",
            "action": {
                "type": "exec",
                "command": ["ls", "-l"],
                "env": {"HOME": "/root"},
                "timeout_ms": 1000,
                "user": "root",
                "working_directory": "/tmp",
            },
            "status": "in_progress",
        },
    ),
    (
        "LocalShellCallOutput",
        {"type": "local_shell_call_output", "id": "lsho_1", "output": "a.txt", "status": "completed"},
    ),
    (
        "ShellCall",
        {
            "type": "shell_call",
            "id": "sh_1",
            "call_id": "call_1",
            "action": {"type": "exec", "command": "ls", "timeout_ms": 1000, "max_output_length": 4096},
            "status": "completed",
        },
    ),
    (
        "ShellCallOutput",
        {
            "type": "shell_call_output",
            "id": "sho_1",
            "call_id": "call_1",
            "output": {"stdout": "a.txt", "stderr": "", "outcome": {"type": "exit", "exit_code": 0}},
            "status": "completed",
        },
    ),
    (
        "MCPListTools",
        {
            "type": "mcp_list_tools",
            "id": "mcpl_1",
            "server_label": "srv",
            "tools": [
                {
                    "name": "t",
                    "input_schema": {"type": "object"},
                    "annotations": {"readOnly": True},
                    "description": "a tool",
                }
            ],
            "error": "partial",
        },
    ),
    (
        "MCPApprovalRequest",
        {"type": "mcp_approval_request", "id": "mcpr_1", "arguments": "{}", "name": "t", "server_label": "srv"},
    ),
    (
        "MCPApprovalResponse",
        {
            "type": "mcp_approval_response",
            "id": "mcpa_1",
            "approval_request_id": "mcpr_1",
            "approve": True,
            "reason": "fine",
        },
    ),
    (
        "MCPToolCall",
        {
            "type": "mcp_call",
            "id": "mcp_1",
            "arguments": "{}",
            "name": "t",
            "server_label": "srv",
            "approval_request_id": "mcpr_1",
            "error": "boom",
            "output": "result",
        },
    ),
    (
        "CustomToolCall",
        {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_1", "input": "x = 1", "name": "python"},
    ),
    ("CustomToolCallOutput", {"type": "custom_tool_call_output", "id": "ctco_1", "call_id": "call_1", "output": "ok"}),
    ("ItemReference", {"type": "item_reference", "id": "msg_0"}),
    (
        "ResponseCompactionItem",
        {"type": "compaction", "id": "cmp_1", "content": "summary", "encrypted_content": "enc", "created_by": "auto"},
    ),
    (
        "OutputAudioItem",
        {"type": "output_audio", "id": "oa_1", "data": "AAAA", "transcript": "hi", "status": "in_progress"},
    ),
]


def sdk_type_of(model: type[BaseModel]) -> str:
    """The ``type`` value an SDK item model defaults to."""
    return str(model.model_fields["type"].default)


def sdk_models_reachable(model: type[BaseModel], found: set[type[BaseModel]]) -> set[type[BaseModel]]:
    """Every SDK model class reachable from ``model``'s fields (open-union "Unknown" fallbacks excluded)."""

    def walk(annotation: Any) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation.__name__.startswith("Unknown") or annotation.__name__ == "Unset":
                return
            if annotation not in found:
                sdk_models_reachable(annotation, found)
            return
        for arg in typing.get_args(annotation):
            walk(arg)
        if (value := getattr(annotation, "__value__", None)) is not None:
            walk(value)

    found.add(model)
    for field in model.model_fields.values():
        walk(field.annotation)
    return found


def check_every_field_sent(value: Any, sent: Any, visited: set[type[BaseModel]]) -> None:
    """Assert each field of each SDK model in ``value`` appears in its serialised form ``sent``."""
    if isinstance(value, BaseModel):
        visited.add(type(value))
        for name, field in type(value).model_fields.items():
            alias = field.alias or name
            assert alias in sent, f"{type(value).__name__}.{alias} not exercised"
            check_every_field_sent(getattr(value, name), sent[alias], visited)
    elif isinstance(value, list):
        for element, sent_element in zip(value, sent, strict=True):
            check_every_field_sent(element, sent_element, visited)
    elif isinstance(value, dict):
        for key, element in value.items():
            check_every_field_sent(element, sent[key], visited)


def error_of(raw: object) -> InvalidRequest:
    """The InvalidRequest that validating ``raw`` as ``items`` raises."""
    with pytest.raises(InvalidRequest) as caught:
        validate_items(raw)
    return caught.value


# --- the catalogue ----------------------------------------------------------------------------------


def test_item_types_match_the_sdk_union() -> None:
    """ITEM_TYPES holds exactly the distinct ``type`` values of the SDK's 24-member input union."""
    assert len(SDK_INPUT_MODELS) == 24
    assert sorted(ITEM_TYPES) == sorted({sdk_type_of(m) for m in SDK_INPUT_MODELS})
    assert len(ITEM_TYPES) == 23  # the two message shapes share ``type: "message"``


def test_id_prefixes_cover_every_generated_id() -> None:
    """Every type but item_reference has a distinct id prefix, with the documented ones as in the contract."""
    assert set(ID_PREFIXES) == set(ITEM_TYPES) - {"item_reference"}
    assert len(set(ID_PREFIXES.values())) == len(ID_PREFIXES)
    assert (ID_PREFIXES["message"], ID_PREFIXES["function_call"], ID_PREFIXES["output_audio"]) == ("msg", "fc", "oa")


def test_default_status_types_have_an_optional_status() -> None:
    """Each type the store fills status for has an optional ``status`` that accepts "completed"."""
    minimal = {e["type"]: e for _, _, e in MINIMAL}
    for kind in DEFAULT_STATUS_TYPES:
        example = {k: v for k, v in minimal[kind].items() if k != "status"}
        assert "status" in ITEM_MODELS[kind].model_fields
        assert validate_item(example, param="items[0]") == example
        assert validate_item({**example, "status": "completed"}, param="items[0]")["status"] == "completed"


# --- valid items ------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", [e for _, _, e in MINIMAL], ids=[n for n, _, _ in MINIMAL])
def test_minimal_item_round_trips(example: dict[str, Any]) -> None:
    """A minimal valid item is accepted and stored exactly as sent."""
    assert validate_item(example, param="items[0]") == example


@pytest.mark.parametrize(("returned", "example"), [(r, e) for _, r, e in MINIMAL], ids=[n for n, _, _ in MINIMAL])
def test_stored_item_parses_as_the_sdk_returned_item(returned: str, example: dict[str, Any]) -> None:
    """The stored item plus ``id`` and ``response_id`` is parsed by the SDK into the right returned-item class."""
    stored = {"id": "item_1", **validate_item(example, param="items[0]"), "response_id": None}
    parsed = RETURNED_ITEM.validate_python(stored)
    assert type(parsed).__name__ == returned
    assert parsed.id == stored["id"] and parsed.type == example["type"]


@pytest.mark.parametrize("sdk_model", SDK_INPUT_MODELS, ids=lambda m: m.__name__)
def test_sdk_input_fields_are_known_to_our_model(sdk_model: type[BaseModel]) -> None:
    """Every field alias of an SDK input item model is a field of our model for that type."""
    ours = set(ITEM_MODELS[sdk_type_of(sdk_model)].model_fields)
    assert {f.alias or n for n, f in sdk_model.model_fields.items()} <= ours


def test_our_fields_all_exist_in_the_sdk() -> None:
    """Our item models accept no top-level field that no SDK input model of that type has."""
    for kind, model in ITEM_MODELS.items():
        sdk_fields = {
            f.alias or n for m in SDK_INPUT_MODELS if sdk_type_of(m) == kind for n, f in m.model_fields.items()
        }
        assert set(model.model_fields) == sdk_fields, kind


@pytest.mark.parametrize(("sdk_name", "example"), FULL, ids=[f"{n}-{i}" for i, (n, _) in enumerate(FULL)])
def test_sdk_serialised_full_item_is_accepted(sdk_name: str, example: dict[str, Any]) -> None:
    """An item with every optional field, as the SDK serialises it, is accepted and stored unchanged."""
    sdk_model = getattr(sdk, sdk_name)
    sent = sdk_model.model_validate(example).model_dump(mode="json", by_alias=True)
    assert validate_item(sent, param="items[0]") == sent


def test_full_items_exercise_every_sdk_field() -> None:
    """The full examples set every field of every SDK model reachable from the input item union."""
    visited: set[type[BaseModel]] = set()
    for sdk_name, example in FULL:
        value = getattr(sdk, sdk_name).model_validate(example)
        check_every_field_sent(value, value.model_dump(mode="json", by_alias=True), visited)
    reachable: set[type[BaseModel]] = set()
    for model in SDK_INPUT_MODELS:
        sdk_models_reachable(model, reachable)
    assert {m.__name__ for m in reachable - visited} == set()


def test_easy_message_without_type_is_a_message() -> None:
    """An object with role and content but no type is stored as a message."""
    assert validate_items([{"role": "user", "content": "hi"}]) == [USER_MESSAGE]


def test_nullable_fields_accept_null() -> None:
    """Fields the SDK marks nullable accept an explicit null, which is stored."""
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": [], "encrypted_content": None, "status": None}
    mcp_call = {**MINIMAL[19][2], "approval_request_id": None}
    assert validate_items([reasoning, mcp_call]) == [reasoning, mcp_call]


def test_integers_stay_integers_in_number_fields() -> None:
    """A JSON number sent as an integer is stored as an integer, not turned into a float."""
    item = {**FULL[2][1], "results": [{"score": 1, "attributes": {"n": 2}}]}
    stored = validate_item(item, param="items[0]")
    assert stored["results"] == [{"score": 1, "attributes": {"n": 2}}]
    assert isinstance(stored["results"][0]["score"], int)


# --- errors -----------------------------------------------------------------------------------------


def test_unknown_type_is_rejected() -> None:
    """An unknown ``type`` is an invalid_value naming the value and the supported types."""
    err = error_of([{"type": "banana"}])
    assert (err.param, err.code) == ("items[0].type", "invalid_value")
    assert "'banana'" in err.message and "'function_call_output'" in err.message


def test_missing_type_without_role_and_content() -> None:
    """An object that is not an easy message must say its type."""
    err = error_of([{"call_id": "call_1", "output": "x"}])
    assert (err.param, err.code) == ("items[0].type", "missing_required_parameter")


def test_missing_role_is_rejected() -> None:
    """A message without role is missing_required_parameter at ``items[0].role``."""
    err = error_of([{"type": "message", "content": "hi"}])
    assert (err.param, err.code) == ("items[0].role", "missing_required_parameter")


def test_tool_role_is_rejected() -> None:
    """Role "tool" is not a message role."""
    err = error_of([{"type": "message", "role": "tool", "content": "hi"}])
    assert (err.param, err.code) == ("items[0].role", "invalid_value")
    assert "'tool'" in err.message


@pytest.mark.parametrize("content", [42, {"type": "input_text", "text": "hi"}, None])
def test_content_of_wrong_type_is_rejected(content: object) -> None:
    """Message content that is neither a string nor an array is an invalid_type at ``content``."""
    err = error_of([{"type": "message", "role": "user", "content": content}])
    assert (err.param, err.code) == ("items[0].content", "invalid_type")
    assert "a string or an array" in err.message


def test_unknown_key_is_rejected() -> None:
    """A key the item type does not define is an unknown_parameter naming it."""
    err = error_of([USER_MESSAGE, {**USER_MESSAGE, "temperature": 1}])
    assert (err.param, err.code) == ("items[1].temperature", "unknown_parameter")


def test_bad_nested_content_part_is_located() -> None:
    """A content part missing its text is reported at ``items[0].content[0].text``, without union tags."""
    err = error_of([{"type": "message", "role": "user", "content": [{"type": "input_text"}]}])
    assert (err.param, err.code) == ("items[0].content[0].text", "missing_required_parameter")


@pytest.mark.parametrize(
    ("part", "param", "code"),
    [
        ({"type": "video"}, "items[2].content[1].type", "invalid_value"),
        ({"text": "hi"}, "items[2].content[1].type", "missing_required_parameter"),
        (7, "items[2].content[1]", "invalid_type"),
        ({"type": "input_text", "text": 5}, "items[2].content[1].text", "invalid_type"),
        (
            {"type": "output_text", "text": "a", "annotations": [{"type": "file_path"}]},
            "items[2].content[1].annotations[0].file_id",
            "missing_required_parameter",
        ),
        ({"type": "input_image", "detail": "huge"}, "items[2].content[1].detail", "invalid_value"),
    ],
)
def test_content_part_errors_are_located(part: object, param: str, code: str) -> None:
    """Errors inside a content part name the exact path and the right code."""
    message = {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "ok"}, part]}
    err = error_of([USER_MESSAGE, USER_MESSAGE, message])
    assert (err.param, err.code) == (param, code)


def test_unknown_nested_action_type_lists_the_supported_ones() -> None:
    """An unknown computer action type names the valid action types."""
    item = {**MINIMAL[4][2], "action": {"type": "teleport"}}
    err = error_of([item])
    assert (err.param, err.code) == ("items[0].action.type", "invalid_value")
    assert "'double_click'" in err.message and "'teleport'" in err.message


def test_null_is_rejected_where_the_sdk_never_sends_it() -> None:
    """An optional non-nullable field given null is an invalid_type."""
    err = error_of([{**MINIMAL[7][2], "id": None}])
    assert (err.param, err.code) == ("items[0].id", "invalid_type")


def test_required_nullable_key_must_be_present() -> None:
    """code_interpreter_call needs ``code`` even though it may be null."""
    item = {k: v for k, v in MINIMAL[11][2].items() if k != "code"}
    err = error_of([item])
    assert (err.param, err.code) == ("items[0].code", "missing_required_parameter")


def test_duplicate_ids_are_rejected() -> None:
    """The later of two items with the same client id is a duplicate_item_id naming the id."""
    first = {**USER_MESSAGE, "id": "msg_same"}
    err = error_of([first, {**MINIMAL[7][2], "id": "msg_same"}])
    assert (err.param, err.code) == ("items[1].id", "duplicate_item_id")
    assert "msg_same" in err.message


@pytest.mark.parametrize("raw", ["hello", 3, None, ["message"]])
def test_non_object_item_is_rejected(raw: object) -> None:
    """An item that is not a JSON object is an invalid_type at its index."""
    err = error_of([USER_MESSAGE, raw])
    assert (err.param, err.code) == ("items[1]", "invalid_type")


def test_non_array_items_is_rejected() -> None:
    """``items`` itself must be an array, and the error uses the caller's param name."""
    with pytest.raises(InvalidRequest) as caught:
        validate_items(USER_MESSAGE, param="input")
    assert (caught.value.param, caught.value.code) == ("input", "invalid_type")


# --- full-text search -------------------------------------------------------------------------------


def test_item_text_of_a_message_with_parts() -> None:
    """A message yields its bare strings, text parts and refusals, not image or file fields."""
    stored = validate_item(FULL[0][1], param="items[0]")
    assert item_text(stored) == ["a bare string", "look", "Hello", "no"]
    assert item_text(USER_MESSAGE) == ["hi"]


def test_item_text_of_a_function_call_output() -> None:
    """A function_call_output yields its output string."""
    assert item_text(MINIMAL[8][2]) == ['{"temp": 20}']


def test_item_text_of_reasoning() -> None:
    """A reasoning item yields its summary texts, then its reasoning texts."""
    reasoning = next(e for n, e in FULL if n == "Reasoning")
    assert item_text(reasoning) == ["thinking", "step 1"]


def test_item_text_of_tool_items() -> None:
    """Tool items yield their arguments, inputs, outputs, transcripts and queries."""
    by_name = {n: e for n, e in FULL}
    assert item_text(by_name["MCPToolCall"]) == ["{}", "result"]
    assert item_text(by_name["CustomToolCall"]) == ["x = 1"]
    assert item_text(by_name["OutputAudioItem"]) == ["hi"]
    assert item_text(by_name["FileSearchToolCall"]) == ["q1", "q2"]
    assert item_text(by_name["ResponseCompactionItem"]) == ["summary"]
