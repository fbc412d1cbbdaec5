"""The ten Conversations endpoints, driven through the official SDK against the mock on a real socket.

Every reply is parsed by ``meetkai_mka1``'s own models, so a wire-shape mistake fails here as it would
for a user. Each test then checks what the reply means and what state it left behind.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from meetkai_mka1 import SDK, errors, models
from meetkai_mka1.conversations import Conversations

from mka1_mock import MockConfig, MockServer, Store, create_app
from tests.conftest import API_KEY, Api

OTHER_KEY = "mk-other-key"
T0 = 1_704_067_200
ITEM_PREFIXES = {"message": "msg", "function_call": "fc", "function_call_output": "fco"}

Scope = tuple[str, str | None]  # (API key, X-On-Behalf-Of)


# -- helpers -------------------------------------------------------------------------------------------


def message(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": text, **extra}


def part_message(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}], **extra}


def function_call(arguments: str, call_id: str = "call_1", **extra: Any) -> dict[str, Any]:
    return {"type": "function_call", "call_id": call_id, "name": "lookup", "arguments": arguments, **extra}


def function_output(output: str, call_id: str = "call_1", **extra: Any) -> dict[str, Any]:
    return {"type": "function_call_output", "call_id": call_id, "output": output, **extra}


def mixed_items(count: int) -> list[dict[str, Any]]:
    """``count`` items cycling through string messages, content-part messages, calls and outputs."""
    makers: list[Callable[[int], dict[str, Any]]] = [
        lambda i: message(f"message {i}"),
        lambda i: part_message(f"part {i}"),
        lambda i: function_call(json.dumps({"i": i}), call_id=f"call_{i}"),
        lambda i: function_output(f"output {i}", call_id=f"call_{i - 1}"),
    ]
    return [makers[i % len(makers)](i) for i in range(count)]


def assert_generated(identifier: str, prefix: str) -> None:
    assert re.fullmatch(rf"{prefix}_[0-9a-f]{{32}}", identifier), identifier


def assert_stored_item(got: Any, sent: dict[str, Any]) -> None:
    """``got`` (an SDK item model) is ``sent`` echoed back with an id, status completed, no response."""
    if "id" in sent:
        assert got.id == sent["id"]
    else:
        assert_generated(got.id, ITEM_PREFIXES[sent["type"]])
    assert got.status == "completed"
    assert got.response_id is None
    assert got.model_dump(by_alias=True) == {
        **sent,
        "id": got.id,
        "status": "completed",
        "response_id": None,
    }


def assert_live(conversation: Any, *, conversation_id: str, metadata: dict[str, str]) -> None:
    """A live ``ConversationObject`` with this id and exactly this metadata."""
    assert isinstance(conversation, models.ConversationObject)
    assert conversation.id == conversation_id
    assert conversation.object == "conversation"
    assert conversation.deleted_at is None
    assert conversation.metadata == metadata


def ids(page: Any) -> list[str]:
    return [entry.id for entry in page.data]


def expect_status(status: int, call: Callable[[], Any]) -> errors.SDKDefaultError:
    with pytest.raises(errors.SDKDefaultError) as caught:
        call()
    assert caught.value.status_code == status, caught.value.body
    return caught.value


def conversation_pages(conv: Conversations, *, limit: int, order: str, **query: Any) -> list[Any]:
    """Every page of ``conv.list``, following ``last_id`` through ``after`` until ``has_more`` is false."""
    pages: list[Any] = []
    after = None
    while True:
        page = conv.list(limit=limit, order=order, after=after, **query)  # type: ignore[arg-type]
        pages.append(page)
        if not page.has_more:
            return pages
        assert page.last_id == page.data[-1].id
        after = page.last_id
        assert len(pages) < 50, "pagination does not end"


def item_pages(conv: Conversations, conversation_id: str, *, limit: int, order: str) -> list[Any]:
    """Every page of ``conv.list_items``, chained through ``after`` = the previous ``last_id``."""
    pages: list[Any] = []
    after = None
    while True:
        page = conv.list_items(
            conversation_id=conversation_id, limit=limit, order=order, after=after  # type: ignore[arg-type]
        )
        pages.append(page)
        assert page.last_id == (page.data[-1].id if page.data else "")
        if not page.has_more:
            return pages
        after = page.last_id
        assert len(pages) < 50, "pagination does not end"


def all_items(conv: Conversations, conversation_id: str, **scope: Any) -> list[str]:
    return ids(conv.list_items(conversation_id=conversation_id, limit=100, **scope))


def listed(conv: Conversations, **query: Any) -> list[str]:
    return ids(conv.list(limit=50, **query))


@pytest.fixture
def conv(sdk: SDK) -> Conversations:
    return sdk.llm.conversations


@pytest.fixture(scope="module")
def make_sdk() -> Iterator[Callable[[str, str], SDK]]:
    """Builds SDKs for any (server URL, key) on one shared httpx client (a new httpx client costs ~25 ms)."""
    http, async_http = httpx.Client(), httpx.AsyncClient()

    def make(url: str, key: str) -> SDK:
        return SDK(bearer_auth=key, server_url=url, retry_config=None, client=http, async_client=async_http)

    yield make
    http.close()
    asyncio.run(async_http.aclose())


@pytest.fixture
def clients(
    server: MockServer, store: Store, make_sdk: Callable[[str, str], SDK]
) -> Callable[[str], Conversations]:
    """Conversations clients of the session server for any API key."""
    return lambda key: make_sdk(server.url, key).llm.conversations


# Every conversation-scoped call, as (conversations client, conversation id, item id, X-On-Behalf-Of).
OPERATIONS: dict[str, Callable[[Conversations, str, str, str | None], Any]] = {
    "get": lambda c, cid, iid, obo: c.get(conversation_id=cid, x_on_behalf_of=obo),
    "update": lambda c, cid, iid, obo: c.update(
        conversation_id=cid, metadata={"hijacked": "yes"}, x_on_behalf_of=obo
    ),
    "delete": lambda c, cid, iid, obo: c.delete(conversation_id=cid, x_on_behalf_of=obo),
    "list_items": lambda c, cid, iid, obo: c.list_items(conversation_id=cid, x_on_behalf_of=obo),
    "create_items": lambda c, cid, iid, obo: c.create_items(
        conversation_id=cid, items=[message("intruder")], x_on_behalf_of=obo
    ),
    "get_item": lambda c, cid, iid, obo: c.get_item(conversation_id=cid, item_id=iid, x_on_behalf_of=obo),
    "delete_item": lambda c, cid, iid, obo: c.delete_item(
        conversation_id=cid, item_id=iid, x_on_behalf_of=obo
    ),
    "delete_items": lambda c, cid, iid, obo: c.delete_items(
        conversation_id=cid, item_ids=[iid], x_on_behalf_of=obo
    ),
}


# -- create / get ----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 20])
def test_create_with_metadata_and_initial_items(conv: Conversations, store: Store, count: int) -> None:
    """Create stores the metadata and the initial items, which list back in order with generated ids."""
    store.clock.freeze(T0)
    sent = mixed_items(count)
    created = conv.create(metadata={"session_id": "sess_1", "user_type": "premium"}, items=sent)

    assert_generated(created.id, "conv")
    metadata = {"session_id": "sess_1", "user_type": "premium"}
    assert_live(created, conversation_id=created.id, metadata=metadata)
    assert created.created_at == T0
    page = conv.list_items(conversation_id=created.id, limit=100)
    assert page.has_more is False
    assert len(page.data) == count
    for got, item in zip(page.data, sent, strict=True):
        assert_stored_item(got, item)
    assert len(set(ids(page))) == count
    assert page.last_id == (page.data[-1].id if count else "")


def test_create_keeps_client_supplied_item_ids(conv: Conversations) -> None:
    """Client-supplied item ids are kept as sent, and only the missing ones are generated."""
    sent = [
        message("first", id="msg_client_1"),
        message("second"),
        function_call('{"city":"Oslo"}', id="fc_client_2"),
        function_output("sunny", id="my-own-output-id"),
        function_call("{}", call_id="call_2"),
    ]
    created = conv.create(items=sent)
    page = conv.list_items(conversation_id=created.id)
    assert ids(page)[0] == "msg_client_1"
    assert ids(page)[2] == "fc_client_2"
    assert ids(page)[3] == "my-own-output-id"
    assert_generated(ids(page)[1], "msg")
    assert_generated(ids(page)[4], "fc")
    for got, item in zip(page.data, sent, strict=True):
        assert_stored_item(got, item)


def test_create_with_empty_body(conv: Conversations, api: Api) -> None:
    """A create with ``{}`` (from the SDK or raw JSON) makes an empty conversation, metadata ``{}``."""
    through_sdk = conv.create()
    raw = api.post("/conversations", json={})
    assert raw.status_code == 200, raw.text
    through_raw = models.ConversationObject.model_validate(raw.json())
    for created in (through_sdk, through_raw):
        assert_generated(created.id, "conv")
        assert_live(created, conversation_id=created.id, metadata={})
        assert conv.list_items(conversation_id=created.id).data == []
    assert through_sdk.id != through_raw.id
    assert listed(conv) == [through_sdk.id, through_raw.id]


def test_get_returns_the_stored_conversation(conv: Conversations, store: Store) -> None:
    """Get returns the same conversation create returned, and unknown ids are 404."""
    store.clock.freeze(T0)
    created = conv.create(metadata={"k": "v"}, items=[message("hello")])
    store.clock.advance(30)
    fetched = conv.get(conversation_id=created.id)
    assert fetched == created
    assert fetched.created_at == T0
    expect_status(404, lambda: conv.get(conversation_id="conv_does_not_exist"))


# -- update and ordering ---------------------------------------------------------------------------


def test_update_replaces_metadata_wholesale(conv: Conversations, store: Store) -> None:
    """Update replaces the whole metadata map (old keys disappear) and keeps id and created_at."""
    store.clock.freeze(T0)
    created = conv.create(metadata={"a": "1", "b": "2"}, items=[message("kept")])
    store.clock.advance(10)

    updated = conv.update(conversation_id=created.id, metadata={"b": "3", "c": "4"})
    assert_live(updated, conversation_id=created.id, metadata={"b": "3", "c": "4"})
    assert updated.created_at == T0
    assert conv.get(conversation_id=created.id).metadata == {"b": "3", "c": "4"}

    cleared = conv.update(conversation_id=created.id, metadata={})
    assert cleared.metadata == {}
    assert conv.get(conversation_id=created.id).metadata == {}
    assert len(all_items(conv, created.id)) == 1


MOVES: dict[str, tuple[Callable[[Conversations, str, str], Any], bool]] = {
    "update": (lambda c, cid, iid: c.update(conversation_id=cid, metadata={"x": "y"}), True),
    "create_items": (lambda c, cid, iid: c.create_items(conversation_id=cid, items=[message("more")]), True),
    "delete_item": (lambda c, cid, iid: c.delete_item(conversation_id=cid, item_id=iid), True),
    "delete_items": (lambda c, cid, iid: c.delete_items(conversation_id=cid, item_ids=[iid]), True),
    "get": (lambda c, cid, iid: c.get(conversation_id=cid), False),
    "list_items": (lambda c, cid, iid: c.list_items(conversation_id=cid), False),
    "get_item": (lambda c, cid, iid: c.get_item(conversation_id=cid, item_id=iid), False),
}


@pytest.mark.parametrize("operation", list(MOVES))
def test_list_orders_by_last_updated_time(conv: Conversations, store: Store, operation: str) -> None:
    """Writes (update, adding or deleting items) move a conversation to the newest end; reads do not."""
    store.clock.freeze(T0)
    first = conv.create(items=[message("one"), message("two")])
    store.clock.advance(1)
    second = conv.create()
    store.clock.advance(1)
    third = conv.create()
    store.clock.advance(1)
    assert listed(conv, order="asc") == [first.id, second.id, third.id]

    act, moves = MOVES[operation]
    act(conv, first.id, all_items(conv, first.id)[0])

    expected = [second.id, third.id, first.id] if moves else [first.id, second.id, third.id]
    assert listed(conv, order="asc") == expected
    assert listed(conv, order="desc") == expected[::-1]
    assert listed(conv) == expected  # the default order is asc
    assert conv.get(conversation_id=first.id).created_at == T0  # ordering is not by created_at


# -- delete (soft) ---------------------------------------------------------------------------------


def test_delete_is_soft(conv: Conversations, store: Store) -> None:
    """Delete answers ``conversation.deleted`` and hides the conversation; the store keeps it and items."""
    kept = conv.create(metadata={"keep": "yes"})
    doomed = conv.create(metadata={"keep": "no"}, items=[message("survives"), function_call("{}")])
    item_ids = all_items(conv, doomed.id)

    deleted = conv.delete(conversation_id=doomed.id)
    assert isinstance(deleted, models.ConversationDeletedObject)
    assert (deleted.id, deleted.object, deleted.deleted) == (doomed.id, "conversation.deleted", True)

    assert listed(conv) == [kept.id]
    assert listed(conv, order="desc") == [kept.id]
    assert listed(conv, metadata={"keep": "no"}) == []
    assert listed(conv, search="survives") == []
    stored = next(c for c in store.section("conversations").snapshot() if c.id == doomed.id)  # soft delete: kept
    assert stored.deleted_at is not None
    assert stored.metadata == {"keep": "no"}
    assert [item.id for item in stored.items] == item_ids
    assert conv.get(conversation_id=kept.id).metadata == {"keep": "yes"}


def test_deleted_conversation_is_404_everywhere(conv: Conversations) -> None:
    """After a delete, every call on the conversation (including a second delete) is 404."""
    created = conv.create(items=[message("hello")])
    item_id = all_items(conv, created.id)[0]
    conv.delete(conversation_id=created.id)
    for name, operation in OPERATIONS.items():
        error = expect_status(404, lambda operation=operation: operation(conv, created.id, item_id, None))
        assert created.id in error.body, name
    assert listed(conv) == []


# -- list: pagination ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "limit", "sizes"),
    [(7, 3, [3, 3, 1]), (6, 3, [3, 3]), (5, 50, [5]), (3, 1, [1, 1, 1])],
)
def test_list_pagination_across_pages(
    conv: Conversations, count: int, limit: int, sizes: list[int]
) -> None:
    """List pages chain through ``after`` = ``last_id`` in both orders, and desc is the reverse of asc."""
    created = [conv.create(metadata={"n": str(n)}).id for n in range(count)]
    walked: dict[str, list[str]] = {}
    for order in ("asc", "desc"):
        pages = conversation_pages(conv, limit=limit, order=order)
        assert [len(page.data) for page in pages] == sizes
        assert [page.has_more for page in pages] == [True] * (len(sizes) - 1) + [False]
        assert all(page.object == "list" and page.last_id == page.data[-1].id for page in pages)
        assert all(entry.deleted_at is None for page in pages for entry in page.data)
        walked[order] = [i for page in pages for i in ids(page)]
    assert walked["asc"] == created
    assert walked["desc"] == created[::-1]


def test_list_empty_and_defaults(conv: Conversations, api: Api) -> None:
    """An empty list is ``data: []`` without more; otherwise the server's default page is 20, oldest first."""
    empty = conv.list()
    assert (empty.object, empty.data, empty.has_more) == ("list", [], False)
    assert not empty.last_id

    created = [conv.create().id for _ in range(21)]
    raw = api.get("/conversations")
    assert raw.status_code == 200, raw.text
    page = models.ConversationListObject.model_validate(raw.json())
    assert ids(page) == created[:20]
    assert page.has_more is True
    assert page.last_id == created[19]


def test_list_with_unknown_cursor_is_400(conv: Conversations) -> None:
    """An ``after`` that is not in the list (unknown or deleted) is a 400, for conversations and items."""
    gone = conv.create(items=[message("x")])
    conv.create()
    conv.delete(conversation_id=gone.id)
    expect_status(400, lambda: conv.list(after=gone.id))
    expect_status(400, lambda: conv.list(after="conv_unknown"))
    live = conv.create(items=[message("y")])
    expect_status(400, lambda: conv.list_items(conversation_id=live.id, after="msg_unknown"))


# -- list: metadata filter -------------------------------------------------------------------------


def filter_json(conv: Conversations, api: Api, pairs: dict[str, str], **page: Any) -> Any:
    return conv.list(metadata=json.dumps(pairs), **page)


def filter_dict(conv: Conversations, api: Api, pairs: dict[str, str], **page: Any) -> Any:
    return conv.list(metadata=pairs, **page)


def filter_deep_object(conv: Conversations, api: Api, pairs: dict[str, str], **page: Any) -> Any:
    params = {f"metadata[{key}]": value for key, value in pairs.items()}
    params.update({key: str(value) for key, value in page.items() if value is not None})
    response = api.get("/conversations", params=params)
    assert response.status_code == 200, response.text
    return models.ConversationListObject.model_validate(response.json())


FILTER_FORMS = {"json-string": filter_json, "sdk-dict": filter_dict, "deep-object": filter_deep_object}


@pytest.fixture
def tagged(conv: Conversations) -> dict[str, str]:
    """Four conversations with overlapping metadata, by name."""
    return {
        "prod_a": conv.create(metadata={"env": "prod", "team": "a"}).id,
        "prod_b": conv.create(metadata={"env": "prod", "team": "b"}).id,
        "dev_a": conv.create(metadata={"env": "dev", "team": "a", "extra": "1"}).id,
        "bare": conv.create().id,
    }


FILTER_CASES: list[tuple[dict[str, str], list[str]]] = [
    ({"env": "prod"}, ["prod_a", "prod_b"]),
    ({"team": "a"}, ["prod_a", "dev_a"]),
    ({"env": "prod", "team": "a"}, ["prod_a"]),
    ({"env": "dev", "team": "a", "extra": "1"}, ["dev_a"]),
    ({"env": "prod", "team": "c"}, []),
    ({"env": "staging"}, []),
    ({"env": "PROD"}, []),
]


@pytest.mark.parametrize("form", list(FILTER_FORMS))
def test_list_metadata_filter(conv: Conversations, api: Api, tagged: dict[str, str], form: str) -> None:
    """Every wire form of the metadata filter returns exactly the conversations matching all pairs."""
    for pairs, expected in FILTER_CASES:
        page = FILTER_FORMS[form](conv, api, pairs, limit=50, order="asc")
        assert ids(page) == [tagged[name] for name in expected], pairs
        assert page.has_more is False
        assert all(set(pairs.items()) <= set(entry.metadata.items()) for entry in page.data)


@pytest.mark.parametrize("form", list(FILTER_FORMS))
def test_list_metadata_filter_paginates(
    conv: Conversations, api: Api, tagged: dict[str, str], form: str
) -> None:
    """A filtered list pages over the matching conversations only, in both orders."""
    use = FILTER_FORMS[form]
    first = use(conv, api, {"env": "prod"}, limit=1, order="asc")
    assert (ids(first), first.has_more, first.last_id) == ([tagged["prod_a"]], True, tagged["prod_a"])
    second = use(conv, api, {"env": "prod"}, limit=1, order="asc", after=first.last_id)
    assert (ids(second), second.has_more) == ([tagged["prod_b"]], False)
    backwards = use(conv, api, {"env": "prod"}, limit=1, order="desc")
    assert (ids(backwards), backwards.has_more) == ([tagged["prod_b"]], True)


# -- list: search ----------------------------------------------------------------------------------


@pytest.fixture
def searchable(conv: Conversations) -> dict[str, str]:
    """Conversations whose only match for a term lives in a different kind of item text, by name."""
    return {
        "string": conv.create(
            metadata={"team": "a"}, items=[message("What is the WEATHER today?")]
        ).id,
        "part": conv.create(
            metadata={"team": "b"}, items=[message("hi"), part_message("Tell me about Zebras please")]
        ).id,
        "arguments": conv.create(
            metadata={"team": "a"}, items=[function_call('{"city": "Reykjavik"}', call_id="c9")]
        ).id,
        "output": conv.create(
            metadata={"team": "b"},
            items=[
                function_call("{}", call_id="c7"),
                function_output('{"sky": "Sunny and mild"}', call_id="c7"),
            ],
        ).id,
        "weather_b": conv.create(metadata={"team": "b"}, items=[message("weather again")]).id,
        "plain": conv.create(metadata={"team": "a"}, items=[message("nothing to see")]).id,
    }


SEARCH_CASES: list[tuple[str, list[str]]] = [
    ("weather", ["string", "weather_b"]),
    ("WeAtHeR", ["string", "weather_b"]),
    ("zebras", ["part"]),
    ("REYKJAVIK", ["arguments"]),
    ("sunny and", ["output"]),
    ("no-such-term", []),
]


def test_list_search(conv: Conversations, searchable: dict[str, str]) -> None:
    """Search is case-insensitive and finds message strings, content parts, call arguments and outputs."""
    for query, expected in SEARCH_CASES:
        assert listed(conv, search=query) == [searchable[name] for name in expected], query
        backwards = [searchable[name] for name in reversed(expected)]
        assert listed(conv, search=query, order="desc") == backwards, query


@pytest.mark.parametrize("form", list(FILTER_FORMS))
def test_list_search_and_metadata_combine_with_and(
    conv: Conversations, api: Api, searchable: dict[str, str], form: str
) -> None:
    """Search and a metadata filter together return only conversations matching both."""
    for team, expected in (("a", "string"), ("b", "weather_b")):
        page = FILTER_FORMS[form](conv, api, {"team": team}, search="weather", limit=50, order="asc")
        assert ids(page) == [searchable[expected]]
    assert ids(FILTER_FORMS[form](conv, api, {"team": "a"}, search="zebras", limit=50, order="asc")) == []


@pytest.mark.parametrize("how", ["delete_item", "delete_items"])
def test_search_forgets_deleted_items(conv: Conversations, how: str) -> None:
    """A conversation whose only matching item was deleted no longer matches the search."""
    created = conv.create(items=[message("a banana split"), message("an apple")])
    banana, apple = all_items(conv, created.id)
    other = conv.create(items=[message("more BANANAS")])
    assert listed(conv, search="banana") == [created.id, other.id]

    if how == "delete_item":
        conv.delete_item(conversation_id=created.id, item_id=banana)
    else:
        conv.delete_items(conversation_id=created.id, item_ids=[banana])

    assert listed(conv, search="banana") == [other.id]
    assert listed(conv, search="apple") == [created.id]
    conv.create_items(conversation_id=created.id, items=[message("banana is back")])
    assert listed(conv, search="banana") == [other.id, created.id]
    assert all_items(conv, created.id)[0] == apple


# -- items -----------------------------------------------------------------------------------------


def test_create_items_returns_exactly_the_created_items(conv: Conversations) -> None:
    """create_items appends and returns only the new items (has_more false, last_id the last of them)."""
    created = conv.create(items=[message("old 1"), message("old 2")])
    old = all_items(conv, created.id)
    sent = [part_message("new 1"), function_call('{"q": 1}', id="fc_mine"), function_output("done")]

    result = conv.create_items(
        conversation_id=created.id, items=sent, include=["message.output_text.logprobs"]
    )
    assert isinstance(result, models.ConversationsItemsCreateResponse)
    assert result.object == "list"
    assert result.has_more is False
    assert len(result.data) == len(sent)
    for got, item in zip(result.data, sent, strict=True):
        assert_stored_item(got, item)
    assert result.data[1].id == "fc_mine"
    assert result.last_id == result.data[-1].id

    assert all_items(conv, created.id) == old + ids(result)


@pytest.mark.parametrize("order", ["asc", "desc"])
def test_list_items_pagination_across_pages(conv: Conversations, order: str) -> None:
    """25 items in pages of 10 come back 10, 10, 5 with last_id chaining, desc the reverse of asc."""
    created = conv.create(items=[message(f"item {i}") for i in range(20)])
    conv.create_items(conversation_id=created.id, items=[message(f"item {i}") for i in range(20, 25)])
    everything = all_items(conv, created.id)
    assert [conv.get_item(conversation_id=created.id, item_id=i).content for i in everything] == [
        f"item {i}" for i in range(25)
    ]

    pages = item_pages(conv, created.id, limit=10, order=order)
    assert [len(page.data) for page in pages] == [10, 10, 5]
    assert [page.has_more for page in pages] == [True, True, False]
    walked = [i for page in pages for i in ids(page)]
    assert walked == (everything if order == "asc" else everything[::-1])


def test_list_items_defaults_to_ascending(conv: Conversations, api: Api) -> None:
    """Without ``order``/``limit`` items come oldest first, 20 a page (SDK defaults and server defaults)."""
    created = conv.create(items=[message(f"m{i}") for i in range(20)])
    conv.create_items(conversation_id=created.id, items=[message("m20")])
    everything = ids(conv.list_items(conversation_id=created.id, order="asc", limit=100))

    through_sdk = conv.list_items(conversation_id=created.id)
    raw = api.get(f"/conversations/{created.id}/items")
    assert raw.status_code == 200, raw.text
    through_raw = models.ConversationsItemsListResponse.model_validate(raw.json())
    for page in (through_sdk, through_raw):
        assert ids(page) == everything[:20]
        assert page.has_more is True
        assert page.last_id == everything[19]


def test_get_item(conv: Conversations) -> None:
    """get_item returns the stored item with its fields, and 404 for an id not in the conversation."""
    sent = [message("hello"), function_call('{"city":"Paris"}', call_id="call_9"), part_message("parts")]
    created = conv.create(items=sent)
    other = conv.create(items=[message("elsewhere")])
    for item_id, item in zip(all_items(conv, created.id), sent, strict=True):
        got = conv.get_item(conversation_id=created.id, item_id=item_id)
        assert got.id == item_id
        assert_stored_item(got, item)
    fetched = conv.get_item(conversation_id=created.id, item_id=all_items(conv, created.id)[1])
    assert (fetched.type, fetched.call_id, fetched.name, fetched.arguments) == (
        "function_call", "call_9", "lookup", '{"city":"Paris"}'
    )
    expect_status(404, lambda: conv.get_item(conversation_id=created.id, item_id="msg_missing"))
    foreign = all_items(conv, other.id)[0]
    expect_status(404, lambda: conv.get_item(conversation_id=created.id, item_id=foreign))


def test_delete_item_returns_the_parent_conversation(conv: Conversations) -> None:
    """delete_item answers the parent conversation; the item is gone and the others stay in order."""
    metadata = {"session_id": "s1"}
    created = conv.create(metadata=metadata, items=[message(f"m{i}") for i in range(4)])
    item_ids = all_items(conv, created.id)

    parent = conv.delete_item(conversation_id=created.id, item_id=item_ids[1])
    assert isinstance(parent, models.ConversationObject)
    assert (parent.id, parent.object, parent.deleted_at) == (created.id, "conversation", None)
    assert parent.created_at == created.created_at
    assert parent.metadata is not None
    assert set(metadata.items()) <= set(parent.metadata.items())
    assert parent.metadata.get("last_removed_item_id", item_ids[1]) == item_ids[1]

    expect_status(404, lambda: conv.get_item(conversation_id=created.id, item_id=item_ids[1]))
    expect_status(404, lambda: conv.delete_item(conversation_id=created.id, item_id=item_ids[1]))
    assert all_items(conv, created.id) == [item_ids[0], item_ids[2], item_ids[3]]
    assert conv.get(conversation_id=created.id).deleted_at is None


def test_delete_items_removes_several(conv: Conversations) -> None:
    """delete_items (a DELETE with a JSON body) removes every named item and answers the parent."""
    created = conv.create(metadata={"k": "v"}, items=mixed_items(6))
    item_ids = all_items(conv, created.id)

    parent = conv.delete_items(conversation_id=created.id, item_ids=[item_ids[4], item_ids[0], item_ids[2]])
    assert isinstance(parent, models.ConversationObject)
    assert (parent.id, parent.object, parent.deleted_at) == (created.id, "conversation", None)
    assert parent.metadata is not None and parent.metadata.get("k") == "v"
    assert all_items(conv, created.id) == [item_ids[1], item_ids[3], item_ids[5]]
    for gone in (item_ids[0], item_ids[2], item_ids[4]):
        expect_status(404, lambda gone=gone: conv.get_item(conversation_id=created.id, item_id=gone))

    # All or nothing: one unknown id deletes none of the others.
    expect_status(
        404, lambda: conv.delete_items(conversation_id=created.id, item_ids=[item_ids[1], "msg_nope"])
    )
    assert all_items(conv, created.id) == [item_ids[1], item_ids[3], item_ids[5]]


def test_empty_item_page_has_empty_last_id(conv: Conversations) -> None:
    """An empty items page parses in the SDK with ``last_id == ""`` (new, emptied, and past the end)."""
    created = conv.create()
    empty = conv.list_items(conversation_id=created.id)
    assert isinstance(empty, models.ConversationsItemsListResponse)
    assert (empty.object, empty.data, empty.has_more, empty.last_id) == ("list", [], False, "")

    conv.create_items(conversation_id=created.id, items=[message("a"), message("b")])
    conv.delete_items(conversation_id=created.id, item_ids=all_items(conv, created.id))
    emptied = conv.list_items(conversation_id=created.id, order="desc")
    assert (emptied.data, emptied.has_more, emptied.last_id) == ([], False, "")

    conv.create_items(conversation_id=created.id, items=[message("c")])
    only = all_items(conv, created.id)
    past_end = conv.list_items(conversation_id=created.id, after=only[0])
    assert (past_end.data, past_end.has_more, past_end.last_id) == ([], False, "")


# -- tenancy and identity --------------------------------------------------------------------------

SCOPE_CASES: list[tuple[Scope, Scope]] = [
    ((API_KEY, None), (OTHER_KEY, None)),
    ((API_KEY, None), (API_KEY, "alice")),
    ((API_KEY, "alice"), (API_KEY, None)),
    ((API_KEY, "alice"), (API_KEY, "bob")),
    ((API_KEY, "alice"), (OTHER_KEY, "alice")),
]


@pytest.mark.parametrize(("owner", "stranger"), SCOPE_CASES, ids=lambda s: f"{s[0]}|{s[1]}")
def test_other_scope_sees_404_and_changes_nothing(
    clients: Callable[[str], Conversations], owner: Scope, stranger: Scope
) -> None:
    """Every call from another (key, X-On-Behalf-Of) scope is 404 and changes nothing."""
    mine, theirs = clients(owner[0]), clients(stranger[0])
    created = mine.create(metadata={"owner": "me"}, items=[message("private")], x_on_behalf_of=owner[1])
    item_id = all_items(mine, created.id, x_on_behalf_of=owner[1])[0]

    for name, operation in OPERATIONS.items():
        error = expect_status(
            404, lambda operation=operation: operation(theirs, created.id, item_id, stranger[1])
        )
        assert created.id in error.body or item_id in error.body, name

    again = mine.get(conversation_id=created.id, x_on_behalf_of=owner[1])
    assert_live(again, conversation_id=created.id, metadata={"owner": "me"})
    assert all_items(mine, created.id, x_on_behalf_of=owner[1]) == [item_id]


@pytest.mark.parametrize(("owner", "stranger"), SCOPE_CASES, ids=lambda s: f"{s[0]}|{s[1]}")
def test_lists_are_scoped(clients: Callable[[str], Conversations], owner: Scope, stranger: Scope) -> None:
    """Each scope's list (plain, filtered, searched) shows only its own conversations."""
    mine, theirs = clients(owner[0]), clients(stranger[0])
    own = mine.create(metadata={"tag": "x"}, items=[message("secret words")], x_on_behalf_of=owner[1]).id
    foreign = theirs.create(
        metadata={"tag": "x"}, items=[message("secret words")], x_on_behalf_of=stranger[1]
    ).id

    for client, scope, expected in ((mine, owner, own), (theirs, stranger, foreign)):
        assert listed(client, x_on_behalf_of=scope[1]) == [expected]
        assert listed(client, x_on_behalf_of=scope[1], metadata={"tag": "x"}) == [expected]
        assert listed(client, x_on_behalf_of=scope[1], search="secret") == [expected]
        assert listed(client, x_on_behalf_of=scope[1], order="desc") == [expected]


def test_identity_is_stable_per_scope(clients: Callable[[str], Conversations]) -> None:
    """``identity`` is equal for the same (key, X-On-Behalf-Of) and differs between scopes."""
    scopes: list[Scope] = [
        (API_KEY, None), (API_KEY, "alice"), (API_KEY, "bob"), (OTHER_KEY, None), (OTHER_KEY, "alice"),
    ]
    identities: dict[Scope, str] = {}
    for key, obo in scopes:
        client = clients(key)
        first = client.create(x_on_behalf_of=obo)
        second = client.create(metadata={"n": "2"}, x_on_behalf_of=obo)
        assert first.identity and first.identity == second.identity
        assert client.get(conversation_id=first.id, x_on_behalf_of=obo).identity == first.identity
        assert {c.identity for c in client.list(x_on_behalf_of=obo).data} == {first.identity}
        assert re.fullmatch(r"[0-9a-f]{64}", first.identity), first.identity  # hash mode is the default
        identities[(key, obo)] = first.identity
    assert len(set(identities.values())) == len(scopes)


def test_identity_modes_raw_and_hash(make_sdk: Callable[[str, str], SDK]) -> None:
    """With ``identity_mode="raw"`` identity is ``<user_id>:<external>``; hash mode is its SHA-256."""
    users = {API_KEY: "user_alpha", OTHER_KEY: "user_beta"}
    seen: dict[str, dict[Scope, str]] = {}
    for mode in ("raw", "hash"):
        app = create_app(config=MockConfig(identity_mode=mode, users=users))  # type: ignore[arg-type]
        seen[mode] = {}
        with MockServer(app) as running:
            for key in (API_KEY, OTHER_KEY):
                client = make_sdk(running.url, key).llm.conversations
                for obo in (None, "ext-42"):
                    created = client.create(x_on_behalf_of=obo)
                    fetched = client.get(conversation_id=created.id, x_on_behalf_of=obo)
                    assert fetched.identity == created.identity
                    seen[mode][(key, obo)] = created.identity  # type: ignore[assignment]
    raw = seen["raw"]
    assert raw[(API_KEY, "ext-42")] == "user_alpha:ext-42"
    assert raw[(OTHER_KEY, "ext-42")] == "user_beta:ext-42"
    assert raw[(API_KEY, None)].startswith("user_alpha")
    assert raw[(OTHER_KEY, None)].startswith("user_beta")
    assert len(set(raw.values())) == 4
    for scope, identity in raw.items():
        assert seen["hash"][scope] == hashlib.sha256(identity.encode()).hexdigest()


# -- async -----------------------------------------------------------------------------------------


def test_async_variants(server: MockServer, store: Store) -> None:
    """The SDK's ``*_async`` methods create, list, get and manage items against the same server."""

    async def scenario(client: SDK) -> tuple[Any, ...]:
        async with client:
            conv = client.llm.conversations
            created = await conv.create_async(metadata={"via": "async"}, items=[message("hi")])
            more = await conv.create_items_async(conversation_id=created.id, items=[message("again")])
            fetched = await conv.get_async(conversation_id=created.id)
            page = await conv.list_async(metadata={"via": "async"})
            items = await conv.list_items_async(conversation_id=created.id)
            updated = await conv.update_async(conversation_id=created.id, metadata={"via": "async2"})
            deleted = await conv.delete_async(conversation_id=created.id)
            return created, more, fetched, page, items, updated, deleted

    with SDK(bearer_auth=API_KEY, server_url=server.url, retry_config=None) as client:
        created, more, fetched, page, items, updated, deleted = asyncio.run(scenario(client))
        assert_generated(created.id, "conv")
        assert_live(created, conversation_id=created.id, metadata={"via": "async"})
        assert fetched == created
        assert ids(page) == [created.id] and page.has_more is False
        assert [i.content for i in items.data] == ["hi", "again"]
        assert items.last_id == more.last_id == more.data[0].id
        assert updated.metadata == {"via": "async2"}
        assert (deleted.id, deleted.deleted) == (created.id, True)
        expect_status(404, lambda: client.llm.conversations.get(conversation_id=created.id))


# -- transport -------------------------------------------------------------------------------------
