"""Everything one mock app owns, in one object on ``app.state.mock`` (nothing lives in globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .config import MockConfig
from .journal import Journal
from .responder import Responder
from .store import Store

if TYPE_CHECKING:
    from .failures import ServerFailure

__all__ = ["AppState"]


@dataclass
class AppState:
    store: Store
    config: MockConfig
    journal: Journal
    responder: Responder = field(default_factory=Responder)
    failures: list[ServerFailure] = field(default_factory=list)
