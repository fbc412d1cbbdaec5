"""The control plane over HTTP (``/__mock__/``): what a standalone server offers a test in another process.

Requests go with ``requests`` to the session server and need no Authorization header; the effects are
checked through the handle's typed views and through the official SDK.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
import requests
from meetkai_mka1 import SDK

from mka1_mock import Mka1Mock, MockServer, create_app
from tests.conftest import API_KEY

REPO = Path(__file__).resolve().parents[1]
FIXTURE_KEY = "mk-test"
T0 = 1_704_067_200
SHIPPED_IDS = {
    "conv_support_0001", "conv_long_0001", "conv_acct_self_01", "conv_alice_trip_01",
    "conv_alice_recipes_01", "conv_bob_support_01", "conv_carol_deleted_01",
}


def user_id_for(key: str) -> str:
    return "user_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def message(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text, **extra}


def control(mock: Mka1Mock, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A control-plane request (no Authorization header)."""
    return requests.request(method, f"{mock.url}/__mock__{path}", timeout=10, **kwargs)


def ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def assert_invalid(response: requests.Response, *, param: str | None, code: str) -> dict[str, Any]:
    """A 400 OpenAI-style error envelope with this param and code."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param, error
    assert error["code"] == code, error
    assert error["message"]
    return error  # type: ignore[no-any-return]


def document(*conversations: dict[str, Any]) -> dict[str, Any]:
    return {"format": "mka1-mock/fixture", "version": 1, "conversations": list(conversations)}


def listed(sdk: SDK, on_behalf_of: str | None = None, order: str = "asc") -> list[str]:
    page = sdk.llm.conversations.list(limit=50, order=order, x_on_behalf_of=on_behalf_of)  # type: ignore[arg-type]
    return [c.id for c in page.data]


def sdk_view(url: str, scopes: list[tuple[str, str | None]]) -> dict[Any, Any]:
    """What each (key, X-On-Behalf-Of) scope of the server at ``url`` sees through the SDK."""
    view: dict[Any, Any] = {}
    # One pair of clients for every scope: a new httpx client costs tens of milliseconds. The async
    # one is never used, so it opens no connection and needs no closing.
    async_http = httpx.AsyncClient()
    with httpx.Client() as http:
        for key, on_behalf_of in scopes:
            sdk = SDK(bearer_auth=key, server_url=url, retry_config=None, client=http, async_client=async_http)
            ids = listed(sdk, on_behalf_of)
            view[key, on_behalf_of] = {
                "asc": ids,
                "desc": listed(sdk, on_behalf_of, order="desc"),
                "conversations": [
                    sdk.llm.conversations.get(conversation_id=cid, x_on_behalf_of=on_behalf_of).model_dump()
                    for cid in ids
                ],
                "items": {
                    cid: [
                        item.model_dump(by_alias=True)
                        for item in sdk.llm.conversations.list_items(
                            conversation_id=cid, limit=100, x_on_behalf_of=on_behalf_of
                        ).data
                    ]
                    for cid in ids
                },
            }
    return view


# -- state -----------------------------------------------------------------------------------------------


def test_reset_empties_state_and_journal(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """POST /__mock__/reset empties the store and the journal and returns the clock and ids to normal."""
    mka1_mock.load("support_thread.json")
    mka1_sdk.llm.conversations.create(items=[message("hi")])
    mka1_mock.freeze_time(T0)
    mka1_mock.seed_ids(sequential=True)
    assert len(mka1_mock.requests) == 1

    body = ok(control(mka1_mock, "POST", "/reset"))

    assert body == {"reset": True, "conversations": 0, "items": 0}
    assert mka1_mock.state().conversations == []
    assert len(mka1_mock.requests) == 0
    assert mka1_mock.store.clock.frozen is False
    assert listed(mka1_sdk) == []
    assert mka1_sdk.llm.conversations.create().id != f"conv_{1:032x}"  # ids are random again


def test_get_state_returns_the_fixture_document(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """GET /__mock__/state returns the state in the fixture format: owners by user id, items, deleted ones."""
    mka1_mock.load("support_thread.json")
    created = mka1_sdk.llm.conversations.create(metadata={"k": "v"}, items=[message("a")], x_on_behalf_of="u1")
    mka1_sdk.llm.conversations.delete(conversation_id=created.id, x_on_behalf_of="u1")

    state = ok(control(mka1_mock, "GET", "/state"))

    assert state["format"] == "mka1-mock/fixture"
    assert state["version"] == 1
    assert [c["id"] for c in state["conversations"]] == ["conv_support_0001", created.id]
    support, mine = state["conversations"]
    assert support["owner"] == {"user_id": user_id_for(FIXTURE_KEY), "on_behalf_of": "customer-8841"}
    assert (support["created_at"], support["updated_at"], support["deleted_at"]) == (1735725600, 1735725642, None)
    assert support["metadata"] == {"channel": "web-chat", "ticket": "SUP-4821", "locale": "en-US"}
    assert len(support["items"]) == 9
    assert support["items"][2]["call_id"] == "call_lookup_order_1"
    assert support["items"][0]["response_id"] == "resp_9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e"
    assert mine["owner"] == {"user_id": user_id_for(API_KEY), "on_behalf_of": "u1"}
    assert mine["deleted_at"] is not None
    assert [(i["type"], i["content"]) for i in mine["items"]] == [("message", "a")]
    assert state == mka1_mock.export()


def test_put_state_replaces_the_whole_state(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """PUT /__mock__/state makes the document the whole state, visible through the SDK."""
    mka1_mock.load("support_thread.json")
    new = document(
        {"id": "conv_put_1", "owner": {"api_key": API_KEY}, "created_at": T0, "metadata": {"n": "1"},
         "items": [message("one", id="msg_put_1"), message("two")]},
        {"id": "conv_put_2", "owner": {"api_key": API_KEY, "on_behalf_of": "u2"}, "created_at": T0 + 1},
    )

    body = ok(control(mka1_mock, "PUT", "/state", json=new))

    assert body == {"conversations": 2, "items": 2}
    assert [c.id for c in mka1_mock.state().conversations] == ["conv_put_1", "conv_put_2"]
    assert listed(mka1_sdk) == ["conv_put_1"]
    assert listed(mka1_sdk, "u2") == ["conv_put_2"]
    got = mka1_sdk.llm.conversations.get(conversation_id="conv_put_1")
    assert (got.created_at, got.metadata) == (T0, {"n": "1"})
    items = mka1_sdk.llm.conversations.list_items(conversation_id="conv_put_1").data
    assert [i.id for i in items][0] == "msg_put_1"
    assert [i.content for i in items] == ["one", "two"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "param", "code"),
    [
        (document({"id": "conv_x"}, {"id": "conv_x"}), "conversations", "duplicate_id"),
        (document({"items": [{"type": "message", "role": "robot", "content": "x"}]}),
         "conversations[0].items[0].role", "invalid_value"),
        ({**document(), "version": 3}, "version", "invalid_value"),
        ({**document(), "unexpected": 1}, "unexpected", "unknown_parameter"),
        (["not", "a", "document"], None, "invalid_type"),
    ],
    ids=["duplicate-id", "bad-item", "wrong-version", "unknown-key", "not-an-object"],
)
def test_put_state_with_a_bad_document_is_a_400_and_changes_nothing(
    mka1_mock: Mka1Mock, mka1_sdk: SDK, body: Any, param: str | None, code: str
) -> None:
    """A bad document gets a 400 error envelope naming the problem, and the previous state stays."""
    mka1_mock.load("support_thread.json")
    before = mka1_mock.state()

    assert_invalid(control(mka1_mock, "PUT", "/state", json=body), param=param, code=code)

    assert mka1_mock.state() == before


def test_put_state_with_a_body_that_is_not_json_is_a_400(mka1_mock: Mka1Mock) -> None:
    """A body that is not JSON is rejected with invalid_json and changes nothing."""
    mka1_mock.load("support_thread.json")
    before = mka1_mock.state()
    response = control(
        mka1_mock, "PUT", "/state", data=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert_invalid(response, param=None, code="invalid_json")
    assert mka1_mock.state() == before


def test_post_fixtures_loads_additively(mka1_mock: Mka1Mock) -> None:
    """POST /__mock__/fixtures adds a document's conversations to what is there; a clash loads nothing."""
    mka1_mock.add_conversation(id="conv_existing", items=[message("kept")])
    multi = json.loads((REPO / "fixtures" / "multi_user_account.json").read_text(encoding="utf-8"))

    body = ok(control(mka1_mock, "POST", "/fixtures", json=multi))

    assert body["loaded"] == [c["id"] for c in multi["conversations"]]
    assert body["conversations"] == 6
    assert body["items"] == 1 + 1 + 2 + 1 + 3 + 1
    assert "conv_existing" in {c.id for c in mka1_mock.state().conversations}
    fixture_sdk = mka1_mock.sdk(api_key=FIXTURE_KEY)
    assert listed(fixture_sdk, "user-alice") == ["conv_alice_trip_01", "conv_alice_recipes_01"]

    before = mka1_mock.state()
    again = control(mka1_mock, "POST", "/fixtures", json=multi)
    error = assert_invalid(again, param="conversations", code="duplicate_id")
    assert "conv_acct_self_01" in error["message"]
    assert mka1_mock.state() == before


# -- the journal -----------------------------------------------------------------------------------------


def test_requests_lists_filters_and_clears_the_journal(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """GET /__mock__/requests lists journal entries (filtered by method and path); DELETE clears them."""
    conv = mka1_sdk.llm.conversations
    created = conv.create(metadata={"k": "v"}, items=[message("hi")])
    conv.list_items(conversation_id=created.id)
    conv.get(conversation_id=created.id)

    listing = ok(control(mka1_mock, "GET", "/requests"))
    assert listing["object"] == "list"
    entries = listing["data"]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/api/v1/llm/conversations", 200),
        ("GET", f"/api/v1/llm/conversations/{created.id}/items", 200),
        ("GET", f"/api/v1/llm/conversations/{created.id}", 200),
    ]
    assert entries == [e.to_dict() for e in mka1_mock.requests]
    assert entries[0]["body"]["metadata"] == {"k": "v"}
    assert entries[0]["response"]["id"] == created.id
    assert API_KEY not in json.dumps(entries)
    assert [e["seq"] for e in entries] == sorted(e["seq"] for e in entries)

    gets = ok(control(mka1_mock, "GET", "/requests", params={"method": "get"}))["data"]
    assert [e["path"] for e in gets] == [entries[1]["path"], entries[2]["path"]]
    items = ok(control(mka1_mock, "GET", "/requests", params={"path": "/api/v1/llm/conversations/*/items"}))["data"]
    assert [e["method"] for e in items] == ["GET"]
    both = ok(control(mka1_mock, "GET", "/requests", params={"method": "POST", "path": "*/items"}))["data"]
    assert both == []

    assert ok(control(mka1_mock, "DELETE", "/requests")) == {"cleared": True}
    assert ok(control(mka1_mock, "GET", "/requests"))["data"] == []
    assert len(mka1_mock.requests) == 0
    assert listed(mka1_sdk) == [created.id]  # clearing the journal leaves the state alone


def test_control_requests_are_not_journaled(mka1_mock: Mka1Mock) -> None:
    """Requests to /__mock__/ never appear in the journal, whatever they do."""
    control(mka1_mock, "GET", "/state")
    control(mka1_mock, "PUT", "/state", json=document())
    control(mka1_mock, "POST", "/fixtures", json=document({"id": "conv_c"}))
    control(mka1_mock, "POST", "/clock", json={"freeze_at": T0})
    control(mka1_mock, "POST", "/ids", json={"sequential": True})
    control(mka1_mock, "GET", "/requests")
    control(mka1_mock, "PUT", "/state", json={"version": 9})  # an error, still not journaled

    assert list(mka1_mock.requests) == []
    assert ok(control(mka1_mock, "GET", "/requests"))["data"] == []


# -- clock and ids ---------------------------------------------------------------------------------------


def test_clock_freezes_advances_and_unfreezes(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """POST /__mock__/clock freezes at a time, advances it, and unfreezes; created_at follows it."""
    assert ok(control(mka1_mock, "POST", "/clock", json={"freeze_at": T0})) == {"now": T0, "frozen": True}
    assert mka1_sdk.llm.conversations.create().created_at == T0

    assert ok(control(mka1_mock, "POST", "/clock", json={"advance": 3600})) == {"now": T0 + 3600, "frozen": True}
    assert mka1_sdk.llm.conversations.create().created_at == T0 + 3600
    both = ok(control(mka1_mock, "POST", "/clock", json={"freeze_at": T0, "advance": 5}))
    assert both == {"now": T0 + 5, "frozen": True}

    thawed = ok(control(mka1_mock, "POST", "/clock", json={"unfreeze": True}))
    assert thawed["frozen"] is False
    assert abs(thawed["now"] - time.time()) < 5
    assert abs(mka1_sdk.llm.conversations.create().created_at - time.time()) < 5

    assert_invalid(control(mka1_mock, "POST", "/clock", json={"advance": "soon"}), param="advance", code="invalid_type")
    assert_invalid(control(mka1_mock, "POST", "/clock", json={"rewind": 1}), param="rewind", code="unknown_parameter")


def test_ids_sequential_and_seeded(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """POST /__mock__/ids switches to sequential ids, or to a repeatable seeded sequence."""
    assert ok(control(mka1_mock, "POST", "/ids", json={"sequential": True})) == {"seed": None, "sequential": True}
    first = mka1_sdk.llm.conversations.create(items=[message("x")])
    assert first.id == f"conv_{1:032x}"
    assert mka1_sdk.llm.conversations.list_items(conversation_id=first.id).data[0].id == f"msg_{1:032x}"
    assert mka1_sdk.llm.conversations.create().id == f"conv_{2:032x}"

    ok(control(mka1_mock, "POST", "/reset"))
    assert ok(control(mka1_mock, "POST", "/ids", json={"seed": 7})) == {"seed": 7, "sequential": False}
    run1 = [mka1_sdk.llm.conversations.create().id for _ in range(2)]
    ok(control(mka1_mock, "POST", "/reset"))
    ok(control(mka1_mock, "POST", "/ids", json={"seed": 7}))
    run2 = [mka1_sdk.llm.conversations.create().id for _ in range(2)]
    assert run1 == run2
    assert run1[0] != run1[1] and run1[0] != f"conv_{1:032x}"

    assert_invalid(control(mka1_mock, "POST", "/ids", json={"seed": "x"}), param="seed", code="invalid_type")


# -- routing and auth ------------------------------------------------------------------------------------


def test_control_routes_live_only_at_the_root_and_need_no_key(mka1_mock: Mka1Mock) -> None:
    """/__mock__ needs no key and is not reachable under /api/; /api/ still requires a key."""
    mka1_mock.add_conversation(id="conv_hidden")
    headers = {"Authorization": f"Bearer {API_KEY}"}

    for sent in ({}, headers):
        miss = requests.get(f"{mka1_mock.url}/api/v1/llm/__mock__/state", headers=sent, timeout=10)
        assert miss.status_code == 404, miss.text
        assert miss.json()["message"] == "no Route matched with those values"
        assert "conversations" not in miss.json()
    miss = requests.post(f"{mka1_mock.url}/api/__mock__/reset", headers=headers, timeout=10)
    assert miss.status_code == 404
    assert [c.id for c in mka1_mock.state().conversations] == ["conv_hidden"]  # nothing was reset

    unauthorized = requests.get(f"{mka1_mock.url}/api/v1/llm/conversations", timeout=10)
    assert unauthorized.status_code == 401
    assert unauthorized.json()["error"] == "Unauthorized"
    assert ok(requests.get(f"{mka1_mock.url}/__mock__/state", timeout=10))["conversations"][0]["id"] == "conv_hidden"
    wrong_method = control(mka1_mock, "DELETE", "/state")
    assert wrong_method.status_code == 404
    assert wrong_method.json()["message"] == "no Route matched with those values"


# -- moving a state between servers ----------------------------------------------------------------------


def test_state_round_trips_into_a_fresh_server(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """GET /__mock__/state from one server, PUT into a fresh one: every SDK view is identical."""
    mka1_mock.load("multi_user_account.json", "support_thread.json")
    created = mka1_sdk.llm.conversations.create(metadata={"via": "sdk"}, items=[message("a"), message("b")])
    mka1_sdk.llm.conversations.create_items(conversation_id=created.id, items=[message("c")])
    exported = ok(control(mka1_mock, "GET", "/state"))
    scopes = [
        (API_KEY, None), (FIXTURE_KEY, None), (FIXTURE_KEY, "user-alice"), (FIXTURE_KEY, "user-bob"),
        (FIXTURE_KEY, "user-carol"), (FIXTURE_KEY, "customer-8841"),
    ]

    with MockServer(create_app()) as fresh:
        put = requests.put(f"{fresh.url}/__mock__/state", json=exported, timeout=10)
        assert put.json() == {"conversations": 7, "items": 1 + 2 + 1 + 3 + 1 + 9 + 3}
        assert ok(requests.get(f"{fresh.url}/__mock__/state", timeout=10)) == exported
        fresh_view = sdk_view(fresh.url, scopes)
        assert fresh_view == sdk_view(mka1_mock.url, scopes)
        assert fresh_view[API_KEY, None]["asc"] == [created.id]
        assert fresh_view[FIXTURE_KEY, "user-alice"]["asc"] == ["conv_alice_trip_01", "conv_alice_recipes_01"]


# -- the command line ------------------------------------------------------------------------------------


def test_cli_serves_the_fixtures_directory() -> None:
    """`serve --fixtures fixtures/` loads every shipped fixture (7 conversations) before announcing its URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mka1_mock", "serve", "--port", "0",
         "--fixtures", str(REPO / "fixtures"), "--log-level", "warning"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().strip()
        assert first.startswith("mka1-mock listening on http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[1]
        state = requests.get(f"{url}/__mock__/state", timeout=10).json()
        assert {c["id"] for c in state["conversations"]} == SHIPPED_IDS
        assert len(state["conversations"]) == 7
        by_id = {c["id"]: c for c in state["conversations"]}
        assert len(by_id["conv_long_0001"]["items"]) == 250
        assert len(by_id["conv_support_0001"]["items"]) == 9
        assert by_id["conv_carol_deleted_01"]["deleted_at"] == 1735707600
        with SDK(bearer_auth=FIXTURE_KEY, server_url=url, retry_config=None) as sdk:
            assert listed(sdk, "user-alice") == ["conv_alice_trip_01", "conv_alice_recipes_01"]
        proc.terminate()
        stdout, stderr = proc.communicate(timeout=10)
        assert proc.returncode == 0, stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=10)


@pytest.mark.parametrize("kind", ["missing", "invalid"])
def test_cli_with_a_bad_fixture_exits_2(tmp_path: Path, kind: str) -> None:
    """A missing or invalid fixture file makes `serve` exit 2 with a message on stderr, never listening."""
    path = tmp_path / "broken.json"
    if kind == "invalid":
        path.write_text(json.dumps(document({"items": [{"type": "message", "role": "robot", "content": "x"}]})))
    result = subprocess.run(
        [sys.executable, "-m", "mka1_mock", "serve", "--port", "0", "--fixtures", str(path),
         "--log-level", "warning"],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 2, result.stderr
    assert "listening" not in result.stdout
    assert result.stderr.startswith("mka1-mock: ")
    assert str(path) in result.stderr
    if kind == "missing":
        assert "not found" in result.stderr
    else:
        assert "conversations[0].items[0].role" in result.stderr


def test_control_bodies_need_no_json_content_type(mka1_mock: Mka1Mock) -> None:
    """A bare ``curl -d`` (form content type) works on the control plane, unlike on /api/."""
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    scripted = requests.post(
        mka1_mock.url + "/__mock__/responder/replies", data='{"replies": ["scripted!"]}', headers=form, timeout=5
    )
    api = requests.post(
        mka1_mock.base_url + "/responses",
        data='{"model": "auto", "input": "hi"}',
        headers={**form, "Authorization": f"Bearer {mka1_mock.api_key}"},
        timeout=5,
    )
    assert scripted.status_code == 200
    assert scripted.json()["queue"] == ["text 'scripted!'"]
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "unsupported_content_type"
    assert mka1_mock.unconsumed_scripts() == ["queued reply: text 'scripted!'"]
    mka1_mock.clear_scripts()
