"""The control plane: one implementation of every test-side action (seed, inspect, reset, time, ids).

Two doors lead here: the in-process handle (``Mka1Mock``, what the pytest fixture gives a test) and
the HTTP routes under ``/__mock__/`` (for a standalone server). Both call these methods.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .app_state import AppState
from .auth import Owner, make_owner, user_id_for_key
from .errors import InvalidRequest
from .replies import Reply
from .responder import Rule
from .response_store import BackgroundPolicy
from .schemas.base import invalid_from
from .schemas.fixture import FixtureConversation, FixtureFile, FixtureOwner, MockState
from .schemas.items import validate_items
from .schemas.metadata import check_metadata
from .schemas.resources import Conversation
from .schemas.response_object import ResponseObject
from .store import ConversationSeed

__all__ = ["Controller", "MockServerError", "read_fixture_file"]

# Keys a stored item carries that are not part of the item's own schema.
_ORIGIN_KEYS = ("response_id", "metadata")


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

    # -- lifecycle ---------------------------------------------------------------------------

    def reset(self) -> None:
        """Empty the store and journal, unfreeze the clock, return ids to random: a fresh mock."""
        self.state.store.reset()
        self.state.store.clock.unfreeze()
        self.state.store.ids.seed(None)
        self.state.journal.clear()
        self.state.failures.clear()
        self.state.responder.reset()

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
        return self.state.store.clock.freeze(at)

    def advance_time(self, seconds: int) -> int:
        return self.state.store.clock.advance(seconds)

    def unfreeze_time(self) -> None:
        self.state.store.clock.unfreeze()

    def seed_ids(self, seed: int | None = None, *, sequential: bool = False) -> None:
        self.state.store.ids.seed(seed, sequential=sequential)

    def clock_state(self) -> dict[str, Any]:
        clock = self.state.store.clock
        return {"now": clock.now(), "frozen": clock.frozen}

    # -- seeding -------------------------------------------------------------------------------

    def owner(self, api_key: str | None = None, on_behalf_of: str | None = None) -> Owner:
        """The ``Owner`` that requests with this key (default: the config's) and header act as."""
        config = self.state.config
        key = api_key or config.default_api_key
        return make_owner(user_id_for_key(key, config.users), on_behalf_of, config.identity_mode)

    def load(self, data: Any, *, source: str = "fixture") -> list[Conversation]:
        """Load a fixture document (parsed JSON); all of its conversations, or none on error."""
        return self.state.store.load(self._seeds(data, source))

    def load_file(self, path: Path) -> list[Conversation]:
        return self.load(read_fixture_file(path), source=f"fixture file {path}")

    def replace_state(self, data: Any) -> list[Conversation]:
        """Replace the whole state with a fixture document (the journal is kept); atomic."""
        return self.state.store.load(self._seeds(data, "state"), replace=True)

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
        """Seed one conversation directly (no HTTP), validated like a request would be."""
        conversation = FixtureConversation(
            id=id,
            owner=FixtureOwner(api_key=api_key, on_behalf_of=on_behalf_of),
            created_at=created_at,
            updated_at=updated_at,
            deleted_at=deleted_at,
            metadata=dict(metadata or {}),
            items=[dict(item) for item in items],
        )
        return self.state.store.load([self._seed(conversation, "conversation", "seed")])[0]

    # -- the fake model ------------------------------------------------------------------------

    def queue_replies(self, *replies: Reply) -> None:
        self.state.responder.enqueue(*replies)

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
        return self.state.responder.unconsumed()

    def scripts(self) -> dict[str, list[str]]:
        """Queued replies and rules (described), and what is still unconsumed."""
        return {**self.state.responder.pending(), "unconsumed": self.state.responder.unconsumed()}

    def clear_scripts(self) -> None:
        self.state.responder.reset()

    def set_background(self, mode: str = "retrievals", retrievals: int = 2) -> None:
        """How background responses progress: ``immediate``, completed on the Nth retrieval, or ``manual``."""
        if mode not in ("immediate", "retrievals", "manual") or retrievals < 1:
            raise InvalidRequest(
                "Background mode must be 'immediate', 'retrievals' (with retrievals >= 1) or 'manual'.",
                param="mode",
            )
        policy = BackgroundPolicy(mode=mode, retrievals=retrievals)  # type: ignore[arg-type]  # checked above
        self.state.store.responses.set_background(policy)

    def advance_response(self, response_id: str, *, to_end: bool = False) -> ResponseObject:
        return self.state.store.responses.advance(response_id, to_end=to_end)

    # -- inspection ----------------------------------------------------------------------------

    def snapshot(self) -> MockState:
        return self.state.store.snapshot()

    def export(self) -> dict[str, Any]:
        return self.snapshot().to_fixture()

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        """The journal's entries (optionally filtered), as JSON-ready dicts."""
        return [entry.to_dict() for entry in self.state.journal.filter(method, path)]

    def clear_requests(self) -> None:
        self.state.journal.clear()

    # -- internals -----------------------------------------------------------------------------

    def _seeds(self, data: Any, source: str) -> list[ConversationSeed]:
        try:
            document = FixtureFile.model_validate(data)
        except ValidationError as err:
            error = invalid_from(err)
            raise InvalidRequest(
                f"Invalid {source}: {error.message}", param=error.param, code=error.code
            ) from None
        return [
            self._seed(c, f"conversations[{n}]", source)
            for n, c in enumerate(document.conversations)
        ]

    def _seed(self, conversation: FixtureConversation, where: str, source: str) -> ConversationSeed:
        owner_spec = conversation.owner or FixtureOwner()
        if owner_spec.api_key and owner_spec.user_id:
            raise InvalidRequest(
                f"Invalid {source}: {where}.owner has both 'api_key' and 'user_id'; give one.",
                param=f"{where}.owner",
            )
        if owner_spec.user_id:
            owner = make_owner(owner_spec.user_id, owner_spec.on_behalf_of, self.state.config.identity_mode)
        else:
            owner = self.owner(owner_spec.api_key, owner_spec.on_behalf_of)
        try:
            check_metadata(conversation.metadata, param=f"{where}.metadata")
            bare = [{k: v for k, v in item.items() if k not in _ORIGIN_KEYS} for item in conversation.items]
            validated = validate_items(bare, param=f"{where}.items")
        except InvalidRequest as err:
            raise InvalidRequest(f"Invalid {source}: {err.message}", param=err.param, code=err.code) from None
        items = []
        for n, (original, item) in enumerate(zip(conversation.items, validated, strict=True)):
            where_item = f"{where}.items[{n}]"
            response_id = original.get("response_id")
            if response_id is not None and not isinstance(response_id, str):
                raise InvalidRequest(
                    f"Invalid {source}: '{where_item}.response_id' must be a string or null.",
                    param=f"{where_item}.response_id",
                    code="invalid_type",
                )
            if "response_id" in original:
                item["response_id"] = response_id
            if original.get("metadata") is not None:
                item["metadata"] = check_metadata(original["metadata"], param=f"{where_item}.metadata")
            elif "metadata" in original:
                item["metadata"] = None
            items.append(item)
        return ConversationSeed(
            owner=owner,
            id=conversation.id,
            created_at=conversation.created_at,
            updated_at=conversation.updated_at,
            deleted_at=conversation.deleted_at,
            metadata=conversation.metadata,
            items=items,
        )

