"""Fault rules: injected statuses, latency, drops, cut and errored streams, seen by real clients.

Each test checks what the client saw (its exception or answer) and the state afterwards: a fault that
answers instead of the API stores nothing; one that breaks the answer after the API worked leaves
the state complete. Both transports (socket and in-process) go through the ``sdk`` fixture.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Iterator
from typing import Any

import httpx
import openai
import pytest
from meetkai_mka1 import SDK, errors
from openai import OpenAI

from mka1_mock import Mka1Mock
from mka1_mock.control.faults import GATEWAY_MESSAGES

CONVERSATIONS = "/api/v1/llm/conversations"
RESPONSES = "/api/v1/llm/responses"


@pytest.fixture
def openai_client(mka1_mock: Mka1Mock) -> Iterator[OpenAI]:
    """The ``openai`` SDK on the mock's socket, retries off."""
    with OpenAI(base_url=mka1_mock.base_url, api_key=mka1_mock.api_key, max_retries=0) as client:
        yield client


def stored_conversations(mock: Mka1Mock) -> int:
    return len(mock.state().conversations)


# -- recovering with retries -------------------------------------------------------------------


def test_official_sdk_default_retries_recover_from_one_429_after_retry_after(mka1_mock: Mka1Mock) -> None:
    """With its default retry config the official SDK waits out Retry-After: 1 and then succeeds."""
    rule = mka1_mock.faults.add(status=429, retry_after=1, method="POST", path=CONVERSATIONS, times=1)
    with httpx.Client() as http:
        sdk = SDK(bearer_auth=mka1_mock.api_key, server_url=mka1_mock.url, client=http)  # default retries
        started = time.monotonic()
        conversation = sdk.llm.conversations.create(metadata={"try": "twice"})
        waited = time.monotonic() - started

    assert waited >= 1.0
    assert conversation.metadata == {"try": "twice"}
    assert [c.id for c in mka1_mock.state().conversations] == [conversation.id]
    first, second = mka1_mock.requests.filter("POST", CONVERSATIONS)
    assert (first.status, first.fault, first.response) == (429, rule.id, {"error": "Rate limit exceeded"})
    assert (first.headers, second.status, second.fault) == (first.headers, 200, None)
    assert rule.fired == 1 and rule.remaining == 0


def test_openai_sdk_default_retries_recover_from_one_503(mka1_mock: Mka1Mock) -> None:
    """The openai SDK retries a 503 by itself and the second attempt creates the one conversation."""
    rule = mka1_mock.faults.add(status=503, method="POST", path=CONVERSATIONS, times=1)
    with OpenAI(base_url=mka1_mock.base_url, api_key=mka1_mock.api_key) as client:  # default retries
        conversation = client.conversations.create(metadata={"via": "openai"})

    assert [c.id for c in mka1_mock.state().conversations] == [conversation.id]
    statuses = [entry.status for entry in mka1_mock.requests.filter("POST", CONVERSATIONS)]
    assert statuses == [503, 200]
    assert rule.fired == 1


# -- statuses reaching the caller --------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 418])
def test_with_retries_off_an_injected_status_reaches_the_official_sdk(
    sdk: SDK, mka1_mock: Mka1Mock, status: int
) -> None:
    """The SDK (retries off) raises SDKDefaultError with the injected status and a gateway body."""
    mka1_mock.faults.add(status=status, path=CONVERSATIONS)
    with pytest.raises(errors.SDKDefaultError) as caught:
        sdk.llm.conversations.create()

    assert caught.value.status_code == status
    if status == 429:
        assert caught.value.body == '{"error":"Rate limit exceeded"}'
        assert caught.value.headers["retry-after"] == "1"
    elif status in GATEWAY_MESSAGES:
        assert caught.value.body == f'{{"message":"{GATEWAY_MESSAGES[status]}"}}'
    else:
        assert '"code":"injected_fault"' in caught.value.body
    assert stored_conversations(mka1_mock) == 0


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (429, openai.RateLimitError),
        (500, openai.InternalServerError),
        (503, openai.InternalServerError),
        (404, openai.NotFoundError),
    ],
)
def test_with_retries_off_an_injected_status_reaches_the_openai_sdk(
    openai_client: OpenAI, mka1_mock: Mka1Mock, status: int, error: type[openai.APIStatusError]
) -> None:
    """The openai SDK raises its error class for the injected status; nothing was stored."""
    mka1_mock.faults.add(status=status, method="POST")
    with pytest.raises(error) as caught:
        openai_client.conversations.create()
    assert caught.value.status_code == status
    assert stored_conversations(mka1_mock) == 0


def test_a_custom_body_and_headers_are_sent_as_given(mka1_mock: Mka1Mock) -> None:
    """A status with ``body`` and ``headers`` answers exactly those; a string body is plain text."""
    mka1_mock.faults.add(status=409, body={"error": "busy"}, headers={"X-Why": "test"}, times=1)
    mka1_mock.faults.add(status=400, body="not json", times=1)
    http = mka1_mock.http()
    first = http.post(CONVERSATIONS, json={})
    second = http.post(CONVERSATIONS, json={})
    assert (first.status_code, first.json(), first.headers["x-why"]) == (409, {"error": "busy"}, "test")
    assert (second.status_code, second.text, second.headers["content-type"]) == (
        400, "not json", "text/plain; charset=utf-8"
    )  # fmt: skip
    assert stored_conversations(mka1_mock) == 0


def test_retry_after_can_be_an_http_date(mka1_mock: Mka1Mock) -> None:
    """``retry_after_format: http-date`` sends Retry-After as a date that far ahead, and nothing else."""
    mka1_mock.faults.add(status=503, retry_after=30, retry_after_format="http-date")
    answer = mka1_mock.http().get(CONVERSATIONS)
    when = email.utils.parsedate_to_datetime(answer.headers["retry-after"]).timestamp()
    assert 25 <= when - time.time() <= 31
    assert "retry-after-ms" not in answer.headers


# -- drops ---------------------------------------------------------------------------------------


def test_a_drop_before_the_response_is_a_transport_error_and_stores_nothing(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The client sees the connection close with no answer; the request never reached the API."""
    rule = mka1_mock.faults.add(drop="before_response", path=CONVERSATIONS, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        sdk.llm.conversations.create()

    assert stored_conversations(mka1_mock) == 0
    (entry,) = mka1_mock.requests.filter("POST", CONVERSATIONS)
    assert (entry.status, entry.fault) == (0, rule.id)
    assert sdk.llm.conversations.create().object == "conversation"  # the rule is spent


def test_a_drop_after_headers_breaks_the_body_but_the_api_did_its_work(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The client gets headers then a broken body; the conversation was created all the same."""
    mka1_mock.faults.add(drop="after_headers", path=CONVERSATIONS, times=1)
    with pytest.raises(httpx.RemoteProtocolError):
        sdk.llm.conversations.create(metadata={"lost": "answer"})

    (conversation,) = mka1_mock.state().conversations
    assert conversation.metadata == {"lost": "answer"}
    assert mka1_mock.requests.filter("POST", CONVERSATIONS)[0].status == 200


# -- streams -------------------------------------------------------------------------------------


def test_a_cut_stream_is_an_error_in_the_official_sdk_and_the_response_is_stored(
    sdk: SDK, mka1_mock: Mka1Mock
) -> None:
    """The SDK's iterator yields N events then raises; the response can be retrieved completed."""
    mka1_mock.faults.add(cut_stream_after=3, path=RESPONSES)
    seen: list[Any] = []
    stream = sdk.llm.responses.create(model="auto", input="tell me a long story", stream=True)
    with pytest.raises(httpx.RemoteProtocolError):
        for event in stream:
            seen.append(event.data)

    assert [event.type for event in seen] == [
        "response.created", "response.in_progress", "response.output_item.added"
    ]  # fmt: skip
    response_id = seen[0].response.id
    stored = sdk.llm.responses.get(response_id=response_id)
    assert stored.status == "completed"
    assert stored.output_text == "You said: tell me a long story"


def test_a_cut_stream_is_an_error_in_the_openai_sdk_and_the_response_is_stored(
    openai_client: OpenAI, mka1_mock: Mka1Mock
) -> None:
    """The openai SDK's stream raises APIConnectionError after the cut; retrieve finds it completed."""
    mka1_mock.faults.add(cut_stream_after=2, path=RESPONSES)
    seen: list[Any] = []
    with pytest.raises(openai.APIConnectionError):
        for event in openai_client.responses.create(model="auto", input="hi", stream=True):
            seen.append(event)

    assert [event.type for event in seen] == ["response.created", "response.in_progress"]
    assert openai_client.responses.retrieve(seen[0].response.id).status == "completed"


def test_a_stream_error_event_ends_the_stream_without_a_terminal_event(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """After N events the stream carries the contract's ``error`` event and ends; state is complete."""
    rule = mka1_mock.faults.add(stream_error_after=2, path=RESPONSES)
    events = [event.data for event in sdk.llm.responses.create(model="auto", input="hi", stream=True)]

    assert [event.type for event in events] == ["response.created", "response.in_progress", "error"]
    assert events[-1].sequence_number == 2
    assert events[-1].code == "server_error" and rule.id in events[-1].message
    assert sdk.llm.responses.get(response_id=events[0].response.id).status == "completed"


def test_stream_actions_leave_non_streaming_calls_alone(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """A stream rule matches only requests asking for a stream: a plain create is untouched."""
    rule = mka1_mock.faults.add(cut_stream_after=1, path=RESPONSES)
    assert sdk.llm.responses.create(model="auto", input="hi").status == "completed"
    assert (rule.matched, rule.fired) == (0, 0)


# -- latency -------------------------------------------------------------------------------------


def test_latency_longer_than_the_client_timeout_is_the_client_timeout(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The SDK raises httpx's timeout; the request, abandoned during the delay, stored nothing."""
    rule = mka1_mock.faults.add(latency_ms=1000, path=CONVERSATIONS, times=1)
    with pytest.raises(httpx.TimeoutException):
        sdk.llm.conversations.create(timeout_ms=100)

    assert stored_conversations(mka1_mock) == 0
    assert rule.fired == 1


def test_latency_longer_than_the_openai_timeout_is_its_timeout_error(mka1_mock: Mka1Mock) -> None:
    """The openai SDK raises APITimeoutError when the injected latency outlasts its timeout."""
    mka1_mock.faults.add(latency_ms=1000, path=CONVERSATIONS, times=1)
    with OpenAI(base_url=mka1_mock.base_url, api_key=mka1_mock.api_key, max_retries=0, timeout=0.1) as client:
        with pytest.raises(openai.APITimeoutError):
            client.conversations.create()
    assert stored_conversations(mka1_mock) == 0


def test_latency_then_the_real_answer(mka1_mock: Mka1Mock) -> None:
    """Latency alone delays the real answer: the client waits at least that long and gets it."""
    mka1_mock.faults.add(latency_ms=[150, 200], path=CONVERSATIONS, times=1, seed=3)
    started = time.monotonic()
    answer = mka1_mock.http().post(CONVERSATIONS, json={})
    assert time.monotonic() - started >= 0.15
    assert answer.status_code == 200 and stored_conversations(mka1_mock) == 1


@pytest.mark.parametrize("in_process", [False, True], ids=["socket", "in-process"])
def test_latency_blocks_no_other_request(mka1_mock: Mka1Mock, in_process: bool) -> None:
    """While one request waits out a long delay, another is answered at once."""
    mka1_mock.faults.add(latency_ms=30_000, method="POST", path=CONVERSATIONS)
    sdk = mka1_mock.sdk(in_process=in_process)

    async def scenario() -> tuple[bool, list[str]]:
        slow = asyncio.ensure_future(sdk.llm.conversations.create_async())
        await asyncio.sleep(0.05)  # let the slow request reach the mock first
        listed = await sdk.llm.conversations.list_async()
        still_waiting = not slow.done()
        slow.cancel()  # the client gives up: the mock drops the request
        await asyncio.gather(slow, return_exceptions=True)
        return still_waiting, [c.id for c in listed.data]

    still_waiting, listed = asyncio.run(scenario())
    assert still_waiting and listed == []
    assert mka1_mock.requests.filter("GET", CONVERSATIONS)[0].status == 200
    assert stored_conversations(mka1_mock) == 0


# -- how often rules fire ----------------------------------------------------------------------


def _fired_calls(mock: Mka1Mock, seed: int) -> list[int]:
    mock.faults.add(status=503, path=CONVERSATIONS, probability=0.5, seed=seed)
    http = mock.http()
    return [n for n in range(20) if http.get(CONVERSATIONS).status_code == 503]


def test_a_probability_rule_under_a_fixed_seed_fires_on_the_same_calls(mka1_mock: Mka1Mock) -> None:
    """Two runs with seed 7 fail the same calls; some calls fail and some pass."""
    first = _fired_calls(mka1_mock, seed=7)
    mka1_mock.reset()
    second = _fired_calls(mka1_mock, seed=7)
    assert first == second
    assert 0 < len(first) < 20
    (rule,) = mka1_mock.faults()
    assert (rule.matched, rule.fired, rule.seed) == (20, len(first), 7)


def test_times_limits_a_rule_and_matchers_select_requests(mka1_mock: Mka1Mock) -> None:
    """A rule fires only on matching requests (method, path, key, header, model, conversation), N times."""
    conv = mka1_mock.add_conversation(on_behalf_of="u1")
    mka1_mock.faults.add(status=500, method="GET", path=CONVERSATIONS + "/*", api_key=mka1_mock.api_key,
                         on_behalf_of="u1", conversation=conv.id, times=2)  # fmt: skip
    by_model = mka1_mock.faults.add(status=502, model="slow-model", conversation=conv.id)
    http = mka1_mock.http()
    u1 = {"X-On-Behalf-Of": "u1"}

    assert http.get(f"{CONVERSATIONS}/{conv.id}").status_code == 404  # no X-On-Behalf-Of: not matched
    assert [http.get(f"{CONVERSATIONS}/{conv.id}", headers=u1).status_code for _ in range(3)] == [500, 500, 200]
    answer = http.post(RESPONSES, json={"model": "auto", "input": "hi", "conversation": conv.id}, headers=u1)
    assert answer.status_code == 200
    answer = http.post(RESPONSES, json={"model": "slow-model", "input": "hi", "conversation": conv.id}, headers=u1)
    assert answer.status_code == 502
    assert by_model.fired == 1
    assert len(mka1_mock.state().conversation(conv.id).items) == 2  # only the first response appended


def test_rules_reset_with_the_mock_and_clear_on_their_own(mka1_mock: Mka1Mock) -> None:
    """``reset()`` and ``faults.clear()`` both drop every rule; the API answers normally again."""
    mka1_mock.faults.add(status=500)
    mka1_mock.reset()
    assert mka1_mock.faults() == []
    mka1_mock.faults.add(status=500)
    mka1_mock.faults.clear()
    assert len(mka1_mock.faults) == 0
    assert mka1_mock.http().get(CONVERSATIONS).status_code == 200


def test_the_control_plane_is_never_faulted(mka1_mock: Mka1Mock) -> None:
    """A catch-all rule leaves /__mock__/ alone, so a test can always inspect and clear."""
    mka1_mock.faults.add(status=503, path="/**")
    http = mka1_mock.http()
    assert http.get("/__mock__/faults").status_code == 200
    assert http.get(CONVERSATIONS).status_code == 503


# -- over HTTP -----------------------------------------------------------------------------------


def test_fault_rules_over_http_add_list_and_clear(mka1_mock: Mka1Mock) -> None:
    """POST, GET and DELETE /__mock__/faults manage the rules; GET shows how often each fired."""
    http = mka1_mock.http()
    added = http.post("/__mock__/faults", json={
        "match": {"method": "POST", "path": CONVERSATIONS}, "action": {"status": 429, "retry_after": 2}, "times": 1,
    })  # fmt: skip
    assert added.status_code == 200
    assert added.json()["id"] == "fault_1" and added.json()["remaining"] == 1

    limited = http.post(CONVERSATIONS, json={})
    assert (limited.status_code, limited.headers["retry-after"], limited.headers["retry-after-ms"]) == (
        429, "2", "2000"
    )  # fmt: skip
    (rule,) = http.get("/__mock__/faults").json()["data"]
    assert (rule["fired"], rule["remaining"], rule["action"]) == (1, 0, {"status": 429, "retry_after": 2})
    journal = http.get("/__mock__/requests").json()["data"]
    assert [(e["status"], e["fault"]) for e in journal] == [(429, "fault_1")]

    assert http.delete("/__mock__/faults").json() == {"cleared": True}
    assert http.get("/__mock__/faults").json()["data"] == []


@pytest.mark.parametrize(
    ("rule", "param"),
    [
        ({"action": {}}, "action"),
        ({"action": {"status": 503, "drop": "before_response"}}, "action"),
        ({"action": {"drop": "later"}}, "action.drop"),
        ({"action": {"status": 503}, "times": 0}, "times"),
        ({"action": {"status": 503}, "probability": 2}, "probability"),
        ({"action": {"latency_ms": [300, 100]}}, "action"),
        ({"match": {"paht": "/x"}, "action": {"status": 503}}, "match.paht"),
    ],
)
def test_a_bad_rule_is_a_400_naming_the_field(mka1_mock: Mka1Mock, rule: dict[str, Any], param: str) -> None:
    """An invalid rule is refused with the field that is wrong; no rule is added."""
    answer = mka1_mock.http().post("/__mock__/faults", json=rule)
    assert answer.status_code == 400, answer.text
    assert answer.json()["error"]["param"] == param
    assert mka1_mock.faults() == []


# -- in-process async, and the pieces underneath -------------------------------------------------


def test_async_in_process_client_sees_drops_and_cut_streams(mka1_mock: Mka1Mock) -> None:
    """The SDK's async methods in-process get the same transport errors as over a socket."""
    sdk = mka1_mock.sdk(in_process=True)
    mka1_mock.faults.add(drop="before_response", path=CONVERSATIONS, times=1)
    mka1_mock.faults.add(cut_stream_after=1, path=RESPONSES, times=1)

    async def scenario() -> list[str]:
        with pytest.raises(httpx.RemoteProtocolError):
            await sdk.llm.conversations.create_async()
        seen = []
        stream = await sdk.llm.responses.create_async(model="auto", input="hi", stream=True)
        with pytest.raises(httpx.RemoteProtocolError):
            async for event in stream:
                seen.append(event.data.type)
        return seen

    assert asyncio.run(scenario()) == ["response.created"]
    assert stored_conversations(mka1_mock) == 0
    assert [e.status for e in mka1_mock.requests] == [0, 200]


def test_a_latency_range_is_drawn_from_the_rule_seed() -> None:
    """Two rules with the same seed draw the same latencies from a range; another seed differs."""
    from mka1_mock.control.faults import FaultRules, Request

    def draws(seed: int) -> list[float]:
        rules = FaultRules()
        rule = rules.add({"action": {"latency_ms": [0, 1000]}, "seed": seed})
        request = Request(method="GET", path="/api/v1/llm/conversations", query="", api_key="k", on_behalf_of=None)
        return [decided[1] for _ in range(5) if (decided := rules.decide([rule], request))]

    assert draws(11) == draws(11)
    assert draws(11) != draws(12)
    assert all(0 <= latency <= 1 for latency in draws(11))


def test_without_the_abort_extension_a_drop_raises_to_the_server() -> None:
    """Under an ASGI server that offers no way to drop, the fault raises ConnectionDropped to it."""
    from mka1_mock import create_app
    from mka1_mock.control.faults import ConnectionDropped

    app = create_app()
    app.state.control.add_fault(action={"drop": "before_response"})

    async def call() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock") as client:
            await client.get(CONVERSATIONS, headers={"Authorization": "Bearer k"})

    with pytest.raises(ConnectionDropped):
        asyncio.run(call())
