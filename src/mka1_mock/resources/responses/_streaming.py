"""Server-sent events for ``stream: true``: the full event sequence of a finished response.

The response is created (and state changed) exactly as without streaming; the events then replay it:
``response.created`` -> (``response.queued``) -> ``response.in_progress`` -> per output item
``output_item.added``, its content events, ``output_item.done`` -> the terminal event
(``response.completed`` / ``failed`` / ``incomplete`` / ``cancelled``). ``sequence_number`` counts from
0; there is no ``[DONE]`` sentinel (the official SDK rejects it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

__all__ = ["response_events", "encode_event", "chunks"]

TERMINAL = {
    "completed": "response.completed",
    "failed": "response.failed",
    "incomplete": "response.incomplete",
    "cancelled": "response.cancelled",
}


def chunks(text: str) -> list[str]:
    """Deltas the way a model streams them: words with their leading whitespace."""
    return re.findall(r"\s*\S+|\s+$", text) or ([text] if text else [])


def _snapshot(response: dict[str, Any], status: str) -> dict[str, Any]:
    zero = {
        "input_tokens": 0,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": 0,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 0,
    }
    return {
        **response,
        "status": status,
        "output": [],
        "output_text": "",
        "completed_at": None,
        "error": None,
        "incomplete_details": None,
        "usage": zero,
    }


def _item_events(index: int, item: dict[str, Any]) -> Iterator[dict[str, Any]]:
    item_id = item["id"]
    kind = item.get("type")
    where = {"item_id": item_id, "output_index": index}
    if kind == "message" and isinstance(item.get("content"), list):
        yield {"type": "response.output_item.added", "output_index": index,
               "item": {**item, "status": "in_progress", "content": []}}  # fmt: skip
        for n, part in enumerate(item["content"]):
            at = {**where, "content_index": n}
            if part.get("type") == "refusal":
                yield {"type": "response.content_part.added", **at, "part": {"type": "refusal", "refusal": ""}}
                for delta in chunks(part["refusal"]):
                    yield {"type": "response.refusal.delta", **at, "delta": delta}
                yield {"type": "response.refusal.done", **at, "refusal": part["refusal"]}
            else:
                empty = {"type": "output_text", "text": "", "annotations": []}
                yield {"type": "response.content_part.added", **at, "part": empty}
                for delta in chunks(part.get("text", "")):
                    yield {"type": "response.output_text.delta", **at, "delta": delta, "logprobs": []}
                yield {"type": "response.output_text.done", **at, "text": part.get("text", ""), "logprobs": []}
            yield {"type": "response.content_part.done", **at, "part": part}
    elif kind == "function_call":
        yield {"type": "response.output_item.added", "output_index": index,
               "item": {**item, "status": "in_progress", "arguments": ""}}  # fmt: skip
        for delta in chunks(item["arguments"]):
            yield {"type": "response.function_call_arguments.delta", **where, "delta": delta}
        yield {"type": "response.function_call_arguments.done", **where,
               "name": item["name"], "arguments": item["arguments"]}  # fmt: skip
    elif kind == "reasoning":
        yield {"type": "response.output_item.added", "output_index": index,
               "item": {**item, "summary": []}}  # fmt: skip
        for n, part in enumerate(item.get("summary", [])):
            at = {**where, "summary_index": n}
            yield {"type": "response.reasoning_summary_part.added", **at,
                   "part": {"type": "summary_text", "text": ""}}  # fmt: skip
            for delta in chunks(part["text"]):
                yield {"type": "response.reasoning_summary_text.delta", **at, "delta": delta}
            yield {"type": "response.reasoning_summary_text.done", **at, "text": part["text"]}
            yield {"type": "response.reasoning_summary_part.done", **at, "part": part}
    else:
        yield {"type": "response.output_item.added", "output_index": index, "item": item}
    yield {"type": "response.output_item.done", "output_index": index, "item": item}


def response_events(response: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event of ``response`` (a finished response object, as on the wire), numbered from 0."""
    background = bool(response.get("background"))
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": _snapshot(response, "queued" if background else "in_progress")}
    ]
    if background:
        events.append({"type": "response.queued", "response": _snapshot(response, "queued")})
    events.append({"type": "response.in_progress", "response": _snapshot(response, "in_progress")})
    for index, item in enumerate(response.get("output", [])):
        events.extend(_item_events(index, item))
    terminal = TERMINAL.get(response["status"])
    if terminal is not None:
        events.append({"type": terminal, "response": response})
    return [{**event, "sequence_number": n} for n, event in enumerate(events)]


def encode_event(event: dict[str, Any]) -> bytes:
    """One SSE frame: ``event:`` line, ``data:`` line (compact JSON), blank line."""
    data = json.dumps(event, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event['type']}\ndata: {data}\n\n".encode()
