"""mka1-mock: a local, in-memory fake of the MKA1 LLM API for integration tests."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("mka1-mock")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

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
    "RecordedRequest",
    "Reply",
    "ResponseObject",
    "Rule",
    "StoredItem",
    "Owner",
    "Store",
    "__version__",
    "create_app",
]
