"""Metadata maps: at most 16 string pairs, keys up to 64 characters, values up to 512.

The limits are pydantic constraints (the JSON Schema shows ``maxProperties``, ``propertyNames`` and the
values' ``maxLength``); a wrap validator only words pydantic's error as the API does.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, TypeAdapter, ValidationError, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from .validation import invalid_from, json_type_name, wire_error

__all__ = ["Metadata", "check_metadata", "MAX_PAIRS", "MAX_KEY_LENGTH", "MAX_VALUE_LENGTH"]

MAX_PAIRS = 16
MAX_KEY_LENGTH = 64
MAX_VALUE_LENGTH = 512


def _problem(value: Any) -> PydanticCustomError:
    """The API's wording of the first rule ``value`` breaks (the pair count is checked first)."""
    if not isinstance(value, dict):
        return wire_error(
            "invalid_type",
            f"Invalid type for {{where}}: expected an object of string pairs, but got {json_type_name(value)} instead.",
        )
    if len(value) > MAX_PAIRS:
        return wire_error(
            "object_above_max_properties",
            f"Invalid {{where}}: too many pairs. Expected at most {MAX_PAIRS} key-value pairs, but got {len(value)}.",
        )
    for key, item in value.items():  # the first offending pair, in order
        if len(key) > MAX_KEY_LENGTH:
            return wire_error(
                "string_above_max_length",
                f"Invalid {{where}}: key '{{key}}' is {len(key)} characters long; keys may have at most "
                f"{MAX_KEY_LENGTH}.",
                key=key[:80],
            )
        if not isinstance(item, str):
            return wire_error(
                "invalid_type",
                f"Invalid type for '{{param}}.{{key}}': expected a string, but got {json_type_name(item)} instead. "
                "Metadata values must be strings.",
                key=key,
            )
        if len(item) > MAX_VALUE_LENGTH:
            break
    return wire_error(
        "string_above_max_length",
        f"Invalid {{where}}: the value of '{{key}}' is {len(item)} characters long; values may have at most "
        f"{MAX_VALUE_LENGTH}.",
        key=key,
    )


def _measurable(value: Any, err: ValidationError) -> bool:
    """False when pydantic only failed to read a lone surrogate (``"\\ud800"``): the API takes those as
    they are, within the limits, and leaves them to the store's own check."""
    return not (
        isinstance(value, dict)
        and len(value) <= MAX_PAIRS
        and all(e["type"] == "string_unicode" for e in err.errors(include_url=False))
        and all(len(k) <= MAX_KEY_LENGTH and len(v) <= MAX_VALUE_LENGTH for k, v in value.items())
    )


def _worded(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError as err:
        if not _measurable(value, err):
            return dict(value)
        raise _problem(value) from None


# A request-model field type.
Metadata = Annotated[
    dict[Annotated[str, Field(max_length=MAX_KEY_LENGTH)], Annotated[str, Field(max_length=MAX_VALUE_LENGTH)]],
    Field(max_length=MAX_PAIRS),
    WrapValidator(_worded),
]
_METADATA: TypeAdapter[dict[str, str]] = TypeAdapter(Metadata)


def check_metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    """``value`` as a metadata map, or the ``InvalidRequest`` that says which rule it breaks."""
    try:
        return _METADATA.validate_python(value, strict=True)
    except ValidationError as err:
        raise invalid_from(err, param) from None
