"""Routes as data: each endpoint is declared once, and the router, the OpenAPI document and the
README's endpoint table are all built from the declarations.

An ``Endpoint`` names its method, path, query model, body model, 200 model and the error statuses it
can answer. Its handler receives a ``Call`` whose ``query`` and ``body`` are already parsed (a bad
one is a 400 naming the field before the handler runs), so a handler is one backend verb::

    Endpoint("GET", "/api/v1/llm/conversations/{conversation_id}", get_conversation,
             returns=Conversation, errors=(401, 404), summary="Retrieve a conversation")

    def get_conversation(call: Call) -> Conversation:
        return call.backend(Conversations).get(call.owner, call.path["conversation_id"])
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from .auth import Owner, authenticate
from .errors import MockError
from .failures import crash_response
from .http import config_of, read_json, render
from .state import Store
from .validation import QueryModel, parse

__all__ = ["Call", "Endpoint", "routes_of", "openapi_path"]

B = TypeVar("B")


@dataclass
class Call:
    """One request, parsed: who calls, path parameters, query and body models, and the app state."""

    request: Request
    owner: Owner
    path: Mapping[str, str]
    query: Any
    body: Any

    @property
    def store(self) -> Store:
        return self.request.app.state.mock.store  # type: ignore[no-any-return]

    @property
    def state(self) -> Any:
        """The app's ``AppState`` (store, config, responder, journal)."""
        return self.request.app.state.mock

    def backend(self, kind: type[B]) -> B:
        return self.store.backend(kind)


Handler = Callable[[Call], Any]


@dataclass(frozen=True)
class Endpoint:
    """One API operation. ``path`` uses Starlette's syntax (``{item_id:path}`` allowed).

    ``returns`` is the model of the 200 (or ``status``) body; ``streams`` marks an endpoint that can
    also answer ``text/event-stream``; ``errors`` lists the error statuses it documents (401 and the
    gateway's 429 are added for every authenticated endpoint, 400 wherever a query or body is parsed).
    """

    method: str
    path: str
    handler: Handler
    summary: str
    query: type[QueryModel] | None = None
    body: type[BaseModel] | None = None
    returns: Any = None
    status: int = 200
    errors: tuple[int, ...] = ()
    streams: bool = False
    authenticated: bool = True
    tags: tuple[str, ...] = ()
    description: str = ""
    operation_id: str = field(default="")

    @property
    def name(self) -> str:
        return self.operation_id or self.handler.__name__

    def error_statuses(self) -> tuple[int, ...]:
        implied = set(self.errors)
        if self.authenticated:
            implied |= {401, 429}  # the gateway's: no or a bad key, and its rate limits
        if self.query is not None or self.body is not None:
            implied.add(400)
        if self.body is not None:
            implied.add(413)
        return tuple(sorted(implied))

    def route(self) -> Route:
        return Route(self.path, self._asgi(), methods=[self.method], name=self.name)

    def _asgi(self) -> Callable[[Request], Awaitable[Response]]:
        endpoint = self
        is_async = inspect.iscoroutinefunction(self.handler)

        async def asgi(request: Request) -> Response:
            owner = authenticate(request.headers, config_of(request)) if endpoint.authenticated else _NOBODY
            try:
                query = None
                if endpoint.query is not None:
                    params = request.query_params
                    query = endpoint.query.from_query(params, params.multi_items())
                body = None
                if endpoint.body is not None:
                    raw = await read_json(request, require_json_type=endpoint.authenticated)
                    body = parse(endpoint.body, raw)
                call = Call(request=request, owner=owner, path=request.path_params, query=query, body=body)
                result = endpoint.handler(call)
                if is_async:
                    result = await result
                if result is None:
                    return Response(status_code=endpoint.status)
                return render(result, endpoint.status)
            except MockError:
                raise
            except Exception as exc:  # a bug in the mock: answer 500 here, keep the connection open
                return crash_response(request, exc)

        asgi.__name__ = self.name
        asgi.__doc__ = self.summary
        return asgi


_NOBODY = Owner(user_id="")


def routes_of(endpoints: Sequence[Endpoint]) -> list[Route]:
    return [endpoint.route() for endpoint in endpoints]


_CONVERTOR = re.compile(r"\{(\w+):\w+\}")


def openapi_path(path: str) -> str:
    """``/items/{item_id:path}`` -> ``/items/{item_id}`` (OpenAPI has no convertors)."""
    return _CONVERTOR.sub(r"{\1}", path)
