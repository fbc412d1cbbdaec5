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
    from .app import create_app
    from .auth import Owner
    from .clock import Clock
    from .config import MockConfig
    from .control import MockServerError
    from .errors import ApiError, MockError
    from .handle import Mka1Mock
    from .ids import IdFactory
    from .journal import Journal, RecordedRequest
    from .replies import Reply
    from .responder import Rule
    from .schemas.fixture import ConversationState, MockState, StoredItem
    from .schemas.resources import Conversation
    from .schemas.response_object import ResponseObject
    from .server import MockServer
    from .store import Store

_WHERE = {
    "ApiError": ".errors",
    "Clock": ".clock",
    "Conversation": ".schemas.resources",
    "ConversationState": ".schemas.fixture",
    "IdFactory": ".ids",
    "Journal": ".journal",
    "Mka1Mock": ".handle",
    "MockConfig": ".config",
    "MockError": ".errors",
    "MockServer": ".server",
    "MockServerError": ".control",
    "MockState": ".schemas.fixture",
    "Owner": ".auth",
    "RecordedRequest": ".journal",
    "Reply": ".replies",
    "ResponseObject": ".schemas.response_object",
    "Rule": ".responder",
    "Store": ".store",
    "StoredItem": ".schemas.fixture",
    "create_app": ".app",
}

__all__ = [
    "ApiError",
    "Clock",
    "Conversation",
    "ConversationState",
    "IdFactory",
    "Journal",
    "Mka1Mock",
    "MockConfig",
    "MockError",
    "MockServer",
    "MockServerError",
    "MockState",
    "Owner",
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
