"""The in-process handle (``Mka1Mock``): seed, inspect, load fixtures, pin time and ids, read the journal.

Everything the handle seeds is checked through the official SDK (``meetkai_mka1``), the way a user's
code would see it; everything the SDK does is checked through the handle's typed views.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import socket
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from meetkai_mka1 import SDK, errors, models

import mka1_mock as mka1_mock_package
from mka1_mock import (
    Conversation,
    ConversationState,
    Mka1Mock,
    MockConfig,
    MockServerError,
    MockState,
    StoredItem,
    create_app,
)
from mka1_mock._core.errors import ConversationNotFound, InvalidRequest
from tests.conftest import API_KEY

REPO = Path(__file__).resolve().parents[1]
FIXTURE_KEY = "mk-test"  # the key that owns the shipped fixtures' conversations
T0 = 1_704_067_200
ITEMS_PATH = "/api/v1/llm/conversations/*/items"


# -- helpers -------------------------------------------------------------------------------------------


def user_id_for(key: str) -> str:
    """The account id the mock derives from an API key (``user_`` + 16 hex of its SHA-256)."""
    return "user_" + hashlib.sha256(key.encode()).hexdigest()[:16]


def identity_for(key: str, on_behalf_of: str | None = None) -> str:
    """The ``identity`` the API reports for a (key, X-On-Behalf-Of) scope, in hash mode."""
    raw = f"{user_id_for(key)}:{on_behalf_of}" if on_behalf_of else user_id_for(key)
    return hashlib.sha256(raw.encode()).hexdigest()


def message(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text, **extra}


def function_call(call_id: str, **extra: Any) -> dict[str, Any]:
    return {"type": "function_call", "call_id": call_id, "name": "lookup", "arguments": "{}", **extra}


def function_output(call_id: str, output: str, **extra: Any) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output, **extra}


def seq_id(prefix: str, n: int) -> str:
    return f"{prefix}_{n:032x}"


def expect_not_found(call: Callable[[], Any]) -> None:
    """``call`` fails with the API's 404 ``conversation_not_found`` envelope."""
    with pytest.raises(errors.SDKDefaultError) as caught:
        call()
    assert caught.value.status_code == 404, caught.value.body
    assert json.loads(caught.value.body)["error"]["code"] == "conversation_not_found"


def listed(sdk: SDK, on_behalf_of: str | None = None, order: str = "asc") -> list[str]:
    page = sdk.llm.conversations.list(limit=50, order=order, x_on_behalf_of=on_behalf_of)  # type: ignore[arg-type]
    assert page.has_more is False
    return [c.id for c in page.data]


def item_dumps(sdk: SDK, conversation_id: str, on_behalf_of: str | None = None) -> list[dict[str, Any]]:
    page = sdk.llm.conversations.list_items(
        conversation_id=conversation_id, limit=100, x_on_behalf_of=on_behalf_of
    )
    assert page.has_more is False
    return [item.model_dump(by_alias=True) for item in page.data]


def sdk_view(mock: Mka1Mock, scopes: list[tuple[str, str | None]]) -> dict[Any, Any]:
    """What each (key, X-On-Behalf-Of) scope sees through the SDK: both list orders, every item."""
    view: dict[Any, Any] = {}
    for key, on_behalf_of in scopes:
        sdk = mock.sdk(api_key=key)
        asc = listed(sdk, on_behalf_of)
        view[key, on_behalf_of] = {
            "asc": asc,
            "desc": listed(sdk, on_behalf_of, order="desc"),
            "conversations": [
                sdk.llm.conversations.get(conversation_id=cid, x_on_behalf_of=on_behalf_of).model_dump()
                for cid in asc
            ],
            "items": {cid: item_dumps(sdk, cid, on_behalf_of) for cid in asc},
        }
    return view


def write_fixture(path: Path, conversations: list[dict[str, Any]], **top: Any) -> Path:
    document = {"format": "mka1-mock/fixture", "version": 1, "conversations": conversations, **top}
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


# -- seeding ---------------------------------------------------------------------------------------------


def test_add_conversation_is_seen_exactly_by_its_owner_scope(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """A seeded conversation comes back typed, the SDK in its owner scope sees exactly it, other scopes get 404."""
    items = [message("hello", id="msg_seed_1"), function_call("call_1"), function_output("call_1", "42")]
    created = mka1_mock.add_conversation(
        metadata={"topic": "billing"}, items=items, on_behalf_of="user-1", id="conv_seeded_1", created_at=T0
    )

    assert isinstance(created, Conversation)
    assert created.model_dump() == {
        "id": "conv_seeded_1",
        "object": "conversation",
        "created_at": T0,
        "deleted_at": None,
        "metadata": {"topic": "billing"},
        "identity": identity_for(API_KEY, "user-1"),
    }
    conv = mka1_sdk.llm.conversations
    fetched = conv.get(conversation_id="conv_seeded_1", x_on_behalf_of="user-1")
    assert isinstance(fetched, models.ConversationObject)
    assert fetched.model_dump() == created.model_dump()
    assert listed(mka1_sdk, "user-1") == ["conv_seeded_1"]
    got = item_dumps(mka1_sdk, "conv_seeded_1", "user-1")
    assert [item["type"] for item in got] == ["message", "function_call", "function_call_output"]
    assert got[0] == {**items[0], "status": "completed", "response_id": None}
    assert got[1]["id"].startswith("fc_") and got[2]["id"].startswith("fco_")
    assert got[2]["output"] == "42"

    other_key = mka1_mock.sdk(api_key="mk-other-key")
    scopes = [(mka1_sdk, None), (mka1_sdk, "user-2"), (other_key, "user-1"), (other_key, None)]
    for sdk, on_behalf_of in scopes:
        conversations = sdk.llm.conversations
        expect_not_found(partial(conversations.get, conversation_id="conv_seeded_1", x_on_behalf_of=on_behalf_of))
        expect_not_found(
            partial(conversations.list_items, conversation_id="conv_seeded_1", x_on_behalf_of=on_behalf_of)
        )
        assert listed(sdk, on_behalf_of) == []


def test_add_conversation_with_deleted_at_seeds_a_soft_deleted_conversation(
    mka1_mock: Mka1Mock, mka1_sdk: SDK
) -> None:
    """A conversation seeded with deleted_at is a 404 through the SDK but kept, with its items, in state()."""
    created = mka1_mock.add_conversation(
        id="conv_gone", items=[message("bye", id="msg_bye")], created_at=T0, deleted_at=T0 + 60
    )

    assert created.deleted_at == T0 + 60
    expect_not_found(lambda: mka1_sdk.llm.conversations.get(conversation_id="conv_gone"))
    expect_not_found(lambda: mka1_sdk.llm.conversations.list_items(conversation_id="conv_gone"))
    assert listed(mka1_sdk) == []
    stored = mka1_mock.state().conversation("conv_gone")
    assert stored.deleted is True
    assert stored.deleted_at == T0 + 60
    assert stored.created_at == T0
    assert [(item.id, item.content) for item in stored.items] == [("msg_bye", "bye")]  # type: ignore[attr-defined]


def test_add_items_appends_and_returns_stored_items(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """add_items appends after the existing items and returns them as StoredItem models with ids."""
    conversation = mka1_mock.add_conversation(items=[message("first", id="msg_first")])

    added = mka1_mock.add_items(conversation.id, [message("second"), function_call("call_9", id="fc_pinned")])

    assert all(isinstance(item, StoredItem) for item in added)
    assert added[0].id.startswith("msg_") and added[0].id != "msg_first"
    assert added[0].model_dump() == {
        "id": added[0].id, "type": "message", "role": "user", "content": "second",
        "status": "completed", "response_id": None,
    }
    assert added[1].id == "fc_pinned"
    assert added[1].call_id == "call_9"  # type: ignore[attr-defined]
    got = item_dumps(mka1_sdk, conversation.id)
    assert [item["id"] for item in got] == ["msg_first", added[0].id, "fc_pinned"]
    assert got[1:] == [item.model_dump() for item in added]
    assert [item.id for item in mka1_mock.conversation(conversation.id).items] == [
        "msg_first", added[0].id, "fc_pinned"
    ]


@pytest.mark.parametrize(
    ("items", "param"),
    [
        ([message("ok"), {"type": "message", "role": "robot", "content": "x"}], "items[1].role"),
        ([{"type": "function_call", "name": "f", "arguments": "{}"}], "items[0].call_id"),
        ([{"type": "no_such_type"}], "items[0].type"),
        ([message("a", id="msg_dup"), message("b", id="msg_dup")], "items[1].id"),
        ([message("fresh"), message("again", id="msg_only")], "items[1].id"),  # clashes with a stored item
    ],
    ids=["bad-role", "missing-call-id", "unknown-type", "duplicate-in-batch", "duplicate-of-stored"],
)
def test_add_items_rejects_invalid_items_and_changes_nothing(
    mka1_mock: Mka1Mock, mka1_sdk: SDK, items: list[dict[str, Any]], param: str
) -> None:
    """An invalid item raises InvalidRequest naming its param, and no item of the batch is stored."""
    conversation = mka1_mock.add_conversation(items=[message("only", id="msg_only")])
    before = mka1_mock.state()

    with pytest.raises(InvalidRequest) as caught:
        mka1_mock.add_items(conversation.id, items)

    assert caught.value.param == param
    assert caught.value.status == 400
    assert mka1_mock.state() == before
    assert [item["id"] for item in item_dumps(mka1_sdk, conversation.id)] == ["msg_only"]


def test_add_items_to_another_scope_or_a_missing_conversation_is_not_found(mka1_mock: Mka1Mock) -> None:
    """add_items only reaches conversations of its (key, on_behalf_of) scope."""
    conversation = mka1_mock.add_conversation(on_behalf_of="user-1", items=[message("mine")])
    before = mka1_mock.state()

    with pytest.raises(ConversationNotFound):
        mka1_mock.add_items(conversation.id, [message("intruder")])  # no on_behalf_of: another scope
    with pytest.raises(ConversationNotFound):
        mka1_mock.add_items("conv_missing", [message("nowhere")])

    assert mka1_mock.state() == before


# -- inspection ------------------------------------------------------------------------------------------


def test_state_and_conversation_show_everything_including_soft_deleted(
    mka1_mock: Mka1Mock, mka1_sdk: SDK
) -> None:
    """state()/conversation() are typed, keep an SDK-deleted conversation with its items, name the owner."""
    mka1_mock.freeze_time(T0)
    conv = mka1_sdk.llm.conversations
    kept = conv.create(metadata={"n": "1"}, items=[message("a"), message("b")], x_on_behalf_of="user-1")
    gone = conv.create(
        items=[message("c"), function_call("call_1"), function_output("call_1", "done")], x_on_behalf_of="user-1"
    )
    gone_items = item_dumps(mka1_sdk, gone.id, "user-1")
    mka1_mock.advance_time(5)
    conv.delete(conversation_id=gone.id, x_on_behalf_of="user-1")

    state = mka1_mock.state()
    assert isinstance(state, MockState)
    assert [c.id for c in state.conversations] == [kept.id, gone.id]
    record = mka1_mock.conversation(gone.id)
    assert isinstance(record, ConversationState)
    assert record == state.conversation(gone.id)
    assert record.deleted is True
    assert record.deleted_at == T0 + 5
    assert record.created_at == T0
    assert [item.model_dump() for item in record.items] == gone_items
    assert [item.type for item in record.items] == ["message", "function_call", "function_call_output"]
    assert record.item(gone_items[1]["id"]).call_id == "call_1"  # type: ignore[attr-defined]
    assert record.owner.user_id == user_id_for(API_KEY)
    assert record.owner.on_behalf_of == "user-1"
    assert record.owner.identity == gone.identity == identity_for(API_KEY, "user-1")

    live = mka1_mock.conversation(kept.id)
    assert live.deleted is False and live.deleted_at is None
    assert live.metadata == {"n": "1"}
    assert [item.content for item in live.items] == ["a", "b"]  # type: ignore[attr-defined]
    with pytest.raises(KeyError):
        mka1_mock.conversation("conv_missing")
    expect_not_found(lambda: conv.get(conversation_id=gone.id, x_on_behalf_of="user-1"))


def test_export_then_replace_state_reproduces_identical_state(mka1_mock: Mka1Mock) -> None:
    """export() -> replace_state() gives back the same state() and the same SDK views, list order included."""
    mka1_mock.load("multi_user_account.json", "support_thread.json")
    own = mka1_mock.sdk()
    created = own.llm.conversations.create(metadata={"made": "sdk"}, items=[message("x"), message("y")])
    mka1_mock.advance_time(3)
    own.llm.conversations.update(conversation_id=created.id, metadata={"made": "sdk", "touched": "yes"})
    fixture_sdk = mka1_mock.sdk(api_key=FIXTURE_KEY)
    fixture_sdk.llm.conversations.update(conversation_id="conv_alice_trip_01", metadata={}, x_on_behalf_of="user-alice")
    scopes = [
        (API_KEY, None), (FIXTURE_KEY, None), (FIXTURE_KEY, "user-alice"), (FIXTURE_KEY, "user-bob"),
        (FIXTURE_KEY, "user-carol"), (FIXTURE_KEY, "customer-8841"),
    ]
    before = mka1_mock.state()
    view_before = sdk_view(mka1_mock, scopes)
    assert view_before[FIXTURE_KEY, "user-alice"]["asc"] == ["conv_alice_recipes_01", "conv_alice_trip_01"]

    document = mka1_mock.export()
    mka1_mock.reset()
    mka1_mock.add_conversation(id="conv_noise", items=[message("replaced away")])
    loaded = mka1_mock.replace_state(json.loads(json.dumps(document)))

    assert [c.id for c in loaded] == [c.id for c in before.conversations]
    assert mka1_mock.state() == before
    assert mka1_mock.export() == document
    assert sdk_view(mka1_mock, scopes) == view_before
    assert mka1_mock.conversation("conv_carol_deleted_01").deleted is True


@pytest.mark.parametrize(
    ("document", "param"),
    [
        ({"format": "something-else", "conversations": []}, "format"),
        ({"version": 2, "conversations": []}, "version"),
        ({"conversations": [{"id": "conv_a"}, {"id": "conv_a"}]}, "conversations"),
        ({"conversations": [{"id": "conv_a"}, {"items": [{"type": "message", "role": "user"}]}]},
         "conversations[1].items[0].content"),
        ({"conversations": [{"owner": {"api_key": "k", "user_id": "u"}}]}, "conversations[0].owner"),
        ({"conversations": [{"metadata": {"n": 1}}]}, "conversations[0].metadata.n"),
    ],
    ids=["format", "version", "duplicate-id", "bad-item", "two-owners", "metadata-type"],
)
def test_replace_state_with_an_invalid_document_changes_nothing(
    mka1_mock: Mka1Mock, mka1_sdk: SDK, document: dict[str, Any], param: str
) -> None:
    """replace_state with an invalid document raises InvalidRequest and leaves the previous state untouched."""
    mka1_mock.add_conversation(id="conv_before", items=[message("still here")])
    before = mka1_mock.state()

    with pytest.raises(InvalidRequest) as caught:
        mka1_mock.replace_state(document)

    assert caught.value.param == param
    assert mka1_mock.state() == before
    assert listed(mka1_sdk) == ["conv_before"]


# -- fixture files ---------------------------------------------------------------------------------------


def test_fixture_dir_is_the_repo_fixtures_directory(mka1_mock_fixture_dir: Path, mka1_mock: Mka1Mock) -> None:
    """For tests under tests/, the plugin looks fixture names up in <repo>/fixtures."""
    assert mka1_mock_fixture_dir == REPO / "fixtures"
    assert mka1_mock.fixture_dir == REPO / "fixtures"
    assert (mka1_mock_fixture_dir / "support_thread.json").is_file()


def test_support_thread_fixture(mka1_mock: Mka1Mock) -> None:
    """support_thread.json: 9 items in order, function calls paired with outputs by call_id, response ids kept."""
    source = json.loads((REPO / "fixtures" / "support_thread.json").read_text(encoding="utf-8"))
    expected_items = source["conversations"][0]["items"]

    loaded = mka1_mock.load("support_thread.json")

    assert [c.id for c in loaded] == ["conv_support_0001"]
    sdk = mka1_mock.sdk(api_key=FIXTURE_KEY)
    conversation = sdk.llm.conversations.get(conversation_id="conv_support_0001", x_on_behalf_of="customer-8841")
    assert conversation.created_at == 1735725600
    assert conversation.metadata == {"channel": "web-chat", "ticket": "SUP-4821", "locale": "en-US"}
    assert conversation.identity == identity_for(FIXTURE_KEY, "customer-8841")
    items = item_dumps(sdk, "conv_support_0001", "customer-8841")
    assert len(items) == 9
    assert [i["type"] for i in items] == [
        "message", "reasoning", "function_call", "function_call_output",
        "message", "message", "function_call", "function_call_output", "message",
    ]
    assert items == expected_items  # every field as written, incl. response_id and response metadata
    calls = {i["call_id"]: n for n, i in enumerate(items) if i["type"] == "function_call"}
    outputs = {i["call_id"]: n for n, i in enumerate(items) if i["type"] == "function_call_output"}
    assert set(calls) == set(outputs) == {"call_lookup_order_1", "call_issue_refund_1"}
    assert all(calls[call_id] < outputs[call_id] for call_id in calls)
    assert items[calls["call_lookup_order_1"]]["response_id"] == "resp_9b1d2c3e4f5a6b7c8d9e0f1a2b3c4d5e"
    assert items[outputs["call_lookup_order_1"]]["response_id"] is None
    assert mka1_mock.conversation("conv_support_0001").updated_at == 1735725642
    assert listed(sdk) == []  # the account itself (no X-On-Behalf-Of) is another scope
    assert listed(mka1_mock.sdk(), "customer-8841") == []  # and so is another key


def test_multi_user_account_fixture(mka1_mock: Mka1Mock) -> None:
    """multi_user_account.json: each X-On-Behalf-Of sees only its own conversations; carol's deleted one is 404."""
    mka1_mock.load("multi_user_account.json")
    sdk = mka1_mock.sdk(api_key=FIXTURE_KEY)
    conv = sdk.llm.conversations

    assert listed(sdk) == ["conv_acct_self_01"]
    assert listed(sdk, "user-alice") == ["conv_alice_trip_01", "conv_alice_recipes_01"]
    assert listed(sdk, "user-alice", order="desc") == ["conv_alice_recipes_01", "conv_alice_trip_01"]
    assert listed(sdk, "user-bob") == ["conv_bob_support_01"]
    assert listed(sdk, "user-carol") == []
    expect_not_found(lambda: conv.get(conversation_id="conv_carol_deleted_01", x_on_behalf_of="user-carol"))
    expect_not_found(lambda: conv.get(conversation_id="conv_bob_support_01", x_on_behalf_of="user-alice"))
    expect_not_found(lambda: conv.get(conversation_id="conv_alice_trip_01"))
    trip = item_dumps(sdk, "conv_alice_trip_01", "user-alice")
    assert [i["role"] for i in trip] == ["user", "assistant"]
    assert trip[1]["id"] == "msg_alice_reply_01"
    assert trip[1]["response_id"] == "resp_alice_000000000000000000000001"
    bob = item_dumps(sdk, "conv_bob_support_01", "user-bob")
    assert [i["type"] for i in bob] == ["message", "function_call", "function_call_output"]
    assert bob[1]["call_id"] == bob[2]["call_id"] == "call_bob_invoices"
    carol = mka1_mock.conversation("conv_carol_deleted_01")
    assert carol.deleted and carol.deleted_at == 1735707600
    assert carol.owner.on_behalf_of == "user-carol"
    assert [item.content for item in carol.items] == ["Forget everything about my trip."]  # type: ignore[attr-defined]
    assert listed(mka1_mock.sdk(), "user-alice") == []  # the handle's own key is another account


def test_long_conversation_fixture_paginates(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """long_conversation.json: all 250 items page through the SDK 100 at a time, asc and desc, in id order."""
    mka1_mock.load("long_conversation.json")  # no owner: the handle's default key owns it
    expected = [f"msg_long_{n:04d}" for n in range(1, 251)]
    conv = mka1_sdk.llm.conversations

    for order, want in (("asc", expected), ("desc", expected[::-1])):
        seen: list[str] = []
        sizes: list[int] = []
        after = None
        while True:
            page = conv.list_items(conversation_id="conv_long_0001", limit=100, order=order, after=after)  # type: ignore[arg-type]
            ids = [item.id for item in page.data]
            assert page.last_id == ids[-1]
            seen += ids
            sizes.append(len(ids))
            if not page.has_more:
                break
            after = page.last_id
        assert sizes == [100, 100, 50], order
        assert seen == want, order
    first = conv.list_items(conversation_id="conv_long_0001", limit=2).data
    assert [i.role for i in first] == ["user", "assistant"]  # type: ignore[union-attr]
    assert first[1].response_id == "resp_long_0001"


@pytest.mark.mka1_fixture("support_thread.json")
def test_marker_loads_the_fixture_before_the_test(mka1_mock: Mka1Mock) -> None:
    """@pytest.mark.mka1_fixture loads the named file before the test body runs."""
    assert [c.id for c in mka1_mock.state().conversations] == ["conv_support_0001"]
    sdk = mka1_mock.sdk(api_key=FIXTURE_KEY)
    assert listed(sdk, "customer-8841") == ["conv_support_0001"]
    assert len(item_dumps(sdk, "conv_support_0001", "customer-8841")) == 9


def test_loading_a_fixture_whose_pinned_id_exists_loads_nothing_from_it(mka1_mock: Mka1Mock) -> None:
    """A pinned id that already exists fails the whole file: none of its conversations are loaded."""
    mka1_mock.add_conversation(id="conv_bob_support_01", metadata={"mine": "yes"})
    before = mka1_mock.state()

    with pytest.raises(InvalidRequest) as caught:
        mka1_mock.load("multi_user_account.json")

    assert caught.value.code == "duplicate_id"
    assert "conv_bob_support_01" in caught.value.message
    assert mka1_mock.state() == before
    assert listed(mka1_mock.sdk(api_key=FIXTURE_KEY), "user-alice") == []

    with pytest.raises(InvalidRequest):  # the second copy clashes with the first: only the first stays
        mka1_mock.load("support_thread.json", "support_thread.json")
    assert sorted(c.id for c in mka1_mock.state().conversations) == ["conv_bob_support_01", "conv_support_0001"]
    assert len(mka1_mock.conversation("conv_support_0001").items) == 9


@pytest.mark.parametrize(
    ("conversation", "top", "param"),
    [
        ({"items": [message("ok"), {"type": "message", "role": "robot", "content": "x"}]}, {},
         "conversations[1].items[1].role"),
        ({"items": [], "colour": "blue"}, {}, "conversations[1].colour"),
        ({"items": []}, {"version": 2}, "version"),
        ({"items": []}, {"extra_top": True}, "extra_top"),
        ({"owner": {"api_key": "mk-test", "tenant": "x"}}, {}, "conversations[1].owner.tenant"),
    ],
    ids=["bad-item", "unknown-key", "wrong-version", "unknown-top-key", "unknown-owner-key"],
)
def test_an_invalid_fixture_names_the_location_and_loads_nothing(
    mka1_mock: Mka1Mock, tmp_path: Path, conversation: dict[str, Any], top: dict[str, Any], param: str
) -> None:
    """An invalid fixture file raises InvalidRequest naming the file and the bad location; nothing is loaded."""
    path = write_fixture(tmp_path / "broken.json", [{"id": "conv_valid_first"}, conversation], **top)

    with pytest.raises(InvalidRequest) as caught:
        mka1_mock.load(path)

    assert caught.value.param == param
    assert param in caught.value.message
    assert str(path) in caught.value.message
    assert mka1_mock.state().conversations == []


def test_a_missing_or_malformed_fixture_file_is_an_invalid_request(mka1_mock: Mka1Mock, tmp_path: Path) -> None:
    """A missing file and a file that is not JSON raise InvalidRequest naming the file."""
    with pytest.raises(InvalidRequest) as missing:
        mka1_mock.load("no_such_fixture.json")
    assert missing.value.code == "fixture_not_found"
    assert str(REPO / "fixtures" / "no_such_fixture.json") in missing.value.message

    garbled = tmp_path / "garbled.json"
    garbled.write_text("{not json", encoding="utf-8")
    with pytest.raises(InvalidRequest) as malformed:
        mka1_mock.load(garbled)
    assert malformed.value.code == "invalid_json"
    assert str(garbled) in malformed.value.message
    assert mka1_mock.state().conversations == []


# -- the journal -----------------------------------------------------------------------------------------


def test_journal_assert_called_counts_and_lists_what_was_seen(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """assert_called passes on the right count and otherwise fails listing every request seen."""
    conv = mka1_sdk.llm.conversations
    created = conv.create(items=[message("hi")])
    conv.list_items(conversation_id=created.id)
    conv.create_items(conversation_id=created.id, items=[message("more")])

    found = mka1_mock.requests.assert_called("GET", ITEMS_PATH, times=1)
    assert [e.path for e in found] == [f"/api/v1/llm/conversations/{created.id}/items"]
    mka1_mock.requests.assert_called("POST", ITEMS_PATH)
    mka1_mock.requests.assert_not_called("DELETE", "/api/v1/llm/conversations/*")

    with pytest.raises(AssertionError) as caught:
        mka1_mock.requests.assert_called("GET", ITEMS_PATH, times=2)
    text = str(caught.value)
    assert f"expected GET {ITEMS_PATH} exactly 2 time(s)" in text
    assert "found 1" in text
    assert "POST /api/v1/llm/conversations -> 200" in text
    assert f"GET /api/v1/llm/conversations/{created.id}/items -> 200" in text
    assert f"POST /api/v1/llm/conversations/{created.id}/items -> 200" in text
    with pytest.raises(AssertionError, match="found 0"):
        mka1_mock.requests.assert_called("GET", "/api/v1/llm/conversations")
    with pytest.raises(AssertionError, match="found 1"):
        mka1_mock.requests.assert_not_called("POST", "/api/v1/llm/conversations")


def test_journal_filters_by_method_path_and_status(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """filter() selects by method (any case), path glob and status, oldest first."""
    conv = mka1_sdk.llm.conversations
    first = conv.create()
    second = conv.create()
    conv.get(conversation_id=first.id)
    expect_not_found(lambda: conv.get(conversation_id="conv_missing"))
    conv.delete(conversation_id=second.id)

    journal = mka1_mock.requests
    assert len(journal) == 5
    assert [e.method for e in journal] == ["POST", "POST", "GET", "GET", "DELETE"]
    assert [e.seq for e in journal] == sorted(e.seq for e in journal)
    assert [e.path for e in journal.filter("get")] == [
        f"/api/v1/llm/conversations/{first.id}", "/api/v1/llm/conversations/conv_missing"
    ]
    assert [e.method for e in journal.filter(path="/api/v1/llm/conversations/*")] == ["GET", "GET", "DELETE"]
    assert [e.path for e in journal.filter(status=404)] == ["/api/v1/llm/conversations/conv_missing"]
    assert [e.status for e in journal.filter("POST", "/api/v1/llm/conversations", status=200)] == [200, 200]
    assert journal.filter("GET", status=500) == []
    mka1_mock.requests.assert_called("GET", "/api/v1/llm/conversations/*", status=404, times=1)


def test_journal_masks_the_key_and_keeps_json_bodies(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """Recorded headers hide the Authorization key; request and response bodies are parsed JSON."""
    conv = mka1_sdk.llm.conversations
    created = conv.create(metadata={"case": "journal"}, items=[message("recorded")], x_on_behalf_of="user-j")
    expect_not_found(lambda: conv.get(conversation_id="conv_missing"))

    post, miss = list(mka1_mock.requests)
    for entry in (post, miss):
        assert entry.headers["authorization"].startswith("Bearer ")
        assert API_KEY not in json.dumps(entry.to_dict())
        assert API_KEY not in repr(entry)
    assert post.headers["x-on-behalf-of"] == "user-j"
    assert post.method == "POST" and post.path == "/api/v1/llm/conversations" and post.status == 200
    assert post.query == {}
    assert post.body == post.json
    assert post.body["metadata"] == {"case": "journal"}
    assert [(i["type"], i["content"]) for i in post.body["items"]] == [("message", "recorded")]
    assert post.response == {
        "id": created.id, "object": "conversation", "created_at": created.created_at, "deleted_at": None,
        "metadata": {"case": "journal"}, "identity": identity_for(API_KEY, "user-j"),
    }
    assert miss.body is None
    assert miss.status == 404
    assert miss.response["error"]["code"] == "conversation_not_found"
    assert miss.response["error"]["type"] == "invalid_request_error"

    conv.list(limit=3, order="desc", x_on_behalf_of="user-j")
    listing = mka1_mock.requests.assert_called("GET", "/api/v1/llm/conversations", times=1)[0]
    assert listing.query["limit"] == ["3"] and listing.query["order"] == ["desc"]
    assert listing.response["object"] == "list"
    assert [c["id"] for c in listing.response["data"]] == [created.id]


def test_journal_is_bounded_to_the_configured_size() -> None:
    """With journal_size=5, after 8 requests only the last 5 are kept (oldest first)."""
    mock = Mka1Mock(create_app(config=MockConfig(journal_size=5)))
    try:
        sdk = mock.sdk(in_process=True)
        created = [sdk.llm.conversations.create(metadata={"n": str(n)}) for n in range(8)]

        entries = list(mock.requests)
        assert mock.requests.maxlen == 5
        assert len(mock.requests) == len(entries) == 5
        assert [e.response["id"] for e in entries] == [c.id for c in created[3:]]
        assert [e.body["metadata"]["n"] for e in entries] == ["3", "4", "5", "6", "7"]
        assert [e.seq for e in entries] == [4, 5, 6, 7, 8]
        assert len(mock.state().conversations) == 8
    finally:
        mock.close()


# -- time and ids ----------------------------------------------------------------------------------------


def test_frozen_time_and_sequential_ids_pin_whole_responses(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """freeze_time, advance_time and seed_ids(sequential=True) make entire responses predictable."""
    assert mka1_mock.freeze_time(T0) == T0
    mka1_mock.seed_ids(sequential=True)
    conv = mka1_sdk.llm.conversations
    identity = identity_for(API_KEY)

    first = conv.create(metadata={"k": "v"}, items=[message("hi")])
    assert first.model_dump() == {
        "id": seq_id("conv", 1), "object": "conversation", "created_at": T0, "deleted_at": None,
        "metadata": {"k": "v"}, "identity": identity,
    }
    assert conv.list_items(conversation_id=first.id).model_dump() == {
        "object": "list",
        "data": [{"id": seq_id("msg", 1), "type": "message", "role": "user", "content": "hi",
                  "status": "completed", "response_id": None}],
        "has_more": False,
        "last_id": seq_id("msg", 1),
    }
    assert mka1_mock.advance_time(90) == T0 + 90
    second = conv.create()
    assert second.model_dump() == {
        "id": seq_id("conv", 2), "object": "conversation", "created_at": T0 + 90, "deleted_at": None,
        "metadata": {}, "identity": identity,
    }
    seeded = mka1_mock.add_conversation(metadata={"via": "handle"})
    assert seeded.model_dump() == {
        "id": seq_id("conv", 3), "object": "conversation", "created_at": T0 + 90, "deleted_at": None,
        "metadata": {"via": "handle"}, "identity": identity,
    }
    assert mka1_mock.conversation(first.id).updated_at == T0
    mka1_mock.unfreeze_time()
    assert abs(conv.create().created_at - mka1_mock.store.clock.now()) <= 1


def test_seeded_ids_repeat_after_a_reset(mka1_mock: Mka1Mock, mka1_sdk: SDK) -> None:
    """seed_ids(seed) replays the same id sequence; reset() returns to random ids."""
    mka1_mock.seed_ids(42)
    run1 = [mka1_sdk.llm.conversations.create().id for _ in range(3)]
    mka1_mock.reset()
    mka1_mock.seed_ids(42)
    run2 = [mka1_sdk.llm.conversations.create().id for _ in range(3)]
    assert run1 == run2
    assert len(set(run1)) == 3
    mka1_mock.reset()
    assert mka1_sdk.llm.conversations.create().id not in run1


def test_restarting_the_id_sequence_never_reuses_an_existing_id(mka1_mock: Mka1Mock) -> None:
    """Re-seeding the ids must not hand out an id that is in use: no conversation is overwritten or leaked."""
    mka1_mock.seed_ids(sequential=True)
    alice = mka1_mock.sdk(api_key="mk-alice-key")
    bob = mka1_mock.sdk(api_key="mk-bob-key")
    first = alice.llm.conversations.create(metadata={"owner": "alice"}, items=[message("alice's secret")])
    mka1_mock.seed_ids(sequential=True)  # the sequence restarts at conv_...01, which is taken

    second = bob.llm.conversations.create(metadata={"owner": "bob"}, items=[message("bob's secret")])

    assert second.id != first.id
    assert sorted(c.id for c in mka1_mock.state().conversations) == sorted([first.id, second.id])
    assert [c.metadata for c in alice.llm.conversations.list().data] == [{"owner": "alice"}]
    assert [i["content"] for i in item_dumps(alice, first.id)] == ["alice's secret"]


# -- in-process clients ----------------------------------------------------------------------------------


def test_in_process_sdk_works_sync_and_async_without_a_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """sdk(in_process=True) serves sync and *_async calls straight into the app; no socket is opened."""
    mock = Mka1Mock(create_app())
    with pytest.raises(RuntimeError, match="in-process"):
        mock.url  # noqa: B018
    with pytest.raises(RuntimeError):
        mock.base_url  # noqa: B018

    def no_connect(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the in-process SDK opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    monkeypatch.setattr(socket, "create_connection", no_connect)
    try:
        sdk = mock.sdk(in_process=True)
        conv = sdk.llm.conversations
        created = conv.create(metadata={"via": "sync"}, items=[message("sync")])

        async def run() -> tuple[Any, Any, Any]:
            fetched = await conv.get_async(conversation_id=created.id)
            await conv.create_items_async(conversation_id=created.id, items=[message("async")])
            page = await conv.list_items_async(conversation_id=created.id)
            other = await conv.create_async(metadata={"via": "async"})
            return fetched, page, other

        fetched, page, other = asyncio.run(run())

        assert fetched.model_dump() == created.model_dump()
        assert [item.content for item in page.data] == ["sync", "async"]  # type: ignore[union-attr]
        assert listed(sdk) == [created.id, other.id]
        assert created.identity == identity_for("mk-test")  # a bare app's default key
        assert [c.metadata for c in mock.state().conversations] == [{"via": "sync"}, {"via": "async"}]
        assert [(e.method, e.status) for e in mock.requests] == [
            ("POST", 200), ("GET", 200), ("POST", 200), ("GET", 200), ("POST", 200), ("GET", 200)
        ]
    finally:
        mock.close()


def test_a_crash_in_the_mock_surfaces_in_the_test(mka1_mock: Mka1Mock, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash answers 500 in-process and over the socket alike, and check() reports it with the traceback once."""
    mka1_mock.add_conversation(id="conv_crash")

    def broken_get_conversation(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("deliberate crash in get_conversation")

    monkeypatch.setattr(mka1_mock.store.section("conversations"), "get", broken_get_conversation)

    in_process = mka1_mock.sdk(in_process=True)
    with pytest.raises(errors.SDKDefaultError) as in_process_error:
        in_process.llm.conversations.get(conversation_id="conv_crash")
    assert in_process_error.value.status_code == 500
    with pytest.raises(MockServerError, match="deliberate crash in get_conversation"):
        mka1_mock.check()
    mka1_mock.check()  # cleared

    with pytest.raises(errors.SDKDefaultError) as caught:
        mka1_mock.sdk().llm.conversations.get(conversation_id="conv_crash")
    assert caught.value.status_code == 500
    error = json.loads(caught.value.body)["error"]
    assert error["type"] == "server_error"
    assert "RuntimeError: deliberate crash in get_conversation" in error["message"]
    assert "Traceback" not in caught.value.body  # the client gets no traceback

    with pytest.raises(MockServerError) as failure:
        mka1_mock.check()
    text = str(failure.value)
    assert isinstance(failure.value, AssertionError)
    assert "GET /api/v1/llm/conversations/conv_crash" in text
    assert "Traceback (most recent call last)" in text
    assert "broken_get_conversation" in text
    assert "RuntimeError: deliberate crash in get_conversation" in text
    mka1_mock.check()  # the failure list is cleared, so the plugin's own check passes too
    assert mka1_mock.control.state.failures == []
    assert [e.status for e in mka1_mock.requests.filter("GET", "/api/v1/llm/conversations/conv_crash")] == [500, 500]


# -- the public surface ----------------------------------------------------------------------------------


def test_public_names_exist_and_import() -> None:
    """Every name in mka1_mock.__all__ exists and `from mka1_mock import *` binds them all."""
    names = mka1_mock_package.__all__
    assert len(names) == len(set(names))
    namespace: dict[str, Any] = {}
    exec("from mka1_mock import *", namespace)  # noqa: S102
    for name in names:
        assert getattr(mka1_mock_package, name) is namespace[name], name
    for name in ("Mka1Mock", "MockServer", "MockServerError", "create_app", "MockConfig", "MockState", "StoredItem"):
        assert name in names
    assert issubclass(MockServerError, AssertionError)
    assert isinstance(mka1_mock_package.__version__, str) and mka1_mock_package.__version__
