"""Request bodies of the Responses endpoints (``POST /responses``, ``POST /responses/{id}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from ..._core.errors import InvalidRequest
from ..._core.metadata import Metadata
from ..._core.validation import RequestModel, json_type_name
from ...fake_model.context import TextConfig, TextFormat
from ...items.models import validate_items

__all__ = ["CreateResponseBody", "UpdateResponseBody", "TextConfig", "TextFormat", "TOOL_TYPES"]

TOOL_TYPES = frozenset(
    {
        "function", "custom", "mcp", "file_search", "web_search", "web_search_preview",
        "web_search_preview_2025_03_11", "web_search_2025_08_26", "code_interpreter",
        "image_generation", "local_shell", "shell", "history", "sleep", "agent",
        "computer_use_preview", "tool_search", "read_file",
    }
)  # fmt: skip


def _input(value: Any) -> str | list[dict[str, Any]] | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return validate_items(value, param="input")
    raise InvalidRequest(
        f"Invalid type for 'input': expected a string or an array of items, but got {json_type_name(value)} instead.",
        param="input",
        code="invalid_type",
    )


def _conversation(value: Any) -> str | None:
    """``"conv_…"`` or ``{"id": "conv_…"}`` (or null), as the conversation id."""
    if value is None:
        return None
    if isinstance(value, str) and value:
        return value
    if isinstance(value, dict) and set(value) == {"id"} and isinstance(value["id"], str) and value["id"]:
        return value["id"]
    raise InvalidRequest(
        'Invalid \'conversation\': expected a conversation id string or an object {"id": "conv_…"}.',
        param="conversation",
        code="invalid_type",
    )


def _tools(value: Any) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise InvalidRequest(
            f"Invalid type for 'tools': expected an array of tool definitions, but got "
            f"{json_type_name(value)} instead.",
            param="tools",
            code="invalid_type",
        )
    for n, tool in enumerate(value):
        where = f"tools[{n}]"
        if not isinstance(tool, dict):
            raise InvalidRequest(f"Invalid type for '{where}': expected an object.", param=where, code="invalid_type")
        kind = tool.get("type")
        if kind == "computer_use_preview":
            raise InvalidRequest(
                "The 'computer_use_preview' tool is not supported. Remove it from 'tools'.",
                param=f"{where}.type",
                code="unsupported_tool",
            )
        if kind not in TOOL_TYPES:
            raise InvalidRequest(
                f"Invalid value for '{where}.type': {kind!r}. Supported values are: "
                f"{', '.join(sorted(TOOL_TYPES - {'computer_use_preview'}))}.",
                param=f"{where}.type",
                code="invalid_value",
            )
        if kind in ("function", "custom") and not (isinstance(tool.get("name"), str) and tool["name"]):
            raise InvalidRequest(
                f"Missing required parameter: '{where}.name'.",
                param=f"{where}.name",
                code="missing_required_parameter",
            )
        if kind == "function" and "parameters" in tool and not isinstance(tool["parameters"], (dict, type(None))):
            raise InvalidRequest(
                f"Invalid type for '{where}.parameters': expected a JSON Schema object.",
                param=f"{where}.parameters",
                code="invalid_type",
            )
    return value


def _tool_choice(value: Any) -> str | dict[str, Any] | None:
    if value is None or value in ("none", "auto", "required"):
        return value  # type: ignore[no-any-return]
    if isinstance(value, dict) and isinstance(value.get("type"), str):
        return value
    raise InvalidRequest(
        "Invalid 'tool_choice': expected 'none', 'auto', 'required' or an object such as "
        '{"type": "function", "name": "get_weather"}.',
        param="tool_choice",
        code="invalid_value",
    )


class CreateResponseBody(RequestModel):
    """Every field the official SDK can send; the unlisted ones are accepted and ignored."""

    checked_first = ("input", "conversation", "metadata", "tools", "tool_choice")

    model: Annotated[str, Field(min_length=1)]
    input: Annotated[str | list[dict[str, Any]] | None, BeforeValidator(_input)] = None
    instructions: str | None = None
    conversation: Annotated[str | None, BeforeValidator(_conversation)] = None
    previous_response_id: str | None = None
    store: bool = True
    stream: bool = False
    stream_options: dict[str, Any] | None = None
    background: bool = False
    metadata: Metadata | None = None
    text: TextConfig | None = None
    tools: Annotated[list[dict[str, Any]] | None, BeforeValidator(_tools)] = None
    tool_choice: Annotated[str | dict[str, Any] | None, BeforeValidator(_tool_choice)] = None
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
    def text_format(self) -> TextFormat:
        return self.text.format if self.text is not None else TextFormat(type="text")


class UpdateResponseBody(RequestModel):
    metadata: Metadata
