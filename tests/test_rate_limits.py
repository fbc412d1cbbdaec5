"""The gateway's rate limits: per API key, per second / minute / hour / day, on the mock's clock.

Past a limit a request gets the documented 429 (``{"error": "Rate limit exceeded"}``) with
Retry-After and is not processed. Tests move the frozen clock instead of sleeping.
"""

from __future__ import annotations

import pytest
from meetkai_mka1 import SDK, errors

from mka1_mock import Mka1Mock, create_app
from mka1_mock._core.config import MockConfig, RateLimit
from mka1_mock.cli import build_parser

CONVERSATIONS = "/api/v1/llm/conversations"
T0 = 1_704_067_200  # a minute boundary


def test_past_a_per_second_limit_the_request_is_refused_and_not_processed(sdk: SDK, mka1_mock: Mka1Mock) -> None:
    """The third create in one second gets the documented 429; only two conversations exist."""
    mka1_mock.freeze_time(T0)
    mka1_mock.rate_limit(per_second=2)
    sdk.llm.conversations.create()
    sdk.llm.conversations.create()
    with pytest.raises(errors.SDKDefaultError) as caught:
        sdk.llm.conversations.create()

    assert caught.value.status_code == 429
    assert caught.value.body == '{"error":"Rate limit exceeded"}'
    assert caught.value.headers["retry-after"] == "1"
    assert caught.value.headers["retry-after-ms"] == "1000"
    assert len(mka1_mock.state().conversations) == 2
    refused = mka1_mock.requests.filter("POST", CONVERSATIONS, status=429)
    assert [entry.fault for entry in refused] == ["rate_limit"]

    mka1_mock.advance_time(1)
    assert sdk.llm.conversations.create().object == "conversation"
    assert len(mka1_mock.state().conversations) == 3


def test_windows_combine_and_retry_after_waits_for_the_exceeded_one(mka1_mock: Mka1Mock) -> None:
    """With 10/s and 3/min the fourth call in a minute is refused until the minute ends."""
    mka1_mock.freeze_time(T0 + 15)
    mka1_mock.rate_limit(per_second=10, per_minute=3)
    http = mka1_mock.http()
    assert [http.get(CONVERSATIONS).status_code for _ in range(3)] == [200, 200, 200]
    refused = http.get(CONVERSATIONS)
    assert (refused.status_code, refused.json(), refused.headers["retry-after"]) == (
        429, {"error": "Rate limit exceeded"}, "45"
    )  # fmt: skip
    mka1_mock.advance_time(44)
    assert http.get(CONVERSATIONS).status_code == 429
    mka1_mock.advance_time(1)
    assert http.get(CONVERSATIONS).status_code == 200


def test_limits_count_per_api_key_and_a_key_can_have_its_own(mka1_mock: Mka1Mock) -> None:
    """Each key has its own counter; a key-specific limit replaces the default for that key only."""
    mka1_mock.freeze_time(T0)
    mka1_mock.rate_limit(per_hour=1)
    mka1_mock.rate_limit(per_hour=3, api_key="mk-big")
    http = mka1_mock.http(authorized=False)

    def status(key: str) -> int:
        return http.get(CONVERSATIONS, headers=mka1_mock.headers(api_key=key)).status_code

    assert [status("mk-a"), status("mk-a"), status("mk-b")] == [200, 429, 200]
    assert [status("mk-big") for _ in range(4)] == [200, 200, 200, 429]
    assert http.get(CONVERSATIONS).status_code == 401  # no key: the 401, not counted
    limits = mka1_mock.rate_limits()
    assert limits["default"] == {"per_hour": 1} and limits["keys"] == {"mk-big": {"per_hour": 3}}


def test_a_refused_request_does_not_count(mka1_mock: Mka1Mock) -> None:
    """Refused calls use no quota: after the window, exactly the limit is available again."""
    mka1_mock.freeze_time(T0)
    mka1_mock.rate_limit(per_day=2)
    http = mka1_mock.http()
    assert [http.get(CONVERSATIONS).status_code for _ in range(5)] == [200, 200, 429, 429, 429]
    mka1_mock.advance_time(86_400)
    assert [http.get(CONVERSATIONS).status_code for _ in range(3)] == [200, 200, 429]


def test_rate_limits_over_http_and_reset_to_the_config(mka1_mock: Mka1Mock) -> None:
    """POST/GET/DELETE /__mock__/rate-limits set, show and clear limits; reset drops test limits."""
    http = mka1_mock.http()
    mka1_mock.freeze_time(T0)
    shown = http.post("/__mock__/rate-limits", json={"per_minute": 1}).json()
    assert shown["default"] == {"per_minute": 1}
    assert [http.get(CONVERSATIONS).status_code for _ in range(2)] == [200, 429]
    counts = http.get("/__mock__/rate-limits").json()["counts"]
    assert [(c["window"], c["count"]) for c in counts] == [("minute", 1)]
    assert http.post("/__mock__/rate-limits", json={"per_minute": -1}).json()["error"]["param"] == "per_minute"

    assert http.delete("/__mock__/rate-limits").json() == {"cleared": True}
    assert http.get(CONVERSATIONS).status_code == 200
    mka1_mock.rate_limit(per_minute=0)
    mka1_mock.reset()
    assert mka1_mock.rate_limits()["default"] == {}
    assert http.get(CONVERSATIONS).status_code == 200


def test_config_limits_apply_in_process_and_survive_reset() -> None:
    """``MockConfig.rate_limits`` are on from the start and ``reset`` returns to them."""
    app = create_app(config=MockConfig(rate_limits=(RateLimit(1, "minute"),)))
    with Mka1Mock(app) as mock:
        mock.freeze_time(T0)
        sdk = mock.sdk(in_process=True)
        sdk.llm.conversations.create()
        with pytest.raises(errors.SDKDefaultError) as caught:
            sdk.llm.conversations.create()
        assert caught.value.status_code == 429
        mock.reset()
        assert mock.rate_limits()["default"] == {"per_minute": 1}
        assert len(mock.state().conversations) == 0


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("10/second", RateLimit(10, "second")),
        ("5000/h", RateLimit(5000, "hour")),
        ("3/min", RateLimit(3, "minute")),
        ("mk-a=1/d", RateLimit(1, "day", "mk-a")),
    ],
)
def test_the_cli_option_parses_limits(text: str, limit: RateLimit) -> None:
    """``--rate-limit`` takes N/window (short units too) and KEY=N/window."""
    args = build_parser().parse_args(["serve", "--rate-limit", text, "--rate-limit", "1/s"])
    assert args.rate_limits == [limit, RateLimit(1, "second")]


def test_a_bad_cli_limit_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown window exits 2 naming the option."""
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["serve", "--rate-limit", "10/fortnight"])
    assert exit_info.value.code == 2
    assert "--rate-limit" in capsys.readouterr().err
