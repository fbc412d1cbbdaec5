"""``Mka1Mock``: the handle a test holds on one mock app: seed, inspect, reset, pin time and ids.

Every action goes through the app's ``Controller`` (the same code the ``/__mock__/`` routes run).
The handle also hands out clients: the official SDK and a plain HTTP client, either over the real
socket (``url``) or in-process, straight into the ASGI app with no socket at all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette

from .._core.state import Store
from ..control.controller import Controller
from ..control.faults import FaultRule
from ..control.fixture import MockState
from ..control.journal import Journal
from ..fake_model.reply import ReplyLike, as_reply
from ..fake_model.responder import Rule
from ..resources.conversations.fixture import ConversationState, StoredItem
from ..resources.conversations.schemas import Conversation
from ..resources.models import ModelObject
from ..resources.responses.objects import ResponseObject
from ._clients import LazyAsyncClient

_MATCH_KEYS = ("method", "path", "conversation", "model", "api_key", "on_behalf_of")


class Faults:
    """``mka1_mock.faults``: add fault rules in one call, list them (``faults()``), clear them.

    >>> mka1_mock.faults.add(status=429, retry_after=1, method="POST", path="/api/v1/llm/conversations", times=1)
    >>> mka1_mock.faults.add(latency_ms=[100, 300], path="/api/**", probability=0.5, seed=7)
    >>> mka1_mock.faults.add(cut_stream_after=3, path="/api/v1/llm/responses")
    """

    def __init__(self, control: Controller) -> None:
        self._control = control

    def add(
        self,
        *,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
        **matchers_and_action: Any,
    ) -> FaultRule:
        """One rule: keywords ``method``, ``path``, ``conversation``, ``model``, ``api_key`` and
        ``on_behalf_of`` match; the others (``status``, ``retry_after``, ``retry_after_format``,
        ``body``, ``headers``, ``latency_ms``, ``drop``, ``cut_stream_after``,
        ``stream_error_after``) are the action. Returns the live rule (``fired``, ``matched``)."""
        match = {k: v for k, v in matchers_and_action.items() if k in _MATCH_KEYS}
        action = {k: v for k, v in matchers_and_action.items() if k not in _MATCH_KEYS}
        if isinstance(action.get("latency_ms"), tuple):
            action["latency_ms"] = list(action["latency_ms"])
        return self._control.add_fault(match, action, times=times, probability=probability, seed=seed)

    def __call__(self) -> list[FaultRule]:
        """The rules, in order, each with ``matched``/``fired`` counts."""
        return self._control.faults()

    def __iter__(self) -> Iterator[FaultRule]:
        return iter(self._control.faults())

    def __len__(self) -> int:
        return len(self._control.faults())

    def clear(self) -> None:
        """Drop every rule."""
        self._control.clear_faults()


class _RuleBuilder:
    def __init__(self, control: Controller, matchers: dict[str, Any]) -> None:
        self._control = control
        self._matchers = matchers

    def reply(self, reply: ReplyLike) -> Rule:
        return self._control.add_rule(as_reply(reply), **self._matchers)


if TYPE_CHECKING:  # meetkai-mka1 is optional (the test extra); it is imported when sdk() is called
    import httpx
    from meetkai_mka1 import SDK

__all__ = ["Mka1Mock", "IN_PROCESS_URL"]

IN_PROCESS_URL = "http://mka1-mock.in-process"


class Mka1Mock:
    """A handle on a running mock (``url`` set) or on an app used in-process only (``url=None``)."""

    def __init__(
        self,
        app: Starlette,
        *,
        url: str | None = None,
        api_key: str | None = None,
        fixture_dir: Path | str | None = None,
        http_client: httpx.Client | None = None,
    ) -> None:
        self.app = app
        self.control: Controller = app.state.control
        self._url = url
        self.api_key = api_key or self.control.state.config.default_api_key
        self.fixture_dir = Path(fixture_dir) if fixture_dir is not None else Path("fixtures")
        self._closers: list[Callable[[], object]] = []
        self._shared_http = http_client  # reused by sdk() over the socket; owned by the caller

    # -- where it is ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The server's base URL (``http://127.0.0.1:PORT``); the SDK's ``server_url``."""
        if self._url is None:
            raise RuntimeError("this mock runs in-process only; use sdk(in_process=True)")
        return self._url

    @property
    def base_url(self) -> str:
        """The API root (``<url>/api/v1/llm``): what the ``openai`` SDK takes as ``base_url``."""
        return self.url + "/api/v1/llm"

    @property
    def store(self) -> Store:
        return self.control.state.store

    # -- lifecycle -----------------------------------------------------------------------------

    def reset(self) -> None:
        """Back to an empty mock: no state, empty journal, real clock, random ids."""
        self.control.reset()

    def check(self) -> None:
        """Raise ``MockServerError`` if serving any request crashed the mock."""
        self.control.check()

    def close(self) -> None:
        """Close the clients this handle created."""
        while self._closers:
            self._closers.pop()()

    def __enter__(self) -> Mka1Mock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- time and ids --------------------------------------------------------------------------

    def freeze_time(self, at: int | None = None) -> int:
        """Stop the clock (at ``at``, Unix seconds; default now); returns the frozen time."""
        return self.control.freeze_time(at)

    def advance_time(self, seconds: int) -> int:
        """Move the clock forward; returns the new time."""
        return self.control.advance_time(seconds)

    def unfreeze_time(self) -> None:
        self.control.unfreeze_time()

    def seed_ids(self, seed: int | None = None, *, sequential: bool = False) -> None:
        """Repeatable ids: seeded random (``seed=42``) or ``conv_000…001`` (``sequential=True``)."""
        self.control.seed_ids(seed, sequential=sequential)

    # -- seeding -------------------------------------------------------------------------------

    def add_conversation(
        self,
        *,
        metadata: Mapping[str, str] | None = None,
        items: Sequence[Mapping[str, Any]] = (),
        api_key: str | None = None,
        on_behalf_of: str | None = None,
        id: str | None = None,
        created_at: int | None = None,
        updated_at: int | None = None,
        deleted_at: int | None = None,
    ) -> Conversation:
        """Create a conversation directly in the store, owned by ``api_key`` (default: the
        handle's key) and ``on_behalf_of``. Items are validated as the API would; any may pin
        ``id``, ``response_id`` and ``metadata``. Pin ``id`` and timestamps to compare whole
        responses; leave them out to have them generated."""
        return self.control.add_conversation(
            metadata=metadata,
            items=items,
            api_key=api_key or self.api_key,
            on_behalf_of=on_behalf_of,
            id=id,
            created_at=created_at,
            updated_at=updated_at,
            deleted_at=deleted_at,
        )

    def add_items(
        self,
        conversation_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        api_key: str | None = None,
        on_behalf_of: str | None = None,
    ) -> list[StoredItem]:
        """Append items to a conversation, as ``POST .../items`` would (any number at once)."""
        return self.control.add_items(
            conversation_id, items, api_key=api_key or self.api_key, on_behalf_of=on_behalf_of
        )

    def load(self, *fixtures: str | Path | Mapping[str, Any]) -> list[Conversation]:
        """Load fixture files (names are looked up in ``fixture_dir``) or fixture documents."""
        loaded: list[Conversation] = []
        for fixture in fixtures:
            if isinstance(fixture, Mapping):
                loaded += self.control.load(dict(fixture))
            else:
                loaded += self.control.load_file(self._fixture_path(fixture))
        return loaded

    def replace_state(self, document: Mapping[str, Any]) -> list[Conversation]:
        """Make a fixture document (e.g. from ``export()``) the whole state."""
        return self.control.replace_state(dict(document))

    # -- the models catalogue ------------------------------------------------------------------

    def models(self) -> list[ModelObject]:
        """The models catalogue, as ``GET /api/v1/llm/models`` lists it."""
        return self.control.models()

    def set_models(self, models: Sequence[Mapping[str, Any]]) -> list[ModelObject]:
        """Replace the catalogue for this test: ``[{"id": "acme:tiny"}, {"id": "acme:embed",
        "model_type": "embeddings"}]`` (missing keys take an active text LLM's defaults)."""
        return self.control.set_models(models)

    def strict_models(self, strict: bool = True) -> None:
        """Make a response with a model outside the catalogue (and not ``auto``) a 400 ``model``."""
        self.control.strict_models(strict)

    # -- embeddings ----------------------------------------------------------------------------

    def pin_embedding(self, text: str, embedding: Sequence[float], *, model: str | None = None) -> None:
        """Make embeddings of ``text`` answer exactly ``embedding`` (for ``model`` only, if given)."""
        self.control.pin_embedding(text, embedding, model=model)

    def embedding_pins(self) -> list[dict[str, Any]]:
        """The pinned texts: ``[{"model", "text", "dimensions"}]``."""
        return self.control.embedding_pins()

    # -- the fake model ------------------------------------------------------------------------

    def queue_reply(self, *replies: ReplyLike) -> None:
        """Queue what the next responses answer, in order (a string means ``Reply.text``)."""
        self.control.queue_reply(*(as_reply(r) for r in replies))

    def when(
        self,
        *,
        text: str | None = None,
        model: str | None = None,
        tool: str | None = None,
        conversation: str | None = None,
        times: int | None = None,
    ) -> _RuleBuilder:
        """A rule: ``when(text=r"weather").reply(Reply.function_call("get_weather", {...}))``.

        ``text`` is a regex searched in the last user message; ``tool`` a tool name that must be
        offered; ``times`` limits how often the rule answers (default: always)."""
        matchers = {"text": text, "model": model, "tool": tool, "conversation": conversation, "times": times}
        return _RuleBuilder(self.control, matchers)

    def add_rule(
        self,
        reply: ReplyLike,
        *,
        text: str | None = None,
        model: str | None = None,
        tool: str | None = None,
        conversation: str | None = None,
        times: int | None = None,
    ) -> Rule:
        """The same rule as ``when(...).reply(reply)``, in one call (the name of the HTTP door)."""
        return self.control.add_rule(
            as_reply(reply), text=text, model=model, tool=tool, conversation=conversation, times=times
        )

    def scripts(self) -> dict[str, list[str]]:
        """Queued replies and rules (described), and what is still unconsumed."""
        return self.control.scripts()

    def unconsumed_scripts(self) -> list[str]:
        """Queued replies never used and rules never (fully) matched: the plugin fails on these."""
        return self.control.unconsumed_scripts()

    def clear_scripts(self) -> None:
        self.control.clear_scripts()

    def background_responses(self, mode: str = "retrievals", *, retrievals: int = 2) -> None:
        """Background responses finish right after their create (``"immediate"``), on their Nth
        retrieval (``"retrievals"``, the default, N=2), or only when the test calls
        ``advance_response``/``complete_response`` (``"manual"``)."""
        self.control.background_responses(mode, retrievals)

    def advance_response(self, response_id: str) -> ResponseObject:
        """Move a background response one step: queued -> in_progress -> finished."""
        return self.control.advance_response(response_id)

    def complete_response(self, response_id: str) -> ResponseObject:
        """Finish a background response now (its output is appended to its conversation)."""
        return self.control.complete_response(response_id)

    # -- faults and rate limits ----------------------------------------------------------------

    @property
    def faults(self) -> Faults:
        """Fault rules: ``faults.add(status=503, path="/api/**", times=1)``, ``faults()`` lists them,
        ``faults.clear()``. They reset with the rest of the mock."""
        return Faults(self.control)

    def add_fault(
        self,
        match: Mapping[str, Any] | None = None,
        action: Mapping[str, Any] | None = None,
        *,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
    ) -> FaultRule:
        """A fault rule in the JSON form of ``POST /__mock__/faults`` (``faults.add`` reads better)."""
        return self.control.add_fault(match, action, times=times, probability=probability, seed=seed)

    def clear_faults(self) -> None:
        """Drop every fault rule."""
        self.control.clear_faults()

    def rate_limit(
        self,
        *,
        per_second: int | None = None,
        per_minute: int | None = None,
        per_hour: int | None = None,
        per_day: int | None = None,
        api_key: str | None = None,
    ) -> dict[str, Any]:
        """The gateway's per-key limits (for every key, or only ``api_key``), counted on the mock's
        clock: past one, a request gets the documented 429 and is not processed."""
        return self.control.rate_limit(
            per_second=per_second, per_minute=per_minute, per_hour=per_hour, per_day=per_day, api_key=api_key
        )

    def rate_limits(self) -> dict[str, Any]:
        """The limits in force and the current counts."""
        return self.control.rate_limits()

    def clear_rate_limits(self) -> None:
        """Turn rate limiting off (until set again, or reset to the config's limits)."""
        self.control.clear_rate_limits()

    # -- inspection ----------------------------------------------------------------------------

    def state(self) -> MockState:
        """Everything in the mock, typed; soft-deleted conversations and their items included."""
        return self.control.state_view()

    def conversation(self, conversation_id: str) -> ConversationState:
        """One conversation with its items, whoever owns it, deleted or not (``KeyError`` if none)."""
        return self.state().conversation(conversation_id)

    def export(self) -> dict[str, Any]:
        """The state as a fixture document (what ``GET /__mock__/state`` returns)."""
        return self.control.export()

    def clock(self) -> dict[str, Any]:
        """The mock's time and whether it is frozen."""
        return self.control.clock()

    def failures(self) -> list[dict[str, str]]:
        """Requests that crashed the mock so far (``check()`` raises the first)."""
        return self.control.failures()

    def clear_requests(self) -> None:
        """Empty the request journal (``requests.clear()`` does the same)."""
        self.control.clear_requests()

    @property
    def requests(self) -> Journal:
        """The request journal: ``filter(...)``, ``assert_called(...)``, iteration, ``clear()``."""
        return self.control.state.journal

    # -- clients -------------------------------------------------------------------------------

    def headers(self, *, api_key: str | None = None, on_behalf_of: str | None = None) -> dict[str, str]:
        """The headers an API request needs (``Authorization``, and ``X-On-Behalf-Of`` if given)."""
        headers = {"Authorization": f"Bearer {api_key or self.api_key}"}
        if on_behalf_of is not None:
            headers["X-On-Behalf-Of"] = on_behalf_of
        return headers

    def sdk(self, *, in_process: bool = False, api_key: str | None = None) -> SDK:
        """An official ``meetkai_mka1.SDK`` on this mock, retries off. ``in_process=True`` skips
        the socket: requests go straight into the app (sync and ``*_async`` methods alike)."""
        try:
            from meetkai_mka1 import SDK
        except ImportError as err:
            raise ImportError(
                "sdk() needs the official MKA1 SDK: pip install meetkai-mka1 "
                "(or install mka1-mock with its 'test' extra)."
            ) from err

        key = api_key or self.api_key
        async_client: httpx.AsyncClient | LazyAsyncClient
        if in_process:
            sync_client = self.http(in_process=True, authorized=False)
            async_client = self._async_http()
            server_url = IN_PROCESS_URL
        else:
            sync_client = self._shared_http or self.http(authorized=False)
            async_client = LazyAsyncClient(_async_socket_client)
            server_url = self.url
        return SDK(
            bearer_auth=key,
            server_url=server_url,
            client=sync_client,
            async_client=async_client,
            retry_config=None,
        )

    def http(self, *, in_process: bool = False, authorized: bool = True) -> httpx.Client:
        """An ``httpx.Client`` whose relative URLs start at the server root; authorised with the
        handle's key unless ``authorized=False``. In-process it calls the app with no socket."""
        import httpx

        headers = self.headers() if authorized else {}
        client: httpx.Client
        if in_process:
            from ._inprocess import InProcessTransport

            transport = InProcessTransport(self.app)
            client = httpx.Client(transport=transport, base_url=IN_PROCESS_URL, headers=headers)
        else:
            # verify=False: the mock speaks plain HTTP, and skipping the CA bundle load makes a
            # client cost ~2 ms instead of ~90 ms (it is built in every test).
            client = httpx.Client(base_url=self.url, headers=headers, verify=False)
        self._closers.append(client.close)
        return client

    def _async_http(self) -> httpx.AsyncClient:
        import httpx

        from ._inprocess import AsyncInProcessTransport

        # An in-process transport holds no sockets, so there is nothing to close.
        return httpx.AsyncClient(transport=AsyncInProcessTransport(self.app), base_url=IN_PROCESS_URL)

    def _fixture_path(self, name: str | Path) -> Path:
        path = Path(name)
        return path if path.is_absolute() else self.fixture_dir / path


def _async_socket_client() -> httpx.AsyncClient:
    """An async client that keeps no idle connections: each test may run its own event loop, and a
    pooled connection from a finished loop could neither be reused nor closed cleanly."""
    import httpx

    return httpx.AsyncClient(verify=False, limits=httpx.Limits(max_keepalive_connections=0))
