"""The core state every resource shares: the one lock, the clock, the id factory, a sequence counter,
and the registry of resource backends.

A backend registers once (``Store.register``); from then on ``reset``, export and load (fixtures,
``GET/PUT /__mock__/state``) iterate over the registered backends, so adding a resource touches no
shared file. Backends reach each other only through ``Store.backend(Kind)`` and public verbs, always
under ``Store.lock`` (an ``RLock``: a verb may call another backend's verb).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Container, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

from .auth import Owner
from .clock import Clock
from .errors import InvalidRequest
from .ids import IdFactory

__all__ = ["Backend", "LoadContext", "Store", "Commit"]

B = TypeVar("B")

Commit = Callable[[], list[Any]]
"""What ``Backend.stage`` returns: applies the validated section, returns what it loaded."""


@dataclass(frozen=True)
class LoadContext:
    """What a backend needs to turn a state section into records: where it came from (for error
    messages) and how an owner spec (api key or user id, plus on-behalf-of) becomes an ``Owner``."""

    source: str
    owner: Callable[[str | None, str | None, str | None], Owner]


@runtime_checkable
class Backend(Protocol):
    """A resource's state and rules. ``section`` names its part of a state document (``None``: the
    backend keeps nothing a fixture can hold); ``fixture_model`` is the pydantic type of that part."""

    section: ClassVar[str | None]
    fixture_model: ClassVar[Any]

    def reset(self) -> None:
        """Forget everything, as a new backend would."""

    def export(self) -> Any:
        """The backend's state as a JSON-ready section (``None``: nothing to write)."""

    def stage(self, data: Any, context: LoadContext, *, replace: bool) -> Commit:
        """Validate ``data`` (the section) completely, change nothing, and return the commit."""


_LEGACY_CONVERSATION_VERBS = {
    "create_conversation": "create",
    "list_conversations": "list_page",
    "get_conversation": "get",
    "update_conversation": "update",
    "delete_conversation": "delete",
    "add_items": "add_items",
    "list_items": "list_items",
    "get_item": "get_item",
    "delete_items": "delete_items",
}


class Store:
    """All state of one mock app, held by the registered backends. Safe to share between threads."""

    def __init__(self, *, clock: Clock | None = None, ids: IdFactory | None = None) -> None:
        self.clock = clock if clock is not None else Clock()
        self.ids = ids if ids is not None else IdFactory()
        self.lock = threading.RLock()
        self._seq = 0
        self._backends: dict[type[Any], Any] = {}

    # -- registry ----------------------------------------------------------------------------

    def register(self, backend: Backend) -> None:
        """Add a backend (one per kind); it is reset, exported and loaded with the others."""
        with self.lock:
            kind = type(backend)
            if kind in self._backends:
                raise ValueError(f"a {kind.__name__} is already registered on this store")
            self._backends[kind] = backend

    def backend(self, kind: type[B]) -> B:
        """The registered backend of ``kind`` (``LookupError`` if none)."""
        try:
            return self._backends[kind]  # type: ignore[no-any-return]
        except KeyError:
            raise LookupError(f"no {kind.__name__} is registered on this store") from None

    def has(self, kind: type[Any]) -> bool:
        return kind in self._backends

    def backends(self) -> Iterator[Backend]:
        """The registered backends, in registration order."""
        return iter(list(self._backends.values()))

    def section(self, name: str) -> Any:
        """The registered backend that owns state section ``name`` (``LookupError`` if none)."""
        for backend in self.backends():
            if backend.section == name:
                return backend
        raise LookupError(f"no backend for section {name!r} is registered on this store")

    def __getattr__(self, name: str) -> Any:
        # Before resources were packages, the conversation verbs were methods of Store and the
        # responses lived on ``store.responses``: those spellings keep working for now.
        if name == "responses":
            return self.section("responses")
        if name in _LEGACY_CONVERSATION_VERBS:
            return getattr(self.section("conversations"), _LEGACY_CONVERSATION_VERBS[name])
        raise AttributeError(f"'Store' object has no attribute {name!r}")

    # -- shared verbs --------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget everything, as a new store would (the clock and id factory are left as they are)."""
        with self.lock:
            self._seq = 0
            for backend in self.backends():
                backend.reset()

    def next_seq(self) -> int:
        """A number larger than every one handed out before (orders events across backends)."""
        self._seq += 1
        return self._seq

    @property
    def seq(self) -> int:
        """The last number ``next_seq`` handed out (a watermark)."""
        return self._seq

    def fresh_id(self, prefix: str, *taken: Container[str]) -> str:
        """A generated id that none of ``taken`` holds (a re-seeded factory may repeat itself)."""
        while True:
            candidate = self.ids.new(prefix)
            if not any(candidate in used for used in taken):
                return candidate

    def export(self) -> dict[str, Any]:
        """Every backend's section, by name (backends with nothing to write are left out)."""
        with self.lock:
            out: dict[str, Any] = {}
            for backend in self.backends():
                if backend.section is None:
                    continue
                section = backend.export()
                if section is not None:
                    out[backend.section] = section
            return out

    def load(self, sections: dict[str, Any], context: LoadContext, *, replace: bool = False) -> dict[str, list[Any]]:
        """Load every section into its backend: all of them or none. With ``replace`` the sections
        become the whole state (backends with no section in ``sections`` are emptied)."""
        with self.lock:
            unknown = sorted(set(sections) - {b.section for b in self.backends() if b.section})
            if unknown:
                raise InvalidRequest(
                    f"Invalid {context.source}: unknown section {unknown[0]!r}. A state document holds "
                    f"{', '.join(repr(b.section) for b in self.backends() if b.section)}.",
                    param=unknown[0],
                    code="unknown_parameter",
                )
            commits: list[tuple[str, Commit]] = []
            for backend in self.backends():
                name = backend.section
                if name is None or (name not in sections and not replace):
                    continue
                data = sections.get(name)
                commits.append((name, backend.stage(data if data is not None else [], context, replace=replace)))
            if replace:
                self._seq = 0
            return {name: commit() for name, commit in commits}
