"""Conversation items (contract §2): one strict model per item ``type``, and item validation.

``validate_item`` / ``validate_items`` turn a client's JSON item into the dict the store keeps (the keys
as sent, plus ``type``) or raise ``InvalidRequest`` naming the field, e.g. ``items[2].content[1].text``.
The models accept every field the official SDK's input item models can send, and nothing else.

Polymorphic values (content parts, annotations, actions, ...) are unions dispatched by a callable
``Discriminator``; every tag starts with ``#`` and is dropped from error paths, so no pydantic tag
ever reaches a ``param``.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import ValidationError

from .._core.errors import InvalidRequest
from .._core.validation import RequestModel, invalid_from, json_type_name, param_path
from .parts import (
    AcknowledgedSafetyCheck,
    CodeInterpreterImage,
    CodeInterpreterLogs,
    ComputerAction,
    ComputerScreenshot,
    FileSearchResult,
    FindAction,
    LocalShellAction,
    MCPTool,
    MessageContent,
    OpenPageAction,
    PendingSafetyCheck,
    ReasoningText,
    SearchAction,
    ShellCallAction,
    ShellOutput,
    SummaryText,
)
from .tagged import ABSENT, ItemId, ItemStatus, tagged_union, type_tag

__all__ = [
    "DEFAULT_STATUS_TYPES",
    "ID_PREFIXES",
    "ITEM_MODELS",
    "ITEM_TYPES",
    "item_text",
    "validate_item",
    "validate_items",
]

# --- the items (§2.1) -------------------------------------------------------------------------------


class Message(RequestModel):
    """Both message shapes: an input message and an assistant output message."""

    type: Literal["message"]
    role: Literal["user", "assistant", "system", "developer"]
    content: MessageContent
    id: ItemId = ABSENT
    status: ItemStatus = ABSENT
    phase: Literal["commentary", "final_answer"] = ABSENT


class OutputAudio(RequestModel):
    type: Literal["output_audio"]
    id: ItemId
    data: str
    transcript: str
    status: ItemStatus


class FileSearchCall(RequestModel):
    type: Literal["file_search_call"]
    id: ItemId
    queries: list[str]
    status: Literal["in_progress", "searching", "completed", "incomplete", "failed"]
    results: list[FileSearchResult] = ABSENT


class ComputerCall(RequestModel):
    type: Literal["computer_call"]
    id: ItemId
    call_id: str
    action: ComputerAction
    pending_safety_checks: list[PendingSafetyCheck]
    status: ItemStatus


class ComputerCallOutput(RequestModel):
    type: Literal["computer_call_output"]
    call_id: str
    output: ComputerScreenshot
    acknowledged_safety_checks: list[AcknowledgedSafetyCheck] = ABSENT
    id: ItemId = ABSENT
    status: ItemStatus = ABSENT


class WebSearchCall(RequestModel):
    type: Literal["web_search_call"]
    id: ItemId
    action: tagged_union(SearchAction, OpenPageAction, FindAction)  # type: ignore[valid-type]  # runtime-built union
    status: str


class FunctionCall(RequestModel):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: ItemId = ABSENT
    status: ItemStatus = ABSENT


class FunctionCallOutput(RequestModel):
    type: Literal["function_call_output"]
    call_id: str
    output: str
    id: ItemId = ABSENT
    status: ItemStatus = ABSENT


class Reasoning(RequestModel):
    type: Literal["reasoning"]
    id: ItemId
    summary: list[SummaryText]
    content: list[ReasoningText] = ABSENT
    encrypted_content: str | None = None
    status: ItemStatus | None = None


class ImageGenerationCall(RequestModel):
    type: Literal["image_generation_call"]
    id: ItemId
    status: str
    result: str
    background: str = ABSENT
    output_format: str = ABSENT
    quality: str = ABSENT
    size: str = ABSENT
    revised_prompt: str = ABSENT


class CodeInterpreterCall(RequestModel):
    type: Literal["code_interpreter_call"]
    id: ItemId
    code: str | None
    container_id: str
    outputs: list[tagged_union(CodeInterpreterLogs, CodeInterpreterImage)] | None  # type: ignore[valid-type]  # runtime-built
    status: Literal["in_progress", "completed", "incomplete", "interpreting", "failed"]


class LocalShellCall(RequestModel):
    type: Literal["local_shell_call"]
    id: ItemId
    call_id: str
    action: LocalShellAction
    status: str


class LocalShellCallOutput(RequestModel):
    type: Literal["local_shell_call_output"]
    id: ItemId
    output: str
    status: ItemStatus = ABSENT


class ShellCall(RequestModel):
    type: Literal["shell_call"]
    id: ItemId
    call_id: str
    action: ShellCallAction
    status: ItemStatus


class ShellCallOutput(RequestModel):
    type: Literal["shell_call_output"]
    id: ItemId
    call_id: str
    output: ShellOutput
    status: ItemStatus = ABSENT


class MCPListTools(RequestModel):
    type: Literal["mcp_list_tools"]
    id: ItemId
    server_label: str
    tools: list[MCPTool]
    error: str = ABSENT


class MCPApprovalRequest(RequestModel):
    type: Literal["mcp_approval_request"]
    id: ItemId
    arguments: str
    name: str
    server_label: str


class MCPApprovalResponse(RequestModel):
    type: Literal["mcp_approval_response"]
    approval_request_id: str
    approve: bool
    id: ItemId = ABSENT
    reason: str = ABSENT


class MCPCall(RequestModel):
    type: Literal["mcp_call"]
    id: ItemId
    arguments: str
    name: str
    server_label: str
    approval_request_id: str | None = None
    error: str = ABSENT
    output: str = ABSENT


class CustomToolCall(RequestModel):
    type: Literal["custom_tool_call"]
    call_id: str
    input: str
    name: str
    id: ItemId = ABSENT


class CustomToolCallOutput(RequestModel):
    type: Literal["custom_tool_call_output"]
    call_id: str
    output: str
    id: ItemId = ABSENT


class ItemReference(RequestModel):
    type: Literal["item_reference"]
    id: ItemId


class Compaction(RequestModel):
    type: Literal["compaction"]
    id: ItemId
    content: str
    encrypted_content: str = ABSENT
    created_by: str = ABSENT


ITEM_MODELS: dict[str, type[RequestModel]] = {
    type_tag(m): m
    for m in (
        Message,
        OutputAudio,
        FileSearchCall,
        ComputerCall,
        ComputerCallOutput,
        WebSearchCall,
        FunctionCall,
        FunctionCallOutput,
        Reasoning,
        ImageGenerationCall,
        CodeInterpreterCall,
        LocalShellCall,
        LocalShellCallOutput,
        ShellCall,
        ShellCallOutput,
        MCPListTools,
        MCPApprovalRequest,
        MCPApprovalResponse,
        MCPCall,
        CustomToolCall,
        CustomToolCallOutput,
        ItemReference,
        Compaction,
    )
}

ITEM_TYPES: tuple[str, ...] = tuple(ITEM_MODELS)
_SUPPORTED = ", ".join(repr(t) for t in ITEM_TYPES)

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


def _wire_error(err: ValidationError, param: str) -> InvalidRequest:
    """``invalid_from`` for an item, after dropping the ``#`` union tags from the error's path."""
    first = err.errors(include_url=False)[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("#")))
    kind, value = first["type"], first["input"]
    where = param_path(loc, param)
    if kind == "union_tag_not_found":  # only ``content_kind`` finds no tag
        return InvalidRequest(
            f"Invalid type for '{where}': expected a string or an array, but got {json_type_name(value)} instead.",
            param=where,
            code="invalid_type",
        )
    if kind == "union_tag_invalid":
        expected = ", ".join(f"'{t}'" for t in re.findall(r"'#([^']*)'", first["ctx"]["expected_tags"]))
        return InvalidRequest(
            f"Invalid value for '{where}.type': {value['type']!r}. Supported values are: {expected}.",
            param=f"{where}.type",
            code="invalid_value",
        )
    details: dict[str, Any] = {"type": kind, "loc": loc, "input": value}
    if "ctx" in first:
        details["ctx"] = first["ctx"]
    # pydantic types the details as a TypedDict; this dict has exactly its keys.
    return invalid_from(ValidationError.from_exception_data(err.title, [details]), param)  # type: ignore[list-item]


def validate_item(raw: object, *, param: str) -> dict[str, Any]:
    """The item to store (the keys as sent, plus ``type``), or ``InvalidRequest`` naming the field."""
    if not isinstance(raw, dict):
        raise InvalidRequest(
            f"Invalid type for '{param}': expected an object, but got {json_type_name(raw)} instead.",
            param=param,
            code="invalid_type",
        )
    if "type" not in raw:
        if "role" not in raw or "content" not in raw:
            raise InvalidRequest(
                f"Missing required parameter: '{param}.type'.",
                param=f"{param}.type",
                code="missing_required_parameter",
            )
        raw = {"type": "message", **raw}  # an "easy message": role + content
    kind = raw["type"]
    if not isinstance(kind, str):
        raise InvalidRequest(
            f"Invalid type for '{param}.type': expected a string, but got {json_type_name(kind)} instead.",
            param=f"{param}.type",
            code="invalid_type",
        )
    model = ITEM_MODELS.get(kind)
    if model is None:
        raise InvalidRequest(
            f"Invalid value for '{param}.type': {kind!r}. Supported values are: {_SUPPORTED}.",
            param=f"{param}.type",
            code="invalid_value",
        )
    try:
        parsed = model.model_validate(raw)
    except ValidationError as err:
        raise _wire_error(err, param) from None
    return parsed.model_dump(mode="json", by_alias=True, exclude_unset=True)


def validate_items(raw: object, *, param: str = "items") -> list[dict[str, Any]]:
    """Validate an array of items; client-supplied ``id``s must be unique within it."""
    if not isinstance(raw, list):
        raise InvalidRequest(
            f"Invalid type for '{param}': expected an array, but got {json_type_name(raw)} instead.",
            param=param,
            code="invalid_type",
        )
    items = [validate_item(value, param=f"{param}[{i}]") for i, value in enumerate(raw)]
    seen: set[str] = set()
    for j, item in enumerate(items):
        item_id = item.get("id")
        if item_id is None:
            continue
        if item_id in seen:
            raise InvalidRequest(
                f"Duplicate item found with id '{item_id}'. Item ids must be unique within a request.",
                param=f"{param}[{j}].id",
                code="duplicate_item_id",
            )
        seen.add(item_id)
    return items


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
