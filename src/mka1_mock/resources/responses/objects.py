"""What the Responses endpoints return: the response object and its list/deleted forms."""

from __future__ import annotations

from typing import Any, Literal

from ..._core.resource import Resource
from ...items.page import Item

__all__ = ["ResponseObject", "ResponseDeleted", "ResponseList", "ResponseStatus"]

ResponseStatus = Literal["queued", "in_progress", "completed", "failed", "incomplete", "cancelled"]


class ResponseObject(Resource):
    """Every key the SDK requires is always present (nullable ones as ``null``)."""

    id: str
    object: Literal["response"] = "response"
    created_at: int
    completed_at: int | None
    status: ResponseStatus
    error: dict[str, str] | None
    incomplete_details: dict[str, str] | None
    background: bool
    instructions: str | None
    max_output_tokens: int | None
    max_tool_calls: int | None
    metadata: dict[str, str]
    model: str
    output: list[Item]
    output_text: str
    parallel_tool_calls: bool
    previous_response_id: str | None
    store: bool
    text: dict[str, Any]
    tool_choice: str | dict[str, Any]
    tools: list[dict[str, Any]]
    truncation: str
    usage: dict[str, Any]
    user: str | None
    conversation: dict[str, str] | None = None
    service_tier: str | None = None
    temperature: float | None = None
    top_p: float | None = None
    reasoning: dict[str, Any] | None = None
    resolved_model: str | None = None
    resolved_provider: str | None = None

    def to_wire(self) -> dict[str, Any]:
        wire = self.model_dump(mode="python")
        for optional in (
            "conversation", "service_tier", "temperature", "top_p", "reasoning",
            "resolved_model", "resolved_provider",
        ):  # fmt: skip
            if wire[optional] is None:
                del wire[optional]
        return wire


class ResponseDeleted(Resource):
    id: str
    object: Literal["response"] = "response"
    deleted: Literal[True] = True


class ResponseList(Resource):
    object: Literal["list"] = "list"
    data: list[ResponseObject]
    has_more: bool
    first_id: str | None
    last_id: str | None

    def to_wire(self) -> dict[str, Any]:
        return {**super().to_wire(), "data": [r.to_wire() for r in self.data]}
