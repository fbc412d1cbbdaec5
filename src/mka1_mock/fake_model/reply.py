"""``Reply``: what the fake model answers with, built in Python or from a JSON spec (``/__mock__/``).

A reply is a list of output items (without ids: the store assigns them) and a final status.

=====================  ================================================  =============================
Python                 JSON spec                                         output
=====================  ================================================  =============================
``Reply.text(s)``      ``{"text": s}``                                   one assistant message
``Reply.json(v)``      ``{"json": v}``                                   a message whose text is JSON
``Reply.function_call  ``{"function_call": {"name", "arguments",         a ``function_call`` item
(name, args)``          "call_id"?}}``
``Reply.refusal(s)``   ``{"refusal": s}``                                a message with a refusal part
``Reply.reasoning(s,   ``{"reasoning": s, "then": <spec>}``              a reasoning item, then ``then``
then)``
``Reply.failure(msg,   ``{"failure": {"message", "code"?}}``             status ``failed``, ``error``
code)``
``Reply.incomplete     ``{"incomplete": {"reason"?, "text"?}}``          status ``incomplete``
(reason, text)``
``Reply.items(*its)``  ``{"items": [...]}``                              any output items
=====================  ================================================  =============================
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from .._core.errors import InvalidRequest
from ..items.models import validate_items

__all__ = ["Reply", "ReplyLike", "as_reply"]

Status = Literal["completed", "failed", "incomplete"]


def _message(part: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "role": "assistant", "status": "completed", "content": [part]}


@dataclass(frozen=True)
class Reply:
    """One answer of the fake model."""

    output: tuple[dict[str, Any], ...] = ()
    status: Status = "completed"
    error: dict[str, str] | None = None
    incomplete_details: dict[str, str] | None = None
    label: str = field(default="", compare=False)

    # -- constructors --------------------------------------------------------------------------

    @classmethod
    def text(cls, text: str) -> Reply:
        """An assistant message with one ``output_text`` part."""
        part = {"type": "output_text", "text": text, "annotations": []}
        return cls(output=(_message(part),), label=f"text {text[:40]!r}")

    @classmethod
    def json(cls, value: Any) -> Reply:
        """An assistant message whose text is ``value`` as compact JSON (structured output)."""
        return replace(cls.text(jsonlib.dumps(value, separators=(",", ":"))), label="json")

    @classmethod
    def function_call(
        cls, name: str, arguments: Mapping[str, Any] | str | None = None, *, call_id: str | None = None
    ) -> Reply:
        """A call of function tool ``name``; ``arguments`` as a dict or a JSON string."""
        args = arguments if isinstance(arguments, str) else jsonlib.dumps(dict(arguments or {}), separators=(",", ":"))
        item: dict[str, Any] = {
            "type": "function_call",
            "call_id": call_id or "",
            "name": name,
            "arguments": args,
            "status": "completed",
        }
        return cls(output=(item,), label=f"function_call {name}")

    @classmethod
    def refusal(cls, text: str) -> Reply:
        """An assistant message with a ``refusal`` part."""
        return cls(output=(_message({"type": "refusal", "refusal": text}),), label="refusal")

    @classmethod
    def reasoning(cls, summary: str, then: ReplyLike | None = None) -> Reply:
        """A reasoning item (its summary text) followed by ``then`` (default: no other output)."""
        item = {"type": "reasoning", "summary": [{"type": "summary_text", "text": summary}]}
        rest = as_reply(then) if then is not None else cls()
        return replace(rest, output=(item, *rest.output), label=f"reasoning + {rest.label}")

    @classmethod
    def failure(cls, message: str = "The model failed.", code: str = "server_error") -> Reply:
        """A failed response: status ``failed`` with ``error`` = ``{code, message}``."""
        return cls(status="failed", error={"code": code, "message": message}, label=f"failure {code}")

    @classmethod
    def incomplete(cls, reason: str = "max_output_tokens", text: str = "") -> Reply:
        """An incomplete response (``incomplete_details.reason``), with partial ``text`` if any."""
        base = cls.text(text) if text else cls()
        output = tuple({**item, "status": "incomplete"} for item in base.output)
        return cls(
            output=output,
            status="incomplete",
            incomplete_details={"reason": reason},
            label=f"incomplete {reason}",
        )

    @classmethod
    def items(cls, *items: Mapping[str, Any]) -> Reply:
        """Any output items (validated as the API validates input items)."""
        return cls(output=tuple(_output_items([dict(i) for i in items], "items")), label=f"{len(items)} item(s)")

    # -- JSON specs (the /__mock__/ door) ------------------------------------------------------

    @classmethod
    def from_spec(cls, spec: Any, param: str = "reply") -> Reply:
        """A reply from its JSON form (see the module docstring); 400 naming what is wrong."""
        if isinstance(spec, str):
            return cls.text(spec)
        if not isinstance(spec, dict) or len(spec.keys() - {"then"}) != 1:
            raise InvalidRequest(
                f"Invalid '{param}': expected an object with exactly one of 'text', 'json', "
                "'function_call', 'refusal', 'reasoning', 'failure', 'incomplete', 'items'.",
                param=param,
            )
        kind = next(iter(spec.keys() - {"then"}))
        value = spec[kind]
        if "then" in spec and kind != "reasoning":
            raise InvalidRequest(
                f"Invalid '{param}.then': only a 'reasoning' reply takes 'then'.", param=f"{param}.then"
            )
        try:
            if kind == "text":
                return cls.text(_str(value))
            if kind == "json":
                return cls.json(value)
            if kind == "refusal":
                return cls.refusal(_str(value))
            if kind == "reasoning":
                then = spec.get("then")
                return cls.reasoning(_str(value), cls.from_spec(then, f"{param}.then") if then else None)
            if kind == "function_call":
                if not isinstance(value, dict) or not isinstance(value.get("name"), str):
                    raise InvalidRequest(
                        f"Missing required parameter: '{param}.function_call.name'.",
                        param=f"{param}.function_call.name",
                        code="missing_required_parameter",
                    )
                call_id = value.get("call_id")
                if call_id is not None and not isinstance(call_id, str):
                    raise InvalidRequest(
                        f"Invalid type for '{param}.function_call.call_id': expected a string.",
                        param=f"{param}.function_call.call_id",
                        code="invalid_type",
                    )
                arguments = value.get("arguments")
                if arguments is not None and not isinstance(arguments, (str, dict)):
                    raise InvalidRequest(
                        f"Invalid type for '{param}.function_call.arguments': expected an object or a JSON string.",
                        param=f"{param}.function_call.arguments",
                        code="invalid_type",
                    )
                return cls.function_call(value["name"], arguments, call_id=call_id)
            if kind == "failure":
                return cls.failure(**_kwargs(value, {"message", "code"}))
            if kind == "incomplete":
                return cls.incomplete(**_kwargs(value, {"reason", "text"}))
            if kind == "items":
                validated = _output_items(value, f"{param}.items")
                return cls(output=tuple(validated), label=f"{len(validated)} item(s)")
        except (KeyError, TypeError, ValueError) as err:
            raise InvalidRequest(f"Invalid '{param}.{kind}': {err}", param=f"{param}.{kind}") from None
        raise InvalidRequest(f"Unknown reply kind {kind!r}.", param=param)

    def describe(self) -> str:
        return self.label or self.status


def _output_items(items: Any, param: str) -> list[dict[str, Any]]:
    """Items a model can output: valid items, no references, message parts as objects."""
    validated = validate_items(items, param=param)
    for n, item in enumerate(validated):
        if item["type"] == "item_reference":
            raise InvalidRequest(
                f"Invalid '{param}[{n}]': an item_reference cannot be model output.", param=f"{param}[{n}].type"
            )
        content = item.get("content")
        if item["type"] == "message" and isinstance(content, list):
            item["content"] = [
                {"type": "output_text", "text": part, "annotations": []} if isinstance(part, str) else part
                for part in content
            ]
    return validated


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def _kwargs(value: Any, allowed: set[str]) -> dict[str, str]:
    if not isinstance(value, dict) or not set(value) <= allowed:
        raise TypeError(f"expected an object with keys among {sorted(allowed)}")
    return {k: _str(v) for k, v in value.items()}


ReplyLike = Reply | str
"""A ``Reply``, or a plain string meaning ``Reply.text(string)``."""


def as_reply(value: ReplyLike | Sequence[Any]) -> Reply:
    if isinstance(value, Reply):
        return value
    if isinstance(value, str):
        return Reply.text(value)
    raise TypeError(f"expected a Reply or a string, got {type(value).__name__}")
