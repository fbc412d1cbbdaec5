"""``create_app``: wiring only. The app owns its store, config and error log; nothing is global.

The routes are built from the endpoint tables (every resource's, then the control plane's); the
OpenAPI documents are built from the same tables (``openapi``).
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import resources
from ._core.clock import Clock
from ._core.config import MockConfig
from ._core.endpoints import routes_of
from ._core.errors import MockError, RouteNotFound
from ._core.failures import ServerFailure, crash_response, error_response
from ._core.ids import IdFactory
from ._core.state import Store
from .control.app_state import AppState
from .control.controller import Controller
from .control.faults import FaultMiddleware
from .control.journal import Journal, JournalMiddleware
from .control.rate_limits import RateLimitMiddleware
from .openapi import api_document_bytes, api_endpoints, control_document_bytes, control_plane_endpoints

__all__ = ["create_app", "ServerFailure", "api_endpoints", "control_plane_endpoints"]


async def _on_mock_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MockError)
    return error_response(exc)


async def _on_http_exception(request: Request, exc: Exception) -> Response:
    # Starlette raises these only for routing misses (404, and 405 for a known path): Kong answers
    # both with "no Route matched".
    return error_response(RouteNotFound(request.method, request.url.path))


async def _on_crash(request: Request, exc: Exception) -> Response:
    return crash_response(request, exc)


async def _api_document(request: Request) -> Response:
    return Response(api_document_bytes(), media_type="application/json")


async def _control_document(request: Request) -> Response:
    return Response(control_document_bytes(), media_type="application/json")


# Served beside the emulated routes, not part of them: neither document lists these two.
DOCUMENT_ROUTES = [
    Route("/openapi.json", _api_document, methods=["GET"], name="openapi"),
    Route("/__mock__/openapi.json", _control_document, methods=["GET"], name="control_openapi"),
]


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
    resources.install(store, config)
    state = AppState(store=store, config=config, journal=Journal(config.journal_size))
    app = Starlette(
        routes=[*DOCUMENT_ROUTES, *routes_of([*api_endpoints(), *control_plane_endpoints()])],
        # Outermost first: the journal sees what the client saw, faults act in front of the
        # gateway's rate limiter, which stands in front of the API.
        middleware=[
            Middleware(JournalMiddleware, journal=state.journal),
            Middleware(FaultMiddleware, rules=state.faults),
            Middleware(RateLimitMiddleware, limiter=state.limiter, config=config),
        ],
        exception_handlers={
            MockError: _on_mock_error,
            HTTPException: _on_http_exception,
            Exception: _on_crash,
        },
    )
    app.state.mock = state
    app.state.control = Controller(state)
    return app
