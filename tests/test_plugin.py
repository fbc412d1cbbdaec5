"""The pytest plugin as a downstream suite sees it: small suites run with ``pytester``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mka1_mock import Mka1Mock, create_app

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", autouse=True)
def _sdk_modules_imported_once() -> None:
    """Load the SDK's lazily imported modules before pytester snapshots ``sys.modules``.

    pytester restores ``sys.modules`` after each in-process run, so anything first imported inside
    a run (the SDK loads hundreds of modules lazily, ~1.5 s) would be imported again by every run.
    """
    handle = Mka1Mock(create_app())
    conversations = handle.sdk(in_process=True).llm.conversations
    conv = conversations.create(items=[{"type": "message", "role": "user", "content": "x"}])
    conversations.list()
    conversations.get(conversation_id=conv.id)
    conversations.list_items(conversation_id=conv.id)
    handle.close()

SEED_AND_INSPECT = '''
def test_seed_then_read_through_the_sdk(mka1_mock, mka1_sdk):
    conv = mka1_mock.add_conversation(
        metadata={"team": "search"}, items=[{"role": "user", "content": "hello"}]
    )
    got = mka1_sdk.llm.conversations.get(conversation_id=conv.id)
    assert got.metadata == {"team": "search"}
    items = mka1_sdk.llm.conversations.list_items(conversation_id=conv.id)
    assert [i.content for i in items.data] == ["hello"]
    mka1_mock.requests.assert_called("GET", f"/api/v1/llm/conversations/{conv.id}/items", times=1)
    assert mka1_mock.conversation(conv.id).items[0].content == "hello"
'''


def test_fixtures_work_with_no_configuration(pytester: pytest.Pytester) -> None:
    """A suite with no conftest seeds through the handle and reads back through the SDK."""
    pytester.makepyfile(SEED_AND_INSPECT)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_state_does_not_leak_between_tests(pytester: pytest.Pytester) -> None:
    """What test 1 creates (through HTTP and seeding) is gone in test 2, and the journal too."""
    pytester.makepyfile(
        '''
        def test_1_creates(mka1_mock, mka1_sdk):
            mka1_sdk.llm.conversations.create(metadata={"n": "1"})
            mka1_mock.add_conversation()
            mka1_mock.freeze_time(1000)
            assert len(mka1_mock.state().conversations) == 2

        def test_2_sees_nothing(mka1_mock, mka1_sdk):
            assert mka1_mock.state().conversations == []
            assert len(mka1_mock.requests) == 0
            assert mka1_sdk.llm.conversations.list().data == []
            assert mka1_sdk.llm.conversations.create().created_at > 1000
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=2)


def _write_fixture(directory: Path, name: str, conversation_id: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    document = {
        "format": "mka1-mock/fixture",
        "version": 1,
        "conversations": [
            {
                "id": conversation_id,
                "metadata": {"source": name},
                "items": [{"type": "message", "role": "user", "content": f"from {name}"}],
            }
        ],
    }
    (directory / name).write_text(json.dumps(document))


def test_marker_loads_from_the_default_fixture_dir(pytester: pytest.Pytester) -> None:
    """@pytest.mark.mka1_fixture loads files from the nearest fixtures/ beside the test file."""
    _write_fixture(pytester.path / "fixtures", "thread.json", "conv_thread")
    _write_fixture(pytester.path / "fixtures", "other.json", "conv_other")
    pytester.makepyfile(
        '''
        import pytest

        pytestmark = pytest.mark.mka1_fixture("other.json")

        @pytest.mark.mka1_fixture("thread.json")
        def test_marker(mka1_mock, mka1_sdk):
            conv = mka1_sdk.llm.conversations.get(conversation_id="conv_thread")
            assert conv.metadata == {"source": "thread.json"}
            assert {c.id for c in mka1_mock.state().conversations} == {"conv_thread", "conv_other"}

        def test_module_marker_only(mka1_mock):
            assert [c.id for c in mka1_mock.state().conversations] == ["conv_other"]

        def test_load_by_name(mka1_mock):
            (loaded,) = mka1_mock.load("thread.json")
            assert loaded.id == "conv_thread"
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_ini_option_sets_a_custom_fixture_dir(pytester: pytest.Pytester) -> None:
    """The mka1_mock_fixture_dir ini option points fixture names at another directory."""
    _write_fixture(pytester.path / "data" / "recorded", "custom.json", "conv_custom")
    pytester.makeini("[pytest]\nmka1_mock_fixture_dir = data/recorded\n")
    pytester.makepyfile(
        '''
        import pytest

        @pytest.mark.mka1_fixture("custom.json")
        def test_custom_dir(mka1_mock, mka1_mock_fixture_dir):
            assert mka1_mock_fixture_dir.parts[-2:] == ("data", "recorded")
            assert mka1_mock.conversation("conv_custom").items[0].content == "from custom.json"
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_missing_fixture_file_errors_with_its_path(pytester: pytest.Pytester) -> None:
    """A marker naming a file that does not exist errors the test and names the path tried."""
    pytester.makepyfile(
        '''
        import pytest

        @pytest.mark.mka1_fixture("nope.json")
        def test_missing(mka1_mock):
            pass
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*Fixture file not found:*fixtures/nope.json*"])


def test_config_fixtures_can_be_overridden_by_name(pytester: pytest.Pytester) -> None:
    """A conftest overriding mka1_mock_api_key changes the key the SDK sends and seeds own."""
    pytester.makeconftest(
        '''
        import pytest

        @pytest.fixture(scope="session")
        def mka1_mock_api_key():
            return "mk-downstream-123456"
        '''
    )
    pytester.makepyfile(
        '''
        def test_key(mka1_mock, mka1_sdk):
            conv = mka1_mock.add_conversation(metadata={"k": "v"})
            assert mka1_sdk.llm.conversations.get(conversation_id=conv.id).metadata == {"k": "v"}
            (entry,) = mka1_mock.requests.filter("GET")
            assert entry.headers["authorization"] == "Bearer mk-d…456"
            assert mka1_mock.api_key == "mk-downstream-123456"
            other = mka1_mock.sdk(api_key="mk-someone-else")
            assert other.llm.conversations.list().data == []
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_async_tests_use_the_async_sdk_methods(pytester: pytest.Pytester) -> None:
    """An async test (anyio's pytest plugin) awaits the SDK's *_async methods against the mock."""
    pytester.makepyfile(
        '''
        import pytest

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_async(mka1_mock, mka1_sdk):
            conv = await mka1_sdk.llm.conversations.create_async(metadata={"a": "1"})
            page = await mka1_sdk.llm.conversations.list_async()
            assert [c.id for c in page.data] == [conv.id]
            in_process = mka1_mock.sdk(in_process=True)
            got = await in_process.llm.conversations.get_async(conversation_id=conv.id)
            assert got.metadata == {"a": "1"}
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_a_crash_in_the_mock_fails_the_test_with_its_traceback(pytester: pytest.Pytester) -> None:
    """A request that crashes the mock fails the test that made it, showing the mock's traceback."""
    pytester.makepyfile(
        '''
        import pytest
        from meetkai_mka1 import errors

        def test_crash(mka1_mock, mka1_sdk, monkeypatch):
            def boom(*args, **kwargs):
                raise RuntimeError("boom inside the mock")
            monkeypatch.setattr(mka1_mock.store.section("conversations"), "get", boom)
            with pytest.raises(errors.SDKDefaultError) as info:
                mka1_sdk.llm.conversations.get(conversation_id="conv_x")
            assert info.value.status_code == 500

        def test_next_test_is_clean(mka1_mock, mka1_sdk):
            assert mka1_sdk.llm.conversations.list().data == []
        '''
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*MockServerError: mka1-mock failed while serving GET /api/v1/llm/conversations/conv_x*",
            "*RuntimeError: boom inside the mock*",
        ]
    )


def test_conftest_plugin_module_works_without_the_entry_point(pytester: pytest.Pytester) -> None:
    """With the entry point disabled, pytest_plugins = ["conftest_plugin"] gives the same fixtures."""
    pytester.makepyfile(conftest_plugin=(REPO / "conftest_plugin.py").read_text())
    pytester.makeconftest('pytest_plugins = ["conftest_plugin"]\n')
    pytester.makepyfile(SEED_AND_INSPECT)
    result = pytester.runpytest("-p", "no:mka1_mock", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_plugin_runs_under_xdist_with_one_server_per_worker(pytester: pytest.Pytester) -> None:
    """Under pytest-xdist -n 2 each worker has its own server and tests stay isolated."""
    pytester.makepyfile(
        '''
        import pytest

        @pytest.mark.parametrize("n", range(6))
        def test_isolated(mka1_mock, mka1_sdk, n):
            assert mka1_sdk.llm.conversations.list().data == []
            mka1_sdk.llm.conversations.create(metadata={"n": str(n)})
            assert len(mka1_mock.state().conversations) == 1
            assert mka1_mock.url.startswith("http://127.0.0.1:")
        '''
    )
    result = pytester.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)


def test_readme_suite_example_runs_as_written(pytester: pytest.Pytester) -> None:
    """The README's "Use it in your test suite" example passes, pasted as is."""
    readme = (REPO / "README.md").read_text()
    start = readme.index("<!-- readme-example: suite -->")
    block = readme[readme.index("```python\n", start) + len("```python\n") : readme.index("```\n", start + 40)]
    (pytester.path / "fixtures").mkdir()
    (pytester.path / "fixtures" / "support_thread.json").write_text(
        (REPO / "fixtures" / "support_thread.json").read_text()
    )
    pytester.makepyfile(test_support_bot=block)
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_readme_retry_example_runs_as_written(pytester: pytest.Pytester) -> None:
    """The README's worked retry-logic example passes, pasted as is."""
    readme = (REPO / "README.md").read_text()
    start = readme.index("<!-- readme-example: retries -->")
    block = readme[readme.index("```python\n", start) + len("```python\n") : readme.index("```\n", start + 40)]
    pytester.makepyfile(test_summarizer=block)
    # In a subprocess: an in-process run re-imports httpcore after another in-process run, and httpx
    # then no longer maps the fresh module's exceptions to its own (a pytester artefact).
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=4)
