"""The control plane: one implementation of every test-side action (seed, inspect, reset, time, ids,
the fake model's scripts).

Two doors lead here with the same names: the in-process handle (``Mka1Mock``, what the pytest fixture
gives a test) and the HTTP routes under ``/__mock__/`` (``control.endpoints``, for a standalone
server). Both only translate arguments and call these methods.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from .._core.auth import Owner, make_owner, user_id_for_key
from .._core.config import RateLimit
from .._core.errors import InvalidRequest
from .._core.state import LoadContext
from .._core.validation import invalid_from
from ..fake_model.reply import Reply
from ..fake_model.responder import Rule
from ..items.models import validate_items
from ..resources.conversations import Conversations
from ..resources.conversations.fixture import FixtureConversation, FixtureOwner, StoredItem, seed_from
from ..resources.conversations.schemas import Conversation
from ..resources.embeddings import Embeddings
from ..resources.models import ModelObject, Models
from ..resources.models.backend import parse_catalogue
from ..resources.responses import BackgroundPolicy, Responses
from ..resources.responses.objects import ResponseObject
from .app_state import AppState
from .faults import FaultRule
from .fixture import FORMAT, VERSION, FixtureFile, MockState

__all__ = ["Controller", "MockServerError", "read_fixture_file", "BackgroundMode"]

BackgroundMode = Literal["immediate", "retrievals", "manual"]


class MockServerError(AssertionError):
    """The mock hit an unexpected error while serving a test's request (its traceback follows)."""


def read_fixture_file(path: Path) -> Any:
    """The parsed JSON of a fixture file, or an ``InvalidRequest`` naming the file and the problem."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidRequest(f"Fixture file not found: {path}", code="fixture_not_found") from None
    except ValueError as err:
        raise InvalidRequest(f"Fixture file {path} is not valid JSON: {err}", code="invalid_json") from None


class Controller:
    """Test-side actions on one app's state (``app.state.mock``)."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    @property
    def _conversations(self) -> Conversations:
        return self.state.store.backend(Conversations)

    @property
    def _responses(self) -> Responses:
        return self.state.store.backend(Responses)

    # -- lifecycle ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty every backend and the journal, unfreeze the clock, return ids to random, drop the
        fake model's scripts: a fresh mock."""
        self.state.store.reset()
        self.state.store.clock.unfreeze()
        self.state.store.ids.seed(None)
        self.state.journal.clear()
        self.state.failures.clear()
        self.state.responder.reset()
        self.state.faults.clear()
        self.state.limiter.reset()

    def failures(self) -> list[dict[str, str]]:
        """Requests that crashed the mock (bugs in the mock), with their tracebacks."""
        return [
            {"method": f.method, "path": f.path, "error": repr(f.error), "traceback": f.traceback}
            for f in self.state.failures
        ]

    def check(self) -> None:
        """Raise ``MockServerError`` (with the mock's traceback) if any request crashed the mock."""
        failures = list(self.state.failures)
        if failures:
            self.state.failures.clear()
            first = failures[0]
            more = f" (and {len(failures) - 1} more)" if len(failures) > 1 else ""
            raise MockServerError(
                f"mka1-mock failed while serving {first.method} {first.path}{more}:\n{first.traceback}"
            )

    # -- time and ids --------------------------------------------------------------------------

    def freeze_time(self, at: int | None = None) -> int:
        """Stop the clock (at ``at``, Unix seconds; default now); returns the frozen time."""
        return self.state.store.clock.freeze(at)

    def advance_time(self, seconds: int) -> int:
        """Move the clock forward; returns the new time."""
        return self.state.store.clock.advance(seconds)

    def unfreeze_time(self) -> None:
        """Follow the system clock again."""
        self.state.store.clock.unfreeze()

    def clock(self) -> dict[str, Any]:
        """The mock's time and whether it is frozen."""
        clock = self.state.store.clock
        return {"now": clock.now(), "frozen": clock.frozen}

    clock_state = clock  # the name before the control doors were aligned

    def seed_ids(self, seed: int | None = None, *, sequential: bool = False) -> None:
        """Repeatable ids: seeded random (``seed=42``) or ``conv_000…001`` (``sequential=True``)."""
        self.state.store.ids.seed(seed, sequential=sequential)

    # -- seeding -------------------------------------------------------------------------------

    def owner(
        self, api_key: str | None = None, on_behalf_of: str | None = None, *, user_id: str | None = None
    ) -> Owner:
        """The ``Owner`` that requests with this key (default: the config's) and header act as; or,
        with ``user_id``, the owner with that account id (as exports write it)."""
        config = self.state.config
        if user_id is None:
            user_id = user_id_for_key(api_key or config.default_api_key, config.users)
        return make_owner(user_id, on_behalf_of, config.identity_mode)

    def load(self, data: Any, *, source: str = "fixture") -> list[Conversation]:
        """Load a fixture document (parsed JSON) into every backend it has a section for; all of it
        or nothing on error. Returns the conversations loaded."""
        return self._load(data, source, replace=False)

    def load_file(self, path: Path) -> list[Conversation]:
        """Load a fixture file (JSON)."""
        return self.load(read_fixture_file(path), source=f"fixture file {path}")

    def replace_state(self, data: Any) -> list[Conversation]:
        """Replace the whole state with a fixture document (the journal is kept); atomic."""
        return self._load(data, "state", replace=True)

    def add_conversation(
        self,
        *,
        metadata: Mapping[str, str] | None = None,
        items: Sequence[Mapping[str, Any]] = (),
        api_key: str | None = None,
        on_behalf_of: str | None = None,
        user_id: str | None = None,
        id: str | None = None,
        created_at: int | None = None,
        updated_at: int | None = None,
        deleted_at: int | None = None,
    ) -> Conversation:
        """Seed one conversation directly (no API call), validated like a request would be."""
        try:
            conversation = FixtureConversation(
                id=id,
                owner=FixtureOwner(api_key=api_key, user_id=user_id, on_behalf_of=on_behalf_of),
                created_at=created_at,
                updated_at=updated_at,
                deleted_at=deleted_at,
                metadata=dict(metadata or {}),
                items=[dict(item) for item in items],
            )
        except ValidationError as err:
            error = invalid_from(err)
            raise InvalidRequest(f"Invalid conversation: {error.message}", param=error.param, code=error.code) from None
        seed = seed_from(conversation, "conversation", self._context("seed"))
        return self._conversations.load([seed])[0]

    def add_items(
        self,
        conversation_id: str,
        items: Sequence[Mapping[str, Any]],
        *,
        api_key: str | None = None,
        on_behalf_of: str | None = None,
    ) -> list[StoredItem]:
        """Append items to a conversation, as ``POST .../items`` would (any number at once)."""
        owner = self.owner(api_key, on_behalf_of)
        validated = validate_items([dict(item) for item in items], param="items")
        created = self._conversations.add_items(owner, conversation_id, validated)
        return [StoredItem.model_validate(item) for item in created.data]

    # -- the models catalogue ------------------------------------------------------------------

    def models(self) -> list[ModelObject]:
        """The models catalogue as ``GET /api/v1/llm/models`` lists it."""
        return self.state.store.backend(Models).list_models().data

    def set_models(self, models: Sequence[Mapping[str, Any]]) -> list[ModelObject]:
        """Replace the catalogue (until the next reset): model objects, only ``id`` required."""
        return self.state.store.backend(Models).replace(parse_catalogue([dict(m) for m in models]))

    def strict_models(self, strict: bool = True) -> None:
        """Make a response with a model outside the catalogue (and not ``auto``) a 400, or stop."""
        self.state.store.backend(Models).set_strict(strict)

    # -- embeddings ----------------------------------------------------------------------------

    def pin_embedding(self, text: str, embedding: Sequence[float], *, model: str | None = None) -> None:
        """Answer exactly ``embedding`` for ``text`` (under ``model``, or any model) until reset."""
        if not embedding:
            raise InvalidRequest("Invalid 'embedding': a pinned vector needs at least one number.", param="embedding")
        self.state.store.backend(Embeddings).pin(text, embedding, model=model)

    def embedding_pins(self) -> list[dict[str, Any]]:
        """The pinned texts (model, text, size of the vector)."""
        return self.state.store.backend(Embeddings).pins()

    # -- the fake model ------------------------------------------------------------------------

    def queue_reply(self, *replies: Reply) -> None:
        """Queue what the next responses answer, in order."""
        self.state.responder.enqueue(*replies)

    queue_replies = queue_reply  # the name before the control doors were aligned

    def add_rule(
        self,
        reply: Reply,
        *,
        text: str | None = None,
        model: str | None = None,
        tool: str | None = None,
        conversation: str | None = None,
        times: int | None = None,
    ) -> Rule:
        """Answer ``reply`` whenever every given matcher fits (``text`` is a regex searched in the
        last user message); at most ``times`` times when given."""
        try:
            pattern = re.compile(text) if text is not None else None
        except re.error as err:
            raise InvalidRequest(f"Invalid 'text' pattern: {err}", param="match.text") from None
        if times is not None and times < 1:
            raise InvalidRequest("'times' must be at least 1.", param="times")
        rule = Rule(reply=reply, text=pattern, model=model, tool=tool, conversation=conversation, times=times)
        return self.state.responder.add_rule(rule)

    def unconsumed_scripts(self) -> list[str]:
        """Queued replies never used and rules never (fully) matched."""
        return self.state.responder.unconsumed()

    def scripts(self) -> dict[str, list[str]]:
        """Queued replies and rules (described), and what is still unconsumed."""
        return {**self.state.responder.pending(), "unconsumed": self.state.responder.unconsumed()}

    def clear_scripts(self) -> None:
        """Drop every queued reply and rule."""
        self.state.responder.reset()

    def background_responses(self, mode: str = "retrievals", retrievals: int = 2) -> None:
        """How background responses progress: ``immediate``, completed on the Nth retrieval
        (``retrievals``), or only when the test moves them (``manual``)."""
        if mode not in ("immediate", "retrievals", "manual") or retrievals < 1:
            raise InvalidRequest(
                "Background mode must be 'immediate', 'retrievals' (with retrievals >= 1) or 'manual'.",
                param="mode",
            )
        policy = BackgroundPolicy(mode=mode, retrievals=retrievals)  # type: ignore[arg-type]  # checked above
        self._responses.set_background(policy)

    set_background = background_responses  # the name before the control doors were aligned

    def advance_response(self, response_id: str, *, to_end: bool = False) -> ResponseObject:
        """Move a background response one step: queued -> in_progress -> finished (or to the end)."""
        return self._responses.advance(response_id, to_end=to_end)

    def complete_response(self, response_id: str) -> ResponseObject:
        """Finish a background response now (its output is appended to its conversation)."""
        return self._responses.advance(response_id, to_end=True)

    # -- faults and rate limits ----------------------------------------------------------------

    def add_fault(
        self,
        match: Mapping[str, Any] | None = None,
        action: Mapping[str, Any] | None = None,
        *,
        times: int | None = None,
        probability: float | None = None,
        seed: int | None = None,
    ) -> FaultRule:
        """Add a fault rule (``match`` and ``action`` in their JSON form; see ``control.faults``)."""
        spec = {
            "match": dict(match or {}),
            "action": dict(action or {}),
            "times": times,
            "probability": probability,
            "seed": seed,
        }
        return self.state.faults.add(spec)

    def faults(self) -> list[FaultRule]:
        """The fault rules, in order, with how often each matched and fired."""
        return self.state.faults.rules()

    def clear_faults(self) -> None:
        """Drop every fault rule."""
        self.state.faults.clear()

    def rate_limit(
        self,
        *,
        per_second: int | None = None,
        per_minute: int | None = None,
        per_hour: int | None = None,
        per_day: int | None = None,
        api_key: str | None = None,
    ) -> dict[str, Any]:
        """Set the gateway's per-key limits (every key's default, or one ``api_key``'s); replaces
        the previous limits of that scope, restarts the counts. Returns ``rate_limits()``."""
        given = {"second": per_second, "minute": per_minute, "hour": per_hour, "day": per_day}
        for window, value in given.items():
            if value is not None and value < 0:
                raise InvalidRequest(f"'per_{window}' must be >= 0.", param=f"per_{window}")
        limits = [RateLimit(value, window) for window, value in given.items() if value is not None]
        self.state.limiter.set(limits, api_key)
        return self.rate_limits()

    def rate_limits(self) -> dict[str, Any]:
        """The limits in force (``default`` and per ``keys``) and the current window counts."""
        return self.state.limiter.describe()

    def clear_rate_limits(self) -> None:
        """No rate limits (not even ``MockConfig.rate_limits``) until set again or reset."""
        self.state.limiter.clear()

    # -- inspection ----------------------------------------------------------------------------

    def state_view(self) -> MockState:
        """Everything in the mock, typed; soft-deleted conversations and their items included."""
        with self.state.store.lock:
            sections = self.state.store.export()
            conversations = self._conversations.snapshot()
        sections.pop("conversations", None)
        return MockState(conversations=conversations, **sections)

    snapshot = state_view  # the name before the control doors were aligned

    def export(self) -> dict[str, Any]:
        """The state as a fixture document (what ``GET /__mock__/state`` returns)."""
        return {"format": FORMAT, "version": VERSION, **self.state.store.export()}

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The journal's entries (optionally filtered), as JSON-ready dicts."""
        return [entry.to_dict() for entry in self.state.journal.filter(method, path)]

    def clear_requests(self) -> None:
        """Empty the request journal."""
        self.state.journal.clear()

    def summary(self) -> dict[str, int]:
        """How much the mock holds: conversations and items (deleted ones included)."""
        with self.state.store.lock:
            conversations = self._conversations.snapshot()
        return {"conversations": len(conversations), "items": sum(len(c.items) for c in conversations)}

    # -- internals -----------------------------------------------------------------------------

    def _context(self, source: str) -> LoadContext:
        def owner(api_key: str | None, user_id: str | None, on_behalf_of: str | None) -> Owner:
            return self.owner(api_key, on_behalf_of, user_id=user_id)

        return LoadContext(source=source, owner=owner)

    def _load(self, data: Any, source: str, *, replace: bool) -> list[Conversation]:
        try:
            document = FixtureFile.model_validate(data)
        except ValidationError as err:
            error = invalid_from(err)
            raise InvalidRequest(f"Invalid {source}: {error.message}", param=error.param, code=error.code) from None
        sections = {
            name: value
            for name, value in document
            if name not in ("schema_", "format", "version", "description") and name in document.model_fields_set
        }
        loaded = self.state.store.load(sections, self._context(source), replace=replace)
        return list(loaded.get("conversations", []))
