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
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import Discriminator, Field, Tag, ValidationError

from ..errors import InvalidRequest
from .base import RequestModel, invalid_from, json_type_name, param_path

__all__ = [
    "DEFAULT_STATUS_TYPES",
    "ID_PREFIXES",
    "ITEM_MODELS",
    "ITEM_TYPES",
    "item_text",
    "validate_item",
    "validate_items",
]

# The default of an optional, non-nullable key. It is never stored (dumps use ``exclude_unset``), and an
# explicit ``null`` is still rejected because the field's type does not allow it.
_ABSENT: Any = None

ItemStatus = Literal["in_progress", "completed", "incomplete"]

# An item's own id: a non-empty string (it becomes a path segment and a pagination cursor).
ItemId = Annotated[str, Field(min_length=1, max_length=256)]


def _type_tag(model: type[RequestModel]) -> str:
    """The ``type`` value a model is tagged with (the single value of its ``type`` Literal)."""
    return str(get_args(model.model_fields["type"].annotation)[0])


def _tagged(*models: type[RequestModel], bare_strings: bool = False) -> Any:
    """A union of ``type``-tagged objects (optionally also bare strings), dispatched on ``type``."""
    tags = {_type_tag(m) for m in models}
    fallback = f"#{_type_tag(models[0])}"

    def by_type(value: Any) -> str:
        if isinstance(value, RequestModel):  # serialising a validated value
            return f"#{getattr(value, 'type')}"
        if isinstance(value, dict) and "type" in value:
            kind = value["type"]
            return f"#{kind}" if isinstance(kind, str) and kind in tags else "?"  # "?": invalid tag
        if bare_strings and isinstance(value, str):
            return "text"  # only strings get here, and they always validate, so no error path has it
        return fallback  # no object or no `type`: the first model says what is missing or wrong

    choices = [Annotated[m, Tag(f"#{_type_tag(m)}")] for m in models]
    if bare_strings:
        choices.append(Annotated[str, Tag("text")])
    return Annotated[Union[tuple(choices)], Discriminator(by_type)]


def _number_kind(value: Any) -> str:
    return "#int" if isinstance(value, int) and not isinstance(value, bool) else "#number"


def _attribute_kind(value: Any) -> str:
    if isinstance(value, str):
        return "#str"
    return "#bool" if isinstance(value, bool) else _number_kind(value)


def _content_kind(value: Any) -> str | None:
    """``#str`` / ``#list``; anything else is union_tag_not_found on a non-object ("string or array")."""
    if isinstance(value, str):
        return "#str"
    return "#list" if isinstance(value, list) else None


# A JSON number kept as sent (strict ``float`` would turn 1 into 1.0).
Number = Annotated[
    Union[Annotated[int, Tag("#int")], Annotated[float, Tag("#number")]], Discriminator(_number_kind)
]
Attribute = Annotated[
    Union[
        Annotated[str, Tag("#str")],
        Annotated[bool, Tag("#bool")],
        Annotated[int, Tag("#int")],
        Annotated[float, Tag("#number")],
    ],
    Discriminator(_attribute_kind),
]


# --- message content parts (§2.2) -------------------------------------------------------------------


class FileCitation(RequestModel):
    type: Literal["file_citation"]
    file_id: str
    filename: str
    index: int


class URLCitation(RequestModel):
    type: Literal["url_citation"]
    url: str
    title: str
    start_index: int
    end_index: int


class ContainerFileCitation(RequestModel):
    type: Literal["container_file_citation"]
    container_id: str
    file_id: str
    filename: str
    start_index: int
    end_index: int


class FilePath(RequestModel):
    type: Literal["file_path"]
    file_id: str
    index: int


Annotation = _tagged(FileCitation, URLCitation, ContainerFileCitation, FilePath)


class TopLogProb(RequestModel):
    token: str
    logprob: Number
    bytes: list[Number]


class LogProb(TopLogProb):
    top_logprobs: list[TopLogProb]


class InputText(RequestModel):
    type: Literal["input_text"]
    text: str


class InputImage(RequestModel):
    type: Literal["input_image"]
    detail: Literal["high", "low", "auto", "original"] = _ABSENT
    file_id: str = _ABSENT
    image_url: str = _ABSENT


class InputFile(RequestModel):
    type: Literal["input_file"]
    file_data: str = _ABSENT
    file_id: str = _ABSENT
    file_url: str = _ABSENT
    filename: str = _ABSENT


class InputAudioData(RequestModel):
    data: str
    format: Literal["mp3", "wav"]


class InputAudio(RequestModel):
    type: Literal["input_audio"]
    input_audio: InputAudioData


class OutputText(RequestModel):
    type: Literal["output_text"]
    text: str
    annotations: list[Annotation] = _ABSENT
    logprobs: list[LogProb] = _ABSENT


class Refusal(RequestModel):
    type: Literal["refusal"]
    refusal: str


ContentPart = _tagged(InputText, InputImage, InputFile, InputAudio, OutputText, Refusal, bare_strings=True)
MessageContent = Annotated[
    Union[Annotated[str, Tag("#str")], Annotated[list[ContentPart], Tag("#list")]],
    Discriminator(_content_kind),
]


# --- nested objects of tool items -------------------------------------------------------------------


class Coordinate(RequestModel):
    x: int
    y: int


class ClickAction(RequestModel):
    type: Literal["click"]
    button: Literal["left", "right", "wheel", "back", "forward"]
    x: int
    y: int


class DoubleClickAction(Coordinate):
    type: Literal["double_click"]


class DragAction(RequestModel):
    type: Literal["drag"]
    path: list[Coordinate]


class KeyPressAction(RequestModel):
    type: Literal["keypress"]
    keys: list[str]


class MoveAction(Coordinate):
    type: Literal["move"]


class ScreenshotAction(RequestModel):
    type: Literal["screenshot"]


class ScrollAction(Coordinate):
    type: Literal["scroll"]
    scroll_x: int
    scroll_y: int


class TypeAction(RequestModel):
    type: Literal["type"]
    text: str


class WaitAction(RequestModel):
    type: Literal["wait"]


ComputerAction = _tagged(
    ClickAction, DoubleClickAction, DragAction, KeyPressAction, MoveAction, ScreenshotAction,
    ScrollAction, TypeAction, WaitAction,
)


class PendingSafetyCheck(RequestModel):
    id: str
    code: str
    message: str


class AcknowledgedSafetyCheck(RequestModel):
    id: str
    code: str = _ABSENT
    message: str = _ABSENT


class ComputerScreenshot(RequestModel):
    type: Literal["computer_screenshot"]
    file_id: str = _ABSENT
    image_url: str = _ABSENT


class SearchSource(RequestModel):
    type: Literal["url"]
    url: str


class SearchAction(RequestModel):
    type: Literal["search"]
    query: str
    sources: list[SearchSource] = _ABSENT


class OpenPageAction(RequestModel):
    type: Literal["open_page"]
    url: str


class FindAction(RequestModel):
    type: Literal["find"]
    pattern: str
    url: str


class FileSearchResult(RequestModel):
    attributes: dict[str, Attribute] = _ABSENT
    file_id: str = _ABSENT
    filename: str = _ABSENT
    score: Number = _ABSENT
    text: str = _ABSENT


class SummaryText(RequestModel):
    type: Literal["summary_text"]
    text: str


class ReasoningText(RequestModel):
    type: Literal["reasoning_text"]
    text: str


class CodeInterpreterLogs(RequestModel):
    type: Literal["logs"]
    logs: str


class CodeInterpreterImage(RequestModel):
    type: Literal["image"]
    url: str


class LocalShellAction(RequestModel):
    type: Literal["exec"]
    command: list[str]
    env: dict[str, str]
    timeout_ms: int = _ABSENT
    user: str = _ABSENT
    working_directory: str = _ABSENT


class ShellCallAction(RequestModel):
    type: Literal["exec"]
    command: str = _ABSENT
    timeout_ms: int = _ABSENT
    max_output_length: int = _ABSENT


class ShellOutcome(RequestModel):
    type: Literal["exit", "timeout"]
    exit_code: int | None


class ShellOutput(RequestModel):
    stdout: str
    stderr: str
    outcome: ShellOutcome


class MCPTool(RequestModel):
    name: str
    input_schema: dict[str, Any]
    annotations: dict[str, Any] = _ABSENT
    description: str = _ABSENT


# --- the items (§2.1) -------------------------------------------------------------------------------


class Message(RequestModel):
    """Both message shapes: an input message and an assistant output message."""

    type: Literal["message"]
    role: Literal["user", "assistant", "system", "developer"]
    content: MessageContent
    id: ItemId = _ABSENT
    status: ItemStatus = _ABSENT
    phase: Literal["commentary", "final_answer"] = _ABSENT


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
    results: list[FileSearchResult] = _ABSENT


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
    acknowledged_safety_checks: list[AcknowledgedSafetyCheck] = _ABSENT
    id: ItemId = _ABSENT
    status: ItemStatus = _ABSENT


class WebSearchCall(RequestModel):
    type: Literal["web_search_call"]
    id: ItemId
    action: _tagged(SearchAction, OpenPageAction, FindAction)
    status: str


class FunctionCall(RequestModel):
    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: ItemId = _ABSENT
    status: ItemStatus = _ABSENT


class FunctionCallOutput(RequestModel):
    type: Literal["function_call_output"]
    call_id: str
    output: str
    id: ItemId = _ABSENT
    status: ItemStatus = _ABSENT


class Reasoning(RequestModel):
    type: Literal["reasoning"]
    id: ItemId
    summary: list[SummaryText]
    content: list[ReasoningText] = _ABSENT
    encrypted_content: str | None = None
    status: ItemStatus | None = None


class ImageGenerationCall(RequestModel):
    type: Literal["image_generation_call"]
    id: ItemId
    status: str
    result: str
    background: str = _ABSENT
    output_format: str = _ABSENT
    quality: str = _ABSENT
    size: str = _ABSENT
    revised_prompt: str = _ABSENT


class CodeInterpreterCall(RequestModel):
    type: Literal["code_interpreter_call"]
    id: ItemId
    code: str | None
    container_id: str
    outputs: list[_tagged(CodeInterpreterLogs, CodeInterpreterImage)] | None
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
    status: ItemStatus = _ABSENT


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
    status: ItemStatus = _ABSENT


class MCPListTools(RequestModel):
    type: Literal["mcp_list_tools"]
    id: ItemId
    server_label: str
    tools: list[MCPTool]
    error: str = _ABSENT


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
    id: ItemId = _ABSENT
    reason: str = _ABSENT


class MCPCall(RequestModel):
    type: Literal["mcp_call"]
    id: ItemId
    arguments: str
    name: str
    server_label: str
    approval_request_id: str | None = None
    error: str = _ABSENT
    output: str = _ABSENT


class CustomToolCall(RequestModel):
    type: Literal["custom_tool_call"]
    call_id: str
    input: str
    name: str
    id: ItemId = _ABSENT


class CustomToolCallOutput(RequestModel):
    type: Literal["custom_tool_call_output"]
    call_id: str
    output: str
    id: ItemId = _ABSENT


class ItemReference(RequestModel):
    type: Literal["item_reference"]
    id: ItemId


class Compaction(RequestModel):
    type: Literal["compaction"]
    id: ItemId
    content: str
    encrypted_content: str = _ABSENT
    created_by: str = _ABSENT


ITEM_MODELS: dict[str, type[RequestModel]] = {
    _type_tag(m): m
    for m in (
        Message, OutputAudio, FileSearchCall, ComputerCall, ComputerCallOutput, WebSearchCall,
        FunctionCall, FunctionCallOutput, Reasoning, ImageGenerationCall, CodeInterpreterCall,
        LocalShellCall, LocalShellCallOutput, ShellCall, ShellCallOutput, MCPListTools,
        MCPApprovalRequest, MCPApprovalResponse, MCPCall, CustomToolCall, CustomToolCallOutput,
        ItemReference, Compaction,
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
    {"message", "function_call", "function_call_output", "computer_call_output",
     "local_shell_call_output", "shell_call_output"}
)


def _wire_error(err: ValidationError, param: str) -> InvalidRequest:
    """``invalid_from`` for an item, after dropping the ``#`` union tags from the error's path."""
    first = err.errors(include_url=False)[0]
    loc = tuple(p for p in first["loc"] if not (isinstance(p, str) and p.startswith("#")))
    kind, value = first["type"], first["input"]
    where = param_path(loc, param)
    if kind == "union_tag_not_found":  # only ``_content_kind`` finds no tag
        return InvalidRequest(
            f"Invalid type for '{where}': expected a string or an array, but got "
            f"{json_type_name(value)} instead.",
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
    return invalid_from(ValidationError.from_exception_data(err.title, [details]), param)


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
