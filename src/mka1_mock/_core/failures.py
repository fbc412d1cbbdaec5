"""Turning errors into responses: wire errors as they are, and crashes (bugs in the mock) as a 500
that is also recorded on the app, so the test that caused it can fail with the traceback."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .errors import MockError, ServerError

__all__ = ["ServerFailure", "error_response", "crash_response"]

log = logging.getLogger("mka1_mock")


@dataclass(frozen=True)
class ServerFailure:
    """An unexpected exception inside the mock: the request that hit it and the traceback."""

    method: str
    path: str
    error: BaseException
    traceback: str


def error_response(error: MockError) -> Response:
    """The one place an error becomes an HTTP response."""
    return JSONResponse(error.body(), status_code=error.status, headers=error.headers())


def crash_response(request: Request, exc: BaseException) -> Response:
    """Record ``exc`` on the app (``Mka1Mock.check()`` raises it) and answer a 500."""
    failure = ServerFailure(
        method=request.method,
        path=request.url.path,
        error=exc,
        traceback="".join(traceback.format_exception(exc)),
    )
    request.app.state.mock.failures.append(failure)
    log.error("mka1-mock failed on %s %s:\n%s", failure.method, failure.path, failure.traceback)
    return error_response(
        ServerError(
            f"mka1-mock hit an unexpected error ({type(exc).__name__}: {exc}). This is a bug in "
            "the mock, not in your request; the traceback is in the mock's log and fails the test "
            "that sent this request."
        )
    )
