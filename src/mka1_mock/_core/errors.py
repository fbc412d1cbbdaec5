"""Every error the mock puts on the wire: one class per wire error, rendered in one place.

The tree::

    MockError                         anything the mock answers with a non-2xx status
    +-- GatewayError                  Kong-level errors: ``{"error": "<string>", "message": ...}``
    |   +-- Unauthorized              401, missing / malformed / unknown bearer key
    |   +-- RateLimited               429, with ``Retry-After``
    +-- RouteNotFound                 404, Kong's ``{"message": "no Route matched with those values"}``
    +-- ApiError                      service errors: the OpenAI envelope
        +-- InvalidRequest            400 invalid_request_error (param and code say what was wrong)
        |   +-- InvalidCursor         400 invalid_cursor: an ``after``/``before`` not in the list
        +-- NotFound                  404 invalid_request_error
        |   +-- ConversationNotFound
        |   +-- ItemNotFound
        |   +-- ResponseNotFound
        +-- Conflict                  409 invalid_request_error
        +-- PayloadTooLarge           413 invalid_request_error
        +-- ServerError               500 server_error (a bug in the mock, never a client's mistake)

The store and the schemas raise these; ``render`` (used by the app's exception handlers) is the only
place that turns one into an HTTP response body.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "ApiError",
    "Conflict",
    "ConversationNotFound",
    "GatewayError",
    "InvalidCursor",
    "InvalidRequest",
    "ItemNotFound",
    "MockError",
    "NotFound",
    "PayloadTooLarge",
    "RateLimited",
    "ResponseNotFound",
    "RouteNotFound",
    "ServerError",
    "Unauthorized",
]


class MockError(Exception):
    """Base of every error the mock answers with; ``status`` is the HTTP status."""

    status: int = 500

    def body(self) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self) -> dict[str, str]:
        return {}


class GatewayError(MockError):
    """An error produced by the gateway in front of the service: ``error`` is a plain string."""

    error: str = "Error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def body(self) -> dict[str, Any]:
        # ``error`` is the gateway's own string; ``message`` is the mock's explanation (extra keys are
        # ignored by both official clients).
        return {"error": self.error, "message": self.message}


class Unauthorized(GatewayError):
    status = 401
    error = "Unauthorized"


class RateLimited(GatewayError):
    """The gateway's 429. The body is exactly the documented ``{"error": "Rate limit exceeded"}``;
    ``Retry-After`` (seconds) and ``retry-after-ms`` say when to try again (both SDKs honour them)."""

    status = 429
    error = "Rate limit exceeded"

    def __init__(self, message: str = "Rate limit exceeded", retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        return {"error": self.error}

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after), "retry-after-ms": str(self.retry_after * 1000)}


class RouteNotFound(MockError):
    """No route matches the method and path, the way Kong says it."""

    status = 404

    def __init__(self, method: str, path: str) -> None:
        super().__init__(f"{method} {path}")
        self.method = method
        self.path = path

    def body(self) -> dict[str, Any]:
        return {
            "message": "no Route matched with those values",
            "detail": f"mka1-mock serves no route for {self.method} {self.path}; "
            "GET /openapi.json lists every emulated route (see 'What is emulated' in the README).",
        }


class ApiError(MockError):
    """A service-level error in the OpenAI envelope ``{"error": {message, type, param, code}}``."""

    status = 400
    type = "invalid_request_error"
    default_code: str | None = None

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param
        self.code = code if code is not None else self.default_code

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "message": self.message,
                "type": self.type,
                "param": self.param,
                "code": self.code,
            }
        }


class InvalidRequest(ApiError):
    status = 400
    default_code = "invalid_value"


class InvalidCursor(InvalidRequest):
    """A pagination cursor that is not in the list being paged (unknown, deleted or not yours)."""

    default_code = "invalid_cursor"

    def __init__(self, cursor: str, *, within: str, param: str = "after") -> None:
        super().__init__(
            f"Invalid '{param}': '{cursor}' is not {within}. Restart pagination without '{param}'.",
            param=param,
        )
        self.cursor = cursor


class NotFound(ApiError):
    status = 404
    default_code = "not_found"


class ConversationNotFound(NotFound):
    default_code = "conversation_not_found"

    def __init__(self, conversation_id: str) -> None:
        super().__init__(f"Conversation with id '{conversation_id}' not found.")
        self.conversation_id = conversation_id


class ItemNotFound(NotFound):
    default_code = "item_not_found"

    def __init__(self, item_id: str, *, param: str | None = None) -> None:
        super().__init__(f"Item with id '{item_id}' not found.", param=param)
        self.item_id = item_id


class ResponseNotFound(NotFound):
    default_code = "response_not_found"

    def __init__(self, response_id: str, *, param: str | None = None) -> None:
        super().__init__(f"Response with id '{response_id}' not found.", param=param)
        self.response_id = response_id


class Conflict(ApiError):
    status = 409
    default_code = "conflict"


class PayloadTooLarge(ApiError):
    status = 413
    default_code = "payload_too_large"


class ServerError(ApiError):
    status = 500
    type = "server_error"
    default_code = "internal_error"
