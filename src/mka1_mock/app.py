"""``create_app``: wiring only. The app owns its store, config and error log; nothing is global."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from .app_state import AppState
from .clock import Clock
from .config import MockConfig
from .control import Controller
from .errors import MockError, RouteNotFound
from .failures import ServerFailure, crash_response, error_response
from .ids import IdFactory
from .journal import Journal, JournalMiddleware
from .routes import control, conversations, items, responses
from .store import Store

__all__ = ["create_app", "ServerFailure"]


async def _on_mock_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MockError)
    return error_response(exc)


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    # Starlette raises these only for routing misses (404, and 405 for a known path): Kong answers
    # both with "no Route matched".
    return error_response(RouteNotFound(request.method, request.url.path))


async def _on_crash(request: Request, exc: Exception) -> Response:
    return crash_response(request, exc)


def create_app(
    store: Store | None = None,
    *,
    config: MockConfig | None = None,
    clock: Clock | None = None,
    ids: IdFactory | None = None,
) -> Starlette:
    """A new mock app. Pass ``clock``/``ids`` (or a ready ``store``) to pin time and ids."""
    if store is None:
        store = Store(clock=clock, ids=ids)
    config = config if config is not None else MockConfig()
    state = AppState(store=store, config=config, journal=Journal(config.journal_size))
    app = Starlette(
        routes=[*conversations.routes, *items.routes, *responses.routes, *control.routes],
        middleware=[Middleware(JournalMiddleware, journal=state.journal)],
        exception_handlers={
            MockError: _on_mock_error,
            HTTPException: _on_http_exception,
            Exception: _on_crash,
        },
    )
    app.state.mock = state
    app.state.control = Controller(state)
    return app
