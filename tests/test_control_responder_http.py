"""The fake model scripted over HTTP: ``/__mock__/responder``, ``/__mock__/background`` and
``/__mock__/responses/{id}/advance`` (the door a test in another process uses on a standalone server).

Scripts go in with plain ``requests`` (no key needed); the effects are checked with raw
``POST /api/v1/llm/responses`` calls (with ``Authorization``) and through the handle's typed state.
Every test consumes or clears what it scripts: the plugin fails a test that leaves scripts behind.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from mka1_mock import Mka1Mock

API = "/api/v1/llm"


def attr(obj: object, name: str) -> Any:
    """An item field kept as an extra attribute of ``StoredItem``."""
    return getattr(obj, name)


def control(mock: Mka1Mock, method: str, path: str, body: Any = None) -> requests.Response:
    """A control-plane request (``/__mock__`` + path), no Authorization header."""
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    return requests.request(method, f"{mock.url}/__mock__{path}", timeout=10, **kwargs)


def ok(response: requests.Response) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def invalid(response: requests.Response, param: str) -> dict[str, Any]:
    """A 400 OpenAI-envelope error naming ``param``; returns the ``error`` object."""
    assert response.status_code == 400, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param, error
    assert isinstance(error["message"], str) and error["message"]
    return error  # type: ignore[no-any-return]


def api(mock: Mka1Mock, method: str, path: str, body: Any = None) -> dict[str, Any]:
    """An authorised API request; asserts a 200 JSON answer and returns it."""
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    response = requests.request(method, f"{mock.url}{API}{path}", headers=mock.headers(), timeout=10, **kwargs)
    return ok(response)  # type: ignore[no-any-return]


def respond(mock: Mka1Mock, input: Any = "Hello", **fields: Any) -> dict[str, Any]:
    """``POST /api/v1/llm/responses`` over raw HTTP."""
    return api(mock, "POST", "/responses", {"model": "auto", "input": input, **fields})


def responder(mock: Mka1Mock) -> dict[str, Any]:
    return ok(control(mock, "GET", "/responder"))  # type: ignore[no-any-return]


# -- queued replies ----------------------------------------------------------------------------


def test_queued_replies_of_every_kind_are_consumed_in_order(mka1_mock: Mka1Mock) -> None:
    """Every JSON reply kind queued over HTTP answers one response, first in first out."""
    specs = [
        {"text": "First answer."},
        {"function_call": {"name": "lookup", "arguments": {"q": "mka1"}}},
        {"failure": {"message": "Upstream model crashed.", "code": "model_error"}},
        {"reasoning": "Weigh the options.", "then": {"text": "Option B."}},
        {"refusal": "I can't help with that."},
        {"incomplete": {"reason": "max_output_tokens", "text": "Partial ans"}},
        {"json": {"answer": 42, "tags": ["a"]}},
        "A plain string.",
    ]
    queued = ok(control(mka1_mock, "POST", "/responder/replies", {"replies": specs}))
    assert queued["rules"] == []
    assert len(queued["queue"]) == len(specs)
    assert queued["queue"][0].startswith("text") and "First answer." in queued["queue"][0]
    assert "lookup" in queued["queue"][1]
    listed = responder(mka1_mock)
    assert listed["queue"] == queued["queue"]
    assert len(listed["unconsumed"]) == len(specs)
    assert mka1_mock.unconsumed_scripts() == listed["unconsumed"]

    outs = [respond(mka1_mock, f"turn {n}") for n in range(len(specs))]
    text, call, failed, reasoned, refused, cut, structured, plain = outs

    assert (text["status"], text["output_text"]) == ("completed", "First answer.")

    (item,) = call["output"]
    assert (item["type"], item["name"], item["status"]) == ("function_call", "lookup", "completed")
    assert json.loads(item["arguments"]) == {"q": "mka1"}
    assert item["call_id"] and item["id"]
    assert call["output_text"] == ""

    assert failed["status"] == "failed"
    assert failed["error"] == {"code": "model_error", "message": "Upstream model crashed."}
    assert failed["output"] == [] and failed["incomplete_details"] is None

    assert [i["type"] for i in reasoned["output"]] == ["reasoning", "message"]
    assert reasoned["output"][0]["summary"] == [{"type": "summary_text", "text": "Weigh the options."}]
    assert reasoned["output_text"] == "Option B."
    assert reasoned["usage"]["output_tokens_details"]["reasoning_tokens"] > 0

    (message,) = refused["output"]
    assert message["content"] == [{"type": "refusal", "refusal": "I can't help with that."}]
    assert refused["status"] == "completed" and refused["output_text"] == ""

    assert cut["status"] == "incomplete"
    assert cut["incomplete_details"] == {"reason": "max_output_tokens"}
    assert cut["output_text"] == "Partial ans"
    assert cut["output"][0]["status"] == "incomplete"

    assert json.loads(structured["output_text"]) == {"answer": 42, "tags": ["a"]}
    assert plain["output_text"] == "A plain string."

    assert responder(mka1_mock) == {"queue": [], "rules": [], "unconsumed": []}
    assert respond(mka1_mock, "nothing scripted")["output_text"] == "You said: nothing scripted"


def test_queued_replies_land_in_the_conversation(mka1_mock: Mka1Mock) -> None:
    """Scripted outputs are appended to the conversation; a failed response appends nothing."""
    conversation = api(mka1_mock, "POST", "/conversations", {})
    ok(
        control(
            mka1_mock,
            "POST",
            "/responder/replies",
            {"replies": [{"failure": {"message": "boom"}}, {"function_call": {"name": "f", "call_id": "call_1"}}]},
        )
    )
    failed = respond(mka1_mock, "first", conversation=conversation["id"])
    assert failed["status"] == "failed"
    assert failed["error"]["code"] == "server_error"  # the default failure code
    assert mka1_mock.conversation(conversation["id"]).items == []

    called = respond(mka1_mock, "second", conversation=conversation["id"])
    items = mka1_mock.conversation(conversation["id"]).items
    assert [(i.type, i.response_id) for i in items] == [
        ("message", called["id"]),
        ("function_call", called["id"]),
    ]
    assert attr(items[1], "call_id") == "call_1"
    assert attr(items[1], "arguments") == "{}"


# -- rules -------------------------------------------------------------------------------------


def test_rules_match_text_tool_model_and_conversation(mka1_mock: Mka1Mock) -> None:
    """Rules added over HTTP answer only requests their matchers fit, at most ``times`` times."""
    conversation = api(mka1_mock, "POST", "/conversations", {})
    rules = [
        {
            "match": {"text": "(?i)weather"},
            "reply": {"function_call": {"name": "get_weather", "arguments": {"city": "Oslo"}}},
            "times": 1,
        },
        {"match": {"tool": "search"}, "reply": {"text": "Searched."}},
        {"match": {"model": "special-model"}, "reply": "Special."},
        {"match": {"conversation": conversation["id"]}, "reply": {"text": "In the conversation."}, "times": 2},
    ]
    for n, rule in enumerate(rules):
        pending = ok(control(mka1_mock, "POST", "/responder/rules", rule))
        assert len(pending["rules"]) == n + 1
    assert len(responder(mka1_mock)["unconsumed"]) == 4

    weather = respond(mka1_mock, "What's the WEATHER like?")
    assert weather["output"][0]["name"] == "get_weather"
    assert json.loads(weather["output"][0]["arguments"]) == {"city": "Oslo"}
    again = respond(mka1_mock, "And the weather tomorrow?")  # the rule is used up
    assert again["output_text"] == "You said: And the weather tomorrow?"

    search_tool = {"type": "function", "name": "search", "parameters": {"type": "object"}}
    assert respond(mka1_mock, "find it", tools=[search_tool])["output_text"] == "Searched."
    assert respond(mka1_mock, "find it")["output_text"] == "You said: find it"  # no tool offered
    assert respond(mka1_mock, "x", model="special-model")["output_text"] == "Special."

    assert responder(mka1_mock)["unconsumed"] == [responder(mka1_mock)["rules"][3]]
    for n in range(2):
        answer = respond(mka1_mock, f"turn {n}", conversation=conversation["id"])
        assert answer["output_text"] == "In the conversation."
    assert respond(mka1_mock, "turn 2", conversation=conversation["id"])["output_text"] == "You said: turn 2"

    listed = responder(mka1_mock)
    assert listed["queue"] == [] and listed["unconsumed"] == []
    assert "used 1/1" in listed["rules"][0] and "used 2/2" in listed["rules"][3]
    assert "weather" in listed["rules"][0] and "get_weather" in listed["rules"][0]
    assert "search" in listed["rules"][1] and "used 1" in listed["rules"][1]
    ok(control(mka1_mock, "DELETE", "/responder"))  # rules without ``times`` stay until cleared


def test_rules_win_over_the_queue_and_the_first_matching_rule_wins(mka1_mock: Mka1Mock) -> None:
    """A matching rule answers before the queue, in the order rules were added."""
    ok(control(mka1_mock, "POST", "/responder/replies", {"replies": ["From the queue."]}))
    ok(control(mka1_mock, "POST", "/responder/rules", {"match": {"text": "^hi"}, "reply": "First rule.", "times": 1}))
    ok(control(mka1_mock, "POST", "/responder/rules", {"match": {"text": "hi"}, "reply": "Second rule.", "times": 1}))

    assert respond(mka1_mock, "hi there")["output_text"] == "First rule."
    assert respond(mka1_mock, "hi again")["output_text"] == "Second rule."
    assert respond(mka1_mock, "hi once more")["output_text"] == "From the queue."
    assert respond(mka1_mock, "hi")["output_text"] == "You said: hi"
    assert mka1_mock.unconsumed_scripts() == []


def test_get_lists_scripts_and_delete_clears_them(mka1_mock: Mka1Mock) -> None:
    """``GET /__mock__/responder`` lists queue, rules and unconsumed; ``DELETE`` empties them."""
    ok(control(mka1_mock, "POST", "/responder/replies", {"replies": ["one", {"refusal": "no"}]}))
    ok(control(mka1_mock, "POST", "/responder/rules", {"match": {"model": "m1"}, "reply": "rule", "times": 2}))
    mka1_mock.queue_reply("from the handle")  # both doors feed the same responder

    listed = responder(mka1_mock)
    assert set(listed) == {"queue", "rules", "unconsumed"}
    assert len(listed["queue"]) == 3
    assert "one" in listed["queue"][0] and listed["queue"][1] == "refusal"
    assert "from the handle" in listed["queue"][2]
    (rule,) = listed["rules"]
    assert "m1" in rule and "used 0/2" in rule
    assert len(listed["unconsumed"]) == 4
    assert all(entry.startswith("queued reply: ") for entry in listed["unconsumed"][:3])
    assert mka1_mock.unconsumed_scripts() == listed["unconsumed"]

    assert respond(mka1_mock, model="m1")["output_text"] == "rule"  # partly used: still listed
    assert responder(mka1_mock)["unconsumed"][-1] == responder(mka1_mock)["rules"][0]

    assert ok(control(mka1_mock, "DELETE", "/responder")) == {"queue": [], "rules": []}
    assert responder(mka1_mock) == {"queue": [], "rules": [], "unconsumed": []}
    assert mka1_mock.unconsumed_scripts() == []
    assert respond(mka1_mock, "after clear")["output_text"] == "You said: after clear"


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/responder/replies", {}, "replies"),
        ("/responder/replies", {"replies": "text"}, "replies"),
        ("/responder/replies", {"replies": [{"bogus": 1}]}, "replies[0]"),
        ("/responder/replies", {"replies": [{"text": "a", "json": 1}]}, "replies[0]"),
        ("/responder/replies", {"replies": [42]}, "replies[0]"),
        ("/responder/replies", {"replies": [{"text": 3}]}, "replies[0].text"),
        (
            "/responder/replies",
            {"replies": ["ok", {"function_call": {"arguments": {}}}]},
            "replies[1].function_call.name",
        ),
        ("/responder/replies", {"replies": [{"failure": {"reason": "x"}}]}, "replies[0].failure"),
        ("/responder/replies", {"replies": [{"incomplete": {"text": 5}}]}, "replies[0].incomplete"),
        ("/responder/replies", {"replies": [{"reasoning": "r", "then": {"nope": 1}}]}, "replies[0].then"),
        ("/responder/rules", {"match": {"text": "weather"}}, "reply"),
        ("/responder/rules", {"reply": {"bogus": "x"}}, "reply"),
        ("/responder/rules", {"reply": {"text": ["x"]}}, "reply.text"),
        ("/responder/rules", {"match": {"text": "(unclosed"}, "reply": "x"}, "match.text"),
        ("/responder/rules", {"match": {"colour": "red"}, "reply": "x"}, "match.colour"),
        ("/responder/rules", {"reply": "x", "times": 0}, "times"),
        ("/background", {"mode": "eventually"}, "mode"),
        ("/background", {"mode": "retrievals", "retrievals": 0}, "retrievals"),
    ],
)
def test_invalid_specs_are_a_400_naming_the_param(
    mka1_mock: Mka1Mock, path: str, body: dict[str, Any], param: str
) -> None:
    """A bad script is rejected whole with an error envelope naming the offending param."""
    invalid(control(mka1_mock, "POST", path, body), param)
    assert responder(mka1_mock) == {"queue": [], "rules": [], "unconsumed": []}


def test_invalid_items_reply_names_the_full_param(mka1_mock: Mka1Mock) -> None:
    """An invalid item inside an ``items`` reply names its path from ``replies``."""
    spec = {"items": [{"type": "message", "role": "tool", "content": "x"}]}
    invalid(control(mka1_mock, "POST", "/responder/replies", {"replies": [spec]}), "replies[0].items[0].role")


def test_items_reply_over_http(mka1_mock: Mka1Mock) -> None:
    """``{"items": [...]}`` outputs the given items, with ids assigned by the mock."""
    spec = {
        "items": [
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "Raw.", "annotations": []}],
            }
        ]
    }
    ok(control(mka1_mock, "POST", "/responder/replies", {"replies": [spec]}))
    answer = respond(mka1_mock, "go")
    assert answer["output_text"] == "Raw."
    assert answer["output"][0]["id"].startswith("msg_")


# -- background responses ----------------------------------------------------------------------


def test_manual_background_responses_advance_only_when_told(mka1_mock: Mka1Mock) -> None:
    """In manual mode a background response moves queued -> in_progress -> completed via ``advance``."""
    assert ok(control(mka1_mock, "POST", "/background", {"mode": "manual"})) == {"mode": "manual", "retrievals": 2}
    conversation = api(mka1_mock, "POST", "/conversations", {})
    ok(control(mka1_mock, "POST", "/responder/replies", {"replies": ["Done in the background."]}))

    created = respond(mka1_mock, "work on it", conversation=conversation["id"], background=True)
    assert (created["status"], created["background"], created["output"]) == ("queued", True, [])
    assert created["completed_at"] is None
    for _ in range(3):
        assert api(mka1_mock, "GET", f"/responses/{created['id']}")["status"] == "queued"
    assert mka1_mock.conversation(conversation["id"]).items == []

    step = ok(control(mka1_mock, "POST", f"/responses/{created['id']}/advance", {}))
    assert (step["id"], step["status"], step["output"]) == (created["id"], "in_progress", [])
    assert api(mka1_mock, "GET", f"/responses/{created['id']}")["status"] == "in_progress"
    assert mka1_mock.conversation(conversation["id"]).items == []

    done = ok(control(mka1_mock, "POST", f"/responses/{created['id']}/advance"))  # no body is fine
    assert (done["status"], done["output_text"]) == ("completed", "Done in the background.")
    assert done["completed_at"] is not None
    items = mka1_mock.conversation(conversation["id"]).items
    assert [(attr(i, "role"), i.response_id) for i in items] == [("user", done["id"]), ("assistant", done["id"])]

    again = ok(control(mka1_mock, "POST", f"/responses/{created['id']}/advance", {}))
    assert again["status"] == "completed"  # a finished response stays as it is
    assert len(mka1_mock.conversation(conversation["id"]).items) == 2

    second = respond(mka1_mock, "another", background=True)
    finished = ok(control(mka1_mock, "POST", f"/responses/{second['id']}/advance", {"to_end": True}))
    assert (finished["status"], finished["output_text"]) == ("completed", "You said: another")
    assert api(mka1_mock, "GET", f"/responses/{second['id']}")["status"] == "completed"

    missing = control(mka1_mock, "POST", "/responses/resp_missing/advance", {})
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "response_not_found"
    invalid(control(mka1_mock, "POST", f"/responses/{second['id']}/advance", {"to_end": "yes"}), "to_end")


def test_retrievals_mode_completes_on_the_nth_get(mka1_mock: Mka1Mock) -> None:
    """``{"mode": "retrievals", "retrievals": 3}`` completes a background response on its third GET."""
    ok(control(mka1_mock, "POST", "/background", {"mode": "retrievals", "retrievals": 3}))
    created = respond(mka1_mock, "slowly", background=True)
    statuses = [api(mka1_mock, "GET", f"/responses/{created['id']}")["status"] for _ in range(3)]
    assert statuses == ["in_progress", "in_progress", "completed"]


def test_failed_background_response_finishes_failed(mka1_mock: Mka1Mock) -> None:
    """A scripted failure surfaces when a background response is advanced to the end."""
    ok(control(mka1_mock, "POST", "/background", {"mode": "manual"}))
    ok(
        control(
            mka1_mock,
            "POST",
            "/responder/replies",
            {"replies": [{"failure": {"message": "nope", "code": "overloaded"}}]},
        )
    )
    created = respond(mka1_mock, "try", background=True)
    assert created["status"] == "queued" and created["error"] is None
    assert mka1_mock.unconsumed_scripts() == []  # the reply is taken when the response is created
    done = ok(control(mka1_mock, "POST", f"/responses/{created['id']}/advance", {"to_end": True}))
    assert done["status"] == "failed"
    assert done["error"] == {"code": "overloaded", "message": "nope"}


# -- reset -------------------------------------------------------------------------------------


def test_reset_clears_scripts_and_the_background_policy(mka1_mock: Mka1Mock) -> None:
    """``POST /__mock__/reset`` drops queued replies, rules and the manual background mode."""
    ok(control(mka1_mock, "POST", "/responder/replies", {"replies": ["never used"]}))
    ok(control(mka1_mock, "POST", "/responder/rules", {"match": {"text": "x"}, "reply": "never"}))
    ok(control(mka1_mock, "POST", "/background", {"mode": "manual"}))
    assert len(mka1_mock.unconsumed_scripts()) == 2

    assert ok(control(mka1_mock, "POST", "/reset"))["reset"] is True
    assert responder(mka1_mock) == {"queue": [], "rules": [], "unconsumed": []}
    assert mka1_mock.unconsumed_scripts() == []

    assert respond(mka1_mock, "x")["output_text"] == "You said: x"
    created = respond(mka1_mock, "bg", background=True)
    statuses = [api(mka1_mock, "GET", f"/responses/{created['id']}")["status"] for _ in range(2)]
    assert statuses == ["in_progress", "completed"]  # back to the default: done on the 2nd GET
