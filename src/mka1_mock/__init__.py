"""mka1-mock: a local, in-memory fake of the MKA1 LLM API for integration tests.

The public names below load on first use (PEP 562), so that merely having the pytest plugin
installed costs a test session nothing until a test asks for the mock.
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("mka1-mock")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

if TYPE_CHECKING:
    from ._core.auth import Owner
    from ._core.clock import Clock
    from ._core.config import MockConfig, RateLimit
    from ._core.errors import ApiError, MockError
    from ._core.ids import IdFactory
    from ._core.state import Store
    from .app import create_app
    from .control.controller import MockServerError
    from .control.faults import FaultRule
    from .control.fixture import MockState
    from .control.journal import Journal, RecordedRequest
    from .fake_model.reply import Reply
    from .fake_model.responder import Rule
    from .resources.conversations.fixture import ConversationState, StoredItem
    from .resources.conversations.schemas import Conversation
    from .resources.responses.objects import ResponseObject
    from .testing.handle import Mka1Mock
    from .testing.server import MockServer

_WHERE = {
    "ApiError": "._core.errors",
    "Clock": "._core.clock",
    "Conversation": ".resources.conversations.schemas",
    "FaultRule": ".control.faults",
    "ConversationState": ".resources.conversations.fixture",
    "IdFactory": "._core.ids",
    "Journal": ".control.journal",
    "Mka1Mock": ".testing.handle",
    "MockConfig": "._core.config",
    "MockError": "._core.errors",
    "MockServer": ".testing.server",
    "MockServerError": ".control.controller",
    "MockState": ".control.fixture",
    "Owner": "._core.auth",
    "RateLimit": "._core.config",
    "RecordedRequest": ".control.journal",
    "Reply": ".fake_model.reply",
    "ResponseObject": ".resources.responses.objects",
    "Rule": ".fake_model.responder",
    "Store": "._core.state",
    "StoredItem": ".resources.conversations.fixture",
    "create_app": ".app",
}

__all__ = [
    "ApiError",
    "Clock",
    "Conversation",
    "ConversationState",
    "FaultRule",
    "IdFactory",
    "Journal",
    "Mka1Mock",
    "MockConfig",
    "MockError",
    "MockServer",
    "MockServerError",
    "MockState",
    "Owner",
    "RateLimit",
    "RecordedRequest",
    "Reply",
    "ResponseObject",
    "Rule",
    "Store",
    "StoredItem",
    "__version__",
    "create_app",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(_WHERE[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mka1_mock' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
