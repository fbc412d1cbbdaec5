"""What the fake model sees for one response: the context items, tools, and the output format."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import Field, model_validator

from .._core.validation import RequestModel, wire_error
from ..items.models import item_text

__all__ = ["ModelContext", "TextConfig", "TextFormat"]


class TextFormat(RequestModel):
    type: Literal["text", "json_object", "json_schema"]
    name: str | None = None
    schema_: dict[str, Any] | None = Field(None, alias="schema")
    description: str | None = None
    strict: bool | None = None

    @model_validator(mode="after")
    def _schema_needs_name(self) -> TextFormat:
        if self.type == "json_schema":
            missing = "name" if not self.name else "schema" if self.schema_ is None else None
            if missing is not None:
                raise wire_error("missing_required_parameter", "Missing required parameter: {where}.", missing)
        return self


class TextConfig(RequestModel):
    format: TextFormat = TextFormat(type="text")
    verbosity: Literal["low", "medium", "high"] | None = None


@dataclass(frozen=True)
class ModelContext:
    """What the fake model sees for one response."""

    model: str
    items: Sequence[dict[str, Any]]
    instructions: str | None = None
    tools: Sequence[dict[str, Any]] = ()
    tool_choice: Any = None
    text_format: TextFormat = field(default_factory=lambda: TextFormat(type="text"))
    conversation_id: str | None = None
    max_output_tokens: int | None = None

    @property
    def last_user_text(self) -> str | None:
        for item in reversed(self.items):
            if item.get("type") == "message" and item.get("role") == "user":
                return " ".join(item_text(item))
        return None

    def tool_names(self) -> set[str]:
        return {t["name"] for t in self.tools if isinstance(t.get("name"), str)}
