"""The base of every request model, and the one translation from pydantic errors to wire errors."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import PydanticCustomError

from .errors import InvalidRequest

__all__ = [
    "QueryModel",
    "RequestModel",
    "UNION_TAGS",
    "param_path",
    "parse",
    "invalid_from",
    "json_type_name",
    "wire_error",
]

M = TypeVar("M", bound=BaseModel)
Q = TypeVar("Q", bound="QueryModel")


def _allows_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind):
        return True
    return any(_allows_null(branch) for branch in schema.get("anyOf", ()) if isinstance(branch, dict))


def _drop_absent_defaults(schema: dict[str, Any]) -> None:
    """An optional key that may not be null defaults to ``None`` in Python only (it is left out of
    the stored item): its JSON Schema must not claim ``"default": null``, which the type forbids."""
    for field in schema.get("properties", {}).values():
        if isinstance(field, dict) and "default" in field and field["default"] is None and not _allows_null(field):
            del field["default"]


class RequestModel(BaseModel):
    """A request body: unknown keys are rejected, as OpenAI-style APIs do ("Unknown parameter")."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, json_schema_extra=_drop_absent_defaults)

    # Fields whose errors (and ``wire_error``s) are reported before any other field's: the API checks
    # them first.
    checked_first: ClassVar[tuple[str, ...]] = ()


def param_path(loc: Sequence[str | int], prefix: str = "") -> str:
    """Render a pydantic location as the API's ``param``: ``('items', 3, 'role')`` -> ``items[3].role``."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif out:
            out += f".{part}"
        else:
            out = str(part)
    return out


# The tags of the mock's own tagged unions (``items``, the tools of ``responses``): pydantic puts them in
# an error's location, and they never reach a ``param``.
UNION_TAGS: set[str] = set()

_WIRE = "wire"


def wire_error(code: str, message: str, *at: str | int, **fields: object) -> PydanticCustomError:
    """A validator's error with the API's own ``code`` and message. In the message, ``{where}`` stands for
    the quoted ``param`` and ``{param}`` for ``param`` (known only once the error reaches ``invalid_from``),
    and ``{name}`` for ``fields[name]`` (client text goes there, never into the message itself); ``at``
    extends the error's location (e.g. ``items`` -> ``items[2].id``)."""
    return PydanticCustomError(_WIRE, "{code}", {"code": code, "template": message, "at": at, "fields": fields})


def _wire(ctx: dict[str, Any], loc: list[str | int], prefix: str) -> InvalidRequest:
    param = param_path([*loc, *ctx["at"]], prefix)
    values = {**ctx["fields"], "where": f"'{param}'" if param else "the request body", "param": param}
    message = re.sub(r"\{(\w+)\}", lambda m: str(values.get(m[1], m[0])), str(ctx["template"]))
    return InvalidRequest(message, param=param or None, code=ctx["code"])


def _tag_problem(tag: str, value: Any, where: str, param: str | None) -> InvalidRequest | None:
    """The error for a union's own "not dispatchable" tags (``!…``, see ``items.models``)."""
    if tag == "!object":
        return InvalidRequest(
            f"Invalid type for {where}: expected an object, but got {json_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    type_param = f"{param}.type" if param else "type"
    if tag == "!missing":
        return InvalidRequest(
            f"Missing required parameter: '{type_param}'.", param=type_param, code="missing_required_parameter"
        )
    if tag == "!type":
        return InvalidRequest(
            f"Invalid type for '{type_param}': expected a string, but got {json_type_name(value['type'])} instead.",
            param=type_param,
            code="invalid_type",
        )
    return None


_TYPE_NAMES = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_parsing": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
    "tuple_type": "an array",
    "none_required": "null",
}


def json_type_name(value: Any) -> str:
    """The JSON name of a Python value's type, for messages like "got an integer instead"."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def invalid_from(err: ValidationError, prefix: str = "", first_of: tuple[str, ...] = ()) -> InvalidRequest:
    """The wire error for the first problem pydantic found (with ``first_of``: the first in those fields or
    worded by ``wire_error``, if any), with ``param`` pointing at the field."""
    errors = err.errors(include_url=False)
    first = errors[0]
    if first_of:  # the API checks those fields (and the rules worded by ``wire_error``) first
        first = next((e for e in errors if e["type"] == _WIRE or (e["loc"] and e["loc"][0] in first_of)), first)
    kind = first["type"]
    loc = [p for p in first["loc"] if not (isinstance(p, str) and (p in UNION_TAGS or p.startswith("function-")))]
    value = first.get("input")
    ctx = first.get("ctx") or {}
    if kind == _WIRE:
        return _wire(ctx, loc, prefix)
    param = param_path(loc, prefix) or None
    where = f"'{param}'" if param else "the request body"
    if kind == "union_tag_invalid":
        tag = str(ctx.get("tag", ""))
        problem = _tag_problem(tag, value, where, param)
        if problem is not None:
            return problem
        expected = ", ".join(f"'{t}'" for t in re.findall(r"'#([^']*)'", str(ctx.get("expected_tags", ""))))
        return InvalidRequest(
            f"Invalid value for '{param}.type': {value['type']!r}. Supported values are: {expected}.",
            param=f"{param}.type",
            code="invalid_value",
        )
    if kind == "union_tag_not_found":  # only ``content_kind`` finds no tag: a string or an array
        return InvalidRequest(
            f"Invalid type for {where}: expected a string or an array, but got {json_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if kind == "missing":
        return InvalidRequest(f"Missing required parameter: {where}.", param=param, code="missing_required_parameter")
    if kind == "extra_forbidden":
        return InvalidRequest(
            f"Unknown parameter: {where}. Remove it; see the API contract for the accepted fields.",
            param=param,
            code="unknown_parameter",
        )
    if kind in _TYPE_NAMES:
        return InvalidRequest(
            f"Invalid type for {where}: expected {_TYPE_NAMES[kind]}, but got {json_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if kind in ("too_long", "too_short"):
        bound = ctx.get("max_length" if kind == "too_long" else "min_length")
        size = len(value) if isinstance(value, (list, dict, str)) else "?"
        if isinstance(value, str):
            what, unit = "string", "characters"
        else:
            what, unit = "array", "elements"
        limit_word = "maximum" if kind == "too_long" else "minimum"
        code = f"{what}_{'above_max' if kind == 'too_long' else 'below_min'}_length"
        if kind == "too_short" and size == 0 and what == "array":
            code = "empty_array"
        return InvalidRequest(
            f"Invalid {where}: {what} too {'long' if kind == 'too_long' else 'short'}. Expected "
            f"{limit_word} {bound} {unit}, but got {size} instead.",
            param=param,
            code=code,
        )
    if kind in ("string_too_long", "string_too_short"):
        bound = ctx.get("max_length", ctx.get("min_length"))
        return InvalidRequest(
            f"Invalid {where}: string length {len(value) if isinstance(value, str) else '?'} is "
            f"outside the allowed bound {bound}.",
            param=param,
            code="string_above_max_length" if kind == "string_too_long" else "string_below_min_length",
        )
    if kind in ("literal_error", "enum"):
        expected = ctx.get("expected", "")
        return InvalidRequest(
            f"Invalid value for {where}: {value!r}. Supported values are: {expected}.",
            param=param,
            code="invalid_value",
        )
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return InvalidRequest(
            f"Invalid {where}: {first['msg'].lower()}, got {value!r}.",
            param=param,
            code="integer_out_of_range" if isinstance(value, int) else "number_out_of_range",
        )
    return InvalidRequest(f"Invalid {where}: {first['msg']}.", param=param, code="invalid_value")


def parse(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` against ``model``; a problem becomes one ``InvalidRequest`` naming the field."""
    if not isinstance(data, dict):
        raise InvalidRequest(
            f"Invalid type for {repr(prefix) if prefix else 'the request body'}: expected an "
            f"object, but got {json_type_name(data)} instead.",
            param=prefix or None,
            code="invalid_type",
        )
    try:
        return model.model_validate(data)
    except ValidationError as err:
        first_of: tuple[str, ...] = getattr(model, "checked_first", ())
        raise invalid_from(err, prefix, first_of) from None


class QueryModel(BaseModel):
    """A query string as a model. Unknown keys are ignored (as the real API does); values arrive as
    strings and are converted (lax mode). Subclasses may override ``from_query`` to keep a
    hand-tuned error message, reading their bounds from their own fields."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    @classmethod
    def from_query(cls: type[Q], query: Mapping[str, str], multi: Sequence[tuple[str, str]]) -> Q:
        try:
            return cls.model_validate(dict(query))
        except ValidationError as err:
            raise invalid_from(err) from None
