"""The conversation list's metadata filter, in all three wire forms."""

from __future__ import annotations

import json

from ..._core.errors import InvalidRequest

__all__ = ["parse_metadata_filter", "CONVERSATION_LIST_PARAMS"]

# Query keys of the conversation list that are not metadata filter pairs (everything else is: the
# Python SDK spreads a dict filter as top-level keys).
CONVERSATION_LIST_PARAMS = frozenset({"after", "limit", "order", "search", "metadata"})


def parse_metadata_filter(items: list[tuple[str, str]]) -> dict[str, str]:
    """The metadata pairs a conversation list must match, from all three wire forms.

    1. ``metadata=<JSON object>`` (the documented form);
    2. ``metadata[key]=value`` (deepObject / qs style);
    3. any other key not in ``CONVERSATION_LIST_PARAMS`` (the Python SDK's dict form).
    """
    wanted: dict[str, str] = {}
    for key, value in items:
        if key == "metadata":
            try:
                parsed = json.loads(value)
            except (ValueError, RecursionError):
                raise InvalidRequest(
                    "Invalid 'metadata' filter: it is not valid JSON. Send a JSON object such as "
                    '{"session_id":"abc"}, or metadata[session_id]=abc.',
                    param="metadata",
                    code="invalid_json",
                ) from None
            if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
                raise InvalidRequest(
                    "Invalid 'metadata' filter: expected a JSON object of string values, such as "
                    '{"session_id":"abc"}.',
                    param="metadata",
                    code="invalid_type",
                )
            wanted.update(parsed)
        elif key.startswith("metadata[") and key.endswith("]"):
            wanted[key[len("metadata[") : -1]] = value
        elif key not in CONVERSATION_LIST_PARAMS:
            wanted[key] = value
    return wanted
