"""The OpenAPI documents: valid, complete, served, and the README tables generated from the same source."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests
from openapi_spec_validator import validate
from starlette.routing import Route

from mka1_mock import Mka1Mock, create_app
from mka1_mock.openapi import api_document, control_document, main, render_readme

REPO = Path(__file__).resolve().parents[1]
DOCUMENT_PATHS = {"/openapi.json", "/__mock__/openapi.json"}


def _served() -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, convertors dropped, the documents left out."""
    out = set()
    for route in create_app().routes:
        assert isinstance(route, Route)
        if route.path in DOCUMENT_PATHS:
            continue
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", route.path)
        out |= {(method, path) for method in route.methods or () if method != "HEAD"}
    return out


def _documented(document: dict[str, object]) -> set[tuple[str, str]]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    return {(method.upper(), path) for path, item in paths.items() for method in item}


@pytest.mark.parametrize("build", [api_document, control_document], ids=["api", "control"])
def test_the_documents_are_valid_openapi_31(build: object) -> None:
    """Both documents pass openapi-spec-validator as OpenAPI 3.1."""
    document = build()  # type: ignore[operator]
    assert document["openapi"] == "3.1.0"
    validate(document)


def test_every_served_route_is_documented_and_nothing_else() -> None:
    """The two documents together list exactly the routes the app serves, each in the right one."""
    api, control = _documented(api_document()), _documented(control_document())
    assert api | control == _served()
    assert all(path.startswith("/api/v1/") for _, path in api)
    assert all(path.startswith("/__mock__/") for _, path in control)


def test_api_operations_declare_auth_and_the_on_behalf_of_header() -> None:
    """Every API operation needs the bearer key, takes X-On-Behalf-Of and documents its 401."""
    document = api_document()
    assert document["components"]["securitySchemes"]["bearer"] == {
        "type": "http", "scheme": "bearer", "description": "Authorization: Bearer <MKA1 API key>",
    }  # fmt: skip
    for path, item in document["paths"].items():
        for method, operation in item.items():
            where = f"{method.upper()} {path}"
            assert operation["security"] == [{"bearer": []}], where
            headers = [p["name"] for p in operation["parameters"] if p["in"] == "header"]
            assert headers == ["X-On-Behalf-Of"], where
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/GatewayError"
            }, where


def test_the_documents_show_the_page_limits_and_the_models() -> None:
    """List limits and enums come from the query models; bodies and answers reference their models."""
    document = api_document()
    items = document["paths"]["/api/v1/llm/conversations/{conversation_id}/items"]
    limit = next(p for p in items["get"]["parameters"] if p["name"] == "limit")
    assert limit["schema"]["maximum"] == 100 and limit["schema"]["minimum"] == 1
    conversations = document["paths"]["/api/v1/llm/conversations"]
    assert next(p for p in conversations["get"]["parameters"] if p["name"] == "limit")["schema"]["maximum"] == 50
    order = next(p for p in conversations["get"]["parameters"] if p["name"] == "order")
    assert order["schema"]["enum"] == ["asc", "desc"]
    create = conversations["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/CreateConversationBody"
    }
    assert create["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Conversation"
    }
    links = create["responses"]["200"]["links"]
    assert links["create_items"]["parameters"] == {"conversation_id": "$response.body#/id"}
    responses = document["paths"]["/api/v1/llm/responses"]["post"]["responses"]["200"]["content"]
    assert set(responses) == {"application/json", "text/event-stream"}


def test_operation_ids_are_unique_and_read_like_the_handlers() -> None:
    """Every operationId is unique across both documents."""
    ids = [
        operation["operationId"]
        for document in (api_document(), control_document())
        for item in document["paths"].values()
        for operation in item.values()
    ]
    assert len(ids) == len(set(ids))
    assert "create_conversation" in ids and "add_items" in ids


def test_the_server_serves_both_documents(mka1_mock: Mka1Mock) -> None:
    """GET /openapi.json and /__mock__/openapi.json answer the built documents, unjournaled, no key needed."""
    api = requests.get(f"{mka1_mock.url}/openapi.json", timeout=10)
    assert api.status_code == 200 and api.headers["content-type"] == "application/json"
    assert api.json() == api_document()
    control = requests.get(f"{mka1_mock.url}/__mock__/openapi.json", timeout=10)
    assert control.status_code == 200 and control.json() == control_document()
    assert list(mka1_mock.requests) == []


def test_the_readme_tables_are_generated() -> None:
    """README.md's endpoint tables are exactly what the declarations generate (refresh: make docs)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "<!-- endpoints:start -->" in readme and "<!-- control-endpoints:start -->" in readme
    assert render_readme(readme) == readme, "README tables are stale: run `make docs`"


def test_the_module_rewrites_a_readme(tmp_path: Path) -> None:
    """``python -m mka1_mock.openapi --readme FILE`` fills the marked tables and keeps the rest."""
    readme = tmp_path / "README.md"
    readme.write_text("intro\n<!-- endpoints:start -->\nstale\n<!-- endpoints:end -->\nrest\n", encoding="utf-8")
    assert main(["--readme", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("intro\n<!-- endpoints:start -->\n| method | path |")
    assert "stale" not in text and text.endswith("<!-- endpoints:end -->\nrest\n")
    assert "| `POST` | `/api/v1/llm/conversations` | Create a conversation | `Conversation` |" in text
