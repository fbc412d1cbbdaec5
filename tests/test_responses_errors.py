"""Errors of the Responses endpoints over raw HTTP: status, OpenAI envelope, ``param`` and ``code``.

Every test seeds a conversation and a stored response first, and checks after each rejected request
that nothing changed: the mock's exported state and the full responses list are identical.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests

from mka1_mock import Mka1Mock
from tests.conftest import Api, assert_error

MODEL = "auto"
ANY = object()


def error_of(response: requests.Response, status: int, *, param: Any = ANY, code: Any = ANY) -> dict[str, Any]:
    """An OpenAI-envelope error with ``status``; ``param``/``code`` are checked when given."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["type"] == "invalid_request_error"
    assert isinstance(error["message"], str) and error["message"]
    if param is not ANY:
        assert error["param"] == param, error
    if code is not ANY:
        assert error["code"] == code, error
    return error  # type: ignore[no-any-return]


class World:
    """A conversation and a response to leave untouched, and a way to see everything at once."""

    def __init__(self, api: Api, mock: Mka1Mock) -> None:
        self.api = api
        self.mock = mock
        self.conversation = mock.add_conversation(metadata={"k": "v"}, items=[{"role": "user", "content": "hi"}])
        created = api.post(
            "/responses",
            json={"model": MODEL, "input": "seed", "conversation": self.conversation.id, "metadata": {"a": "1"}},
        )
        assert created.status_code == 200, created.text
        self.response_id: str = created.json()["id"]
        self.before = self.snapshot()

    def snapshot(self) -> tuple[dict[str, Any], dict[str, Any]]:
        listed = self.api.get("/responses", params={"limit": 100})
        assert listed.status_code == 200, listed.text
        return self.mock.export(), listed.json()

    def unchanged(self) -> None:
        assert self.snapshot() == self.before


@pytest.fixture
def world(api: Api, mka1_mock: Mka1Mock) -> World:
    return World(api, mka1_mock)


def test_missing_or_empty_model(api: Api, world: World) -> None:
    """A create without ``model`` (or with an empty one) is a 400 naming ``model``."""
    missing = api.post("/responses", json={"input": "hello"})
    assert_error(missing, 400, param="model", code="missing_required_parameter")
    error_of(api.post("/responses", json={"model": "", "input": "hello"}), 400, param="model")
    error_of(api.post("/responses", json={"model": 7, "input": "hello"}), 400, param="model", code="invalid_type")
    world.unchanged()


def test_computer_use_preview_tool_is_rejected(api: Api, world: World) -> None:
    """A ``computer_use_preview`` tool is a 400 invalid_request_error naming ``tools[i].type``."""
    tools = [
        {"type": "function", "name": "f", "parameters": {"type": "object"}, "strict": False},
        {"type": "computer_use_preview", "display_width": 1024, "display_height": 768, "environment": "linux"},
    ]
    error_of(
        api.post("/responses", json={"model": MODEL, "input": "x", "tools": tools[1:]}), 400, param="tools[0].type"
    )
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "tools": tools}), 400, param="tools[1].type")
    world.unchanged()


@pytest.mark.parametrize(("field", "value"), [("webhook_url", "https://example.com/hook"), ("stream_events", True)])
def test_background_only_fields_need_background(api: Api, world: World, field: str, value: Any) -> None:
    """``webhook_url`` and ``stream_events`` without ``background: true`` are a 400 naming the field."""
    for background in (None, False):
        body: dict[str, Any] = {"model": MODEL, "input": "x", field: value}
        if background is not None:
            body["background"] = background
        error_of(api.post("/responses", json=body), 400, param=field)
    world.unchanged()
    accepted = api.post("/responses", json={"model": MODEL, "input": "x", field: value, "background": True})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "queued"


@pytest.mark.parametrize(
    ("items", "param"),
    [
        ([{"type": "message", "role": "tool", "content": "x"}], "input[0].role"),
        ([{"type": "message", "content": "x"}], "input[0].role"),
        ([{"role": "user", "content": "ok"}, {"type": "message", "role": "robot", "content": "x"}], "input[1].role"),
        ([{"type": "function_call_output", "call_id": "c"}], "input[0].output"),
    ],
)
def test_bad_input_items_name_the_field(api: Api, world: World, items: list[Any], param: str) -> None:
    """An invalid input item is a 400 whose ``param`` points at the offending field."""
    error_of(api.post("/responses", json={"model": MODEL, "input": items}), 400, param=param)
    error_of(
        api.post("/responses", json={"model": MODEL, "input": items, "conversation": world.conversation.id}),
        400,
        param=param,
    )
    world.unchanged()


BAD_METADATA = [
    pytest.param({f"k{n}": "v" for n in range(17)}, id="17-pairs"),
    pytest.param({"k" * 65: "v"}, id="key-65-chars"),
    pytest.param({"k": "v" * 513}, id="value-513-chars"),
    pytest.param({"k": 1}, id="non-string-value"),
    pytest.param(["k", "v"], id="not-an-object"),
]
GOOD_METADATA = {**{f"k{n}": "v" for n in range(15)}, "k" * 64: "v" * 512}


@pytest.mark.parametrize("metadata", BAD_METADATA)
def test_metadata_rules_on_create_and_update(api: Api, world: World, metadata: Any) -> None:
    """Metadata breaking the 16 / 64 / 512 / string rules is a 400 naming ``metadata`` on create and update."""
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "metadata": metadata}), 400, param="metadata")
    error_of(api.post(f"/responses/{world.response_id}", json={"metadata": metadata}), 400, param="metadata")
    world.unchanged()


def test_metadata_at_the_limits_is_accepted(api: Api, world: World) -> None:
    """Exactly 16 pairs with a 64-char key and a 512-char value are accepted, and update replaces."""
    created = api.post("/responses", json={"model": MODEL, "input": "x", "metadata": GOOD_METADATA})
    assert created.status_code == 200, created.text
    assert created.json()["metadata"] == GOOD_METADATA
    updated = api.post(f"/responses/{world.response_id}", json={"metadata": GOOD_METADATA})
    assert updated.status_code == 200, updated.text
    assert updated.json()["metadata"] == GOOD_METADATA


def test_update_needs_metadata_and_no_other_field(api: Api, world: World) -> None:
    """An update without ``metadata`` or with an unknown field is a 400."""
    assert_error(
        api.post(f"/responses/{world.response_id}", json={}), 400, param="metadata", code="missing_required_parameter"
    )
    assert_error(
        api.post(f"/responses/{world.response_id}", json={"metadata": {}, "status": "completed"}),
        400,
        param="status",
        code="unknown_parameter",
    )
    world.unchanged()


def test_unknown_top_level_field_is_rejected(api: Api, world: World) -> None:
    """An unknown top-level field on create is a 400 ``unknown_parameter`` naming it."""
    assert_error(
        api.post("/responses", json={"model": MODEL, "input": "x", "temprature": 0.5}),
        400,
        param="temprature",
        code="unknown_parameter",
    )
    world.unchanged()


@pytest.mark.parametrize("owner", ["unknown", "other scope"])
def test_unknown_response_id_is_a_404_everywhere(api: Api, world: World, owner: str) -> None:
    """Get, update, delete, cancel and input_items of an unknown (or another scope's) id are 404."""
    if owner == "unknown":
        target = "resp_does_not_exist"
        headers: dict[str, str] = {}
    else:
        target = world.response_id
        headers = {"X-On-Behalf-Of": "someone-else"}
    calls = [
        api.get(f"/responses/{target}", headers=headers),
        api.post(f"/responses/{target}", json={"metadata": {"x": "y"}}, headers=headers),
        api.delete(f"/responses/{target}", headers=headers),
        api.post(f"/responses/{target}/cancel", headers=headers),
        api.get(f"/responses/{target}/input_items", headers=headers),
    ]
    for got in calls:
        error = error_of(got, 404, code="response_not_found")
        assert target in error["message"]
    world.unchanged()


def test_cancel_of_a_foreground_response_is_refused(api: Api, world: World) -> None:
    """Cancelling a finished foreground response is a 400 ``response_not_cancellable`` and changes nothing."""
    error_of(api.post(f"/responses/{world.response_id}/cancel"), 400, code="response_not_cancellable")
    world.unchanged()


@pytest.mark.parametrize("path", ["/responses", "/responses/{id}/input_items"])
@pytest.mark.parametrize(
    ("query", "param"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "101"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "2.5"}, "limit"),
        ({"order": "sideways"}, "order"),
        ({"order": "ASC"}, "order"),
        ({"after": "resp_or_item_unknown"}, "after"),
    ],
)
def test_invalid_list_queries(api: Api, world: World, path: str, query: dict[str, str], param: str) -> None:
    """A bad ``limit``, ``order`` or ``after`` on the list and input_items endpoints is a 400 naming it."""
    error_of(api.get(path.format(id=world.response_id), params=query), 400, param=param)
    world.unchanged()


def test_unknown_before_cursor_and_cross_list_cursors(api: Api, world: World) -> None:
    """A ``before`` cursor that is not a listed response, or an item id used on the responses list, is a 400."""
    error_of(api.get("/responses", params={"before": "resp_unknown"}), 400, param="before")
    items = api.get(f"/responses/{world.response_id}/input_items").json()["data"]
    error_of(api.get("/responses", params={"after": items[0]["id"]}), 400, param="after")
    error_of(
        api.get(f"/responses/{world.response_id}/input_items", params={"after": world.response_id}), 400, param="after"
    )
    world.unchanged()


def test_limits_at_the_bounds_are_accepted(api: Api, world: World) -> None:
    """``limit`` 1 and 100 are accepted on both lists."""
    for path in ("/responses", f"/responses/{world.response_id}/input_items"):
        for limit in ("1", "100"):
            got = api.get(path, params={"limit": limit})
            assert got.status_code == 200, got.text
            assert len(got.json()["data"]) == 1
    world.unchanged()


def test_malformed_bodies(api: Api, world: World) -> None:
    """A non-JSON body, a non-object body and wrongly typed fields are 400s."""
    bad_json = api.post("/responses", data=b"{not json", headers={"Content-Type": "application/json"})
    error_of(bad_json, 400)
    error_of(api.post("/responses", json=["model", MODEL]), 400)
    error_of(api.post("/responses", json={"model": MODEL, "input": 5}), 400, param="input", code="invalid_type")
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "stream": "yes"}), 400, param="stream")
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "conversation": 5}), 400, param="conversation")
    error_of(
        api.post("/responses", json={"model": MODEL, "input": "x", "max_output_tokens": 0}),
        400,
        param="max_output_tokens",
    )
    error_of(
        api.post("/responses", json={"model": MODEL, "input": "x", "max_tool_calls": 301}), 400, param="max_tool_calls"
    )
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "temperature": 2.5}), 400, param="temperature")
    error_of(
        api.post("/responses", json={"model": MODEL, "input": "x", "truncation": "never"}), 400, param="truncation"
    )
    world.unchanged()


def test_conversation_errors_over_raw_http(api: Api, world: World) -> None:
    """Raw: conversation + previous_response_id is a 400 on ``conversation``; an unknown one is a 404."""
    both = api.post(
        "/responses",
        json={
            "model": MODEL,
            "input": "x",
            "conversation": world.conversation.id,
            "previous_response_id": world.response_id,
        },
    )
    error_of(both, 400, param="conversation")
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "conversation": "conv_nope"}), 404)
    error_of(api.post("/responses", json={"model": MODEL, "input": "x", "conversation": {"id": "conv_nope"}}), 404)
    unknown_previous = api.post("/responses", json={"model": MODEL, "input": "x", "previous_response_id": "resp_nope"})
    error_of(unknown_previous, 400, param="previous_response_id", code="previous_response_not_found")
    world.unchanged()
