"""Everything one mock app owns, in one object on ``app.state.mock`` (nothing lives in globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .._core.config import MockConfig
from .._core.failures import ServerFailure
from .._core.state import Store
from ..fake_model.responder import Responder
from .journal import Journal

__all__ = ["AppState"]


@dataclass
class AppState:
    store: Store
    config: MockConfig
    journal: Journal
    responder: Responder = field(default_factory=Responder)
    failures: list[ServerFailure] = field(default_factory=list)
