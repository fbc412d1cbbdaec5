"""Request bodies of the Responses endpoints (``POST /responses``, ``POST /responses/{id}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from ..._core.errors import InvalidRequest
from ..._core.metadata import Metadata
from ..._core.validation import RequestModel
from ...fake_model.context import TextConfig, TextFormat
from ...items.models import stored
from .tools import TOOL_TYPES, Conversation, Input, ToolChoice, Tools

__all__ = ["CreateResponseBody", "UpdateResponseBody", "TextConfig", "TextFormat", "TOOL_TYPES"]


class CreateResponseBody(RequestModel):
    """Every field the official SDK can send; the unlisted ones are accepted and ignored."""

    checked_first = ("input", "conversation", "metadata", "tools", "tool_choice")

    model: Annotated[str, Field(min_length=1)]
    input: Input | None = None
    instructions: str | None = None
    conversation: Conversation | None = None
    previous_response_id: str | None = None
    store: bool = True
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    background: bool = False
    metadata: Metadata | None = None
    text: TextConfig | None = None
    tools: Tools | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool = True
    max_tool_calls: Annotated[int, Field(ge=1, le=300)] | None = 64
    max_output_tokens: Annotated[int, Field(gt=0)] | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    top_p: Annotated[float, Field(ge=0, le=1)] | None = None
    top_logprobs: Annotated[int, Field(ge=0, le=20)] | None = None
    truncation: Literal["auto", "disabled"] = "auto"
    service_tier: Literal["auto", "default", "flex", "priority"] = "auto"
    reasoning: dict[str, Any] | None = None
    user: str | None = None
    # Accepted and echoed or ignored: the mock has no use for them.
    fallback_models: list[str] | None = None
    prompt: dict[str, Any] | None = None
    include: list[str] | None = None
    stream_events: bool | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    stop: str | list[str] | None = None
    top_k: int | None = None
    min_p: float | None = None
    repetition_penalty: float | None = None
    do_sample: bool | None = None
    extra_body: dict[str, Any] | None = None
    chat_template_kwargs: dict[str, Any] | None = None
    prefill_think: bool | str | None = None
    use_cache: bool | None = None
    context_management: list[dict[str, Any]] | None = None
    presence_penalty: float | None = None
    frequency_penalty: float | None = None
    prompt_cache_key: str | None = None
    safety_identifier: str | None = None
    modalities: list[Literal["text", "audio"]] | None = None
    audio: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _combinations(self) -> CreateResponseBody:
        if self.conversation is not None and self.previous_response_id is not None:
            raise InvalidRequest(
                "'conversation' and 'previous_response_id' cannot be used together: a "
                "conversation already carries the history. Send one of them.",
                param="conversation",
                code="invalid_parameter_combination",
            )
        if self.background and not self.store:
            raise InvalidRequest(
                "Background responses must be stored: drop 'store': false or 'background': true.",
                param="store",
                code="invalid_parameter_combination",
            )
        choice = self.tool_choice
        if isinstance(choice, dict) and choice.get("type") in ("function", "custom"):
            names = {t.get("name") for t in self.tools or () if t.get("type") == choice["type"]}
            if choice.get("name") not in names:
                raise InvalidRequest(
                    f"Tool choice '{choice['type']}' named {choice.get('name')!r} is not in the "
                    "'tools' parameter. Add the tool, or choose one that is there.",
                    param="tool_choice",
                    code="invalid_value",
                )
        for name in ("webhook_url", "stream_events"):
            if getattr(self, name) and not self.background:
                raise InvalidRequest(
                    f"'{name}' requires 'background': true.",
                    param=name,
                    code="invalid_parameter_combination",
                )
        return self

    @property
    def input_items(self) -> str | list[dict[str, Any]] | None:
        """``input`` as sent: a string, or the items as the store keeps them."""
        value = self.input
        return value if value is None or isinstance(value, str) else stored(value)

    @property
    def conversation_id(self) -> str | None:
        value = self.conversation
        return value if value is None or isinstance(value, str) else value.id

    @property
    def text_format(self) -> TextFormat:
        return self.text.format if self.text is not None else TextFormat(type="text")


class UpdateResponseBody(RequestModel):
    metadata: Metadata
