"""The fake model: decides what a response outputs, from scripts or a documented default.

Order of decision, for each ``POST /responses``:

1. the first **rule** whose matchers all fit the context (``text`` regex on the last user message,
   ``model``, ``tool`` name present in ``tools``, ``conversation`` id); a rule with ``times`` is used
   up after that many matches;
2. else the next **queued** reply (first in, first out);
3. else the **default**, deterministic:

   * ``tool_choice`` ``"required"`` or naming a function (and a function tool is given): a call of
     that function (or the first one), arguments generated from its ``parameters`` schema;
   * ``text.format`` ``json_schema``: a JSON document valid against the schema;
     ``json_object``: ``{"echo": <last user text>}``;
   * the context ends with a function call output: ``"<name> returned: <output>"``;
   * otherwise ``"You said: <last user text>"`` (``"Hello from mka1-mock."`` with no user text).

Usage: every text counts ``ceil(len(text) / 4)`` tokens. Input tokens = the instructions plus
every text of the context items; output tokens = every text of the output items (function call
arguments included); reasoning tokens = the texts of reasoning items; cached tokens are 0. When
``max_output_tokens`` is set and exceeded, message texts are cut to ``4 * max_output_tokens``
characters and the response is ``incomplete`` with reason ``max_output_tokens``.
"""

from __future__ import annotations

import re
import threading
from collections import deque
from dataclasses import dataclass, replace
from typing import Any

from .._core.errors import InvalidRequest
from ..items.tokens import count_tokens, item_tokens
from .context import ModelContext
from .reply import Reply
from .schema_example import UnsupportedSchema, example_for

__all__ = ["ModelContext", "Responder", "Rule", "apply_token_limit", "default_reply"]


@dataclass
class Rule:
    """Answer ``reply`` when every given matcher fits; ``times=None`` means without limit."""

    reply: Reply
    text: re.Pattern[str] | None = None
    model: str | None = None
    tool: str | None = None
    conversation: str | None = None
    times: int | None = None
    used: int = 0

    def matches(self, context: ModelContext) -> bool:
        if self.times is not None and self.used >= self.times:
            return False
        if self.model is not None and context.model != self.model:
            return False
        if self.conversation is not None and context.conversation_id != self.conversation:
            return False
        if self.tool is not None and self.tool not in context.tool_names():
            return False
        if self.text is not None and not self.text.search(context.last_user_text or ""):
            return False
        return True

    def describe(self) -> str:
        matchers = {k: getattr(self, k) for k in ("model", "tool", "conversation") if getattr(self, k)}
        if self.text is not None:
            matchers["text"] = self.text.pattern
        limit = f", used {self.used}/{self.times}" if self.times is not None else f", used {self.used}"
        return f"rule {matchers} -> {self.reply.describe()}{limit}"


class Responder:
    """Scripts (queue and rules) and the default behaviour. Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Reply] = deque()
        self._rules: list[Rule] = []

    def reset(self) -> None:
        with self._lock:
            self._queue.clear()
            self._rules.clear()

    def enqueue(self, *replies: Reply) -> None:
        with self._lock:
            self._queue.extend(replies)

    def add_rule(self, rule: Rule) -> Rule:
        with self._lock:
            self._rules.append(rule)
        return rule

    def unconsumed(self) -> list[str]:
        """Queued replies never used, and rules never matched (or matched fewer than ``times``)."""
        with self._lock:
            left = [f"queued reply: {reply.describe()}" for reply in self._queue]
            left += [
                rule.describe()
                for rule in self._rules
                if rule.used == 0 or (rule.times is not None and rule.used < rule.times)
            ]
            return left

    def pending(self) -> dict[str, list[str]]:
        with self._lock:
            return {
                "queue": [reply.describe() for reply in self._queue],
                "rules": [rule.describe() for rule in self._rules],
            }

    def decide(self, context: ModelContext) -> Reply:
        with self._lock:
            for rule in self._rules:
                if rule.matches(context):
                    rule.used += 1
                    return rule.reply
            if self._queue:
                return self._queue.popleft()
        return default_reply(context)


def _example(schema: Any, param: str) -> Any:
    """A document valid against a client's schema, or a 400 saying why the default can't make one
    (the request is rejected before anything is stored)."""
    try:
        return example_for(schema)
    except UnsupportedSchema as err:
        reason = str(err)
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, RecursionError, re.error) as err:
        reason = f"the schema is malformed ({type(err).__name__}: {err})"
    raise InvalidRequest(
        f"Invalid '{param}': mka1-mock cannot generate a default output for it: {reason}. Fix the "
        "schema, or script the reply (Mka1Mock.queue_reply / POST /__mock__/responder/replies).",
        param=param,
        code="invalid_json_schema",
    )


def default_reply(context: ModelContext) -> Reply:
    """The documented deterministic answer when nothing is scripted."""
    functions = [t for t in context.tools if t.get("type") == "function"]
    choice = context.tool_choice
    if functions and (choice == "required" or (isinstance(choice, dict) and choice.get("type") == "function")):
        wanted = choice.get("name") if isinstance(choice, dict) else None
        tool = next((t for t in functions if t.get("name") == wanted), functions[0])
        position = next(n for n, t in enumerate(context.tools) if t is tool)
        arguments = _example(tool.get("parameters") or {"type": "object"}, f"tools[{position}].parameters")
        return Reply.function_call(tool["name"], arguments if isinstance(arguments, dict) else {})
    fmt = context.text_format
    if fmt.type == "json_schema" and fmt.schema_ is not None:
        return Reply.json(_example(fmt.schema_, "text.format.schema"))
    if fmt.type == "json_object":
        return Reply.json({"echo": context.last_user_text or ""})
    if context.items and context.items[-1].get("type") == "function_call_output":
        output = context.items[-1]
        name = next(
            (
                i.get("name")
                for i in reversed(context.items)
                if i.get("type") == "function_call" and i.get("call_id") == output.get("call_id")
            ),
            "the tool",
        )
        return Reply.text(f"{name} returned: {output.get('output')}")
    text = context.last_user_text
    return Reply.text(f"You said: {text}" if text else "Hello from mka1-mock.")


def apply_token_limit(reply: Reply, limit: int | None) -> Reply:
    """Spend ``limit`` output tokens over the output in order (reasoning, text, arguments): when the
    output would exceed it, every text is cut to what is left and the response is incomplete."""
    if limit is None or reply.status != "completed":
        return reply
    if sum(item_tokens(item) for item in reply.output) <= limit:
        return reply
    budget = limit

    def cut(text: str) -> str:
        nonlocal budget
        kept = text[: 4 * budget]
        budget -= count_tokens(kept)
        return kept

    output = []
    for item in reply.output:
        kind = item.get("type")
        if kind == "message" and isinstance(item.get("content"), list):
            parts = [
                {**part, "text": cut(part["text"])} if part.get("type") == "output_text" else
                {**part, "refusal": cut(part["refusal"])} if part.get("type") == "refusal" else part
                for part in item["content"]
            ]  # fmt: skip
            item = {**item, "content": parts, "status": "incomplete"}
        elif kind == "reasoning":
            item = {**item, "summary": [{**p, "text": cut(p["text"])} for p in item.get("summary", [])]}
        elif kind == "function_call":
            item = {**item, "arguments": cut(item["arguments"]), "status": "incomplete"}
        output.append(item)
    return replace(
        reply,
        output=tuple(output),
        status="incomplete",
        incomplete_details={"reason": "max_output_tokens"},
    )
