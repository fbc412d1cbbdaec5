"""Fixtures for mka1-mock's own suite: one server per session, a clean store per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from meetkai_mka1 import SDK

from mka1_mock import Mka1Mock, MockConfig, MockServer, Store, create_app
from tests.conformance import Conformance, ConformanceMiddleware

API_KEY = "mk-test-key"
BASE = "/api/v1/llm"


@pytest.fixture(scope="session")
def mka1_mock_api_key() -> str:
    """This suite's default key (overrides the plugin's, as a downstream suite may)."""
    return API_KEY


@pytest.fixture(scope="session")
def conformance() -> Conformance:
    """The OpenAPI documents, compiled once, and every violation the suite's requests found."""
    return Conformance()


@pytest.fixture(scope="session")
def mka1_mock_server(
    mka1_mock_host: str, mka1_mock_config: MockConfig, conformance: Conformance
) -> Iterator[MockServer]:
    """The plugin's session server, with every answer checked against the OpenAPI documents."""
    app = create_app(config=mka1_mock_config)
    app.add_middleware(ConformanceMiddleware, conformance=conformance)
    with MockServer(app, host=mka1_mock_host) as server:
        yield server


@pytest.fixture(autouse=True)
def _answers_match_the_documents(conformance: Conformance) -> Iterator[None]:
    """Fail a test whose requests got an answer its OpenAPI document does not describe."""
    conformance.violations.clear()
    yield
    found, conformance.violations[:] = list(conformance.violations), []
    assert not found, "the mock answered outside its OpenAPI document:\n  " + "\n  ".join(found[:10])


@pytest.fixture(scope="session")
def server(mka1_mock_server: MockServer) -> MockServer:
    """The plugin's session server: the mock on a real socket (port 0)."""
    return mka1_mock_server


@pytest.fixture
def store(mka1_mock: Mka1Mock) -> Store:
    """The mock's store, already reset by the plugin for this test."""
    return mka1_mock.store


@pytest.fixture(params=["socket", "in-process"])
def sdk(request: pytest.FixtureRequest, mka1_mock: Mka1Mock) -> Iterator[SDK]:
    """The official SDK on the mock, retries off: over the socket and in-process (no socket)."""
    client = mka1_mock.sdk(in_process=request.param == "in-process")
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
