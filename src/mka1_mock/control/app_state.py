"""Everything one mock app owns, in one object on ``app.state.mock`` (nothing lives in globals)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .._core.config import MockConfig
from .._core.failures import ServerFailure
from .._core.state import Store
from ..fake_model.responder import Responder
from .faults import FaultRules
from .journal import Journal
from .rate_limits import RateLimiter

__all__ = ["AppState"]


@dataclass
class AppState:
    store: Store
    config: MockConfig
    journal: Journal
    responder: Responder = field(default_factory=Responder)
    failures: list[ServerFailure] = field(default_factory=list)
    faults: FaultRules = field(default_factory=FaultRules)
    rate_limiter: RateLimiter | None = None

    def __post_init__(self) -> None:
        if self.rate_limiter is None:
            self.rate_limiter = RateLimiter(self.store.clock, self.config.rate_limits)

    @property
    def limiter(self) -> RateLimiter:
        assert self.rate_limiter is not None
        return self.rate_limiter
