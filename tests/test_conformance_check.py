"""The suite's conformance hook itself: it must notice answers that break the documents."""

from __future__ import annotations

import json

from tests.conformance import Conformance

CONVERSATION = {"id": "conv_1", "object": "conversation", "created_at": 1, "deleted_at": None,
                "metadata": {}, "identity": "x"}  # fmt: skip


def test_a_conforming_answer_passes() -> None:
    """A documented status with a body that fits its schema records nothing."""
    checker = Conformance()
    checker.check("GET", "/api/v1/llm/conversations/conv_1", 200, "application/json", json.dumps(CONVERSATION).encode())
    assert checker.violations == []


def test_a_body_that_breaks_the_schema_is_recorded() -> None:
    """A 200 whose body lacks a required field is a violation naming the route."""
    checker = Conformance()
    body = {k: v for k, v in CONVERSATION.items() if k != "identity"}
    checker.check("GET", "/api/v1/llm/conversations/conv_1", 200, "application/json", json.dumps(body).encode())
    assert len(checker.violations) == 1
    assert "GET /api/v1/llm/conversations/conv_1: 200 body breaks the document" in checker.violations[0]


def test_an_undocumented_status_is_recorded() -> None:
    """A 409 from an operation that documents no 409 is a violation listing the documented ones."""
    checker = Conformance()
    checker.check("GET", "/api/v1/llm/conversations/conv_1", 409, "application/json", b"{}")
    assert checker.violations == [
        "GET /api/v1/llm/conversations/conv_1 (/api/v1/llm/conversations/{conversation_id}): status 409 is not "
        "documented (['200', '401', '404', '429'])"
    ]


def test_an_undeclared_content_type_is_recorded() -> None:
    """A text/plain answer where the document declares JSON is a violation."""
    checker = Conformance()
    checker.check("GET", "/api/v1/llm/conversations", 200, "text/plain", b"hi")
    assert checker.violations and "content type 'text/plain'" in checker.violations[0]


def test_item_ids_with_slashes_find_their_operation() -> None:
    """Path parameters the router takes whole (item ids) match across slashes."""
    checker = Conformance()
    found = checker.find("GET", "/api/v1/llm/conversations/conv_1/items/msg/with/slash")
    assert found is not None and found.template.endswith("/items/{item_id}")
