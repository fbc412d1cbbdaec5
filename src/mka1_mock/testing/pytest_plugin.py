"""The pytest plugin: a mock server per session, a fresh mock per test, seeding and inspection.

Registered through the ``pytest11`` entry point when mka1-mock is installed; ``conftest_plugin.py``
re-exports it for suites that list plugins by module name instead (use one or the other).

Fixtures (override the small config ones by name in your ``conftest.py``):

=========================  ========  =================================================================
``mka1_mock_host``         session   address the server binds (``"127.0.0.1"``)
``mka1_mock_api_key``      session   key the handle and SDK use, owner of seeded data (``"mk-test"``)
``mka1_mock_config``       session   the ``MockConfig`` the app is built with
``mka1_mock_server``       session   the running ``MockServer`` (port 0, background thread)
``mka1_mock_fixture_dir``  function  where ``load("x.json")`` looks (ini ``mka1_mock_fixture_dir``)
``mka1_mock``              function  the ``Mka1Mock`` handle; state reset before every test
``mka1_sdk``               function  an official ``meetkai_mka1.SDK`` on the mock, retries off
=========================  ========  =================================================================

Marker: ``@pytest.mark.mka1_fixture("support_thread.json", ...)`` loads fixture files before the test.
A request that crashes the mock fails the test that made it, with the mock's traceback; so does a
test that leaves scripted replies of the fake model unconsumed (ini ``mka1_mock_fail_on_unused_scripts``).
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported inside the fixtures: a session that never uses the mock pays nothing
    import httpx
    from meetkai_mka1 import SDK

    from .._core.config import MockConfig
    from .handle import Mka1Mock
    from .server import MockServer

__all__ = [
    "_mka1_mock_http",
    "mka1_mock",
    "mka1_mock_api_key",
    "mka1_mock_config",
    "mka1_mock_fixture_dir",
    "mka1_mock_host",
    "mka1_mock_server",
    "mka1_sdk",
    "pytest_addoption",
    "pytest_configure",
    "pytest_runtest_call",
]

FIXTURE_DIR_INI = "mka1_mock_fixture_dir"
UNUSED_SCRIPTS_INI = "mka1_mock_fail_on_unused_scripts"
MARKER = "mka1_fixture"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        FIXTURE_DIR_INI,
        help="directory of mka1-mock fixture files, relative to the rootdir "
        "(default: the nearest 'fixtures/' directory beside or above the test file)",
        default=None,
    )
    parser.addini(
        UNUSED_SCRIPTS_INI,
        type="bool",
        help="fail a test that leaves queued replies or unmatched rules of the fake model (default: true)",
        default=True,
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", f"{MARKER}(*files): load these mka1-mock fixture files before the test")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, Any, Any]:
    """After the test body runs, fail it if the mock crashed while serving its requests."""
    result = yield
    handle = getattr(item, "funcargs", {}).get("mka1_mock")
    if handle is not None and type(handle).__name__ == "Mka1Mock":
        handle.check()
        left = handle.unconsumed_scripts()
        if left and item.config.getini(UNUSED_SCRIPTS_INI):
            handle.clear_scripts()
            raise AssertionError(
                "mka1-mock scripts were left unconsumed at the end of the test (set the ini option "
                f"{UNUSED_SCRIPTS_INI} = false to allow this):\n  " + "\n  ".join(left)
            )
    return result


@pytest.fixture(scope="session")
def mka1_mock_host() -> str:
    """The address the session's mock server binds."""
    return "127.0.0.1"


@pytest.fixture(scope="session")
def mka1_mock_api_key() -> str:
    """The bearer key the handle and ``mka1_sdk`` send; it owns what tests seed."""
    return "mk-test"


@pytest.fixture(scope="session")
def mka1_mock_config(mka1_mock_api_key: str) -> MockConfig:
    """The configuration of the session's mock app."""
    from .._core.config import MockConfig

    return MockConfig(default_api_key=mka1_mock_api_key)


@pytest.fixture(scope="session")
def _mka1_mock_http() -> Iterator[httpx.Client]:
    """One keep-alive HTTP client for every test's SDK (building one costs more than a test)."""
    import httpx

    with httpx.Client(verify=False) as client:  # the mock speaks plain HTTP
        yield client


@pytest.fixture(scope="session")
def mka1_mock_server(mka1_mock_host: str, mka1_mock_config: MockConfig) -> Iterator[MockServer]:
    """One mock server for the whole session (each xdist worker has its own), on a free port."""
    from ..app import create_app
    from .server import MockServer

    with MockServer(create_app(config=mka1_mock_config), host=mka1_mock_host) as server:
        yield server


@pytest.fixture
def mka1_mock_fixture_dir(request: pytest.FixtureRequest) -> Path:
    """Where fixture names are looked up: the ini option, else the nearest ``fixtures/``."""
    config = request.config
    configured = config.getini(FIXTURE_DIR_INI)
    if configured:
        return Path(config.rootpath, str(configured))
    start = Path(str(request.path)).parent
    for directory in (start, *start.parents):
        if (directory / "fixtures").is_dir():
            return directory / "fixtures"
        if directory == config.rootpath:
            break
    return start / "fixtures"


@pytest.fixture
def mka1_mock(
    request: pytest.FixtureRequest,
    mka1_mock_server: MockServer,
    mka1_mock_api_key: str,
    mka1_mock_fixture_dir: Path,
    _mka1_mock_http: httpx.Client,
) -> Iterator[Mka1Mock]:
    """The handle on the session's mock, reset for this test (cheap: no restart)."""
    from .handle import Mka1Mock

    handle = Mka1Mock(
        mka1_mock_server.app,  # type: ignore[arg-type]
        url=mka1_mock_server.url,
        api_key=mka1_mock_api_key,
        fixture_dir=mka1_mock_fixture_dir,
        http_client=_mka1_mock_http,
    )
    handle.reset()
    markers = list(request.node.iter_markers(MARKER))
    for marker in reversed(markers):  # outermost (module, class) first, the test's own last
        handle.load(*marker.args)
    try:
        yield handle
    finally:
        handle.close()


@pytest.fixture
def mka1_sdk(mka1_mock: Mka1Mock) -> SDK:
    """The official SDK wired to the mock (sync and ``*_async`` methods), retries off."""
    return mka1_mock.sdk()
