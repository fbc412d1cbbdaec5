"""Control actions that gained an HTTP door with the layout change: each answers like its handle twin."""

from __future__ import annotations

from typing import Any

import requests
from meetkai_mka1 import SDK

from mka1_mock import Mka1Mock
from tests.test_control_http import assert_invalid, control, ok

T0 = 1_704_067_200


def test_add_conversation_over_http_seeds_what_the_sdk_then_reads(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """POST /__mock__/conversations seeds a conversation owned by the given key, with its items."""
    body = ok(control(mka1_mock, "POST", "/conversations", json={
        "id": "conv_door_1", "api_key": mka1_mock.api_key, "created_at": T0, "metadata": {"topic": "doors"},
        "items": [{"type": "message", "role": "user", "content": "hello door"}],
    }))  # fmt: skip
    assert body["id"] == "conv_door_1" and body["object"] == "conversation"
    assert body["created_at"] == T0 and body["metadata"] == {"topic": "doors"}
    fetched = mka1_sdk.llm.conversations.get(conversation_id="conv_door_1")
    assert fetched.metadata == {"topic": "doors"}
    stored = mka1_mock.conversation("conv_door_1")
    assert [item.model_dump()["content"] for item in stored.items] == ["hello door"]


def test_add_conversation_over_http_rejects_bad_items_and_stores_nothing(mka1_mock: Mka1Mock) -> None:
    """A bad item is a 400 naming it, and nothing is seeded."""
    response = control(mka1_mock, "POST", "/conversations", json={"items": [{"type": "message", "role": "x"}]})
    error = assert_invalid(response, param="conversation.items[0].role", code="invalid_value")
    assert error["message"].startswith("Invalid seed: Invalid value for 'conversation.items[0].role'")
    assert mka1_mock.state().conversations == []


def test_add_items_over_http_appends_in_order(mka1_mock: Mka1Mock) -> None:
    """POST /__mock__/conversations/{id}/items appends items the way the handle's add_items does."""
    conversation = mka1_mock.add_conversation(items=[{"type": "message", "role": "user", "content": "one"}])
    body = ok(control(mka1_mock, "POST", f"/conversations/{conversation.id}/items", json={
        "items": [{"type": "message", "role": "assistant", "content": "two", "id": "msg_two"},
                  {"type": "message", "role": "user", "content": "three"}],
    }))  # fmt: skip
    assert body["object"] == "list"
    assert [item["content"] for item in body["data"]] == ["two", "three"]
    assert body["data"][0]["id"] == "msg_two" and body["data"][0]["response_id"] is None
    stored = mka1_mock.conversation(conversation.id)
    assert [item.model_dump()["content"] for item in stored.items] == ["one", "two", "three"]


def test_add_items_over_http_to_an_unknown_conversation_is_404(mka1_mock: Mka1Mock) -> None:
    """Items for a conversation the key does not own answer the API's 404, and nothing changes."""
    response = control(mka1_mock, "POST", "/conversations/conv_missing/items",
                       json={"items": [{"type": "message", "role": "user", "content": "x"}]})  # fmt: skip
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "conversation_not_found"
    assert mka1_mock.state().conversations == []


def test_add_items_over_http_needs_at_least_one_item(mka1_mock: Mka1Mock) -> None:
    """An empty items array is a 400 naming ``items``."""
    conversation = mka1_mock.add_conversation()
    response = control(mka1_mock, "POST", f"/conversations/{conversation.id}/items", json={"items": []})
    assert_invalid(response, param="items", code="empty_array")


def test_clock_verbs_move_the_clock_like_the_handle(mka1_mock: Mka1Mock) -> None:
    """freeze, advance, unfreeze and GET /clock are the handle's clock methods over HTTP."""
    assert ok(control(mka1_mock, "POST", "/clock/freeze", json={"at": T0})) == {"now": T0, "frozen": True}
    assert ok(control(mka1_mock, "POST", "/clock/advance", json={"seconds": 90})) == {"now": T0 + 90, "frozen": True}
    assert ok(control(mka1_mock, "GET", "/clock")) == mka1_mock.clock() == {"now": T0 + 90, "frozen": True}
    unfrozen = ok(control(mka1_mock, "POST", "/clock/unfreeze"))
    assert unfrozen["frozen"] is False and abs(unfrozen["now"] - mka1_mock.clock()["now"]) <= 1


def test_advance_time_needs_seconds(mka1_mock: Mka1Mock) -> None:
    """A clock advance without ``seconds`` is a 400 naming it; the clock stays as it was."""
    mka1_mock.freeze_time(T0)
    assert_invalid(control(mka1_mock, "POST", "/clock/advance", json={}), param="seconds",
                   code="missing_required_parameter")  # fmt: skip
    assert mka1_mock.clock() == {"now": T0, "frozen": True}


def test_complete_response_over_http_finishes_a_background_response(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """POST /__mock__/responses/{id}/complete finishes it at once, as the handle's complete_response does."""
    mka1_mock.background_responses("manual")
    created = mka1_sdk.llm.responses.create(model="auto", input="hi", background=True)
    assert created.status == "queued"
    body: dict[str, Any] = ok(control(mka1_mock, "POST", f"/responses/{created.id}/complete"))
    assert body["id"] == created.id and body["status"] == "completed"
    assert body["output_text"] == "You said: hi"


def test_failures_lists_nothing_on_a_healthy_mock(mka1_mock: Mka1Mock) -> None:
    """GET /__mock__/failures is the handle's failures(): an empty list when nothing crashed."""
    assert ok(control(mka1_mock, "GET", "/failures")) == {"object": "list", "data": []}
    assert mka1_mock.failures() == []


def test_clear_requests_on_the_handle_empties_the_journal(mka1_mock: Mka1Mock) -> None:
    """handle.clear_requests() is DELETE /__mock__/requests in-process."""
    requests.get(f"{mka1_mock.url}/api/v1/llm/conversations", headers=mka1_mock.headers(), timeout=10)
    assert len(mka1_mock.requests.filter("GET")) == 1
    mka1_mock.clear_requests()
    assert ok(control(mka1_mock, "GET", "/requests")) == {"object": "list", "data": []}
