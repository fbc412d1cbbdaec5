"""Metadata maps: at most 16 string pairs, keys up to 64 characters, values up to 512."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from .errors import InvalidRequest
from .validation import json_type_name

__all__ = ["Metadata", "check_metadata", "MAX_PAIRS", "MAX_KEY_LENGTH", "MAX_VALUE_LENGTH"]

MAX_PAIRS = 16
MAX_KEY_LENGTH = 64
MAX_VALUE_LENGTH = 512


def check_metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    """``value`` as a metadata map, or the ``InvalidRequest`` that says which rule it breaks."""
    if not isinstance(value, dict):
        raise InvalidRequest(
            f"Invalid type for '{param}': expected an object of string pairs, but got {json_type_name(value)} instead.",
            param=param,
            code="invalid_type",
        )
    if len(value) > MAX_PAIRS:
        raise InvalidRequest(
            f"Invalid '{param}': too many pairs. Expected at most {MAX_PAIRS} key-value pairs, but got {len(value)}.",
            param=param,
            code="object_above_max_properties",
        )
    for key, item in value.items():
        if len(key) > MAX_KEY_LENGTH:
            raise InvalidRequest(
                f"Invalid '{param}': key '{key[:80]}' is {len(key)} characters long; keys may have "
                f"at most {MAX_KEY_LENGTH}.",
                param=param,
                code="string_above_max_length",
            )
        if not isinstance(item, str):
            raise InvalidRequest(
                f"Invalid type for '{param}.{key}': expected a string, but got "
                f"{json_type_name(item)} instead. Metadata values must be strings.",
                param=param,
                code="invalid_type",
            )
        if len(item) > MAX_VALUE_LENGTH:
            raise InvalidRequest(
                f"Invalid '{param}': the value of '{key}' is {len(item)} characters long; values "
                f"may have at most {MAX_VALUE_LENGTH}.",
                param=param,
                code="string_above_max_length",
            )
    return dict(value)


# A request-model field type: the check raises InvalidRequest itself, which pydantic lets through.
Metadata = Annotated[dict[str, str], BeforeValidator(check_metadata)]
