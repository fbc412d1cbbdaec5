"""Fixtures for mka1-mock's own suite: one server per session, a clean store per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from meetkai_mka1 import SDK

from mka1_mock import Clock, IdFactory, MockServer, Store, create_app

API_KEY = "mk-test-key"
BASE = "/api/v1/llm"


@pytest.fixture(scope="session")
def server() -> Iterator[MockServer]:
    """The mock on a real socket (port 0), shared by the whole session."""
    app = create_app(store=Store(clock=Clock(), ids=IdFactory()))
    with MockServer(app) as running:
        yield running


@pytest.fixture
def store(server: MockServer) -> Iterator[Store]:
    """The server's store, emptied (and its clock and ids set free) before each test."""
    state: Store = server.app.state.mock.store  # type: ignore[attr-defined]
    server.app.state.control.reset()  # type: ignore[attr-defined]
    failures = server.app.state.mock.failures  # type: ignore[attr-defined]
    yield state
    assert not failures, f"the mock crashed: {failures[0].traceback}"


@pytest.fixture
def sdk(server: MockServer, store: Store) -> Iterator[SDK]:
    """The official SDK pointed at the mock, retries off."""
    with SDK(bearer_auth=API_KEY, server_url=server.url, retry_config=None) as client:
        yield client


class Api:
    """Raw HTTP against the mock with ``requests``, authorised by default."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.session = requests.Session()

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = API_KEY,
        on_behalf_of: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        sent = {"Authorization": f"Bearer {key}"} if key else {}
        if on_behalf_of is not None:
            sent["X-On-Behalf-Of"] = on_behalf_of
        sent.update(headers or {})
        return self.session.request(method, self.url + BASE + path, headers=sent, timeout=10, **kwargs)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.request("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self.request("POST", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self.request("DELETE", path, **kw)


@pytest.fixture
def api(server: MockServer, store: Store) -> Iterator[Api]:
    """Raw ``requests`` access to the mock (for error cases the SDK would refuse to send)."""
    client = Api(server.url)
    yield client
    client.session.close()


def assert_error(
    response: requests.Response, status: int, *, param: str | None, code: str | None
) -> dict[str, Any]:
    """Assert an OpenAI-envelope error and return its ``error`` object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param, error
    assert error["code"] == code, error
    assert isinstance(error["message"], str) and error["message"]
    return error  # type: ignore[no-any-return]
