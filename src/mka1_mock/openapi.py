"""The OpenAPI 3.1 documents and the README's endpoint tables, built from the endpoint declarations.

Nothing here is written by hand: every path, parameter, body and answer comes from an ``Endpoint``
(its query model, body model, ``returns`` and error statuses). Two documents: the emulated API
(``GET /openapi.json``) and the control plane (``GET /__mock__/openapi.json``).

``python -m mka1_mock.openapi --readme`` rewrites the README's generated tables;
``python -m mka1_mock.openapi`` prints the API document.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter

from . import resources
from ._core.endpoints import Endpoint, openapi_path
from .control.endpoints import ENDPOINTS as CONTROL_ENDPOINTS

__all__ = [
    "api_document",
    "api_endpoints",
    "control_document",
    "control_plane_endpoints",
    "endpoint_table",
    "render_readme",
    "main",
]


def api_endpoints() -> list[Endpoint]:
    """Every emulated API endpoint, in table order."""
    return list(resources.endpoints())


def control_plane_endpoints() -> list[Endpoint]:
    """Every ``/__mock__/`` endpoint."""
    return list(CONTROL_ENDPOINTS)


_REF = "#/components/schemas/"

_OPENAI_ERROR = {
    "type": "object",
    "title": "ApiError",
    "description": "The OpenAI-style error envelope of the service.",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["message", "type", "param", "code"],
            "properties": {
                "message": {"type": "string"},
                "type": {"type": "string"},
                "param": {"type": ["string", "null"]},
                "code": {"type": ["string", "null"]},
            },
        }
    },
}
_GATEWAY_ERROR = {
    "type": "object",
    "title": "GatewayError",
    "description": "An error of the gateway in front of the service: 'error' is a plain string.",
    "required": ["error"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_ROUTE_ERROR = {
    "type": "object",
    "title": "RouteNotFound",
    "description": "The gateway's answer when no route matches.",
    "required": ["message"],
    "properties": {"message": {"type": "string"}, "detail": {"type": "string"}},
}
_STATUS_TEXT = {
    400: "Invalid request: 'param' and 'code' say what was wrong",
    401: "Missing, malformed or unknown API key",
    403: "Not allowed",
    404: "Not found (or not yours)",
    409: "Conflict",
    413: "Request body too large",
    429: "Rate limited",
    500: "A bug in the mock",
}
_SSE_EVENT = {
    "type": "object",
    "description": "One server-sent event (with stream=true): 'event' is the type, 'data' the JSON "
    "event with its sequence_number.",
    "required": ["data"],
    "properties": {"event": {"type": "string"}, "data": {"type": "string", "contentMediaType": "application/json"}},
}
# Links from a create to the operations that use what it created (for stateful fuzzing and readers).
_LINKS: dict[str, dict[str, tuple[str, str]]] = {
    "create_conversation": {
        "get_conversation": ("conversation_id", "$response.body#/id"),
        "create_items": ("conversation_id", "$response.body#/id"),
        "list_items": ("conversation_id", "$response.body#/id"),
        "update_conversation": ("conversation_id", "$response.body#/id"),
        "delete_conversation": ("conversation_id", "$response.body#/id"),
    },
    "create_response": {
        "get_response": ("response_id", "$response.body#/id"),
        "list_input_items": ("response_id", "$response.body#/id"),
        "cancel_response": ("response_id", "$response.body#/id"),
        "delete_response": ("response_id", "$response.body#/id"),
    },
}


class _Builder:
    """Collects component schemas while operations are described."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}

    def schema_of(self, kind: Any, mode: str = "serialization") -> dict[str, Any]:
        """The JSON Schema of a model or type, with its ``$defs`` hoisted into components."""
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            raw = kind.model_json_schema(ref_template=_REF + "{model}", mode=mode)  # type: ignore[arg-type]
        else:
            raw = TypeAdapter(kind).json_schema(ref_template=_REF + "{model}", mode=mode)  # type: ignore[arg-type]
        for name, definition in raw.pop("$defs", {}).items():
            self.schemas.setdefault(name, definition)
        if isinstance(kind, type) and issubclass(kind, BaseModel) and "properties" in raw:
            self.schemas.setdefault(kind.__name__, raw)
            return {"$ref": _REF + kind.__name__}
        return raw

    def parameters(self, endpoint: Endpoint) -> list[dict[str, Any]]:
        out = [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in re.findall(r"\{(\w+)", endpoint.path)
        ]
        if endpoint.query is not None:
            schema = endpoint.query.model_json_schema(mode="validation")
            for name, field in schema.get("properties", {}).items():
                field = dict(field)
                description = field.pop("description", None)
                field.pop("title", None)
                parameter: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": field}
                if description:
                    parameter["description"] = description
                out.append(parameter)
        if endpoint.authenticated:
            out.append(
                {
                    "name": "X-On-Behalf-Of",
                    "in": "header",
                    "required": False,
                    "description": "The end user the call acts for: a scope of its own within the key's account.",
                    "schema": {"type": "string"},
                }
            )
        return out

    def operation(self, endpoint: Endpoint) -> dict[str, Any]:
        operation: dict[str, Any] = {
            "operationId": endpoint.name,
            "summary": endpoint.summary,
            "tags": list(endpoint.tags),
            "parameters": self.parameters(endpoint),
            "responses": self.responses(endpoint),
        }
        if endpoint.description:
            operation["description"] = endpoint.description
        if endpoint.body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": self.schema_of(endpoint.body, "validation")}},
            }
        operation["security"] = [{"bearer": []}] if endpoint.authenticated else []
        return operation

    def responses(self, endpoint: Endpoint) -> dict[str, Any]:
        success: dict[str, Any] = {"description": "OK"}
        if endpoint.returns is not None:
            content: dict[str, Any] = {"application/json": {"schema": self.schema_of(endpoint.returns)}}
            if endpoint.streams:
                content["text/event-stream"] = {"schema": _SSE_EVENT}
            success["content"] = content
        links = _LINKS.get(endpoint.name)
        if links:
            success["links"] = {
                target: {"operationId": target, "parameters": {param: expression}}
                for target, (param, expression) in links.items()
            }
        out: dict[str, Any] = {str(endpoint.status): success}
        for status in endpoint.error_statuses():
            schema: dict[str, Any] = {"$ref": _REF + ("GatewayError" if status in (401, 429) else "ApiError")}
            if status == 404 and "{" in endpoint.path:
                # A path parameter the router cannot take (a '/' or a newline in an id) misses every
                # route: the gateway's own 404 body then.
                schema = {"anyOf": [schema, {"$ref": _REF + "RouteNotFound"}]}
            out[str(status)] = {
                "description": _STATUS_TEXT.get(status, "Error"),
                "content": {"application/json": {"schema": schema}},
            }
        return out


def _document(endpoints: Sequence[Endpoint], *, title: str, description: str, secured: bool) -> dict[str, Any]:
    builder = _Builder()
    builder.schemas.update(ApiError=_OPENAI_ERROR, GatewayError=_GATEWAY_ERROR, RouteNotFound=_ROUTE_ERROR)
    paths: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints:
        paths.setdefault(openapi_path(endpoint.path), {})[endpoint.method.lower()] = builder.operation(endpoint)
    components: dict[str, Any] = {"schemas": dict(sorted(builder.schemas.items()))}
    if secured:
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "Authorization: Bearer <MKA1 API key>"}
        }
    from . import __version__

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": __version__, "description": description},
        "paths": paths,
        "components": components,
    }


@cache
def _api_document_json() -> str:
    document = _document(
        api_endpoints(),
        title="MKA1 API (as emulated by mka1-mock)",
        description="Every route mka1-mock emulates, generated from its endpoint declarations.",
        secured=True,
    )
    return json.dumps(document)


@cache
def _control_document_json() -> str:
    document = _document(
        control_plane_endpoints(),
        title="mka1-mock control plane",
        description="The /__mock__/ routes: seed, inspect, reset, pin time and ids, script the fake model.",
        secured=False,
    )
    return json.dumps(document)


def api_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of every emulated API route (a fresh copy)."""
    return json.loads(_api_document_json())  # type: ignore[no-any-return]


def control_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of the control plane (a fresh copy)."""
    return json.loads(_control_document_json())  # type: ignore[no-any-return]


def api_document_bytes() -> bytes:
    return _api_document_json().encode()


def control_document_bytes() -> bytes:
    return _control_document_json().encode()


# -- the README's tables -----------------------------------------------------------------------------


def _type_name(kind: Any) -> str:
    if kind is None:
        return "(none)"
    if isinstance(kind, type):
        return f"`{kind.__name__}`"
    return f"`{getattr(kind, '__name__', None) or str(kind).replace('typing.', '')}`"


def endpoint_table(endpoints: Sequence[Endpoint]) -> str:
    """A Markdown table of the endpoints: method, path, what it does, its 200 model, error statuses."""
    rows = ["| method | path | does | answers | errors |", "|---|---|---|---|---|"]
    for endpoint in endpoints:
        errors = ", ".join(str(s) for s in endpoint.error_statuses()) or "-"
        answers = _type_name(endpoint.returns) + (" or SSE" if endpoint.streams else "")
        rows.append(
            f"| `{endpoint.method}` | `{openapi_path(endpoint.path)}` | {endpoint.summary} | {answers} | {errors} |"
        )
    return "\n".join(rows) + "\n"


_MARKERS = {
    "endpoints": api_endpoints,
    "control-endpoints": control_plane_endpoints,
}


def render_readme(text: str) -> str:
    """``text`` with every generated table (between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``)
    replaced by what the declarations generate now."""
    for name, endpoints in _MARKERS.items():
        start, end = f"<!-- {name}:start -->\n", f"<!-- {name}:end -->"
        if start in text and end in text:
            head, rest = text.split(start, 1)
            _, tail = rest.split(end, 1)
            text = head + start + endpoint_table(endpoints()) + end + tail
    return text


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m mka1_mock.openapi", description="Print the OpenAPI documents or refresh the README tables."
    )
    parser.add_argument("--control", action="store_true", help="print the control plane's document")
    parser.add_argument("--readme", type=Path, nargs="?", const=Path("README.md"), help="rewrite the README's tables")
    args = parser.parse_args(argv)
    if args.readme is not None:
        readme: Path = args.readme
        readme.write_text(render_readme(readme.read_text(encoding="utf-8")), encoding="utf-8")
        return 0
    sys.stdout.write(json.dumps(control_document() if args.control else api_document(), indent=2) + "\n")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
