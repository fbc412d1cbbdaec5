"""Query strings of the list endpoints: ``after``/``limit``/``order`` and the metadata filter."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from ..errors import InvalidRequest

__all__ = ["PageQuery", "parse_page_query", "parse_metadata_filter", "CONVERSATION_LIST_PARAMS"]

Order = Literal["asc", "desc"]

# Query keys of the conversation list that are not metadata filter pairs (everything else is: the
# Python SDK spreads a dict filter as top-level keys).
CONVERSATION_LIST_PARAMS = frozenset({"after", "limit", "order", "search", "metadata"})


@dataclass(frozen=True)
class PageQuery:
    after: str | None
    limit: int
    order: Order


def parse_page_query(
    query: Mapping[str, str], *, max_limit: int, default_limit: int = 20, default_order: Order = "asc"
) -> PageQuery:
    """``after``, ``limit`` (1..``max_limit``) and ``order`` (asc/desc), or the 400 naming the bad one."""
    raw_limit = query.get("limit")
    limit = default_limit
    if raw_limit is not None:
        try:
            limit = int(raw_limit)
        except ValueError:
            raise InvalidRequest(
                f"Invalid 'limit': expected an integer between 1 and {max_limit}, but got "
                f"{raw_limit!r}.",
                param="limit",
                code="invalid_type",
            ) from None
        if not 1 <= limit <= max_limit:
            raise InvalidRequest(
                f"Invalid 'limit': {limit} is out of range. Expected an integer between 1 and "
                f"{max_limit}.",
                param="limit",
                code="integer_below_min_value" if limit < 1 else "integer_above_max_value",
            )
    order = query.get("order", default_order)
    if order not in ("asc", "desc"):
        raise InvalidRequest(
            f"Invalid value for 'order': {order!r}. Supported values are: 'asc' and 'desc'.",
            param="order",
            code="invalid_value",
        )
    after = query.get("after") or None
    return PageQuery(after=after, limit=limit, order=order)  # type: ignore[arg-type]  # checked above


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
