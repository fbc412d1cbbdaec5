"""A test-time check that every answer the mock gives matches its own OpenAPI documents.

``ConformanceMiddleware`` wraps the session app: for each API or control-plane call it finds the
documented operation, checks the status is documented for it, the content type is one it declares,
and (for JSON) the body validates against the response schema. Violations are collected and fail
the test that caused them, so the documents cannot drift from behaviour.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft202012Validator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mka1_mock.control.journal import FAULT_SCOPE_KEY
from mka1_mock.openapi import api_document, control_document


@dataclass
class _Operation:
    method: str
    pattern: re.Pattern[str]
    template: str
    responses: dict[str, Any]
    validators: dict[str, Draft202012Validator] = field(default_factory=dict)


# Path parameters the router takes with a ``:path`` convertor (they may hold slashes).
_GREEDY = frozenset({"item_id", "model_id"})


def _parameter(match: re.Match[str]) -> str:
    name = match.group(1)
    return f"(?P<{name}>.+)" if name in _GREEDY else f"(?P<{name}>[^/]+)"


def _operations(document: dict[str, Any]) -> list[_Operation]:
    out = []
    components = document["components"]
    for template, item in document["paths"].items():
        regex = "^" + re.sub(r"\\\{(\w+)\\\}", _parameter, re.escape(template)) + "$"
        for method, operation in item.items():
            op = _Operation(method.upper(), re.compile(regex), template, operation["responses"])
            for status, answer in operation["responses"].items():
                schema = answer.get("content", {}).get("application/json", {}).get("schema")
                if schema is not None:
                    op.validators[status] = Draft202012Validator({**schema, "components": components})
            out.append(op)
    # Literal segments win over parameters (``/responses/compact`` before ``/responses/{id}``).
    out.sort(key=lambda op: op.template.count("{"))
    return out


class Conformance:
    """The compiled documents and the violations seen so far."""

    def __init__(self) -> None:
        self.operations = _operations(api_document()) + _operations(control_document())
        self.violations: list[str] = []

    def find(self, method: str, path: str) -> _Operation | None:
        for op in self.operations:
            if op.method == method and op.pattern.match(path):
                return op
        return None

    def check(self, method: str, path: str, status: int, content_type: str, body: bytes) -> None:
        if status == 500:
            return  # a crash in the mock: the plugin's check() fails the test with its traceback
        op = self.find(method, path)
        if op is None:
            if status != 404:  # an unknown route answers the gateway's 404: the only undocumented answer
                self.violations.append(f"{method} {path}: {status} from a route that no document describes")
            return
        answer = op.responses.get(str(status))
        if answer is None:
            self.violations.append(
                f"{method} {path} ({op.template}): status {status} is not documented ({sorted(op.responses)})"
            )
            return
        media = content_type.split(";")[0].strip()
        declared = answer.get("content", {})
        if declared and media not in declared:
            self.violations.append(f"{method} {path}: content type {media!r} not in {sorted(declared)}")
            return
        validator = op.validators.get(str(status))
        if validator is None or media != "application/json":
            return
        try:
            parsed = json.loads(body)
        except ValueError as err:
            self.violations.append(f"{method} {path}: {status} body is not JSON ({err})")
            return
        error = next(iter(validator.iter_errors(parsed)), None)
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            self.violations.append(f"{method} {path}: {status} body breaks the document at {where}: {error.message}")


class ConformanceMiddleware:
    def __init__(self, app: ASGIApp, conformance: Conformance) -> None:
        self.app = app
        self.conformance = conformance

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.endswith("/openapi.json"):
            await self.app(scope, receive, send)
            return
        status = 0
        content_type = ""
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal status, content_type
            if message["type"] == "http.response.start":
                status = message["status"]
                for name, value in message.get("headers", []):
                    if name.lower() == b"content-type":
                        content_type = value.decode("latin-1")
            elif message["type"] == "http.response.body" and not content_type.startswith("text/event-stream"):
                chunks.append(message.get("body", b""))
            await send(message)

        await self.app(scope, receive, capture)
        if scope.get(FAULT_SCOPE_KEY) not in (None, "rate_limit"):
            return  # an answer a test injected on purpose (faults): outside the document by design
        self.conformance.check(scope["method"], path, status, content_type, b"".join(chunks))
