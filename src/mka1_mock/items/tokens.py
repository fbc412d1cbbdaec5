"""The documented token rule: every text counts ``ceil(len(text) / 4)`` tokens."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from .models import item_text

__all__ = ["count_tokens", "item_tokens", "usage"]


def count_tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


def item_tokens(item: dict[str, Any]) -> int:
    """Tokens of every text of one item (message text, tool arguments and outputs, ...)."""
    return sum(count_tokens(t) for t in item_text(item))


def usage(input_tokens: int, output: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The ``usage`` object for ``input_tokens`` and the output items."""
    output_tokens = 0
    reasoning = 0
    for item in output:
        tokens = item_tokens(item)
        output_tokens += tokens
        if item.get("type") == "reasoning":
            reasoning += tokens
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning},
        "total_tokens": input_tokens + output_tokens,
    }
