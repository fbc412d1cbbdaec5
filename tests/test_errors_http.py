"""Every error of the Conversations API, over raw HTTP: status, envelope, and the state afterwards.

Each rejected request is checked twice: the error it gets (status, ``type``, ``code``, ``param``
and a message naming the problem) and the state it leaves (every owner's conversations and items,
re-listed through the API, and the store's own snapshot are exactly what they were before).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from mka1_mock import Mka1Mock, MockConfig, MockServer, Store, create_app

from .conftest import API_KEY, BASE, Api, assert_error

OTHER_KEY = "mk-other-key"
JSON = {"Content-Type": "application/json"}
NO_ROUTE = "no Route matched with those values"

# Every owner a test in this file acts as: (key, X-On-Behalf-Of).
OWNERS: tuple[dict[str, Any], ...] = (
    {},
    {"key": OTHER_KEY},
    {"on_behalf_of": "alice"},
    {"on_behalf_of": "bob"},
)


def msg(text: str = "hi", *, role: str = "user", id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"type": "message", "role": role, "content": text}
    if id is not None:
        item["id"] = id
    return item


# --- helpers --------------------------------------------------------------------------------------


def check(
    response: requests.Response,
    status: int,
    *,
    param: str | None,
    code: str | None,
    names: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """``assert_error``, plus: the message names the problem (the param by default)."""
    error = assert_error(response, status, param=param, code=code)
    for name in names if names is not None else ((param,) if param else ()):
        assert name in error["message"], (name, error["message"])
    return error


def assert_envelope(response: requests.Response, status: int | None = None) -> dict[str, Any]:
    """A service error in the OpenAI envelope, whatever its param and code."""
    assert response.status_code < 500, response.text
    if status is not None:
        assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"message", "type", "param", "code"}, error
    assert error["type"] == "invalid_request_error", error
    assert isinstance(error["message"], str) and error["message"], error
    assert error["param"] is None or isinstance(error["param"], str), error
    assert error["code"] is None or isinstance(error["code"], str), error
    return error  # type: ignore[no-any-return]


def assert_unauthorized(response: requests.Response, *words: str) -> None:
    """The gateway's 401: ``{"error": "Unauthorized", "message": ...}``."""
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "message"}, body
    assert body["error"] == "Unauthorized"
    assert isinstance(body["message"], str) and body["message"]
    for word in words:
        assert word in body["message"], body["message"]


def list_all(api: Api, path: str, limit: int, **who: Any) -> list[dict[str, Any]]:
    """Every element of a list endpoint, following ``last_id`` cursors."""
    out: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit, "order": "asc"}
    while True:
        response = api.get(path, params=params, **who)
        assert response.status_code == 200, response.text
        page = response.json()
        out.extend(page["data"])
        if not page["has_more"]:
            return out
        params["after"] = page["last_id"]


def snapshot(api: Api) -> dict[str, Any]:
    """Everything every owner can see: conversations in list order, each with all its items."""
    state: dict[str, Any] = {}
    for who in OWNERS:
        conversations = list_all(api, "/conversations", 50, **who)
        state[repr(sorted(who.items()))] = [
            (c, list_all(api, f"/conversations/{c['id']}/items", 100, **who)) for c in conversations
        ]
    return state


@contextmanager
def _unchanged(api: Api, store: Store | None = None) -> Iterator[None]:
    """Assert the block leaves every owner's conversations and items exactly as they were.

    Checked through the API (every owner's lists) and, with ``store``, in the store itself, which
    also covers deleted conversations and last-updated times.
    """
    before, stored = snapshot(api), store.export() if store is not None else None
    yield
    assert snapshot(api) == before, "a rejected request changed what the API lists"
    if store is not None:
        assert store.export() == stored, "a rejected request changed the store"


def create(api: Api, body: dict[str, Any] | None = None, **who: Any) -> str:
    response = api.post("/conversations", json=body or {}, **who)
    assert response.status_code == 200, response.text
    return response.json()["id"]  # type: ignore[no-any-return]


Unchanged = Callable[[], AbstractContextManager[None]]


@pytest.fixture
def unchanged(api: Api, store: Store) -> Unchanged:
    """``with unchanged():`` asserts the block changes nothing, through the API and in the store."""
    return lambda: _unchanged(api, store)


@dataclass
class World:
    """Two conversations of the default owner, and one of another key."""

    a: str  # items msg_a1, msg_a2, fco_a3 (created first, so it is first in asc order)
    b: str  # item msg_b1
    other: str  # another key's, item msg_o1


A_ITEMS = ["msg_a1", "msg_a2", "fco_a3"]


@pytest.fixture
def world(api: Api) -> World:
    a = create(
        api,
        {
            "metadata": {"name": "a"},
            "items": [
                msg("first", id="msg_a1"),
                msg("second", role="assistant", id="msg_a2"),
                {
                    "type": "function_call_output",
                    "call_id": "call_1",
                    "output": "42",
                    "id": "fco_a3",
                },
            ],
        },
    )
    b = create(api, {"metadata": {"name": "b"}, "items": [msg("b", id="msg_b1")]})
    other = create(api, {"items": [msg("o", id="msg_o1")]}, key=OTHER_KEY)
    return World(a=a, b=b, other=other)


def item_ids(api: Api, conversation_id: str, **who: Any) -> list[str]:
    return [i["id"] for i in list_all(api, f"/conversations/{conversation_id}/items", 100, **who)]


def test_unchanged_notices_a_change(api: Api, unchanged: Unchanged, world: World) -> None:
    """The state check used by every test below does fail when a request changes something."""
    with pytest.raises(AssertionError, match="changed"), unchanged():
        assert api.post(f"/conversations/{world.b}", json={"metadata": {}}).status_code == 200
    with pytest.raises(AssertionError, match="changed"), unchanged():
        assert api.delete(f"/conversations/{world.a}/items/msg_a2").status_code == 200


# --- the conversation routes ----------------------------------------------------------------------

# (name, method, path, body): ``{c}`` is the conversation id, ``{i}`` an item id.
ROUTES: list[tuple[str, str, str, Any]] = [
    ("get", "GET", "/conversations/{c}", None),
    ("update", "POST", "/conversations/{c}", {"metadata": {"k": "v"}}),
    ("delete", "DELETE", "/conversations/{c}", None),
    ("items.create", "POST", "/conversations/{c}/items", {"items": [msg("new")]}),
    ("items.list", "GET", "/conversations/{c}/items", None),
    ("items.get", "GET", "/conversations/{c}/items/{i}", None),
    ("items.delete", "DELETE", "/conversations/{c}/items/{i}", None),
    ("items.delete_many", "DELETE", "/conversations/{c}/items", "ITEM_IDS"),
]
ROUTE_IDS = [r[0] for r in ROUTES]
LIST_ROUTE = ("list", "GET", "/conversations", None)
CREATE_ROUTE = ("create", "POST", "/conversations", {"metadata": {"k": "v"}})


def call(
    api: Api, route: tuple[str, str, str, Any], conversation_id: str, item_id: str, **kw: Any
) -> requests.Response:
    _, method, path, body = route
    if body == "ITEM_IDS":
        body = {"item_ids": [item_id]}
    if body is not None:
        kw["json"] = body
    return api.request(method, path.format(c=conversation_id, i=item_id), **kw)


def normalised(body: Any, conversation_id: str) -> Any:
    return json.loads(json.dumps(body).replace(conversation_id, "<conversation>"))


# --- auth -----------------------------------------------------------------------------------------

BAD_AUTH = {
    "missing": None,
    "basic-scheme": "Basic bWs6dGVzdA==",
    "token-scheme": f"Token {API_KEY}",
    "key-without-scheme": API_KEY,
    "bearer-without-key": "Bearer",
    "bearer-blank-key": "Bearer    ",
}
# A missing header on every route; each malformed one on a body route and a path-only route.
AUTH_CASES = [
    pytest.param(route, header, id=f"{route[0]}-{name}")
    for name, header in BAD_AUTH.items()
    for route in (
        [CREATE_ROUTE, LIST_ROUTE, *ROUTES] if header is None else [CREATE_ROUTE, ROUTES[5]]
    )
]


@pytest.mark.parametrize("route, header", AUTH_CASES)
def test_bad_authorization_is_401_and_changes_nothing(
    api: Api,
    unchanged: Unchanged,
    world: World,
    route: tuple[str, str, str, Any],
    header: str | None,
) -> None:
    """A missing, non-Bearer or empty credential is the gateway's 401, and changes nothing."""
    headers = {"Authorization": header} if header is not None else {}
    with unchanged():
        response = call(api, route, world.a, "msg_a1", key=None, headers=headers)
        assert_unauthorized(response, "Authorization")


@pytest.fixture(scope="module")
def keyed_server() -> Iterator[MockServer]:
    with MockServer(create_app(config=MockConfig(api_keys=frozenset({"mk-good"})))) as running:
        yield running


def test_only_configured_keys_are_accepted(keyed_server: MockServer) -> None:
    """With ``api_keys`` set, an unknown key is 401 and stores nothing; the listed key works."""
    client = Api(keyed_server.url)
    try:
        for key in ("mk-unknown", API_KEY):
            response = client.post("/conversations", json={"metadata": {"k": "v"}}, key=key)
            assert_unauthorized(response, "API key")
            assert_unauthorized(client.get("/conversations", key=key), "API key")
        listed = client.get("/conversations", key="mk-good")
        assert listed.status_code == 200 and listed.json()["data"] == []
        created = client.post("/conversations", json={"metadata": {"k": "v"}}, key="mk-good")
        assert created.status_code == 200, created.text
        assert_unauthorized(client.get(f"/conversations/{created.json()['id']}", key="mk-unknown"))
        listed = client.get("/conversations", key="mk-good").json()["data"]
        assert [c["id"] for c in listed] == [created.json()["id"]]
    finally:
        client.session.close()
    Mka1Mock(keyed_server.app, url=keyed_server.url).check()  # type: ignore[arg-type]


# --- unknown, foreign and deleted conversations ---------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_unknown_conversation_is_404_on_every_route(
    api: Api, unchanged: Unchanged, world: World, route: tuple[str, str, str, Any]
) -> None:
    """An unknown conversation id is a 404 conversation_not_found naming it, on every route."""
    with unchanged():
        response = call(api, route, "conv_doesnotexist", "msg_a1")
        check(
            response, 404, param=None, code="conversation_not_found", names=("conv_doesnotexist",)
        )


STRANGERS = [
    pytest.param({}, {"key": OTHER_KEY}, id="other-key"),
    pytest.param({"on_behalf_of": "alice"}, {"on_behalf_of": "bob"}, id="other-on-behalf-of"),
    pytest.param({"on_behalf_of": "alice"}, {}, id="header-dropped"),
    pytest.param({}, {"on_behalf_of": "alice"}, id="header-added"),
]


@pytest.mark.parametrize("owner, stranger", STRANGERS)
@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_another_owners_conversation_looks_unknown(
    api: Api,
    unchanged: Unchanged,
    world: World,
    route: tuple[str, str, str, Any],
    owner: dict[str, Any],
    stranger: dict[str, Any],
) -> None:
    """Another owner's conversation gets exactly an unknown id's 404 body, and is left untouched."""
    mine = create(api, {"items": [msg(id="msg_s1")]}, **owner)
    unknown = call(api, route, "conv_doesnotexist", "msg_s1", **stranger)
    with unchanged():
        response = call(api, route, mine, "msg_s1", **stranger)
        check(response, 404, param=None, code="conversation_not_found", names=(mine,))
    assert normalised(response.json(), mine) == normalised(unknown.json(), "conv_doesnotexist")
    assert response.headers["content-type"] == unknown.headers["content-type"]
    assert api.get(f"/conversations/{mine}/items/msg_s1", **owner).status_code == 200


@pytest.mark.parametrize("route", ROUTES, ids=ROUTE_IDS)
def test_soft_deleted_conversation_is_404_on_every_route(
    api: Api, unchanged: Unchanged, world: World, route: tuple[str, str, str, Any]
) -> None:
    """After a delete, every route answers 404 conversation_not_found; nothing comes back."""
    assert api.delete(f"/conversations/{world.b}").status_code == 200
    with unchanged():
        response = call(api, route, world.b, "msg_b1")
        check(response, 404, param=None, code="conversation_not_found", names=(world.b,))
    assert world.b not in [c["id"] for c in list_all(api, "/conversations", 50)]


# --- unknown items --------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "DELETE"])
@pytest.mark.parametrize(
    "item_id",
    [
        pytest.param("msg_doesnotexist", id="unknown"),
        pytest.param("msg_b1", id="in-another-conversation"),
        pytest.param("msg_o1", id="in-another-owners-conversation"),
        pytest.param("msg_a1/x", id="with-a-slash"),
        pytest.param("MSG_A1", id="wrong-case"),
    ],
)
def test_unknown_item_is_404(
    api: Api, unchanged: Unchanged, world: World, method: str, item_id: str
) -> None:
    """Getting or deleting an item the conversation lacks is a 404 item_not_found naming it."""
    with unchanged():
        response = api.request(method, f"/conversations/{world.a}/items/{item_id}")
        check(response, 404, param=None, code="item_not_found", names=(item_id,))


def test_deleted_item_is_404(api: Api, unchanged: Unchanged, world: World) -> None:
    """An item already deleted is a 404 item_not_found on retrieve and on a second delete."""
    assert api.delete(f"/conversations/{world.a}/items/msg_a2").status_code == 200
    with unchanged():
        for method in ("GET", "DELETE"):
            response = api.request(method, f"/conversations/{world.a}/items/msg_a2")
            check(response, 404, param=None, code="item_not_found", names=("msg_a2",))


@pytest.mark.parametrize(
    "ids, missing",
    [
        pytest.param(
            ["msg_a1", "msg_doesnotexist", "msg_a2"], "msg_doesnotexist", id="unknown-in-middle"
        ),
        pytest.param(["msg_a1", "fco_a3", "msg_b1"], "msg_b1", id="from-another-conversation"),
        pytest.param(["msg_nope", "msg_a1"], "msg_nope", id="unknown-first"),
    ],
)
def test_delete_many_with_an_unknown_id_deletes_nothing(
    api: Api, unchanged: Unchanged, world: World, ids: list[str], missing: str
) -> None:
    """Delete-many with one unknown id among known ones is a 404 naming it and deletes none."""
    with unchanged():
        response = api.delete(f"/conversations/{world.a}/items", json={"item_ids": ids})
        check(response, 404, param="item_ids", code="item_not_found", names=(missing,))
    assert item_ids(api, world.a) == A_ITEMS


# --- list query parameters ------------------------------------------------------------------------

LIST_PARAMS = [
    # (list, query, param, code)
    ("conversations", {"limit": "0"}, "limit", "integer_below_min_value"),
    ("conversations", {"limit": "-3"}, "limit", "integer_below_min_value"),
    ("conversations", {"limit": "51"}, "limit", "integer_above_max_value"),
    ("conversations", {"limit": "x"}, "limit", "invalid_type"),
    ("conversations", {"limit": "2.5"}, "limit", "invalid_type"),
    ("conversations", {"limit": ""}, "limit", "invalid_type"),
    ("conversations", {"order": "sideways"}, "order", "invalid_value"),
    ("conversations", {"order": "ASC"}, "order", "invalid_value"),
    ("items", {"limit": "0"}, "limit", "integer_below_min_value"),
    ("items", {"limit": "101"}, "limit", "integer_above_max_value"),
    ("items", {"limit": "ten"}, "limit", "invalid_type"),
    ("items", {"order": "newest"}, "order", "invalid_value"),
    ("items", {"order": ""}, "order", "invalid_value"),
]


@pytest.mark.parametrize(
    "which, query, param, code", LIST_PARAMS, ids=[f"{w}-{q}" for w, q, *_ in LIST_PARAMS]
)
def test_bad_list_parameter_is_400(
    api: Api,
    unchanged: Unchanged,
    world: World,
    which: str,
    query: dict[str, str],
    param: str,
    code: str,
) -> None:
    """A ``limit`` out of range or not an integer, or an ``order`` not asc/desc, is a 400."""
    path = "/conversations" if which == "conversations" else f"/conversations/{world.a}/items"
    with unchanged():
        check(api.get(path, params=query), 400, param=param, code=code)


@pytest.mark.parametrize("which, limit", [("conversations", 50), ("items", 100), ("items", 1)])
def test_list_limit_bounds_are_accepted(api: Api, world: World, which: str, limit: int) -> None:
    """The extreme valid ``limit`` values of each list are accepted."""
    path = "/conversations" if which == "conversations" else f"/conversations/{world.a}/items"
    response = api.get(path, params={"limit": limit})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    assert 1 <= len(body["data"]) <= limit


def _deleted_conversation(api: Api, world: World) -> str:
    assert api.delete(f"/conversations/{world.b}").status_code == 200
    return world.b


def _alices_conversation(api: Api, world: World) -> str:
    return create(api, on_behalf_of="alice")


def _deleted_item(api: Api, world: World) -> str:
    assert api.delete(f"/conversations/{world.a}/items/msg_a2").status_code == 200
    return "msg_a2"


CURSORS: list[Any] = [
    pytest.param("conversations", lambda api, w: "conv_doesnotexist", id="conversations-unknown"),
    pytest.param("conversations", lambda api, w: w.other, id="conversations-other-key"),
    pytest.param("conversations", _alices_conversation, id="conversations-other-on-behalf-of"),
    pytest.param("conversations", _deleted_conversation, id="conversations-deleted"),
    pytest.param("conversations", lambda api, w: "msg_a1", id="conversations-an-item-id"),
    pytest.param("items", lambda api, w: "msg_doesnotexist", id="items-unknown"),
    pytest.param("items", lambda api, w: "msg_b1", id="items-of-another-conversation"),
    pytest.param("items", _deleted_item, id="items-deleted"),
    pytest.param("items", lambda api, w: w.a, id="items-a-conversation-id"),
]


@pytest.mark.parametrize("which, cursor_of", CURSORS)
def test_unknown_after_cursor_is_400(
    api: Api, unchanged: Unchanged, world: World, which: str, cursor_of: Callable[[Api, World], str]
) -> None:
    """An ``after`` that is not in this list (unknown, foreign, deleted) is a 400 on ``after``."""
    cursor = cursor_of(api, world)
    path = "/conversations" if which == "conversations" else f"/conversations/{world.a}/items"
    for order in ("asc", "desc"):
        with unchanged():
            response = api.get(path, params={"after": cursor, "order": order})
            check(response, 400, param="after", code="invalid_cursor", names=("'after'", cursor))


@pytest.mark.parametrize(
    "value, code",
    [
        pytest.param("{not json", "invalid_json", id="not-json"),
        pytest.param("", "invalid_json", id="empty"),
        pytest.param("[" * 5000, "invalid_json", id="too-deep"),
        pytest.param('["a", "b"]', "invalid_type", id="array"),
        pytest.param('"session"', "invalid_type", id="string"),
        pytest.param("42", "invalid_type", id="number"),
        pytest.param("null", "invalid_type", id="null"),
        pytest.param('{"k": 1}', "invalid_type", id="non-string-value"),
        pytest.param('{"k": {"x": "y"}}', "invalid_type", id="object-value"),
    ],
)
def test_bad_metadata_filter_is_400(
    api: Api, unchanged: Unchanged, world: World, value: str, code: str
) -> None:
    """A ``metadata`` list filter that is not a JSON object of strings is a 400 on ``metadata``."""
    with unchanged():
        check(
            api.get("/conversations", params={"metadata": value}), 400, param="metadata", code=code
        )


# --- items in request bodies ----------------------------------------------------------------------

ITEMS_CASES: list[Any] = [
    # (items value, param, code); every case is invalid on both create routes.
    pytest.param(
        [msg(str(n)) for n in range(21)], "items", "array_above_max_length", id="21-items"
    ),
    pytest.param("hello", "items", "invalid_type", id="string"),
    pytest.param(msg(), "items", "invalid_type", id="object"),
    pytest.param(7, "items", "invalid_type", id="number"),
    pytest.param(["hello"], "items[0]", "invalid_type", id="item-is-a-string"),
    pytest.param([msg(), None], "items[1]", "invalid_type", id="item-is-null"),
    pytest.param([{"type": "bogus", "x": 1}], "items[0].type", "invalid_value", id="unknown-type"),
    pytest.param([msg(), {"type": 3}], "items[1].type", "invalid_type", id="type-not-a-string"),
    pytest.param(
        [{"content": "x"}], "items[0].type", "missing_required_parameter", id="no-type-no-role"
    ),
    pytest.param(
        [msg(), {"type": "message", "content": "x"}],
        "items[1].role",
        "missing_required_parameter",
        id="missing-role",
    ),
    pytest.param(
        [{"type": "message", "role": "user"}],
        "items[0].content",
        "missing_required_parameter",
        id="missing-content",
    ),
    pytest.param(
        [{"type": "function_call_output", "output": "x"}],
        "items[0].call_id",
        "missing_required_parameter",
        id="missing-call_id",
    ),
    pytest.param(
        [{"type": "function_call_output", "call_id": "c"}],
        "items[0].output",
        "missing_required_parameter",
        id="missing-output",
    ),
    pytest.param([msg(role="tool")], "items[0].role", "invalid_value", id="role-tool"),
    pytest.param(
        [msg(), {"role": "tool", "content": "x"}],
        "items[1].role",
        "invalid_value",
        id="easy-message-role-tool",
    ),
    pytest.param(
        [{"type": "message", "role": "user", "content": 5}],
        "items[0].content",
        "invalid_type",
        id="content-a-number",
    ),
    pytest.param(
        [{"type": "message", "role": "user", "content": [{"type": "bogus"}]}],
        "items[0].content[0].type",
        "invalid_value",
        id="unknown-content-part",
    ),
    pytest.param(
        [{**msg(), "bogus": 1}],
        "items[0].bogus",
        "unknown_parameter",
        id="unknown-item-field",
    ),
    pytest.param([{**msg(), "id": 12}], "items[0].id", "invalid_type", id="id-a-number"),
    pytest.param(
        [msg(id="msg_dup"), msg(id="msg_other"), msg(id="msg_dup")],
        "items[2].id",
        "duplicate_item_id",
        id="duplicate-ids",
    ),
    pytest.param(
        [msg(id="msg_ok"), msg(role="tool")],
        "items[1].role",
        "invalid_value",
        id="valid-then-invalid",
    ),
]


def _names(param: str, code: str) -> tuple[str, ...]:
    return ("msg_dup",) if code == "duplicate_item_id" else (param,)


@pytest.mark.parametrize("items, param, code", ITEMS_CASES)
def test_bad_items_on_create_conversation(
    api: Api, unchanged: Unchanged, world: World, items: Any, param: str, code: str
) -> None:
    """Invalid ``items`` on conversation create are a 400 naming the field; nothing is created."""
    with unchanged():
        response = api.post("/conversations", json={"items": items, "metadata": {"k": "v"}})
        check(response, 400, param=param, code=code, names=_names(param, code))


@pytest.mark.parametrize(
    "items, param, code",
    [
        *ITEMS_CASES,
        pytest.param([], "items", "empty_array", id="empty"),
        pytest.param(None, "items", "invalid_type", id="null"),
        pytest.param("MISSING", "items", "missing_required_parameter", id="missing"),
        pytest.param(
            [msg(id="msg_new"), msg(id="msg_a2")],
            "items[1].id",
            "duplicate_item_id",
            id="id-already-in-conversation",
        ),
    ],
)
def test_bad_items_on_create_items(
    api: Api, unchanged: Unchanged, world: World, items: Any, param: str, code: str
) -> None:
    """Invalid ``items`` on items create are a 400 naming the field, and no item is added."""
    body = {} if items == "MISSING" else {"items": items}
    with unchanged():
        response = api.post(f"/conversations/{world.a}/items", json=body)
        names = ("msg_a2",) if param == "items[1].id" else _names(param, code)
        check(response, 400, param=param, code=code, names=names)
    assert item_ids(api, world.a) == A_ITEMS


def test_twenty_items_are_accepted(api: Api, world: World) -> None:
    """Exactly 20 items are accepted on both create routes (the boundary of the 21-item cases)."""
    twenty = [msg(str(n)) for n in range(20)]
    created = api.post("/conversations", json={"items": twenty})
    assert created.status_code == 200, created.text
    assert len(item_ids(api, created.json()["id"])) == 20
    added = api.post(f"/conversations/{world.a}/items", json={"items": twenty})
    assert added.status_code == 200, added.text
    assert len(added.json()["data"]) == 20


@pytest.mark.parametrize(
    "body, code",
    [
        pytest.param({}, "missing_required_parameter", id="missing"),
        pytest.param(None, "missing_required_parameter", id="no-body"),
        pytest.param({"item_ids": []}, "empty_array", id="empty"),
        pytest.param({"item_ids": None}, "invalid_type", id="null"),
        pytest.param({"item_ids": "msg_a1"}, "invalid_type", id="string"),
        pytest.param({"item_ids": {"0": "msg_a1"}}, "invalid_type", id="object"),
        pytest.param({"item_ids": ["msg_a1", 2]}, "invalid_type", id="non-string-element"),
        pytest.param({"item_ids": [["msg_a1"]]}, "invalid_type", id="nested-array"),
    ],
)
def test_bad_item_ids_on_delete_many(
    api: Api, unchanged: Unchanged, world: World, body: Any, code: str
) -> None:
    """Missing, empty or mistyped ``item_ids`` on delete-many is a 400; nothing is deleted."""
    kw = {"json": body} if body is not None else {}
    with unchanged():
        response = api.delete(f"/conversations/{world.a}/items", **kw)
        check(response, 400, param="item_ids", code=code)


# --- metadata -------------------------------------------------------------------------------------

BAD_METADATA: list[Any] = [
    pytest.param({f"k{n}": "v" for n in range(17)}, "object_above_max_properties", id="17-pairs"),
    pytest.param({"k" * 65: "v"}, "string_above_max_length", id="65-char-key"),
    pytest.param({"k": "v" * 513}, "string_above_max_length", id="513-char-value"),
    pytest.param({"k": 1}, "invalid_type", id="int-value"),
    pytest.param({"k": 1.5}, "invalid_type", id="float-value"),
    pytest.param({"k": True}, "invalid_type", id="bool-value"),
    pytest.param({"k": None}, "invalid_type", id="null-value"),
    pytest.param({"k": {"x": "y"}}, "invalid_type", id="object-value"),
    pytest.param({"k": ["v"]}, "invalid_type", id="array-value"),
    pytest.param("k=v", "invalid_type", id="string"),
    pytest.param([["k", "v"]], "invalid_type", id="array"),
    pytest.param(3, "invalid_type", id="number"),
]


@pytest.mark.parametrize("metadata, code", BAD_METADATA)
@pytest.mark.parametrize("route", ["create", "update"])
def test_bad_metadata_is_400(
    api: Api, unchanged: Unchanged, world: World, route: str, metadata: Any, code: str
) -> None:
    """Metadata past 16/64/512, with a non-string value, or not an object is a 400 on metadata."""
    path = "/conversations" if route == "create" else f"/conversations/{world.a}"
    with unchanged():
        check(api.post(path, json={"metadata": metadata}), 400, param="metadata", code=code)


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty-object"),
        pytest.param(None, id="no-body"),
        pytest.param({"metadata": None}, id="null"),
    ],
)
def test_update_without_metadata_is_400(
    api: Api, unchanged: Unchanged, world: World, body: Any
) -> None:
    """Update needs ``metadata``: leaving it out (or null) is a 400 naming it; nothing changes."""
    kw = {"json": body} if body is not None else {}
    code = "invalid_type" if body == {"metadata": None} else "missing_required_parameter"
    with unchanged():
        check(api.post(f"/conversations/{world.a}", **kw), 400, param="metadata", code=code)


def test_metadata_at_the_limits_is_accepted(api: Api, world: World) -> None:
    """16 pairs with 64-character keys and 512-character values are accepted and stored as sent."""
    limits = {f"{n:02d}".ljust(64, "k"): str(n).ljust(512, "v") for n in range(16)}
    created = api.post("/conversations", json={"metadata": limits})
    assert created.status_code == 200, created.text
    assert api.get(f"/conversations/{created.json()['id']}").json()["metadata"] == limits
    updated = api.post(f"/conversations/{world.a}", json={"metadata": limits})
    assert updated.status_code == 200, updated.text
    assert api.get(f"/conversations/{world.a}").json()["metadata"] == limits


# --- request bodies -------------------------------------------------------------------------------

BODY_ROUTES = {
    "create": ("/conversations", {"metadata": {}}),
    "update": ("/conversations/{a}", {"metadata": {}}),
    "items.create": ("/conversations/{a}/items", {"items": [msg()]}),
    "items.delete_many": ("/conversations/{a}/items#DELETE", {"item_ids": ["msg_a1"]}),
}
J = "application/json"
BAD_JSON, NOT_OBJECT, NOT_JSON = "invalid_json", "invalid_type", "unsupported_content_type"
# (id, raw body, content type, code, a word the message holds, on every body route or create only)
BAD_BODIES: list[tuple[str, str | bytes, str | None, str, str, bool]] = [
    ("truncated", '{"metadata": ', J, BAD_JSON, "JSON", True),
    ("trailing-garbage", "{} trailing", J, BAD_JSON, "JSON", False),
    ("single-quotes", "{'metadata': {}}", J, BAD_JSON, "JSON", False),
    ("nan", '{"metadata": NaN}', J, BAD_JSON, "JSON", True),
    ("infinity", '{"metadata": {"k": Infinity}}', J, BAD_JSON, "JSON", False),
    ("minus-infinity", '{"x": -Infinity}', J, BAD_JSON, "JSON", False),
    ("bad-utf8", b'{"metadata": {"k": "\xff"}}', J, BAD_JSON, "JSON", False),
    ("too-deep", "[" * 100_000, J, BAD_JSON, "JSON", True),
    ("array", "[]", J, NOT_OBJECT, "object", True),
    ("array-of-object", '[{"metadata": {}}]', J, NOT_OBJECT, "object", False),
    ("string", '"metadata"', J, NOT_OBJECT, "object", True),
    ("null", "null", J, NOT_OBJECT, "object", False),
    ("number", "42", J, NOT_OBJECT, "object", False),
    ("boolean", "true", J, NOT_OBJECT, "object", False),
    ("text-plain", '{"metadata": {}}', "text/plain", NOT_JSON, "Content-Type", True),
    ("no-content-type", '{"metadata": {}}', None, NOT_JSON, "Content-Type", True),
    ("form", "metadata=x", "application/x-www-form-urlencoded", NOT_JSON, "Content-Type", False),
]
BODY_CASES = [
    pytest.param(BODY_ROUTES[route][0], data, content_type, code, word, id=f"{route}-{case}")
    for route in BODY_ROUTES
    for case, data, content_type, code, word, everywhere in BAD_BODIES
    if everywhere or route == "create"
]


def _body_request(
    api: Api, world: World, path: str, data: Any, content_type: str | None
) -> requests.Response:
    method = "DELETE" if path.endswith("#DELETE") else "POST"
    path = path.removesuffix("#DELETE").format(a=world.a)
    headers = {"Content-Type": content_type} if content_type else {}
    return api.request(method, path, data=data, headers=headers)


@pytest.mark.parametrize("path, data, content_type, code, word", BODY_CASES)
def test_bad_request_body_is_400(
    api: Api,
    unchanged: Unchanged,
    world: World,
    path: str,
    data: Any,
    content_type: str | None,
    code: str,
    word: str,
) -> None:
    """A body that is not a JSON object sent as JSON is a 400 saying so; nothing changes."""
    with unchanged():
        response = _body_request(api, world, path, data, content_type)
        check(response, 400, param=None, code=code, names=(word,))


@pytest.mark.parametrize("path, valid", list(BODY_ROUTES.values()), ids=list(BODY_ROUTES))
def test_unknown_top_level_field_is_400(
    api: Api, unchanged: Unchanged, world: World, path: str, valid: dict[str, Any]
) -> None:
    """An unknown top-level field next to valid ones is a 400 unknown_parameter naming it."""
    with unchanged():
        response = _body_request(
            api, world, path, json.dumps({**valid, "bogus_field": 1}), "application/json"
        )
        check(response, 400, param="bogus_field", code="unknown_parameter")


@pytest.mark.parametrize("path, valid", list(BODY_ROUTES.values()), ids=list(BODY_ROUTES))
def test_json_content_type_with_charset_is_accepted(
    api: Api, world: World, path: str, valid: dict[str, Any]
) -> None:
    """``application/json; charset=utf-8`` is JSON (the control for the Content-Type rejections)."""
    response = _body_request(api, world, path, json.dumps(valid), "application/json; charset=utf-8")
    assert response.status_code == 200, response.text


LOGPROB_1E400 = (
    '{"items": [{"type": "message", "role": "assistant", "content": [{"type": "output_text", '
    '"text": "x", "logprobs": [{"token": "a", "logprob": 1e400, "bytes": [], '
    '"top_logprobs": []}]}]}]}'
)
# Valid JSON a client may send by mistake, that the mock can't store or render: a 400, never a 500.
# (route, raw body); JSON's \ud800 is a lone UTF-16 surrogate, which no UTF-8 response can carry.
NOT_5XX: list[Any] = [
    pytest.param(route, raw, id=f"{route}-{case}")
    for route in ("create", "items.create")
    for case, raw in [
        ("item-reference-empty-id", '{"items": [{"type": "item_reference", "id": ""}]}'),
        ("float-overflowing-to-infinity", LOGPROB_1E400),
        ("lone-surrogate-in-content", '{"items": [{"role": "user", "content": "a\\ud800"}]}'),
        ("lone-surrogate-in-id", '{"items": [{"role": "user", "content": "a", "id": "\\udc00"}]}'),
    ]
] + [
    pytest.param("create", '{"metadata": {"k": "\\ud800"}}', id="create-lone-surrogate-in-value"),
    pytest.param("create", '{"metadata": {"\\udfff": "v"}}', id="create-lone-surrogate-in-key"),
    pytest.param("update", '{"metadata": {"k": "\\ud800"}}', id="update-lone-surrogate-in-value"),
    pytest.param("items.delete_many", '{"item_ids": ["\\ud800"]}', id="delete-many-lone-surrogate"),
]


@pytest.mark.parametrize("route, raw", NOT_5XX)
def test_unstorable_values_are_400_not_500(
    api: Api, unchanged: Unchanged, world: World, route: str, raw: str
) -> None:
    """Values the mock can't store or render (empty id, infinity, lone surrogate) are a 400."""
    with unchanged():
        response = _body_request(api, world, BODY_ROUTES[route][0], raw, J)
        error = assert_envelope(response, 400)
        param = error["param"]
        assert param in (None, "metadata", "item_ids") or param.startswith("items[0]"), error


def test_escaped_surrogate_pair_is_accepted(api: Api, world: World) -> None:
    """A paired surrogate escape (an emoji) is valid JSON and round-trips as that character."""
    emoji = "\\ud83d\\ude00"
    raw = f'{{"metadata": {{"k": "{emoji}"}}, "items": [{{"role": "user", "content": "{emoji}"}}]}}'
    created = api.post("/conversations", data=raw, headers=JSON)
    assert created.status_code == 200, created.text
    assert created.json()["metadata"] == {"k": "\U0001f600"}
    items = api.get(f"/conversations/{created.json()['id']}/items").json()["data"]
    assert [item["content"] for item in items] == ["\U0001f600"]


# --- body size ------------------------------------------------------------------------------------

LIMIT = 1024


@pytest.fixture(scope="module")
def small_server() -> Iterator[MockServer]:
    with MockServer(create_app(config=MockConfig(max_body_bytes=LIMIT))) as running:
        yield running


@pytest.fixture
def small(small_server: MockServer) -> Iterator[Api]:
    """Raw HTTP to a mock that accepts bodies of at most 1024 bytes, emptied first."""
    handle = Mka1Mock(small_server.app, url=small_server.url)  # type: ignore[arg-type]
    handle.reset()
    client = Api(small_server.url)
    yield client
    client.session.close()
    handle.check()


def sized_body(size: int) -> bytes:
    """A valid create-conversation body of exactly ``size`` bytes (for sizes around 1 KiB)."""
    base = json.dumps({"metadata": {"a": "x" * 500, "b": ""}})
    body = json.dumps({"metadata": {"a": "x" * 500, "b": "y" * (size - len(base))}}).encode()
    assert len(body) == size
    return body


def chunked(body: bytes, size: int = 200) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.parametrize("transfer", ["content-length", "chunked"])
@pytest.mark.parametrize("route", ["create", "items.create"])
def test_oversized_body_is_413_and_stores_nothing(small: Api, transfer: str, route: str) -> None:
    """A body over ``max_body_bytes`` is a 413 (sized or chunked); one at the limit is accepted."""
    conversation = small.post("/conversations", json={}).json()["id"]
    path = "/conversations" if route == "create" else f"/conversations/{conversation}/items"

    def body(size: int) -> bytes:
        if route == "create":
            return sized_body(size)
        raw = json.dumps({"items": [msg("")]})
        return json.dumps({"items": [msg("z" * (size - len(raw)))]}).encode()

    def send(size: int) -> requests.Response:
        data = body(size)
        return small.post(path, data=chunked(data) if transfer == "chunked" else data, headers=JSON)

    response = send(LIMIT + 1)
    check(response, 413, param=None, code="payload_too_large", names=("too large", str(LIMIT)))
    response = send(10 * LIMIT)
    check(response, 413, param=None, code="payload_too_large", names=("too large",))
    assert [c["id"] for c in list_all(small, "/conversations", 50)] == [conversation]
    assert item_ids(small, conversation) == []
    accepted = send(LIMIT)
    assert accepted.status_code == 200, accepted.text


# --- unknown routes -------------------------------------------------------------------------------

UNKNOWN_ROUTES = [
    ("GET", BASE + "/nope"),
    ("POST", BASE + "/nope"),
    ("PUT", BASE + "/conversations"),
    ("PATCH", BASE + "/conversations/{a}"),
    ("PUT", BASE + "/conversations/{a}/items"),
    ("POST", BASE + "/conversations/{a}/items/msg_a1"),
    ("GET", BASE + "/conversations/{a}/nope"),
    ("GET", "/nope"),
    ("GET", "/api"),
    ("POST", "/v1/conversations"),
]


@pytest.mark.parametrize("authorised", [True, False], ids=["with-key", "without-key"])
@pytest.mark.parametrize(
    "method, path", UNKNOWN_ROUTES, ids=[f"{m} {p}" for m, p in UNKNOWN_ROUTES]
)
def test_unknown_route_is_kong_404(
    api: Api, unchanged: Unchanged, world: World, method: str, path: str, authorised: bool
) -> None:
    """A path or method no route serves is Kong's JSON 404 "no Route matched"; nothing changes."""
    headers = {"Authorization": f"Bearer {API_KEY}"} if authorised else {}
    with unchanged():
        response = api.session.request(
            method,
            api.url + path.format(a=world.a),
            headers=headers,
            json={"metadata": {}},
            timeout=10,
        )
        assert response.status_code == 404, response.text
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["message"] == NO_ROUTE


# --- fuzz: a client's mistake is never a 5xx ------------------------------------------------------

# fmt: off
SCALARS: list[Any] = [
    None, True, False, 0, -1, 1, 2**63, -(10**30), 1.5, -0.0, 1e308, "", "x", "user", "tool",
    "assistant", "completed", "msg_a1", "msg_b1", "fco_a3", "call_1", "\u00e9\u0000\U0001f600",
    "\ud800", "y" * 600, [], {},
]
ITEM_KEYS = [
    "type", "role", "content", "id", "status", "call_id", "output", "name", "arguments", "summary",
    "action", "text", "phase", "server_label", "approve", "approval_request_id", "input", "queries",
]
ITEM_TYPES = [
    "message", "message", "function_call", "function_call_output", "item_reference", "reasoning",
    "computer_call", "web_search_call", "compaction", "mcp_approval_response", "custom_tool_call",
    "bogus", "", 5,
]
# fmt: on
CONTENT_TYPES = ["input_text", "output_text", "refusal", "input_image", "input_file", "bogus"]


def fuzz_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth >= 3 or roll < 0.6:
        return rng.choice(SCALARS)
    if roll < 0.8:
        return [fuzz_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(ITEM_KEYS): fuzz_value(rng, depth + 1) for _ in range(rng.randrange(4))}


def fuzz_content(rng: random.Random) -> Any:
    if rng.random() < 0.4:
        return rng.choice(["hello", "", 3, None])
    parts: list[Any] = []
    for _ in range(rng.randrange(4)):
        part: dict[str, Any] = {"type": rng.choice(CONTENT_TYPES)}
        for key in rng.sample(
            ["text", "refusal", "annotations", "logprobs", "image_url", "detail"], 2
        ):
            part[key] = fuzz_value(rng) if rng.random() < 0.5 else "t"
        parts.append(part if rng.random() < 0.9 else fuzz_value(rng))
    return parts


def fuzz_item(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.1:
        return fuzz_value(rng)
    if roll < 0.2:  # the items whose id is all they have
        return {
            "type": rng.choice(["item_reference", "message"]),
            "id": rng.choice(["", "msg_a1", 5, None]),
        }
    item: dict[str, Any] = {}
    if rng.random() < 0.9:
        item["type"] = rng.choice(ITEM_TYPES)
    plausible: dict[str, Callable[[], Any]] = {
        "role": lambda: rng.choice(["user", "assistant", "system", "developer", "tool", 1]),
        "content": lambda: fuzz_content(rng),
        "id": lambda: rng.choice(["", "msg_a1", "msg_x", f"msg_{rng.randrange(10**6)}", 7]),
        "call_id": lambda: "call_1",
        "output": lambda: rng.choice(["out", 3, None]),
        "summary": lambda: [{"type": "summary_text", "text": "s"}] if rng.random() < 0.5 else "s",
    }
    for key in rng.sample(ITEM_KEYS[1:], rng.randrange(6)):
        item[key] = plausible[key]() if key in plausible and rng.random() < 0.7 else fuzz_value(rng)
    return item


def fuzz_items(rng: random.Random) -> Any:
    roll = rng.random()
    if roll < 0.1:
        return fuzz_value(rng)
    if roll < 0.15:
        return [msg(str(n)) for n in range(rng.choice([20, 21, 25]))]
    return [fuzz_item(rng) for _ in range(rng.randrange(4))]


def fuzz_metadata(rng: random.Random) -> Any:
    if rng.random() < 0.2:
        return fuzz_value(rng)
    keys = ["k", "", "k" * 64, "k" * 65, "key"]
    values: list[Any] = ["v", "", "v" * 513, 1, None]
    return {
        rng.choice(keys) + str(n): rng.choice(values) if rng.random() < 0.2 else "v"
        for n in range(rng.choice([0, 1, 3, 16, 17]))
    }


# Valid bodies (``{n}`` makes ids unique per request) that half the fuzz mutates in one place: deep,
# mostly valid bodies reach the store, where shallow random ones are turned away early.
RICH_ITEMS: list[dict[str, Any]] = [
    {
        "type": "message",
        "role": "assistant",
        "id": "msg_fz{n}",
        "content": [
            {
                "type": "output_text",
                "text": "t",
                "annotations": [
                    {
                        "type": "url_citation",
                        "url": "u",
                        "title": "t",
                        "start_index": 0,
                        "end_index": 1,
                    }
                ],
                "logprobs": [{"token": "a", "logprob": -0.5, "bytes": [97], "top_logprobs": []}],
            }
        ],
    },
    {
        "type": "message",
        "role": "user",
        "content": [{"type": "input_text", "text": "x"}, {"type": "input_image", "image_url": "u"}],
    },
    {"type": "function_call", "call_id": "c{n}", "name": "f", "arguments": "{{}}"},
    {"type": "function_call_output", "call_id": "c{n}", "output": "o"},
    {"type": "item_reference", "id": "ref_{n}"},
    {"type": "reasoning", "id": "rs_{n}", "summary": [{"type": "summary_text", "text": "s"}]},
]
TEMPLATES: dict[str, dict[str, Any]] = {
    "create": {"metadata": {"k": "v"}, "items": RICH_ITEMS},
    "update": {"metadata": {"k": "v", "k2": "v2"}},
    "items.create": {"items": RICH_ITEMS, "include": ["x"]},
    "items.delete_many": {"item_ids": ["msg_a1"]},
}
INFINITY = 0.125  # written as 1e999 on the wire: a number json.dumps never writes, that overflows


def _with_ids(value: Any, n: int) -> Any:
    if isinstance(value, str):
        return value.format(n=n)
    if isinstance(value, list):
        return [_with_ids(v, n) for v in value]
    if isinstance(value, dict):
        return {k: _with_ids(v, n) for k, v in value.items()}
    return value


def _paths(value: Any, here: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield here
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*here, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*here, index))


def mutate(rng: random.Random, body: Any) -> Any:
    """``body`` with one node replaced, deleted or duplicated."""
    path = rng.choice(list(_paths(body))[1:])
    parent = body
    for key in path[:-1]:
        parent = parent[key]
    key = path[-1]
    roll = rng.random()
    if roll < 0.2 and isinstance(parent, dict):
        del parent[key]
    elif roll < 0.3 and isinstance(parent, list):
        parent.append(parent[key])
    else:
        parent[key] = rng.choice([INFINITY, "", "\ud800", None, fuzz_value(rng), fuzz_value(rng)])
    return body


FUZZ_ROUTES: dict[str, tuple[str, str, dict[str, Callable[[random.Random], Any]]]] = {
    "create": ("POST", "/conversations", {"items": fuzz_items, "metadata": fuzz_metadata}),
    "update": ("POST", "/conversations/{a}", {"metadata": fuzz_metadata}),
    "items.create": (
        "POST",
        "/conversations/{a}/items",
        {"items": fuzz_items, "include": fuzz_value},
    ),
    "items.delete_many": (
        "DELETE",
        "/conversations/{a}/items",
        {
            "item_ids": lambda rng: rng.choice(
                [fuzz_value(rng), ["msg_a1", "nope"], [rng.choice(SCALARS)]]
            )
        },
    ),
}


def envelope_problem(response: requests.Response) -> str | None:
    """Why ``response`` is not an acceptable answer to a client mistake (None when it is)."""
    if response.status_code >= 500:
        return f"status {response.status_code}: {response.text[:300]}"
    try:
        body = response.json()
    except ValueError:
        return f"status {response.status_code} with a non-JSON body: {response.text[:200]!r}"
    if response.status_code < 300:
        return None
    if response.status_code not in (400, 404, 413):
        return f"unexpected status {response.status_code}: {body}"
    error = body.get("error") if isinstance(body, dict) else None
    if (
        not isinstance(error, dict)
        or set(body) != {"error"}
        or set(error) != {"message", "type", "param", "code"}
        or error["type"] != "invalid_request_error"
        or not (isinstance(error["message"], str) and error["message"])
        or not (error["param"] is None or isinstance(error["param"], str))
        or not (error["code"] is None or isinstance(error["code"], str))
    ):
        return f"status {response.status_code} with a malformed envelope: {body}"
    return None


def test_fuzzed_bodies_never_get_a_5xx(api: Api, world: World) -> None:
    """200 random or mutated bodies on the four body routes get a 2xx or a JSON error envelope."""
    rng = random.Random(0)
    problems: list[str] = []
    for n in range(200):
        name = rng.choice(sorted(FUZZ_ROUTES))
        method, path, fields = FUZZ_ROUTES[name]
        body: Any
        if n % 2:  # a valid body, mutated in one place
            body = mutate(rng, _with_ids(TEMPLATES[name], n))
        else:  # random fields of random types
            body = {key: make(rng) for key, make in fields.items() if rng.random() < 0.8}
            if rng.random() < 0.15:
                body[rng.choice(["bogus", "model", "input", "id"])] = fuzz_value(rng)
            if rng.random() < 0.05:
                body = fuzz_value(rng)
        data = json.dumps(body).replace(str(INFINITY), "1e999")
        try:
            response = api.request(method, path.format(a=world.a), data=data, headers=JSON)
        except requests.ConnectionError as err:  # the mock dropped the connection
            problems.append(f"#{n} {method} {name} {data[:300]}\n    -> {err}")
            continue
        if (problem := envelope_problem(response)) is not None:
            problems.append(f"#{n} {method} {name} {data[:300]}\n    -> {problem}")
    # What the fuzz stored must still render: every conversation and item list, and a search.
    for path in ["/conversations?search=e", "/conversations?limit=50"]:
        if (problem := envelope_problem(api.get(path))) is not None:
            problems.append(f"GET {path} -> {problem}")
    for conversation in api.get("/conversations", params={"limit": 50}).json().get("data", []):
        response = api.get(f"/conversations/{conversation['id']}/items", params={"limit": 100})
        if response.status_code != 200:
            problems.append(
                f"GET items of {conversation['id']} -> {response.status_code} {response.text[:200]}"
            )
    assert not problems, f"{len(problems)} bad answers:\n" + "\n".join(problems[:10])
