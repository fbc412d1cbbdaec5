"""The ``openai`` Python SDK, unchanged, against the mock (contract section 7).

``OpenAI(base_url=mka1_mock.base_url, api_key=..., max_retries=0)`` must work for
``client.conversations.*`` and ``client.responses.*``: its request shapes (``include`` in the query of
items.create, cursor pagination by ``last_id``/``has_more``), its response parsing and its error
classes (read from the OpenAI error envelope). Effects are checked through the handle's typed state.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import openai
import pydantic
import pytest
from openai import AsyncOpenAI, OpenAI

from mka1_mock import Mka1Mock, MockServer, create_app
from mka1_mock._core.config import MockConfig
from mka1_mock.fake_model.reply import Reply

MODEL = "meetkai:functionary-urdu-mini-pak"


def user(text: str) -> Any:
    """A user message item (typed ``Any``: the SDK's param unions are too narrow for a plain dict)."""
    return {"type": "message", "role": "user", "content": text}


def attr(obj: object, name: str) -> Any:
    """A field of a stored item (extra fields of ``StoredItem``) or of an SDK union member."""
    return getattr(obj, name)


def make_client(mock: Mka1Mock, **kwargs: Any) -> OpenAI:
    return OpenAI(base_url=mock.base_url, api_key=mock.api_key, max_retries=0, **kwargs)


@pytest.fixture
def client(mka1_mock: Mka1Mock) -> Iterator[OpenAI]:
    """An ``openai.OpenAI`` client on the mock, retries off, closed after the test."""
    with make_client(mka1_mock) as sdk:
        yield sdk


# -- conversations -----------------------------------------------------------------------------


def test_conversation_create_retrieve_update_delete(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """The four conversation verbs round-trip through the openai SDK's own models."""
    created = client.conversations.create(
        items=[user("Hello"), {"type": "message", "role": "assistant", "content": "Hi!"}],
        metadata={"session_id": "sess_1", "channel": "web"},
    )
    assert created.object == "conversation"
    assert created.id.startswith("conv_")
    assert created.metadata == {"session_id": "sess_1", "channel": "web"}
    assert isinstance(created.created_at, int) and created.created_at > 0

    stored = mka1_mock.conversation(created.id)
    assert [(i.type, attr(i, "role"), attr(i, "content")) for i in stored.items] == [
        ("message", "user", "Hello"),
        ("message", "assistant", "Hi!"),
    ]
    assert stored.metadata == {"session_id": "sess_1", "channel": "web"}

    fetched = client.conversations.retrieve(created.id)
    assert (fetched.id, fetched.created_at, fetched.metadata) == (
        created.id,
        created.created_at,
        created.metadata,
    )

    updated = client.conversations.update(created.id, metadata={"channel": "app"})
    assert updated.id == created.id
    assert updated.metadata == {"channel": "app"}  # replaced, not merged
    assert mka1_mock.conversation(created.id).metadata == {"channel": "app"}

    deleted = client.conversations.delete(created.id)
    assert (deleted.id, deleted.object, deleted.deleted) == (created.id, "conversation.deleted", True)
    assert mka1_mock.conversation(created.id).deleted
    assert len(mka1_mock.conversation(created.id).items) == 2  # items survive a soft delete
    with pytest.raises(openai.NotFoundError) as caught:
        client.conversations.retrieve(created.id)
    assert caught.value.code == "conversation_not_found"


def test_items_create_accepts_include_as_a_query_param(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``items.create(..., include=[...])`` puts ``include`` in the query, and the mock accepts it."""
    conversation = client.conversations.create()
    created = client.conversations.items.create(
        conversation.id,
        items=[user("one"), user("two")],
        include=["message.output_text.logprobs"],
    )
    assert created.object == "list"
    assert created.has_more is False
    ids = [item.id for item in created.data]
    assert (created.first_id, created.last_id) == (ids[0], ids[-1])
    assert [(item.type, item.content) for item in created.data] == [("message", "one"), ("message", "two")]  # type: ignore[union-attr]

    (sent,) = mka1_mock.requests.filter("POST", "/api/v1/llm/conversations/*/items")
    assert sent.status == 200
    assert any("include" in key for key in sent.query), sent.query
    assert "include" not in sent.body
    assert [i.id for i in mka1_mock.conversation(conversation.id).items] == ids


def test_items_list_auto_paginates_in_order(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """Iterating ``items.list(limit=2)`` follows ``last_id``/``has_more`` across pages, asc and desc."""
    texts = [f"message {n}" for n in range(5)]
    conversation = client.conversations.create(items=[user(t) for t in texts])
    expected = [i.id for i in mka1_mock.conversation(conversation.id).items]

    first_page = client.conversations.items.list(conversation.id, limit=2)
    assert [i.id for i in first_page.data] == expected[:2]
    assert first_page.has_more is True
    assert first_page.last_id == expected[1]

    mka1_mock.requests.clear()
    assert [item.id for item in client.conversations.items.list(conversation.id, limit=2)] == expected
    pages = mka1_mock.requests.filter("GET", "/api/v1/llm/conversations/*/items")
    assert [p.query.get("after") for p in pages] == [None, [expected[1]], [expected[3]]]

    descending = client.conversations.items.list(conversation.id, limit=2, order="desc")
    assert [item.id for item in descending] == expected[::-1]
    assert [item.content for item in descending] == texts[::-1]  # type: ignore[union-attr]


def test_items_retrieve_and_delete(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``items.retrieve`` returns the item; ``items.delete`` removes it and returns the conversation."""
    conversation = client.conversations.create(items=[user("keep"), user("drop")], metadata={"k": "v"})
    keep, drop = (i.id for i in mka1_mock.conversation(conversation.id).items)

    item = client.conversations.items.retrieve(drop, conversation_id=conversation.id)
    assert (item.id, item.type, item.role, item.content) == (drop, "message", "user", "drop")  # type: ignore[union-attr]

    parent = client.conversations.items.delete(drop, conversation_id=conversation.id)
    assert (parent.object, parent.id) == ("conversation", conversation.id)
    assert parent.created_at == conversation.created_at
    assert [i.id for i in mka1_mock.conversation(conversation.id).items] == [keep]

    with pytest.raises(openai.NotFoundError) as caught:
        client.conversations.items.retrieve(drop, conversation_id=conversation.id)
    assert caught.value.status_code == 404
    assert caught.value.code == "item_not_found"


def test_not_found_errors_carry_the_openai_envelope(client: OpenAI) -> None:
    """Unknown ids raise ``openai.NotFoundError`` whose ``body``/``code``/``type`` come from the envelope."""
    with pytest.raises(openai.NotFoundError) as caught:
        client.conversations.retrieve("conv_missing")
    err = caught.value
    assert err.status_code == 404
    assert err.code == "conversation_not_found"
    assert err.type == "invalid_request_error"
    assert err.param is None
    assert isinstance(err.body, dict)
    assert "conv_missing" in err.body["message"]

    with pytest.raises(openai.NotFoundError) as caught:
        client.conversations.items.list("conv_missing")
    assert caught.value.code == "conversation_not_found"

    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve("resp_missing")
    assert caught.value.code == "response_not_found"


def test_bad_requests_name_the_param(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """21 items, an out-of-range ``limit`` or an empty item list give ``openai.BadRequestError``."""
    with pytest.raises(openai.BadRequestError) as caught:
        client.conversations.create(items=[user(str(n)) for n in range(21)])
    assert caught.value.status_code == 400
    assert caught.value.param == "items"
    assert caught.value.code == "array_above_max_length"
    assert mka1_mock.state().conversations == []

    conversation = client.conversations.create()
    with pytest.raises(openai.BadRequestError) as caught:
        client.conversations.items.create(conversation.id, items=[])
    assert caught.value.param == "items"

    with pytest.raises(openai.BadRequestError) as caught:
        client.conversations.items.list(conversation.id, limit=101)
    assert caught.value.param == "limit"
    assert mka1_mock.conversation(conversation.id).items == []


def test_unknown_api_key_is_an_authentication_error() -> None:
    """With ``MockConfig(api_keys=...)`` an unlisted key raises ``openai.AuthenticationError``."""
    app = create_app(config=MockConfig(api_keys=frozenset({"mk-good"})))
    with MockServer(app) as server:
        base_url = server.url + "/api/v1/llm"
        with OpenAI(base_url=base_url, api_key="mk-bad", max_retries=0) as bad:
            with pytest.raises(openai.AuthenticationError) as caught:
                bad.conversations.create()
        assert caught.value.status_code == 401
        assert caught.value.body == "Unauthorized"  # the gateway's string envelope
        with OpenAI(base_url=base_url, api_key="mk-good", max_retries=0) as good:
            assert good.conversations.create().object == "conversation"
        assert len(app.state.control.snapshot().conversations) == 1


def test_on_behalf_of_header_scopes_conversations(mka1_mock: Mka1Mock) -> None:
    """``default_headers={"X-On-Behalf-Of": ...}`` scopes what each end user sees (404 for others)."""
    with (
        make_client(mka1_mock, default_headers={"X-On-Behalf-Of": "alice"}) as alice,
        make_client(mka1_mock, default_headers={"X-On-Behalf-Of": "bob"}) as bob,
        make_client(mka1_mock) as account,
    ):
        conversation = alice.conversations.create(metadata={"owner": "alice"})
        assert alice.conversations.retrieve(conversation.id).metadata == {"owner": "alice"}
        for other in (bob, account):
            with pytest.raises(openai.NotFoundError):
                other.conversations.retrieve(conversation.id)
            with pytest.raises(openai.NotFoundError):
                other.responses.create(model=MODEL, input="hi", conversation=conversation.id)
    assert mka1_mock.conversation(conversation.id).owner.on_behalf_of == "alice"
    assert mka1_mock.conversation(conversation.id).items == []


# -- responses ---------------------------------------------------------------------------------


def test_response_in_a_conversation_appends_input_and_output(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``responses.create(conversation=...)`` answers in ``output_text`` and appends both turns."""
    conversation = client.conversations.create(items=[user("Earlier question")])
    mka1_mock.queue_reply("It is sunny.")

    response = client.responses.create(
        model=MODEL, input="What's the weather?", conversation=conversation.id, metadata={"run": "1"}
    )
    assert response.object == "response"
    assert response.status == "completed"
    assert response.output_text == "It is sunny."
    assert response.conversation is not None and response.conversation.id == conversation.id
    assert response.model == MODEL
    assert response.metadata == {"run": "1"}
    assert response.usage is not None and response.usage.total_tokens > 0
    (message,) = response.output
    assert message.type == "message" and message.role == "assistant"

    items = mka1_mock.conversation(conversation.id).items
    assert [(i.type, attr(i, "role")) for i in items] == [
        ("message", "user"),
        ("message", "user"),
        ("message", "assistant"),
    ]
    assert [i.response_id for i in items] == [None, response.id, response.id]
    assert attr(items[1], "content") == "What's the weather?"
    assert items[2].id == message.id

    listed = [i.id for i in client.conversations.items.list(conversation.id)]
    assert listed == [i.id for i in items]


def test_response_retrieve_input_items_and_delete(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``responses.retrieve``, ``responses.input_items.list`` and ``responses.delete`` work."""
    response = client.responses.create(model=MODEL, input=[user("first"), user("second")])
    assert response.output_text == "You said: second"  # the documented default reply

    fetched = client.responses.retrieve(response.id)
    assert (fetched.id, fetched.status, fetched.output_text) == (response.id, "completed", response.output_text)

    inputs = client.responses.input_items.list(response.id)
    assert [attr(i, "content") for i in inputs.data] == ["second", "first"]  # default order desc
    ascending = client.responses.input_items.list(response.id, order="asc", limit=1)
    assert [attr(i, "content") for i in ascending] == ["first", "second"]  # auto-paginated

    client.responses.delete(response.id)  # openai types the body away (returns None)
    mka1_mock.requests.assert_called("DELETE", f"/api/v1/llm/responses/{response.id}", times=1, status=200)
    with pytest.raises(openai.NotFoundError) as caught:
        client.responses.retrieve(response.id)
    assert caught.value.code == "response_not_found"


def test_function_call_reply_parses_as_a_tool_call(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """A scripted function call comes back as the SDK's function-call output item."""
    mka1_mock.when(tool="get_weather").reply(Reply.function_call("get_weather", {"city": "Paris"}))
    tools: Any = [
        {
            "type": "function",
            "name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
            "strict": False,
        }
    ]
    response = client.responses.create(model=MODEL, input="Weather in Paris?", tools=tools)
    (call,) = response.output
    assert call.type == "function_call"
    assert call.name == "get_weather"
    assert json.loads(call.arguments) == {"city": "Paris"}
    assert call.call_id
    assert response.output_text == ""

    follow_up = client.responses.create(
        model=MODEL,
        previous_response_id=response.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": "18C"}],
    )
    assert follow_up.output_text == "get_weather returned: 18C"
    assert follow_up.previous_response_id == response.id


def test_streaming_events_rebuild_the_text(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``stream=True`` yields typed events; the deltas join to the text of ``response.completed``."""
    conversation = client.conversations.create()
    mka1_mock.queue_reply("Streaming works just fine.")

    stream = client.responses.create(model=MODEL, input="Stream please", conversation=conversation.id, stream=True)
    with stream:
        events = list(stream)
    types = [e.type for e in events]
    assert types[:2] == ["response.created", "response.in_progress"]
    assert types[-1] == "response.completed"
    assert "response.output_text.done" in types
    assert [e.sequence_number for e in events] == list(range(len(events)))

    deltas = [e.delta for e in events if e.type == "response.output_text.delta"]
    assert len(deltas) > 1
    assert "".join(deltas) == "Streaming works just fine."
    final = events[-1]
    assert final.type == "response.completed"
    assert final.response.output_text == "Streaming works just fine."
    assert final.response.status == "completed"
    assert events[0].response.status == "in_progress"  # type: ignore[union-attr]

    items = mka1_mock.conversation(conversation.id).items
    assert [attr(i, "role") for i in items] == ["user", "assistant"]
    assert {i.response_id for i in items} == {final.response.id}


def test_stream_helper_gets_the_final_response(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``with client.responses.stream(...)`` accumulates the text and returns the final response."""
    if not hasattr(client.responses, "stream"):
        pytest.skip("this openai version has no responses.stream helper")
    mka1_mock.queue_reply(Reply.reasoning("Think first.", then="Then answer."))
    with client.responses.stream(model=MODEL, input="Think about it") as stream:
        texts = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    assert "".join(texts) == "Then answer."
    assert final.output_text == "Then answer."
    assert [item.type for item in final.output] == ["reasoning", "message"]
    assert final.output[0].summary[0].text == "Think first."  # type: ignore[union-attr]


def test_retrieve_with_stream_replays_events(client: OpenAI) -> None:
    """``responses.retrieve(id, stream=True, starting_after=n)`` replays the stored response's events."""
    response = client.responses.create(model=MODEL, input="replay me")
    with client.responses.retrieve(response.id, stream=True) as stream:
        events = list(stream)
    final = events[-1]
    assert final.type == "response.completed"
    assert final.response.output_text == response.output_text
    last = final.sequence_number
    with client.responses.retrieve(response.id, stream=True, starting_after=last - 1) as tail:
        assert [(e.type, e.sequence_number) for e in tail] == [("response.completed", last)]


def test_background_response_polls_to_completion_and_cancels(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``background=True`` responses complete by polling ``retrieve``; ``cancel`` stops a queued one."""
    conversation = client.conversations.create()
    created = client.responses.create(
        model=MODEL, input="in the background", background=True, conversation=conversation.id
    )
    assert (created.status, created.background) == ("queued", True)
    assert client.responses.retrieve(created.id).status == "in_progress"
    done = client.responses.retrieve(created.id)
    assert (done.status, done.output_text) == ("completed", "You said: in the background")
    assert len(mka1_mock.conversation(conversation.id).items) == 2

    other = client.responses.create(model=MODEL, input="never mind", background=True, conversation=conversation.id)
    cancelled = client.responses.cancel(other.id)
    assert (cancelled.id, cancelled.status) == (other.id, "cancelled")
    assert client.responses.retrieve(other.id).status == "cancelled"
    assert len(mka1_mock.conversation(conversation.id).items) == 2  # nothing appended
    with pytest.raises(openai.BadRequestError) as caught:
        client.responses.cancel(done.id)
    assert caught.value.code == "response_not_cancellable"


def test_stream_helper_resumes_a_background_response(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``responses.stream(response_id=...)`` streams a queued background response to its completion."""
    created = client.responses.create(model=MODEL, input="resume me", background=True)
    with client.responses.stream(response_id=created.id) as stream:
        final = stream.get_final_response()
    assert (final.id, final.status, final.output_text) == (created.id, "completed", "You said: resume me")


class Weather(pydantic.BaseModel):
    city: str
    temperature: float
    sunny: bool
    tags: list[str]


def test_parse_with_a_pydantic_text_format(client: OpenAI, mka1_mock: Mka1Mock) -> None:
    """``responses.parse(text_format=Model)``: the mock's default JSON for the schema parses into it."""
    if not hasattr(client.responses, "parse"):
        pytest.skip("this openai version has no responses.parse")
    parsed = client.responses.parse(model=MODEL, input="Weather in Oslo as JSON", text_format=Weather)
    assert isinstance(parsed.output_parsed, Weather)
    assert json.loads(parsed.output_text) == parsed.output_parsed.model_dump()

    (sent,) = mka1_mock.requests.filter("POST", "/api/v1/llm/responses")
    assert sent.body["text"]["format"]["type"] == "json_schema"
    assert sent.body["text"]["format"]["name"] == "Weather"

    mka1_mock.queue_reply(Reply.json({"city": "Oslo", "temperature": -3.5, "sunny": False, "tags": ["snow"]}))
    scripted = client.responses.parse(model=MODEL, input="again", text_format=Weather)
    assert scripted.output_parsed == Weather(city="Oslo", temperature=-3.5, sunny=False, tags=["snow"])


def test_async_client_create_and_stream(mka1_mock: Mka1Mock) -> None:
    """``AsyncOpenAI`` creates a conversation, a response in it, and streams another one."""

    async def scenario() -> tuple[str, str, list[str], str]:
        async with AsyncOpenAI(base_url=mka1_mock.base_url, api_key=mka1_mock.api_key, max_retries=0) as aclient:
            conversation = await aclient.conversations.create(items=[user("Hi")])
            response = await aclient.responses.create(model=MODEL, input="Say hi", conversation=conversation.id)
            stream = await aclient.responses.create(
                model=MODEL, input="Now stream", conversation=conversation.id, stream=True
            )
            types: list[str] = []
            deltas: list[str] = []
            final_text = ""
            async for event in stream:
                types.append(event.type)
                if event.type == "response.output_text.delta":
                    deltas.append(event.delta)
                if event.type == "response.completed":
                    final_text = event.response.output_text
            assert "".join(deltas) == final_text
            return conversation.id, response.output_text, types, final_text

    mka1_mock.queue_reply("Hi back.", "Streamed from async.")
    conversation_id, text, types, final_text = asyncio.run(scenario())
    assert text == "Hi back."
    assert final_text == "Streamed from async."
    assert types[0] == "response.created" and types[-1] == "response.completed"
    contents = [attr(i, "content") for i in mka1_mock.conversation(conversation_id).items]
    assert len(contents) == 5
    assert contents[:2] == ["Hi", "Say hi"]
    assert contents[3] == "Now stream"
