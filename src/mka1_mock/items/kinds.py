"""One strict model per conversation item ``type`` (contract §2.1), in the SDK's union order.

The models accept every field the official SDK's input item models can send, and nothing else.
``Message`` covers both message shapes, and its ``type`` may be left out (an "easy message").
"""

from __future__ import annotations

from typing import Literal

from .._core.validation import RequestModel
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
from .tagged import ABSENT, ItemId, ItemStatus, tagged_union


class Message(RequestModel):
    """Both message shapes: an input message and an assistant output message."""

    type: Literal["message"] = "message"  # left out: an "easy message" (role + content)
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


ITEM_KINDS: tuple[type[RequestModel], ...] = (
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
