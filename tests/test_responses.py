"""The Responses endpoints through the official SDK (socket and in-process) and raw HTTP.

Every reply is parsed by ``meetkai_mka1``'s own models; each test then checks what the reply means
and what it left behind, through the Conversations API, the responses list and the mock's handle.
The fake model is driven by its documented defaults, queued replies and rules; every script a test
adds is consumed (the plugin fails a test that leaves scripts behind).
"""

from __future__ import annotations

import asyncio
import json
import math
import re
from typing import Any

import pytest
from meetkai_mka1 import SDK, errors, models

from mka1_mock import Mka1Mock
from mka1_mock.fake_model.reply import Reply
from tests.conftest import Api

T0 = 1_704_067_200
MODEL = "auto"

REQUIRED_KEYS = {
    "id", "created_at", "completed_at", "status", "error", "incomplete_details", "background",
    "instructions", "max_output_tokens", "max_tool_calls", "metadata", "model", "output",
    "parallel_tool_calls", "previous_response_id", "store", "text", "tool_choice", "tools",
    "truncation", "usage", "user",
}  # fmt: skip

WEATHER_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "get_weather",
    "description": "The weather in a city.",
    "parameters": {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"},
        },
        "required": ["city", "unit", "days"],
        "additionalProperties": False,
    },
    "strict": True,
}
LOOKUP_TOOL: dict[str, Any] = {
    "type": "function",
    "name": "lookup",
    "parameters": {
        "type": "object",
        "properties": {"query": {"type": "string"}, "exact": {"type": "boolean"}},
        "required": ["query", "exact"],
    },
    "strict": False,
}


# -- helpers -------------------------------------------------------------------------------------------


def tokens(*texts: str) -> int:
    """The documented usage rule: ``ceil(len(text) / 4)`` per text."""
    return sum(math.ceil(len(text) / 4) for text in texts)


def user(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text, **extra}


def assistant(text: str, item_id: str) -> dict[str, Any]:
    return {
        "type": "message",
        "role": "assistant",
        "id": item_id,
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def items_of(mock: Mka1Mock, conversation_id: str) -> list[dict[str, Any]]:
    """The stored items of a conversation (as the handle sees them), oldest first."""
    return [item.model_dump() for item in mock.conversation(conversation_id).items]


def wire_response(api: Api, response_id: str) -> dict[str, Any]:
    """``GET /responses/{id}`` over raw HTTP (a 200 JSON answer)."""
    got = api.get(f"/responses/{response_id}")
    assert got.status_code == 200, got.text
    return got.json()  # type: ignore[no-any-return]


def listed_ids(api: Api) -> list[str]:
    """The ids ``GET /responses`` lists, oldest first."""
    got = api.get("/responses", params={"limit": 100, "order": "asc"})
    assert got.status_code == 200, got.text
    return [r["id"] for r in got.json()["data"]]


def last_body(mock: Mka1Mock) -> Any:
    """The JSON body of the last ``POST /responses`` the mock received."""
    posts = [r for r in mock.requests if r.method == "POST" and r.path.endswith("/responses")]
    return posts[-1].body


def sdk_error(exc: pytest.ExceptionInfo[errors.SDKDefaultError], status: int) -> dict[str, Any]:
    """The OpenAI-envelope ``error`` object of an ``SDKDefaultError`` with ``status``."""
    assert exc.value.status_code == status, exc.value.body
    error = json.loads(exc.value.body)["error"]
    assert error["type"] == "invalid_request_error"
    return error  # type: ignore[no-any-return]


def output_texts(item: dict[str, Any]) -> str:
    return "".join(p.get("text", "") for p in item.get("content", []) if p.get("type") == "output_text")


def class_names(events: list[Any]) -> list[str]:
    return [type(event.data).__name__ for event in events]


def event_types(events: list[Any]) -> list[str]:
    return [event.data.type for event in events]


def collapse(types: list[str]) -> list[str]:
    """Event types with runs of the same delta type collapsed to one entry."""
    out: list[str] = []
    for kind in types:
        if not (out and kind == out[-1] and kind.endswith(".delta")):
            out.append(kind)
    return out


def stream_events(stream: Any) -> list[Any]:
    with stream:
        return list(stream)


# -- 1. create with the bare minimum ---------------------------------------------------------------------


def test_minimal_create_returns_every_required_key_on_the_wire(api: Api, mka1_mock: Mka1Mock) -> None:
    """A create with only ``model`` and a string ``input`` answers 200 with a complete ResponseObject."""
    got = api.post("/responses", json={"model": MODEL, "input": "hello there"})
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/json")
    body = got.json()
    assert REQUIRED_KEYS <= set(body), REQUIRED_KEYS - set(body)
    assert re.fullmatch(r"resp_[0-9a-f]{32}", body["id"])
    assert body["object"] == "response"
    assert body["status"] == "completed"
    assert isinstance(body["created_at"], int)
    assert isinstance(body["completed_at"], int) and body["completed_at"] >= body["created_at"]
    assert body["error"] is None
    assert body["incomplete_details"] is None
    assert body["background"] is False
    assert body["instructions"] is None
    assert body["max_output_tokens"] is None
    assert body["max_tool_calls"] == 64
    assert body["metadata"] == {}
    assert body["model"] == MODEL
    assert body["parallel_tool_calls"] is True
    assert body["previous_response_id"] is None
    assert body["store"] is True
    assert body["text"]["format"] == {"type": "text"}
    assert body["tool_choice"] == "auto"
    assert body["tools"] == []
    assert body["truncation"] == "auto"
    assert body["user"] is None
    assert body.get("conversation") is None
    [message] = body["output"]
    assert re.fullmatch(r"msg_[0-9a-f]{32}", message["id"])
    assert message["type"] == "message" and message["role"] == "assistant"
    assert message["status"] == "completed"
    assert message["content"] == [{"type": "output_text", "text": "You said: hello there", "annotations": []}]
    assert body["output_text"] == "You said: hello there"
    usage = body["usage"]
    assert set(usage) == {
        "input_tokens", "input_tokens_details", "output_tokens", "output_tokens_details", "total_tokens"
    }  # fmt: skip
    assert usage["input_tokens"] == tokens("hello there")  # 11 chars -> 3
    assert usage["output_tokens"] == tokens("You said: hello there")  # 21 chars -> 6
    assert usage["total_tokens"] == usage["input_tokens"] + usage["output_tokens"]
    assert usage["input_tokens_details"]["cached_tokens"] == 0  # extra detail keys are harmless
    assert usage["output_tokens_details"]["reasoning_tokens"] == 0
    assert body["usage"]["total_tokens"] == 9
    # Stored: retrievable as it was returned, and listed.
    assert wire_response(api, body["id"]) == body
    assert listed_ids(api) == [body["id"]]


def test_minimal_create_parses_in_the_sdk_and_its_defaults_are_accepted(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The SDK parses the minimal response, and every default it always sends is accepted."""
    response = sdk.llm.responses.create(model=MODEL, input="hello there")
    assert isinstance(response, models.ResponseObject)
    assert response.status == "completed"
    assert response.object == "response"
    assert response.output_text == "You said: hello there"
    assert response.max_tool_calls == 64
    assert response.metadata == {}
    assert response.tools == []
    assert response.usage.input_tokens == 3
    assert response.usage.output_tokens == 6
    assert response.usage.total_tokens == 9
    sent = last_body(mka1_mock)
    assert sent == {
        "model": MODEL,
        "input": "hello there",
        "stream": False,
        "store": True,
        "background": False,
        "parallel_tool_calls": True,
        "max_tool_calls": 64,
        "truncation": "auto",
        "service_tier": "auto",
    }
    # ``conversation=None`` is sent as an explicit null, and is accepted as "no conversation".
    again = sdk.llm.responses.create(model=MODEL, input="once more", conversation=None)
    assert last_body(mka1_mock)["conversation"] is None
    assert again.conversation is None
    assert again.output_text == "You said: once more"
    assert [r.id for r in sdk.llm.responses.list().data] == [again.id, response.id]


# -- 2. conversation threading ---------------------------------------------------------------------------


def test_conversation_items_are_the_context_and_the_turn_is_appended(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A response in a conversation sees its items and appends its input then output items to it."""
    question = "What is the capital of France?"
    conversation = mka1_mock.add_conversation(items=[user(question), assistant("Paris.", "msg_seeded")])
    seeded = items_of(mka1_mock, conversation.id)

    # No input: the conversation alone is the context, so the default reply echoes its last user text.
    first = sdk.llm.responses.create(model=MODEL, conversation=conversation.id)
    assert first.output_text == f"You said: {question}"
    assert first.conversation is not None and first.conversation.id == conversation.id
    assert first.usage.input_tokens == tokens(question, "Paris.")
    assert sdk.llm.responses.list_input_items(response_id=first.id).data == []
    after_first = items_of(mka1_mock, conversation.id)
    assert after_first[:2] == seeded
    [out1] = after_first[2:]
    assert out1["id"] == first.output[0].id
    assert out1["role"] == "assistant" and output_texts(out1) == first.output_text
    assert out1["response_id"] == first.id
    assert out1["metadata"] is None

    # The object form, with input and metadata: the new user text is answered, the history is counted.
    second = sdk.llm.responses.create(
        model=MODEL, conversation={"id": conversation.id}, input="And of Italy?", metadata={"topic": "geo"}
    )
    assert last_body(mka1_mock)["conversation"] == {"id": conversation.id}
    assert second.output_text == "You said: And of Italy?"
    assert second.conversation is not None and second.conversation.id == conversation.id
    assert second.usage.input_tokens == tokens(question, "Paris.", first.output_text, "And of Italy?")
    after_second = items_of(mka1_mock, conversation.id)
    assert after_second[:3] == after_first
    added_input, added_output = after_second[3:]
    [input_item] = sdk.llm.responses.list_input_items(response_id=second.id).data
    assert added_input["id"] == input_item.id
    assert re.fullmatch(r"msg_[0-9a-f]{32}", added_input["id"])
    assert {k: added_input[k] for k in ("type", "role", "content")} == {
        "type": "message",
        "role": "user",
        "content": "And of Italy?",
    }
    assert added_output["id"] == second.output[0].id
    assert output_texts(added_output) == "You said: And of Italy?"
    for item in (added_input, added_output):
        assert item["response_id"] == second.id
        assert item["metadata"] == {"topic": "geo"}
    # The same items through the Conversations API.
    listed = sdk.llm.conversations.list_items(conversation_id=conversation.id, limit=100)
    assert [i.id for i in listed.data] == [i["id"] for i in after_second]
    assert listed.data[3].response_id == second.id
    assert listed.data[3].metadata == {"topic": "geo"}


def test_a_response_moves_its_conversation_to_the_newest_end(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Appending a turn bumps the conversation's last-updated time, so it goes last in an asc list."""
    older = mka1_mock.add_conversation(items=[user("first")])
    newer = mka1_mock.add_conversation(items=[user("second")])
    before = sdk.llm.conversations.list(order="asc")
    assert [c.id for c in before.data] == [older.id, newer.id]
    sdk.llm.responses.create(model=MODEL, conversation=older.id, input="bump")
    after = sdk.llm.conversations.list(order="asc")
    assert [c.id for c in after.data] == [newer.id, older.id]
    assert [c.id for c in sdk.llm.conversations.list(order="desc").data] == [older.id, newer.id]


def test_conversation_with_previous_response_id_is_rejected_and_appends_nothing(
    sdk: SDK, api: Api, mka1_mock: Mka1Mock
) -> None:
    """``conversation`` together with ``previous_response_id`` is a 400 naming ``conversation``."""
    conversation = mka1_mock.add_conversation(items=[user("hi")])
    previous = sdk.llm.responses.create(model=MODEL, input="earlier")
    state = mka1_mock.export()
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.create(model=MODEL, conversation=conversation.id, previous_response_id=previous.id, input="x")
    assert sdk_error(exc, 400)["param"] == "conversation"
    raw = api.post(
        "/responses",
        json={"model": MODEL, "conversation": conversation.id, "previous_response_id": previous.id},
    )
    assert raw.status_code == 400 and raw.json()["error"]["param"] == "conversation"
    assert mka1_mock.export() == state
    assert listed_ids(api) == [previous.id]


@pytest.mark.parametrize("case", ["unknown", "deleted", "other owner", "object form unknown"])
def test_unusable_conversation_is_a_404_and_changes_nothing(case: str, sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """An unknown, deleted or other-owner conversation is a 404, and nothing is created or appended."""
    if case == "deleted":
        target: Any = mka1_mock.add_conversation(items=[user("gone")]).id
        sdk.llm.conversations.delete(conversation_id=target)
    elif case == "other owner":
        target = mka1_mock.add_conversation(items=[user("theirs")], on_behalf_of="someone-else").id
    elif case == "unknown":
        target = "conv_does_not_exist"
    else:
        target = {"id": "conv_does_not_exist"}
    state = mka1_mock.export()
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.create(model=MODEL, conversation=target, input="hello")
    error = sdk_error(exc, 404)
    target_id = target["id"] if isinstance(target, dict) else target
    assert target_id in error["message"]
    assert mka1_mock.export() == state
    assert listed_ids(api) == []


def test_input_clashing_with_a_conversation_item_is_rejected_atomically(
    sdk: SDK, api: Api, mka1_mock: Mka1Mock
) -> None:
    """An input item reusing an id of the conversation is a 400; no response exists and nothing is appended."""
    conversation = mka1_mock.add_conversation(items=[user("hi", id="msg_taken")])
    state = mka1_mock.export()
    mka1_mock.queue_reply("kept for the next valid request")
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.create(
            model=MODEL,
            conversation=conversation.id,
            input=[user("fresh", id="msg_fresh"), user("clash", id="msg_taken")],
        )
    assert sdk_error(exc, 400)["param"] == "input[1].id"
    assert mka1_mock.export() == state
    assert listed_ids(api) == []
    # The rejected request did not use up the queued reply.
    assert len(mka1_mock.unconsumed_scripts()) == 1
    ok = sdk.llm.responses.create(model=MODEL, conversation=conversation.id, input=[user("fresh", id="msg_fresh")])
    assert ok.output_text == "kept for the next valid request"
    assert [i["id"] for i in items_of(mka1_mock, conversation.id)] == ["msg_taken", "msg_fresh", ok.output[0].id]


# -- 3. chaining with previous_response_id ---------------------------------------------------------------


def test_previous_response_chain_is_the_context(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """``previous_response_id`` gives the model the chain's inputs and outputs, not earlier instructions."""
    first = sdk.llm.responses.create(model=MODEL, input="My name is Ada.", instructions="Be terse.")
    assert first.usage.input_tokens == tokens("Be terse.", "My name is Ada.")
    # No new input: the last user text of the chain is answered; the instructions are not carried over.
    second = sdk.llm.responses.create(model=MODEL, previous_response_id=first.id)
    assert second.previous_response_id == first.id
    assert second.instructions is None
    assert second.output_text == "You said: My name is Ada."
    assert second.usage.input_tokens == tokens("My name is Ada.", first.output_text)
    # A rule that only fits when the chain reached the model: its last user text is the new input.
    mka1_mock.when(text=r"^What is my name\?$", times=1).reply("Your name is Ada.")
    third = sdk.llm.responses.create(model=MODEL, previous_response_id=second.id, input="What is my name?")
    assert third.output_text == "Your name is Ada."
    assert third.usage.input_tokens == tokens(
        "My name is Ada.", first.output_text, second.output_text, "What is my name?"
    )
    assert third.usage.input_tokens - second.usage.input_tokens == tokens(second.output_text, "What is my name?")
    # A branch from the first response does not see the second or the third.
    branch = sdk.llm.responses.create(model=MODEL, previous_response_id=first.id, input="Hi")
    assert branch.usage.input_tokens == tokens("My name is Ada.", first.output_text, "Hi")


def test_unknown_previous_response_id_is_a_400(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """An unknown ``previous_response_id`` is a 400 with code ``previous_response_not_found``."""
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.create(model=MODEL, previous_response_id="resp_nope", input="hello")
    error = sdk_error(exc, 400)
    assert error["param"] == "previous_response_id"
    assert error["code"] == "previous_response_not_found"
    assert "resp_nope" in error["message"]
    assert listed_ids(api) == []


def test_store_false_responses_are_not_kept(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """A ``store: false`` response is returned once: not retrievable, not listed, not chainable."""
    kept = sdk.llm.responses.create(model=MODEL, input="keep me")
    ephemeral = sdk.llm.responses.create(model=MODEL, input="forget me", store=False)
    assert ephemeral.store is False
    assert ephemeral.status == "completed"
    assert ephemeral.output_text == "You said: forget me"
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.get(response_id=ephemeral.id)
    assert sdk_error(exc, 404)["code"] == "response_not_found"
    assert [r.id for r in sdk.llm.responses.list().data] == [kept.id]
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.create(model=MODEL, previous_response_id=ephemeral.id, input="and then?")
    assert sdk_error(exc, 400)["code"] == "previous_response_not_found"
    assert listed_ids(api) == [kept.id]


def test_other_owners_and_deleted_responses_cannot_be_chained(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """A response of another X-On-Behalf-Of scope, or a deleted one, is not a valid previous response."""
    theirs = sdk.llm.responses.create(model=MODEL, input="private", x_on_behalf_of="someone-else")
    gone = sdk.llm.responses.create(model=MODEL, input="deleted soon")
    sdk.llm.responses.delete(response_id=gone.id)
    for previous in (theirs.id, gone.id):
        with pytest.raises(errors.SDKDefaultError) as exc:
            sdk.llm.responses.create(model=MODEL, previous_response_id=previous, input="continue")
        assert sdk_error(exc, 400)["code"] == "previous_response_not_found"
    assert listed_ids(api) == []
    # The owner scope can chain its own response.
    chained = sdk.llm.responses.create(model=MODEL, previous_response_id=theirs.id, x_on_behalf_of="someone-else")
    assert chained.output_text == "You said: private"


# -- 4. lifecycle -----------------------------------------------------------------------------------------


def test_retrieve_update_and_delete(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """Retrieve returns the created response, update replaces metadata, delete removes it for good."""
    created = sdk.llm.responses.create(model=MODEL, input="hello", metadata={"a": "1", "b": "2"})
    fetched = sdk.llm.responses.get(response_id=created.id)
    assert isinstance(fetched, models.ResponseObject)
    assert fetched == created
    updated = sdk.llm.responses.update(response_id=created.id, metadata={"c": "3"})
    assert updated.metadata == {"c": "3"}
    assert updated.output_text == created.output_text
    assert sdk.llm.responses.get(response_id=created.id).metadata == {"c": "3"}
    assert sdk.llm.responses.update(response_id=created.id, metadata={}).metadata == {}

    deleted = sdk.llm.responses.delete(response_id=created.id)
    assert deleted.id == created.id
    assert deleted.deleted is True
    assert deleted.object == "response"
    delete_entry = [r for r in mka1_mock.requests if r.method == "DELETE"][-1]
    assert delete_entry.response == {"id": created.id, "object": "response", "deleted": True}
    for call in (
        lambda: sdk.llm.responses.get(response_id=created.id),
        lambda: sdk.llm.responses.delete(response_id=created.id),
        lambda: sdk.llm.responses.update(response_id=created.id, metadata={"x": "y"}),
        lambda: sdk.llm.responses.list_input_items(response_id=created.id),
    ):
        with pytest.raises(errors.SDKDefaultError) as exc:
            call()
        assert sdk_error(exc, 404)["code"] == "response_not_found"
    assert listed_ids(api) == []


def test_list_orders_and_paginates(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The list defaults to newest first and pages with ``after``, ``before`` and ``limit``."""
    mka1_mock.freeze_time(T0)
    ids = []
    for n in range(5):
        ids.append(sdk.llm.responses.create(model=MODEL, input=f"number {n}").id)
        mka1_mock.advance_time(1)
    newest_first = ids[::-1]

    everything = sdk.llm.responses.list()
    assert [r.id for r in everything.data] == newest_first
    assert everything.has_more is False
    assert [r.output_text for r in everything.data] == [f"You said: number {n}" for n in (4, 3, 2, 1, 0)]

    pages = []
    after = None
    while True:
        page = sdk.llm.responses.list(limit=2, after=after)
        pages.append([r.id for r in page.data])
        assert page.last_id == page.data[-1].id
        if not page.has_more:
            break
        after = page.last_id
    assert pages == [newest_first[0:2], newest_first[2:4], newest_first[4:]]

    ascending = sdk.llm.responses.list(order="asc", limit=3)
    assert [r.id for r in ascending.data] == ids[:3]
    assert ascending.has_more is True
    assert [r.id for r in sdk.llm.responses.list(order="asc", after=ids[2]).data] == ids[3:]

    # ``before`` (newest first): the responses listed before the cursor, i.e. the newer ones.
    before = sdk.llm.responses.list(before=ids[2])
    assert [r.id for r in before.data] == [ids[4], ids[3]]
    nearest = sdk.llm.responses.list(before=ids[2], limit=1)
    assert [r.id for r in nearest.data] == [ids[3]]


def test_input_items_keep_ids_and_paginate(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """Input items keep client ids (generating the rest), default to newest first and paginate."""
    sent = [
        user("one", id="msg_client_one"),
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "two"}]},
        {"type": "function_call", "call_id": "call_9", "name": "lookup", "arguments": "{}", "id": "fc_client"},
        {"type": "function_call_output", "call_id": "call_9", "output": "found"},
        user("five"),
    ]
    response = sdk.llm.responses.create(model=MODEL, input=sent)
    # The last input item is a user message, so the default reply answers it.
    assert response.output_text == "You said: five"

    raw = api.get(f"/responses/{response.id}/input_items")
    assert raw.status_code == 200, raw.text
    body = raw.json()
    assert body["object"] == "list"
    stored = body["data"][::-1]  # default order: newest first
    assert [i["id"] for i in stored[:1]] == ["msg_client_one"]
    assert stored[2]["id"] == "fc_client"
    assert re.fullmatch(r"msg_[0-9a-f]{32}", stored[1]["id"])
    assert re.fullmatch(r"fco_[0-9a-f]{32}", stored[3]["id"])
    assert re.fullmatch(r"msg_[0-9a-f]{32}", stored[4]["id"])
    for got, given in zip(stored, sent, strict=True):
        assert {k: got[k] for k in given if k != "id"} == {k: v for k, v in given.items() if k != "id"}
    assert body["has_more"] is False
    assert body["last_id"] == stored[0]["id"]
    ids = [i["id"] for i in stored]

    listed = sdk.llm.responses.list_input_items(response_id=response.id)
    assert [i.id for i in listed.data] == ids[::-1]
    pages = []
    after = None
    while True:
        page = sdk.llm.responses.list_input_items(response_id=response.id, limit=2, after=after, order="asc")
        pages.append([i.id for i in page.data])
        if not page.has_more:
            break
        after = page.last_id
    assert pages == [ids[0:2], ids[2:4], ids[4:]]
    desc = sdk.llm.responses.list_input_items(response_id=response.id, limit=2, order="desc", after=ids[3])
    assert [i.id for i in desc.data] == [ids[2], ids[1]]
    assert desc.has_more is True


def test_string_input_is_one_user_message_item(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A string ``input`` is stored as one user message whose content is that string."""
    conversation = mka1_mock.add_conversation()
    response = sdk.llm.responses.create(model=MODEL, input="just text", conversation=conversation.id)
    [item] = sdk.llm.responses.list_input_items(response_id=response.id).data
    assert item.type == "message"
    assert item.role == "user"
    assert item.content == "just text"
    assert re.fullmatch(r"msg_[0-9a-f]{32}", item.id)
    stored = items_of(mka1_mock, conversation.id)
    assert stored[0]["id"] == item.id
    assert stored[0]["content"] == "just text"


# -- 5. background ------------------------------------------------------------------------------------------


def test_background_response_completes_on_the_second_retrieval(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A background response is queued, in progress on GET #1, completed on GET #2, then appended."""
    mka1_mock.freeze_time(T0)
    conversation = mka1_mock.add_conversation(items=[user("start")])
    seeded = items_of(mka1_mock, conversation.id)
    created = sdk.llm.responses.create(model=MODEL, input="work on it", conversation=conversation.id, background=True)
    assert created.status == "queued"
    assert created.created_at == T0
    assert created.background is True
    assert created.output == []
    assert created.completed_at is None
    assert items_of(mka1_mock, conversation.id) == seeded

    first = sdk.llm.responses.get(response_id=created.id)
    assert first.status == "in_progress"
    assert first.output == []
    assert items_of(mka1_mock, conversation.id) == seeded

    mka1_mock.advance_time(5)
    second = sdk.llm.responses.get(response_id=created.id)
    assert second.status == "completed"
    assert second.output_text == "You said: work on it"
    assert (second.created_at, second.completed_at) == (T0, T0 + 5)
    stored = items_of(mka1_mock, conversation.id)
    assert stored[:1] == seeded
    assert [i["response_id"] for i in stored[1:]] == [created.id, created.id]
    assert stored[1]["content"] == "work on it"
    assert stored[2]["id"] == second.output[0].id
    assert sdk.llm.responses.get(response_id=created.id) == second  # finished: stable


def test_background_policy_with_one_retrieval(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """With ``background_responses(retrievals=1)`` the first retrieval already completes the response."""
    mka1_mock.background_responses(retrievals=1)
    created = sdk.llm.responses.create(model=MODEL, input="quick", background=True)
    assert created.status == "queued"
    done = sdk.llm.responses.get(response_id=created.id)
    assert done.status == "completed"
    assert done.output_text == "You said: quick"


def test_background_manual_mode(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """In manual mode only ``advance_response``/``complete_response`` move a background response."""
    mka1_mock.background_responses("manual")
    conversation = mka1_mock.add_conversation()
    created = sdk.llm.responses.create(model=MODEL, input="wait", conversation=conversation.id, background=True)
    for _ in range(3):
        assert sdk.llm.responses.get(response_id=created.id).status == "queued"
    assert mka1_mock.advance_response(created.id).status == "in_progress"
    assert sdk.llm.responses.get(response_id=created.id).status == "in_progress"
    assert items_of(mka1_mock, conversation.id) == []
    done = mka1_mock.complete_response(created.id)
    assert done.status == "completed"
    assert sdk.llm.responses.get(response_id=created.id).output_text == "You said: wait"
    assert [i["response_id"] for i in items_of(mka1_mock, conversation.id)] == [created.id, created.id]

    # complete_response straight from queued.
    other = sdk.llm.responses.create(model=MODEL, input="now", background=True)
    assert mka1_mock.complete_response(other.id).status == "completed"
    assert sdk.llm.responses.get(response_id=other.id).output_text == "You said: now"


def test_cancel_a_queued_background_response(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Cancelling a queued background response makes it ``cancelled`` for good and appends nothing."""
    conversation = mka1_mock.add_conversation(items=[user("before")])
    state = mka1_mock.export()
    created = sdk.llm.responses.create(model=MODEL, input="never", conversation=conversation.id, background=True)
    cancelled = sdk.llm.responses.cancel(response_id=created.id)
    assert isinstance(cancelled, models.ResponseObject)
    assert cancelled.id == created.id
    assert cancelled.status == "cancelled"
    assert cancelled.output == []
    for _ in range(3):
        assert sdk.llm.responses.get(response_id=created.id).status == "cancelled"
    assert mka1_mock.export() == state
    with pytest.raises(errors.SDKDefaultError) as exc:
        sdk.llm.responses.cancel(response_id=created.id)
    assert sdk_error(exc, 400)["code"] == "response_not_cancellable"


def test_cancel_finished_or_foreground_responses_is_refused(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Cancelling a finished background response or a foreground one is a 400 response_not_cancellable."""
    mka1_mock.background_responses(retrievals=1)
    background = sdk.llm.responses.create(model=MODEL, input="bg", background=True)
    assert sdk.llm.responses.get(response_id=background.id).status == "completed"
    foreground = sdk.llm.responses.create(model=MODEL, input="fg")
    for response_id in (background.id, foreground.id):
        with pytest.raises(errors.SDKDefaultError) as exc:
            sdk.llm.responses.cancel(response_id=response_id)
        assert sdk_error(exc, 400)["code"] == "response_not_cancellable"
        assert sdk.llm.responses.get(response_id=response_id).status == "completed"


# -- 6. the fake model ----------------------------------------------------------------------------------------


def test_tool_choice_required_calls_the_first_function_with_valid_arguments(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """``tool_choice: required`` makes a call of the first function, its arguments fitting the schema."""
    response = sdk.llm.responses.create(
        model=MODEL, input="weather?", tools=[WEATHER_TOOL, LOOKUP_TOOL], tool_choice="required"
    )
    assert response.status == "completed"
    assert response.output_text == ""
    [call] = response.output
    assert call.type == "function_call"
    assert call.name == "get_weather"
    assert re.fullmatch(r"fc_[0-9a-f]{32}", call.id)
    assert call.call_id
    arguments = json.loads(call.arguments)
    assert set(arguments) == {"city", "unit", "days"}
    assert isinstance(arguments["city"], str)
    assert arguments["unit"] in ("celsius", "fahrenheit")
    assert isinstance(arguments["days"], int) and not isinstance(arguments["days"], bool)
    assert response.usage.output_tokens == tokens(call.arguments)
    assert [t.name for t in response.tools] == ["get_weather", "lookup"]


def test_named_function_tool_choice_and_the_function_output_turn(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A named function ``tool_choice`` calls that function; its output then gets the default summary."""
    response = sdk.llm.responses.create(
        model=MODEL,
        input="look it up",
        tools=[WEATHER_TOOL, LOOKUP_TOOL],
        tool_choice={"type": "function", "name": "lookup"},
    )
    [call] = response.output
    assert call.name == "lookup"
    arguments = json.loads(call.arguments)
    assert isinstance(arguments["query"], str)
    assert isinstance(arguments["exact"], bool)
    follow_up = sdk.llm.responses.create(
        model=MODEL,
        previous_response_id=response.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "42 results"}],
        tools=[WEATHER_TOOL, LOOKUP_TOOL],
    )
    assert follow_up.output_text == "lookup returned: 42 results"


def test_json_schema_format_returns_a_valid_document(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A ``json_schema`` text format yields output text that parses and fits the schema."""
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "age": {"type": "integer"},
            "score": {"type": "number"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "active": {"type": "boolean"},
            "level": {"type": "string", "enum": ["low", "high"]},
            "address": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
        },
        "required": ["name", "age", "score", "tags", "active", "level", "address"],
        "additionalProperties": False,
    }
    response = sdk.llm.responses.create(
        model=MODEL,
        input="describe someone",
        text={"format": {"type": "json_schema", "name": "person", "schema": schema, "strict": True}},
    )
    assert response.text.format_.type == "json_schema"
    document = json.loads(response.output_text)
    assert set(document) == set(schema["required"])
    assert isinstance(document["name"], str)
    assert isinstance(document["age"], int) and not isinstance(document["age"], bool)
    assert isinstance(document["score"], (int, float)) and not isinstance(document["score"], bool)
    assert isinstance(document["tags"], list) and all(isinstance(t, str) for t in document["tags"])
    assert isinstance(document["active"], bool)
    assert document["level"] in ("low", "high")
    assert set(document["address"]) == {"city"} and isinstance(document["address"]["city"], str)


def test_json_object_format_echoes_the_user_text(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A ``json_object`` text format answers ``{"echo": <last user text>}``."""
    response = sdk.llm.responses.create(model=MODEL, input="json please", text={"format": {"type": "json_object"}})
    assert json.loads(response.output_text) == {"echo": "json please"}
    assert response.text.format_.type == "json_object"


def test_queued_replies_answer_in_order(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Queued replies of every kind are used first in, first out, each shaped as documented."""
    mka1_mock.queue_reply(
        "plain text",
        Reply.json({"answer": 42}),
        Reply.function_call("lookup", {"query": "x"}),
        Reply.function_call("lookup", '{"query":"y"}', call_id="call_given"),
        Reply.refusal("I can't help with that."),
        Reply.reasoning("Thinking it over", "Forty-two."),
        Reply.incomplete("content_filter", "partial answ"),
    )
    create = sdk.llm.responses.create

    assert create(model=MODEL, input="1").output_text == "plain text"
    assert json.loads(create(model=MODEL, input="2").output_text) == {"answer": 42}

    generated = create(model=MODEL, input="3")
    [call] = generated.output
    assert (call.type, call.name, json.loads(call.arguments)) == ("function_call", "lookup", {"query": "x"})
    assert re.fullmatch(r"call_\w+", call.call_id)
    given = create(model=MODEL, input="4")
    assert given.output[0].call_id == "call_given"
    assert given.output[0].arguments == '{"query":"y"}'

    refused = create(model=MODEL, input="5")
    [message] = refused.output
    assert [p.type for p in message.content] == ["refusal"]
    assert message.content[0].refusal == "I can't help with that."
    assert refused.output_text == ""

    reasoned = create(model=MODEL, input="6")
    assert [i.type for i in reasoned.output] == ["reasoning", "message"]
    assert reasoned.output[0].summary[0].text == "Thinking it over"
    assert re.fullmatch(r"rs_[0-9a-f]{32}", reasoned.output[0].id)
    assert reasoned.output_text == "Forty-two."
    assert reasoned.usage.output_tokens_details.reasoning_tokens == tokens("Thinking it over")
    assert reasoned.usage.output_tokens == tokens("Thinking it over", "Forty-two.")

    cut = create(model=MODEL, input="7")
    assert cut.status == "incomplete"
    assert cut.incomplete_details is not None and cut.incomplete_details.reason == "content_filter"
    assert cut.output_text == "partial answ"
    assert cut.error is None

    assert mka1_mock.unconsumed_scripts() == []
    assert create(model=MODEL, input="8").output_text == "You said: 8"  # back to the default


def test_failure_reply_fails_the_response_and_appends_nothing(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """A failure reply gives status ``failed`` with ``error {code, message}`` and leaves the conversation alone."""
    conversation = mka1_mock.add_conversation(items=[user("hi")])
    state = mka1_mock.export()
    mka1_mock.queue_reply(Reply.failure("The model fell over.", "model_error"))
    failed = sdk.llm.responses.create(model=MODEL, input="boom", conversation=conversation.id)
    assert failed.status == "failed"
    assert failed.error is not None
    assert (failed.error.code, failed.error.message) == ("model_error", "The model fell over.")
    assert failed.output == []
    assert failed.output_text == ""
    assert failed.incomplete_details is None
    assert mka1_mock.export() == state
    assert wire_response(api, failed.id)["error"] == {"code": "model_error", "message": "The model fell over."}
    # The next turn is unaffected (the failed input was not appended).
    nxt = sdk.llm.responses.create(model=MODEL, conversation=conversation.id)
    assert nxt.output_text == "You said: hi"


def test_rules_match_on_text_model_tool_and_conversation(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Rules answer only when every matcher fits: text regex, model, offered tool, conversation id."""
    conversation = mka1_mock.add_conversation()
    mka1_mock.when(text=r"(?i)\bweather\b").reply("Sunny.")
    mka1_mock.when(model="special-model").reply("Special.")
    mka1_mock.when(tool="lookup").reply(Reply.function_call("lookup", {"query": "q", "exact": True}))
    mka1_mock.when(conversation=conversation.id).reply("In the conversation.")
    create = sdk.llm.responses.create

    assert create(model=MODEL, input="What's the Weather like?").output_text == "Sunny."
    assert create(model=MODEL, input="weatherproof?").output_text == "You said: weatherproof?"
    assert create(model="special-model", input="hi").output_text == "Special."
    assert create(model=MODEL, input="find", tools=[LOOKUP_TOOL]).output[0].name == "lookup"
    assert create(model=MODEL, input="find", tools=[WEATHER_TOOL]).output_text == "You said: find"
    assert create(model=MODEL, input="hi", conversation=conversation.id).output_text == "In the conversation."
    assert create(model=MODEL, input="hi").output_text == "You said: hi"
    assert mka1_mock.unconsumed_scripts() == []


def test_rule_times_precedence_and_unconsumed_scripts(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Rules win over the queue, ``times`` limits a rule, and what is left is listed as unconsumed."""
    mka1_mock.queue_reply("queued one", "queued two")
    mka1_mock.when(text="rule", times=2).reply("from the rule")
    create = sdk.llm.responses.create

    assert create(model=MODEL, input="rule please").output_text == "from the rule"
    assert create(model=MODEL, input="anything").output_text == "queued one"
    left = mka1_mock.unconsumed_scripts()
    assert len(left) == 2
    assert any("queued two" in entry for entry in left)
    assert any("rule" in entry and "from the rule" in entry for entry in left)

    assert create(model=MODEL, input="rule again").output_text == "from the rule"
    # Used up: the third match falls through to the queue.
    assert create(model=MODEL, input="rule thrice").output_text == "queued two"
    assert mka1_mock.unconsumed_scripts() == []
    assert create(model=MODEL, input="rule").output_text == "You said: rule"

    mka1_mock.queue_reply("never used")
    assert len(mka1_mock.unconsumed_scripts()) == 1
    mka1_mock.clear_scripts()
    assert mka1_mock.unconsumed_scripts() == []


def test_max_output_tokens_truncates_to_incomplete(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """Output beyond ``max_output_tokens`` is cut to 4 chars per token and the response is incomplete."""
    text = "This reply is far longer than twelve characters."
    mka1_mock.queue_reply(text)
    response = sdk.llm.responses.create(model=MODEL, input="talk", max_output_tokens=3)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.max_output_tokens == 3
    assert response.output_text == text[:12]
    assert response.output[0].status == "incomplete"
    assert response.usage.output_tokens == 3
    # Within the limit nothing changes.
    fits = sdk.llm.responses.create(model=MODEL, input="hi", max_output_tokens=3)
    assert fits.status == "completed"
    assert fits.output_text == "You said: hi"
    assert fits.incomplete_details is None
    assert wire_response(api, response.id)["incomplete_details"] == {"reason": "max_output_tokens"}


# -- 7. streaming -----------------------------------------------------------------------------------------------

TEXT_EVENTS = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


def test_raw_stream_is_sse_without_done_sentinel(api: Api, mka1_mock: Mka1Mock) -> None:
    """A streamed create answers ``text/event-stream`` frames whose ``event`` matches ``data.type``, no [DONE]."""
    got = api.post(
        "/responses",
        json={"model": MODEL, "input": "stream this text", "stream": True},
        headers={"Accept": "text/event-stream"},
    )
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("text/event-stream")
    assert "[DONE]" not in got.text
    frames = [f for f in got.text.split("\n\n") if f.strip()]
    events = []
    for frame in frames:
        fields = dict(line.split(": ", 1) for line in frame.split("\n"))
        data = json.loads(fields["data"])
        assert fields["event"] == data["type"]
        events.append(data)
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert collapse([e["type"] for e in events]) == TEXT_EVENTS
    final = events[-1]["response"]
    assert final["output_text"] == "You said: stream this text"
    assert wire_response(api, final["id"]) == final


def test_sdk_stream_of_a_text_reply(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The SDK parses every event of a text reply into its typed class, in order, deltas adding up."""
    text = "Streaming is fun, isn't it?"
    mka1_mock.queue_reply(text)
    stream = sdk.llm.responses.create(model=MODEL, input="go", stream=True)
    events = stream_events(stream)
    assert "UnknownResponseStreamingEvent" not in class_names(events)
    assert [e.data.sequence_number for e in events] == list(range(len(events)))
    assert collapse(event_types(events)) == TEXT_EVENTS
    assert class_names(events)[:4] == [
        "ResponseCreatedEvent",
        "ResponseInProgressEvent",
        "ResponseOutputItemAddedEvent",
        "ResponseContentPartAddedEvent",
    ]
    assert class_names(events)[-5:] == [
        "ResponseOutputTextDeltaEvent",
        "ResponseOutputTextDoneEvent",
        "ResponseContentPartDoneEvent",
        "ResponseOutputItemDoneEvent",
        "ResponseCompletedEvent",
    ]
    assert all(e.event == e.data.type for e in events)
    assert events[0].data.response.status == "in_progress"
    assert events[0].data.response.output == []
    deltas = [e.data.delta for e in events if e.data.type == "response.output_text.delta"]
    assert len(deltas) > 1
    assert "".join(deltas) == text
    done = next(e.data for e in events if e.data.type == "response.output_text.done")
    assert done.text == text
    final = events[-1].data.response
    assert final.status == "completed"
    assert final.output_text == text
    message_id = final.output[0].id
    assert {e.data.item_id for e in events if hasattr(e.data, "item_id")} == {message_id}
    assert sdk.llm.responses.get(response_id=final.id) == final


def test_sdk_stream_of_a_function_call(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A function call streams its arguments as ``function_call_arguments`` deltas and a done event."""
    stream = sdk.llm.responses.create(
        model=MODEL, input="weather", tools=[WEATHER_TOOL], tool_choice="required", stream=True
    )
    events = stream_events(stream)
    assert "UnknownResponseStreamingEvent" not in class_names(events)
    assert [e.data.sequence_number for e in events] == list(range(len(events)))
    assert collapse(event_types(events)) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.function_call_arguments.delta",
        "response.function_call_arguments.done",
        "response.output_item.done",
        "response.completed",
    ]
    final = events[-1].data.response
    [call] = final.output
    deltas = [e.data.delta for e in events if e.data.type == "response.function_call_arguments.delta"]
    assert "".join(deltas) == call.arguments
    done = next(e.data for e in events if e.data.type == "response.function_call_arguments.done")
    assert (done.name, done.arguments, done.item_id) == ("get_weather", call.arguments, call.id)
    assert set(json.loads(call.arguments)) == {"city", "unit", "days"}


def test_sdk_stream_of_reasoning_then_text(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A reasoning reply streams its summary events before the message's text events."""
    mka1_mock.queue_reply(Reply.reasoning("First I think, then I answer.", "The answer."))
    events = stream_events(sdk.llm.responses.create(model=MODEL, input="why?", stream=True))
    assert "UnknownResponseStreamingEvent" not in class_names(events)
    assert [e.data.sequence_number for e in events] == list(range(len(events)))
    assert collapse(event_types(events)) == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.reasoning_summary_part.added",
        "response.reasoning_summary_text.delta",
        "response.reasoning_summary_text.done",
        "response.reasoning_summary_part.done",
        "response.output_item.done",
        *TEXT_EVENTS[2:],
    ]
    summary = "".join(e.data.delta for e in events if e.data.type == "response.reasoning_summary_text.delta")
    assert summary == "First I think, then I answer."
    assert [e.data.output_index for e in events if e.data.type == "response.output_item.done"] == [0, 1]
    final = events[-1].data.response
    assert final.output_text == "The answer."
    assert final.usage.output_tokens_details.reasoning_tokens == tokens("First I think, then I answer.")


def test_sdk_stream_of_a_failure_ends_with_response_failed(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A failed reply streams created, in_progress, then ``response.failed`` carrying the error."""
    mka1_mock.queue_reply(Reply.failure("Streaming broke.", "stream_error"))
    events = stream_events(sdk.llm.responses.create(model=MODEL, input="x", stream=True))
    assert class_names(events) == ["ResponseCreatedEvent", "ResponseInProgressEvent", "ResponseFailedEvent"]
    assert [e.data.sequence_number for e in events] == [0, 1, 2]
    failed = events[-1].data.response
    assert failed.status == "failed"
    assert failed.error is not None
    assert (failed.error.code, failed.error.message) == ("stream_error", "Streaming broke.")


def test_streamed_and_plain_creates_leave_identical_state(sdk: SDK, api: Api, mka1_mock: Mka1Mock) -> None:
    """With ids and time pinned, a streamed create leaves exactly the state a plain create leaves."""

    def run(stream: bool) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
        mka1_mock.reset()
        mka1_mock.seed_ids(sequential=True)
        mka1_mock.freeze_time(T0)
        conversation = mka1_mock.add_conversation(metadata={"k": "v"}, items=[user("earlier")])
        mka1_mock.queue_reply(Reply.reasoning("Pondering.", "Here you go."))
        fields: dict[str, Any] = {
            "model": MODEL,
            "input": "please",
            "conversation": conversation.id,
            "metadata": {"run": "same"},
        }
        if stream:
            events = stream_events(sdk.llm.responses.create(**fields, stream=True))
            response_id = events[-1].data.response.id
        else:
            response_id = sdk.llm.responses.create(**fields).id
        inputs = api.get(f"/responses/{response_id}/input_items").json()
        return mka1_mock.export(), wire_response(api, response_id), inputs

    plain = run(stream=False)
    streamed = run(stream=True)
    assert streamed == plain
    state, response, _ = plain
    assert response["id"] == "resp_" + "0" * 31 + "1"
    assert len(state["conversations"][0]["items"]) == 4


def test_background_stream_starts_with_queued(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A streamed background create emits ``response.queued`` after ``response.created`` and completes."""
    events = stream_events(sdk.llm.responses.create(model=MODEL, input="bg", background=True, stream=True))
    assert "UnknownResponseStreamingEvent" not in class_names(events)
    assert event_types(events)[:3] == ["response.created", "response.queued", "response.in_progress"]
    assert events[0].data.response.status == "queued"
    assert events[-1].data.type == "response.completed"
    assert sdk.llm.responses.get(response_id=events[-1].data.response.id).status == "completed"


# -- 8. async -------------------------------------------------------------------------------------------------------


def test_async_create_get_and_stream(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """``create_async``, ``get_async`` and ``create_async(stream=True)`` work like their sync twins."""

    async def scenario() -> tuple[Any, Any, list[Any]]:
        created = await sdk.llm.responses.create_async(model=MODEL, input="async hello")
        fetched = await sdk.llm.responses.get_async(response_id=created.id)
        stream = await sdk.llm.responses.create_async(model=MODEL, input="async stream", stream=True)
        async with stream:
            events = [event async for event in stream]
        return created, fetched, events

    created, fetched, events = asyncio.run(scenario())
    assert isinstance(created, models.ResponseObject)
    assert created.output_text == "You said: async hello"
    assert fetched == created
    assert "UnknownResponseStreamingEvent" not in class_names(events)
    assert collapse(event_types(events)) == TEXT_EVENTS
    assert [e.data.sequence_number for e in events] == list(range(len(events)))
    deltas = "".join(e.data.delta for e in events if e.data.type == "response.output_text.delta")
    assert deltas == "You said: async stream" == events[-1].data.response.output_text
    assert [r.id for r in sdk.llm.responses.list(order="asc").data] == [created.id, events[-1].data.response.id]


# -- found while testing: id generation and token budget -------------------------------------------------------


def test_generated_output_ids_never_clash_with_conversation_items(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """Output items get ids unused in the conversation, even after ids are re-pinned mid-test."""
    mka1_mock.seed_ids(sequential=True)
    conversation = mka1_mock.add_conversation(items=[user("hi")])  # msg_…01
    [seeded] = items_of(mka1_mock, conversation.id)
    mka1_mock.seed_ids(sequential=True)  # e.g. a test pins ids after loading a fixture
    response = sdk.llm.responses.create(model=MODEL, conversation=conversation.id)
    assert response.output_text == "You said: hi"
    [output] = response.output
    assert output.id != seeded["id"]
    stored = items_of(mka1_mock, conversation.id)
    assert [i["id"] for i in stored] == [seeded["id"], output.id]
    assert stored[1]["response_id"] == response.id
    assert output_texts(stored[1]) == "You said: hi"


def test_max_output_tokens_bounds_reasoning_as_well(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """``max_output_tokens`` bounds all output tokens, reasoning included: usage never exceeds it."""
    mka1_mock.queue_reply(Reply.reasoning("A rather long chain of reasoning text.", "And a long answer too."))
    response = sdk.llm.responses.create(model=MODEL, input="think", max_output_tokens=4)
    assert response.status == "incomplete"
    assert response.incomplete_details is not None
    assert response.incomplete_details.reason == "max_output_tokens"
    assert response.usage.output_tokens <= 4, response.usage


@pytest.mark.parametrize("kind", ["refusal", "incomplete"])
def test_sdk_stream_of_refusal_and_incomplete_replies(sdk: SDK, mka1_mock: Mka1Mock, kind: str) -> None:
    """A refusal streams ``refusal`` deltas; an incomplete reply ends with ``response.incomplete``."""
    if kind == "refusal":
        mka1_mock.queue_reply(Reply.refusal("I will not do that."))
    else:
        mka1_mock.queue_reply(Reply.incomplete("content_filter", "cut short"))
    events = stream_events(sdk.llm.responses.create(model=MODEL, input="x", stream=True))
    assert "UnknownResponseStreamingEvent" not in class_names(events)
    assert [e.data.sequence_number for e in events] == list(range(len(events)))
    types = collapse(event_types(events))
    if kind == "refusal":
        assert types == [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.refusal.delta",
            "response.refusal.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.completed",
        ]
        deltas = "".join(e.data.delta for e in events if e.data.type == "response.refusal.delta")
        assert deltas == "I will not do that."
    else:
        assert types[-1] == "response.incomplete"
        final = events[-1].data.response
        assert final.status == "incomplete"
        assert final.incomplete_details is not None and final.incomplete_details.reason == "content_filter"
        assert final.output_text == "cut short"


def test_get_with_stream_replays_the_events(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """``get(stream=True)`` replays a finished response's events; ``starting_after`` skips the seen ones."""
    created = sdk.llm.responses.create(model=MODEL, input="replay me")
    replay = stream_events(sdk.llm.responses.get(response_id=created.id, stream=True))
    assert "UnknownResponseStreamingEvent" not in class_names(replay)
    assert collapse(event_types(replay)) == TEXT_EVENTS
    assert replay[-1].data.response == created
    tail = stream_events(sdk.llm.responses.get(response_id=created.id, stream=True, starting_after=len(replay) - 3))
    assert [e.data.sequence_number for e in tail] == [len(replay) - 2, len(replay) - 1]
    assert event_types(tail) == ["response.output_item.done", "response.completed"]


def test_immediate_background_mode_finishes_right_after_create(mka1_mock: Mka1Mock, api: Api) -> None:
    """In "immediate" mode the create answers queued, yet the response is done and appended at once."""
    mka1_mock.background_responses("immediate")
    conv = mka1_mock.add_conversation()
    created = api.post(
        "/responses", json={"model": "auto", "input": "now", "conversation": conv.id, "background": True}
    ).json()
    appended = [item.response_id for item in mka1_mock.conversation(conv.id).items]
    fetched = api.get(f"/responses/{created['id']}").json()
    assert created["status"] == "queued"
    assert appended == [created["id"], created["id"]]
    assert (fetched["status"], fetched["output_text"]) == ("completed", "You said: now")
