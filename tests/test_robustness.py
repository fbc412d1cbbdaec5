"""Regression tests from an independent review: client mistakes are 400s that change nothing."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from mka1_mock import Mka1Mock, Reply
from mka1_mock._core.errors import InvalidRequest
from tests.conftest import Api, assert_error

BAD_SCHEMAS = [
    {"type": "integer", "minimum": 5, "maximum": 1},
    {"type": "number", "multipleOf": 0},
    {"type": "object", "required": [{"a": 1}]},
    {"type": "string", "minLength": "3"},
    {"type": "array", "minItems": 2_000_000},
]


@pytest.mark.parametrize("schema", BAD_SCHEMAS, ids=lambda s: str(s)[:40])
def test_unusable_schemas_are_a_400_and_store_nothing(mka1_mock: Mka1Mock, api: Api, schema: Any) -> None:
    """A json_schema format or function parameters the default model cannot satisfy is a 400."""
    conv = mka1_mock.add_conversation()
    as_format = api.post("/responses", json={
        "model": "m", "input": "hi", "conversation": conv.id,
        "text": {"format": {"type": "json_schema", "name": "n", "schema": schema}},
    })  # fmt: skip
    as_tool = api.post("/responses", json={
        "model": "m", "input": "hi", "conversation": conv.id, "tool_choice": "required",
        "tools": [{"type": "function", "name": "f", "parameters": schema}],
    })  # fmt: skip
    assert_error(as_format, 400, param="text.format.schema", code="invalid_json_schema")
    assert_error(as_tool, 400, param="tools[0].parameters", code="invalid_json_schema")
    assert mka1_mock.conversation(conv.id).items == []
    assert api.get("/responses").json()["data"] == []


@pytest.mark.parametrize("raw", ["abc", "²", "-1"])
def test_bad_starting_after_is_a_400_before_anything_moves(mka1_mock: Mka1Mock, api: Api, raw: str) -> None:
    """A rejected streaming GET neither counts as a retrieval nor finishes a background response."""
    conv = mka1_mock.add_conversation()
    created = api.post(
        "/responses", json={"model": "m", "input": "hi", "conversation": conv.id, "background": True}
    ).json()
    reply = api.get(f"/responses/{created['id']}", params={"stream": "true", "starting_after": raw})
    assert_error(reply, 400, param="starting_after", code="invalid_type")
    assert mka1_mock.conversation(conv.id).items == []
    assert api.get(f"/responses/{created['id']}").json()["status"] == "in_progress"  # first real retrieval


def test_replies_cannot_output_item_references(mka1_mock: Mka1Mock) -> None:
    """An item_reference is not model output: scripting one is rejected up front."""
    with pytest.raises(InvalidRequest) as caught:
        Reply.items({"type": "item_reference", "id": "msg_x"})
    assert caught.value.param == "items[0].type"
    assert mka1_mock.unconsumed_scripts() == []


def test_bare_string_parts_in_scripted_messages_become_output_text(mka1_mock: Mka1Mock, api: Api) -> None:
    """A scripted assistant message with bare string parts renders as output_text parts."""
    mka1_mock.queue_reply(Reply.items({"type": "message", "role": "assistant", "content": ["Hel", "lo"]}))
    body = api.post("/responses", json={"model": "m", "input": "hi"}).json()
    assert body["output_text"] == "Hello"
    assert [p["type"] for p in body["output"][0]["content"]] == ["output_text", "output_text"]


def test_a_pinned_output_id_used_twice_gets_a_fresh_id(mka1_mock: Mka1Mock, api: Api) -> None:
    """A rule answering twice with a pinned item id appends both items (the second renamed)."""
    conv = mka1_mock.add_conversation()
    pinned = {"type": "reasoning", "id": "rs_fixed", "summary": [{"type": "summary_text", "text": "t"}]}
    mka1_mock.when(text="go", times=2).reply(Reply.items(pinned))
    first = api.post("/responses", json={"model": "m", "input": "go", "conversation": conv.id}).json()
    second = api.post("/responses", json={"model": "m", "input": "go", "conversation": conv.id}).json()
    reasoning = [i.id for i in mka1_mock.conversation(conv.id).items if i.type == "reasoning"]
    assert first["output"][0]["id"] == "rs_fixed"
    assert second["output"][0]["id"] != "rs_fixed"
    assert reasoning == ["rs_fixed", second["output"][0]["id"]]


def test_fixture_item_origin_fields_are_validated(mka1_mock: Mka1Mock) -> None:
    """A fixture item's response_id must be a string and its metadata a metadata map; else nothing loads."""
    bad_id = {"conversations": [{"items": [{"role": "user", "content": "x", "response_id": 5}]}]}
    bad_meta = {"conversations": [{"items": [{"role": "user", "content": "x", "metadata": {"a": 1}}]}]}
    with pytest.raises(InvalidRequest) as first:
        mka1_mock.load(bad_id)
    with pytest.raises(InvalidRequest) as second:
        mka1_mock.load(bad_meta)
    assert first.value.param == "conversations[0].items[0].response_id"
    assert second.value.param == "conversations[0].items[0].metadata"
    assert mka1_mock.state().conversations == []


def test_replace_state_keeps_the_background_policy(mka1_mock: Mka1Mock, api: Api) -> None:
    """Replacing the conversations leaves the test's background mode alone (reset() restores it)."""
    mka1_mock.background_responses("manual")
    mka1_mock.replace_state(mka1_mock.export())
    created = api.post("/responses", json={"model": "m", "input": "x", "background": True}).json()
    assert api.get(f"/responses/{created['id']}").json()["status"] == "queued"
    mka1_mock.reset()
    assert mka1_mock.store.responses.background.mode == "retrievals"


def test_an_export_after_turning_the_clock_back_loads_again(mka1_mock: Mka1Mock) -> None:
    """updated_at never precedes created_at, so an export made after freeze_time(earlier) reloads."""
    mka1_mock.freeze_time(1000)
    conv = mka1_mock.add_conversation()
    mka1_mock.freeze_time(500)
    mka1_mock.add_items(conv.id, [{"role": "user", "content": "late"}])
    before = mka1_mock.state()
    mka1_mock.replace_state(mka1_mock.export())
    assert mka1_mock.state() == before
    assert before.conversation(conv.id).updated_at == 1000


def test_the_journal_numbers_requests_from_one_after_a_reset(mka1_mock: Mka1Mock, api: Api) -> None:
    """seq restarts with the journal, so recorded sequence numbers don't depend on earlier tests."""
    api.get("/conversations")
    mka1_mock.reset()
    api.get("/conversations")
    assert [entry.seq for entry in mka1_mock.requests] == [1]


def test_an_unclosed_in_process_client_does_not_block_exit() -> None:
    """A script that never closes its in-process SDK still exits (the loop thread is a daemon)."""
    script = (
        "from mka1_mock import Mka1Mock, create_app\n"
        "sdk = Mka1Mock(create_app()).sdk(in_process=True)\n"
        "print(sdk.llm.conversations.create().object)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "conversation")
