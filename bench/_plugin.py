"""In-process timings of the pytest plugin's pieces, run by bench/run.py in a fresh process.

    python bench/_plugin.py [--iterations 10000] [--sdk-iterations 1000] [--server-repeats 5]

Prints one line, ``bench-plugin {...}`` (JSON; times in seconds unless the key says otherwise):

- ``import_pytest_s`` / ``import_plugin_s``: ``import pytest``, then ``import mka1_mock.pytest_plugin``
  (what every pytest session pays once mka1-mock is installed: the plugin is a ``pytest11`` entry point).
- ``server_start_s`` / ``server_stop_s``: ``MockServer(create_app(config=...)).start()`` and ``.stop()``,
  ``--server-repeats`` times (the first start also pays uvicorn's lazy imports): what
  ``mka1_mock_server`` costs a session.
- ``handle_us``: what the ``mka1_mock`` fixture does per test, on an empty store, against the running
  server's app: ``Mka1Mock(app, url=..., api_key=..., fixture_dir=...)`` + ``reset()`` + ``close()``,
  ``--iterations`` times; microseconds per iteration.
- ``sdk_us``: the same plus ``handle.sdk()`` (what ``mka1_sdk`` adds), ``--sdk-iterations`` times;
  ``import_sdk_s`` is the first ``sdk()`` call alone, which imports ``meetkai_mka1``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from typing import Any

clock = time.perf_counter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=10_000)
    parser.add_argument("--sdk-iterations", type=int, default=1_000)
    parser.add_argument("--server-repeats", type=int, default=5)
    args = parser.parse_args(argv)
    out: dict[str, Any] = {}

    t0 = clock()
    import pytest  # noqa: F401 - timed: pytest's own import, for scale

    t1 = clock()
    import mka1_mock.pytest_plugin  # noqa: F401 - timed: what the entry point loads

    t2 = clock()
    out["import_pytest_s"], out["import_plugin_s"] = t1 - t0, t2 - t1

    from mka1_mock._core.config import MockConfig
    from mka1_mock.app import create_app
    from mka1_mock.testing.handle import Mka1Mock
    from mka1_mock.testing.server import MockServer

    api_key = "mk-test"  # the plugin's default mka1_mock_api_key
    starts, stops, create_apps = [], [], []
    for _ in range(args.server_repeats):
        a = clock()
        app = create_app(config=MockConfig(default_api_key=api_key))
        b = clock()
        server = MockServer(app, host="127.0.0.1").start()
        c = clock()
        server.stop()
        d = clock()
        create_apps.append(b - a)
        starts.append(c - b)
        stops.append(d - c)
    out["create_app_s"], out["server_start_s"], out["server_stop_s"] = create_apps, starts, stops

    # The per-test part, as the fixture runs it: on the session server's app, with its URL.
    session_app = create_app(config=MockConfig(default_api_key=api_key))
    server = MockServer(session_app, host="127.0.0.1").start()
    try:
        url = server.url
        fixture_dir = tempfile.gettempdir()
        n = args.iterations
        a = clock()
        for _ in range(n):
            handle = Mka1Mock(session_app, url=url, api_key=api_key, fixture_dir=fixture_dir)
            handle.reset()
            handle.close()
        out["handle_us"] = 1e6 * (clock() - a) / n
        out["iterations"] = n

        handle = Mka1Mock(session_app, url=url, api_key=api_key, fixture_dir=fixture_dir)
        a = clock()
        handle.sdk()  # the first one imports meetkai_mka1
        out["import_sdk_s"] = clock() - a
        handle.close()
        n = args.sdk_iterations
        a = clock()
        for _ in range(n):
            handle = Mka1Mock(session_app, url=url, api_key=api_key, fixture_dir=fixture_dir)
            handle.reset()
            handle.sdk()
            handle.close()
        out["sdk_us"] = 1e6 * (clock() - a) / n
        out["sdk_iterations"] = n
        out["store_empty"] = not handle.state().conversations  # a sanity check for run.py
    finally:
        server.stop()
    out["server_start_median_s"] = statistics.median(starts)
    out["server_stop_median_s"] = statistics.median(stops)
    print("bench-plugin " + json.dumps(out), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
