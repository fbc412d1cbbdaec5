"""Benchmark mka1-mock over real HTTP: item create/list throughput, page latency at 100 vs 100,000
items, a bare Starlette app on the same server stack as the ceiling, POST /responses into a growing
conversation (JSON and SSE), and the pytest plugin's per-test and per-session overhead.

    .venv/bin/python bench/run.py            # ~1 minute, prints a table
    .venv/bin/python bench/run.py --quick    # a few seconds per section, for a smoke test
    .venv/bin/python bench/run.py --only responses --only plugin
    .venv/bin/python bench/run.py --json -   # the results as JSON on stdout (progress on stderr)

The servers run in their own processes (bench/_servers.py); this process is only the load generator.
See bench/README.md for what each number means.
"""

from __future__ import annotations

import argparse
import atexit
import http.client
import json
import math
import os
import platform
import queue
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import PackageNotFoundError, version
from importlib.util import find_spec
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SERVERS = HERE / "_servers.py"
ITEMS_PATH = "/api/v1/llm/conversations/{}/items"
CONVERSATIONS_PATH = "/api/v1/llm/conversations"
AUTH = {"Authorization": "Bearer bench"}
JSON_HEADERS = {**AUTH, "Content-Type": "application/json"}
MESSAGE_BODY = json.dumps(
    {
        "items": [
            {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "hello from the benchmark"}],
            }
        ]
    }
).encode()
PAGE = 20
START_TIMEOUT = 120.0  # seconds for a server to seed and start listening
PYCACHE_PREFIX = Path(__file__).resolve().parent / ".cache" / "pycache"  # inside the project, git-ignored
REQUEST_TIMEOUT = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def child_env(*, bytecode_cache: bool = True) -> dict[str, str]:
    """The environment of the processes run.py starts (servers, helper, pytest suites).

    With ``bytecode_cache`` (the default) they write and read compiled modules as on a developer's
    machine, but in a private cache under bench/.cache/ (PYTHONPYCACHEPREFIX=PYCACHE_PREFIX), even
    when this process runs with PYTHONDONTWRITEBYTECODE set. Without it, nothing is written: every
    import without a __pycache__ entry compiles from source, and pytest assertion-rewrites the plugin's
    modules again in every session. PYTEST_ADDOPTS/PYTEST_PLUGINS of the caller are dropped.
    """
    dropped = ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    if bytecode_cache:
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE_PREFIX)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


# --- server processes ------------------------------------------------------------------------------


class ServerProcess:
    """One bench/_servers.py process; ``start`` returns once it listens, ``stop`` always cleans up."""

    _live: list[ServerProcess] = []

    def __init__(self, kind: str, *args: str) -> None:
        self.argv = [sys.executable, str(SERVERS), kind, *args]
        self.kind = kind
        self.proc: subprocess.Popen[str] | None = None
        self.host = ""
        self.port = 0
        self.info: dict[str, Any] = {}  # the bench-info line: tcp_nodelay, seeded conversations
        self._lines: queue.Queue[str | None] = queue.Queue()

    def start(self) -> ServerProcess:
        return self.launch().wait_ready()

    def launch(self) -> ServerProcess:
        """Start the process without waiting for it (``wait_ready`` does): servers that are needed
        one after the other can boot in parallel, before anything is timed."""
        self.proc = subprocess.Popen(
            self.argv,
            env=child_env(),
            stdin=subprocess.PIPE,  # the server exits when this pipe closes
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # Ctrl-C reaches only us; we stop the server ourselves
        )
        ServerProcess._live.append(self)
        threading.Thread(target=self._drain, daemon=True).start()
        return self

    def wait_ready(self) -> ServerProcess:
        """Return once the launched server listens (its bench-info and address read)."""
        assert self.proc is not None, "launch() first"
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise RuntimeError(f"{self.kind} server did not start within {START_TIMEOUT:.0f} s")
            try:
                line = self._lines.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise RuntimeError(f"{self.kind} server exited early (status {self.proc.wait()})")
            if line.startswith("bench-info "):
                self.info = json.loads(line[len("bench-info ") :])
            elif line.startswith("mka1-mock listening on http://"):
                address = line.rsplit("//", 1)[1]
                host, _, port = address.rpartition(":")
                self.host, self.port = host.strip("[]"), int(port)
                return self

    def _drain(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line.strip())
        self._lines.put(None)

    def rss_mb(self) -> float | None:
        """Resident memory of the server now, in MB (Linux /proc), or None where unavailable."""
        if self.proc is None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError):
            pass
        return None

    def cpu_seconds(self) -> float | None:
        """User + system CPU time of the server so far (Linux /proc), or None where unavailable."""
        if self.proc is None:
            return None
        try:
            with open(f"/proc/{self.proc.pid}/stat", encoding="ascii") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is None:
            return
        if self in ServerProcess._live:
            ServerProcess._live.remove(self)
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        for stream in (proc.stdin, proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass

    @classmethod
    def stop_all(cls) -> None:
        for server in list(cls._live):
            server.stop()

    def __enter__(self) -> ServerProcess:
        return self if self.proc is not None else self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --- HTTP client ---------------------------------------------------------------------------------


class _Connection(http.client.HTTPConnection):
    """``HTTPConnection`` with TCP_NODELAY, as requests/urllib3 and httpx set it.

    http.client writes a POST's headers and body with two ``send`` calls; without TCP_NODELAY, Nagle's
    algorithm holds the body back until the server's delayed ACK (~40 ms on Linux), which would
    measure the kernel rather than the server.
    """

    def connect(self) -> None:
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class Client:
    """One keep-alive connection; ``call`` returns (status, body bytes), reconnecting after errors."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.conn = _Connection(host, port, timeout=REQUEST_TIMEOUT)

    def call(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] = AUTH
    ) -> tuple[int, bytes]:
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()  # the next call connects again
            raise

    def json(self, method: str, path: str, body: Any = None) -> Any:
        """One checked JSON request; retried once on a new connection if the server had closed the
        idle one (uvicorn's keep-alive timeout is 5 s, shorter than a load run)."""
        raw = None if body is None else json.dumps(body).encode()
        headers = JSON_HEADERS if raw is not None else AUTH
        try:
            status, data = self.call(method, path, raw, headers)
        except (ConnectionError, http.client.RemoteDisconnected, http.client.BadStatusLine):
            status, data = self.call(method, path, raw, headers)
        if status != 200:
            raise RuntimeError(f"{method} {path} -> {status}: {data[:300]!r}")
        return json.loads(data)

    def close(self) -> None:
        self.conn.close()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) of sorted ``values``, linearly interpolated."""
    if not values:
        return math.nan
    pos = (len(values) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


# --- load generation -------------------------------------------------------------------------------

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


@dataclass
class Throughput:
    server: str
    name: str
    method: str
    concurrency: int
    requests: int  # timed requests in the reported run
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_pct: float | None  # % of one core, over the timed part of the run
    client_cpu_pct: float
    errors: int  # over all repeats
    first_error: str | None = None
    runs_rps: list[float] = field(default_factory=list)  # every repeat; the median one is reported


def load(
    server: ServerProcess, name: str, request: Request, *, concurrency: int, total: int, warmup: int
) -> Throughput:
    """``total`` requests split over ``concurrency`` keep-alive connections (a thread each), after
    ``warmup`` untimed requests per connection; the clock starts once every connection is warm."""
    method, path, body, headers = request
    counts = [total // concurrency + (i < total % concurrency) for i in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    lock = threading.Lock()

    def fail(message: str) -> None:
        with lock:
            errors.append(message)

    def worker(index: int) -> None:
        client = Client(server.host, server.port)
        try:
            for _ in range(warmup):
                try:
                    client.call(method, path, body, headers)
                except (OSError, http.client.HTTPException):
                    pass
            barrier.wait()
            mine = latencies[index]
            clock = time.perf_counter
            for _ in range(counts[index]):
                t0 = clock()
                try:
                    status, data = client.call(method, path, body, headers)
                except (OSError, http.client.HTTPException) as err:
                    fail(f"{type(err).__name__}: {err}")
                    continue
                mine.append(clock() - t0)
                if status != 200:
                    fail(f"HTTP {status}: {data[:200]!r}")
        except threading.BrokenBarrierError:
            pass
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        raise RuntimeError(f"{name}: the warm-up did not finish in 120 s") from None
    cpu0_server, cpu0_client, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t0
    cpu1_server, cpu1_client = server.cpu_seconds(), time.process_time()

    merged = sorted(x for part in latencies for x in part)
    server_cpu = None
    if cpu0_server is not None and cpu1_server is not None:
        server_cpu = 100 * (cpu1_server - cpu0_server) / seconds
    return Throughput(
        server=server.kind,
        name=name,
        method=method,
        concurrency=concurrency,
        requests=total,
        seconds=seconds,
        rps=total / seconds,
        p50_ms=1000 * percentile(merged, 50),
        p99_ms=1000 * percentile(merged, 99),
        server_cpu_pct=server_cpu,
        client_cpu_pct=100 * (cpu1_client - cpu0_client) / seconds,
        errors=len(errors),
        first_error=errors[0] if errors else None,
    )


@dataclass
class Latency:
    query: str
    items: int
    requests: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    errors: int


def interleaved_latency(
    client: Client, query: str, targets: Sequence[tuple[int, str]], *, requests: int, warmup: int
) -> list[Latency]:
    """``requests`` sequential GETs of each ``(items, path)`` target, taking turns between the targets
    so that background noise on the machine hits them alike."""
    for _ in range(warmup):
        for _, path in targets:
            client.call("GET", path)
    samples: list[list[float]] = [[] for _ in targets]
    errors = [0 for _ in targets]
    clock = time.perf_counter
    for _ in range(requests):
        for i, (_, path) in enumerate(targets):
            t0 = clock()
            status, _ = client.call("GET", path)
            samples[i].append(clock() - t0)
            errors[i] += status != 200
    out = []
    for (items, _), values, failed in zip(targets, samples, errors, strict=True):
        values.sort()
        out.append(
            Latency(
                query=query,
                items=items,
                requests=requests,
                p50_ms=1000 * percentile(values, 50),
                p95_ms=1000 * percentile(values, 95),
                p99_ms=1000 * percentile(values, 99),
                max_ms=1000 * values[-1],
                errors=failed,
            )
        )
    return out


# --- responses: a growing conversation, JSON and SSE ------------------------------------------------

RESPONSES_PATH = "/api/v1/llm/responses"
EXPECTED_REPLY = "You said: hello"  # the mock's default answer to the input "hello"
QUARTERS = 4


def response_body(conversation: str, *, stream: bool) -> bytes:
    body: dict[str, Any] = {"model": "auto", "input": "hello", "conversation": conversation}
    if stream:
        body["stream"] = True
    return json.dumps(body).encode()


@dataclass
class _Sample:
    """One timed ``POST /responses``; perf_counter times. The body is checked after the clock stops."""

    start: float
    first_event: float | None  # streams: when the first ``data:`` line (response.created) was read
    end: float  # the whole body read (a stream: its end)
    status: int
    content_type: str
    body: bytes  # JSON: the body; a stream: its data lines, joined by b"\n"


def post_response(client: Client, body: bytes, *, stream: bool) -> _Sample:
    """One ``POST /responses`` on ``client``'s keep-alive connection. A stream is read line by line,
    as it arrives (``HTTPResponse.readline`` undoes the chunked framing incrementally)."""
    clock = time.perf_counter
    conn = client.conn
    start = clock()
    try:
        conn.request("POST", RESPONSES_PATH, body=body, headers=JSON_HEADERS)
        response = conn.getresponse()
        content_type = response.getheader("Content-Type") or ""
        if not stream or response.status != 200:
            data = response.read()
            return _Sample(start, None, clock(), response.status, content_type, data)
        first: float | None = None
        lines: list[bytes] = []
        while True:
            line = response.readline()
            if not line:
                break
            if line.startswith(b"data:"):
                if first is None:
                    first = clock()
                lines.append(line[5:].strip())
        return _Sample(start, first, clock(), response.status, content_type, b"\n".join(lines))
    except (OSError, http.client.HTTPException):
        conn.close()  # the next request connects again
        raise


@dataclass
class ResponsesRun:
    mode: str  # "json" (no stream) or "stream" (stream: true, read incrementally)
    concurrency: int
    conversation: str  # how the connections share conversations: "shared" (one per run)
    requests: int  # timed requests
    seconds: float
    rps: float
    p50_ms: float  # request sent -> whole body read (a stream: its last byte)
    p95_ms: float
    p99_ms: float
    first_event_p50_ms: float | None  # streams: request sent -> first data: line (response.created)
    first_event_p95_ms: float | None
    events_per_stream: int | None
    # The requests in completion order, in four equal parts: req/s over each part's span of time,
    # p50 latency in each part (a stream's: to the first event too).
    quarter_rps: list[float]
    quarter_p50_ms: list[float]
    quarter_first_event_p50_ms: list[float] | None
    items_at_start: int  # in the shared conversation when the clock started (0: warm-ups go elsewhere)
    items_at_end: int  # counted by paging through it afterwards; 2 per request (input + reply)
    server_rss_mb_start: float | None  # the server's VmRSS before the timed part and after it
    server_rss_mb_end: float | None
    server_cpu_pct: float | None
    client_cpu_pct: float
    errors: int
    first_error: str | None = None


def _quarters(samples: Sequence[_Sample], t0: float) -> tuple[list[float], list[float], list[float]]:
    """req/s, p50 latency and p50 time-to-first-event of each quarter of ``samples`` (by end time)."""
    ordered = sorted(samples, key=lambda x: x.end)
    n = len(ordered)
    rps: list[float] = []
    p50: list[float] = []
    first: list[float] = []
    previous_end = t0
    for q in range(QUARTERS):
        part = ordered[q * n // QUARTERS : (q + 1) * n // QUARTERS]
        if not part:
            rps.append(math.nan)
            p50.append(math.nan)
            first.append(math.nan)
            continue
        end = part[-1].end
        rps.append(len(part) / (end - previous_end) if end > previous_end else math.nan)
        previous_end = end
        p50.append(1000 * percentile(sorted(x.end - x.start for x in part), 50))
        firsts = sorted(x.first_event - x.start for x in part if x.first_event is not None)
        first.append(1000 * percentile(firsts, 50))
    return rps, p50, first


def responses_load(
    server: ServerProcess,
    conversation: str,
    warm_conversation: str,
    *,
    stream: bool,
    concurrency: int,
    total: int,
    warmup: int,
) -> tuple[ResponsesRun, list[_Sample]]:
    """``total`` responses appended to ``conversation`` over ``concurrency`` keep-alive connections
    (a thread each). Each connection first sends ``warmup`` untimed ones to ``warm_conversation``, so
    that the timed conversation starts empty whatever the concurrency."""
    body = response_body(conversation, stream=stream)
    warm_body = response_body(warm_conversation, stream=stream)
    counts = [total // concurrency + (i < total % concurrency) for i in range(concurrency)]
    barrier = threading.Barrier(concurrency + 1)
    samples: list[list[_Sample]] = [[] for _ in range(concurrency)]
    errors: list[str] = []
    lock = threading.Lock()

    def fail(message: str) -> None:
        with lock:
            errors.append(message)

    def worker(index: int) -> None:
        client = Client(server.host, server.port)
        try:
            for _ in range(warmup):
                try:
                    post_response(client, warm_body, stream=stream)
                except (OSError, http.client.HTTPException):
                    pass
            barrier.wait()
            mine = samples[index]
            for _ in range(counts[index]):
                try:
                    sample = post_response(client, body, stream=stream)
                except (OSError, http.client.HTTPException) as err:
                    fail(f"{type(err).__name__}: {err}")
                    continue
                if sample.status != 200:
                    fail(f"HTTP {sample.status}: {sample.body[:200]!r}")
                    continue
                mine.append(sample)
        except threading.BrokenBarrierError:
            pass
        finally:
            client.close()

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    try:
        barrier.wait(timeout=120)
    except threading.BrokenBarrierError:
        raise RuntimeError("responses: the warm-up did not finish in 120 s") from None
    rss0 = server.rss_mb()
    cpu0_server, cpu0_client, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t0
    cpu1_server, cpu1_client = server.cpu_seconds(), time.process_time()
    rss1 = server.rss_mb()

    done = [x for part in samples for x in part]
    latencies = sorted(x.end - x.start for x in done)
    firsts = sorted(x.first_event - x.start for x in done if x.first_event is not None)
    q_rps, q_p50, q_first = _quarters(done, t0)
    server_cpu = None
    if cpu0_server is not None and cpu1_server is not None:
        server_cpu = 100 * (cpu1_server - cpu0_server) / seconds
    run = ResponsesRun(
        mode="stream" if stream else "json",
        concurrency=concurrency,
        conversation="shared",
        requests=total,
        seconds=seconds,
        rps=total / seconds,
        p50_ms=1000 * percentile(latencies, 50),
        p95_ms=1000 * percentile(latencies, 95),
        p99_ms=1000 * percentile(latencies, 99),
        first_event_p50_ms=1000 * percentile(firsts, 50) if stream else None,
        first_event_p95_ms=1000 * percentile(firsts, 95) if stream else None,
        events_per_stream=None,
        quarter_rps=q_rps,
        quarter_p50_ms=q_p50,
        quarter_first_event_p50_ms=q_first if stream else None,
        items_at_start=0,
        items_at_end=0,
        server_rss_mb_start=rss0,
        server_rss_mb_end=rss1,
        server_cpu_pct=server_cpu,
        client_cpu_pct=100 * (cpu1_client - cpu0_client) / seconds,
        errors=len(errors),
        first_error=errors[0] if errors else None,
    )
    return run, done


def check_response_sample(sample: _Sample, conversation: str, *, stream: bool) -> str | None:
    """What is wrong with one answer, or None: a completed response in ``conversation`` answering
    the default reply; a stream from response.created to response.completed, numbered from 0."""
    try:
        if not stream:
            doc = json.loads(sample.body)
            if doc.get("status") != "completed" or doc.get("output_text") != EXPECTED_REPLY:
                return f"status {doc.get('status')!r}, output_text {doc.get('output_text')!r}"
            if (doc.get("conversation") or {}).get("id") != conversation:
                return f"conversation {doc.get('conversation')!r}, expected {conversation}"
            return None
        if not sample.content_type.startswith("text/event-stream"):
            return f"content type {sample.content_type!r}"
        events = [json.loads(line) for line in sample.body.split(b"\n")]
    except (ValueError, AttributeError) as err:
        return f"unparsable body: {err}"
    if not events or events[0].get("type") != "response.created":
        return f"first event {events[0].get('type') if events else None!r}, not response.created"
    if events[-1].get("type") != "response.completed":
        return f"last event {events[-1].get('type')!r}, not response.completed"
    if [e.get("sequence_number") for e in events] != list(range(len(events))):
        return "sequence numbers are not 0, 1, 2, ..."
    if events[-1]["response"].get("output_text") != EXPECTED_REPLY:
        return f"output_text {events[-1]['response'].get('output_text')!r}"
    return None


# --- the pytest plugin: per-test overhead and session start-up -------------------------------------

PLUGIN_HELPER = HERE / "_plugin.py"
TIMINGS_ENV = "MKA1_BENCH_TIMINGS"
# Written into the temporary suite: times the run phase, the session server's setup and the last
# test's teardown (where session fixtures are torn down, so the server stops there).
SUITE_CONFTEST = f'''"""Written by mka1-mock's bench/run.py: times parts of this pytest session."""

import json
import os
import time

import pytest

_times = {{"server_setup_s": None, "last_teardown_s": None}}


def pytest_collection_finish(session):
    _times["run_start"] = time.perf_counter()


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        if fixturedef.argname == "mka1_mock_server":
            _times["server_setup_s"] = time.perf_counter() - start


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    start = time.perf_counter()
    try:
        return (yield)
    finally:
        if nextitem is None:
            _times["last_teardown_s"] = time.perf_counter() - start


def pytest_sessionfinish(session):
    _times["run_phase_s"] = time.perf_counter() - _times.pop("run_start", time.perf_counter())
    _times["tests"] = session.testscollected
    with open(os.environ["{TIMINGS_ENV}"], "w", encoding="utf-8") as f:
        json.dump(_times, f)
'''


@dataclass(frozen=True)
class SuiteSpec:
    key: str
    name: str
    file: str
    fixture: str | None = None  # what each test requests
    args: tuple[str, ...] = ()  # extra pytest arguments
    bytecode_cache: bool = True  # see child_env
    full_only: bool = False  # skipped with --quick


PYTEST_SUITES = (
    SuiteSpec("bare", "no plugin (-p no:mka1_mock)", "test_plain.py", args=("-p", "no:mka1_mock"), full_only=True),
    SuiteSpec("plain", "plugin loaded, no fixture", "test_plain.py"),
    SuiteSpec("mock", "each test takes mka1_mock", "test_mock.py", "mka1_mock"),
    SuiteSpec("sdk", "each test takes mka1_sdk", "test_sdk.py", "mka1_sdk"),
    SuiteSpec(
        "bare_nocache",
        "no plugin, no bytecode cache",
        "test_plain.py",
        args=("-p", "no:mka1_mock"),
        bytecode_cache=False,
        full_only=True,
    ),
    SuiteSpec("plain_nocache", "plugin, no bytecode cache", "test_plain.py", bytecode_cache=False, full_only=True),
)


@dataclass
class PytestSuite:
    key: str
    name: str
    file: str
    fixture: str | None
    args: list[str]
    bytecode_cache: bool
    tests: int
    wall_s: float  # the whole `python -m pytest` subprocess; median over the runs
    run_phase_s: float  # collection finished -> session finished, from inside pytest; median
    server_setup_ms: float | None  # the mka1_mock_server fixture's setup (MockServer start); median
    last_teardown_ms: float | None  # the last test's teardown (session fixtures: the server stops)
    runs_wall_s: list[float] = field(default_factory=list)
    runs_run_phase_s: list[float] = field(default_factory=list)


@dataclass
class PluginOverhead:
    inprocess: dict[str, Any]  # bench/_plugin.py's figures (see its docstring)
    suites: list[PytestSuite]
    tests_per_suite: int
    repeats: int
    plugin_load_ms: float | None  # wall: plugin loaded, no fixture - no plugin (None: not run)
    plugin_load_no_cache_ms: float | None  # the same with PYTHONDONTWRITEBYTECODE=1 (None: not run)
    session_startup_ms: float  # inside pytest: server setup + last teardown, mka1_mock suite
    mock_per_test_raw_us: float  # (wall with mka1_mock - wall without) / N
    mock_per_test_us: float  # the same minus the session start-up
    mock_per_test_run_phase_us: float  # (run phase with - without - session start-up) / N
    sdk_per_test_raw_us: float
    sdk_per_test_us: float
    sdk_per_test_run_phase_us: float


def write_pytest_suite(directory: Path, tests: int) -> None:
    (directory / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (directory / "conftest.py").write_text(SUITE_CONFTEST, encoding="utf-8")
    for file, fixture in {(spec.file, spec.fixture) for spec in PYTEST_SUITES}:
        argument = fixture or ""
        (directory / file).write_text(
            "".join(f"def test_{i}({argument}):\n    pass\n\n\n" for i in range(tests)), encoding="utf-8"
        )


def run_pytest(
    directory: Path, args: Sequence[str], *, bytecode_cache: bool = True
) -> tuple[float, dict[str, Any], str]:
    """One ``python -m pytest -q -p no:cacheprovider ...`` in ``directory``: (wall seconds, the
    conftest's timings, the output's last line); RuntimeError if it did not pass."""
    timings = directory / "timings.json"
    timings.unlink(missing_ok=True)
    env = child_env(bytecode_cache=bytecode_cache)
    env[TIMINGS_ENV] = str(timings)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    t0 = time.perf_counter()
    done = subprocess.run(
        command, cwd=directory, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True
    )
    wall = time.perf_counter() - t0
    lines = done.stdout.strip().splitlines()
    last = lines[-1] if lines else ""
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(command[1:])}` exited {done.returncode}: {last or done.stderr[-300:]}")
    found = json.loads(timings.read_text(encoding="utf-8")) if timings.exists() else {}
    return wall, found, last


# --- the benchmark ---------------------------------------------------------------------------------


@dataclass
class Settings:
    requests: int
    warmup: int
    repeats: int
    latency_requests: int
    concurrencies: tuple[int, ...]
    small: int
    large: int
    responses_requests: int  # timed non-streamed responses per row
    stream_requests: int  # timed streamed responses per row
    response_warmup: int  # untimed responses per connection, into another conversation
    plugin_tests: int  # tests per generated pytest file
    plugin_repeats: int  # runs of each generated suite
    plugin_full: bool  # also the suites without the plugin and without a bytecode cache (not --quick)
    plugin_iterations: int  # in-process handle + reset + close iterations
    plugin_sdk_iterations: int  # in-process handle + reset + sdk() + close iterations
    plugin_server_repeats: int  # in-process MockServer start + stop


@dataclass
class Results:
    env: dict[str, Any]
    settings: dict[str, Any]
    tcp_nodelay: dict[str, str] = field(default_factory=dict)  # server kind -> native/missing
    seed: dict[str, Any] = field(default_factory=dict)
    throughput: list[Throughput] = field(default_factory=list)
    latency: list[Latency] = field(default_factory=list)
    responses: list[ResponsesRun] = field(default_factory=list)
    plugin: PluginOverhead | None = None
    checks: list[str] = field(default_factory=list)  # failed correctness checks
    section_seconds: dict[str, float] = field(default_factory=dict)  # wall time of each section run
    elapsed_seconds: float = 0.0

    def failed_requests(self) -> int:
        return (
            sum(r.errors for r in self.throughput)
            + sum(r.errors for r in self.latency)
            + sum(r.errors for r in self.responses)
        )


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def environment() -> dict[str, Any]:
    try:
        usable: int | None = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    try:
        load_average: float | None = os.getloadavg()[0]
    except OSError:
        load_average = None
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "load_average_1min_at_start": load_average,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
        "mka1_mock": _version("mka1-mock"),
        "uvicorn": _version("uvicorn"),
        "starlette": _version("starlette"),
        "pydantic": _version("pydantic"),
        "h11": _version("h11"),
        # what uvicorn's "auto" settings pick: httptools/uvloop when installed, else h11/asyncio
        "uvicorn_http": "httptools" if find_spec("httptools") else "h11",
        "uvicorn_loop": "uvloop" if find_spec("uvloop") else "asyncio",
    }


class Bench:
    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.results = Results(env=environment(), settings=asdict(settings))

    # -- helpers ---------------------------------------------------------------------------------

    def check(self, ok: bool, message: str) -> None:
        if not ok:
            self.results.checks.append(message)
            log(f"  CHECK FAILED: {message}")

    def server(self, kind: str, *args: str, launched: ServerProcess | None = None) -> ServerProcess:
        """A started server (``launched``: one already launched, now waited for), its TCP_NODELAY checked."""
        server = (launched or ServerProcess(kind, *args).launch()).wait_ready()
        nodelay = server.info.get("tcp_nodelay", "?")
        self.results.tcp_nodelay.setdefault(kind, nodelay)
        self.check(
            nodelay == "native",
            f"{kind} server: mka1_mock.server.bind_socket's socket is not IPPROTO_TCP, so there is no "
            "TCP_NODELAY and every response stalls ~40 ms",
        )
        return server

    def measure(
        self,
        server: ServerProcess,
        name: str,
        make_request: Callable[[], Request],
        concurrency: int,
        after: Callable[[Request, Throughput], None] | None = None,
    ) -> Throughput:
        """``repeats`` runs of ``load``; the run with the median req/s is reported."""
        runs = []
        for _ in range(self.s.repeats):
            request = make_request()
            run = load(
                server,
                name,
                request,
                concurrency=concurrency,
                total=self.s.requests,
                warmup=self.s.warmup,
            )
            if after is not None:
                after(request, run)
            runs.append(run)
        chosen = sorted(runs, key=lambda r: r.rps)[len(runs) // 2]
        chosen.runs_rps = [r.rps for r in runs]
        errors = [r for r in runs if r.errors]
        chosen.errors = sum(r.errors for r in runs)
        chosen.first_error = errors[0].first_error if errors else None
        self.results.throughput.append(chosen)
        self._log(chosen)
        return chosen

    @staticmethod
    def _log(r: Throughput) -> None:
        spread = ", ".join(f"{x:.0f}" for x in r.runs_rps) if len(r.runs_rps) > 1 else ""
        log(
            f"  {r.server:4} {r.name:26} c{r.concurrency:<2} {r.rps:7.0f} req/s  p50 {r.p50_ms:6.2f} ms"
            f"  p99 {r.p99_ms:6.2f} ms" + (f"  (runs: {spread})" if spread else "")
            + (f"  {r.errors} errors, first: {r.first_error}" if r.errors else "")
        )

    def count_items(self, client: Client, path: str) -> int:
        """How many items a conversation holds, by paging through all of them (limit=100)."""
        total, after = 0, ""
        while True:
            query = "?order=asc&limit=100" + (f"&after={after}" if after else "")
            page = client.json("GET", path + query)
            total += len(page["data"])
            if not page["has_more"]:
                return total
            after = page["last_id"]

    # -- sections --------------------------------------------------------------------------------

    def mock_throughput(self) -> None:
        s = self.s
        log(f"mock server, one {s.small}-item conversation: create and list throughput")
        with self.server("mock", "--small", str(s.small), "--large", "0") as server:
            client = Client(server.host, server.port)
            list_path = ITEMS_PATH.format(server.info["small"]) + f"?limit={PAGE}&order=asc"
            page = client.json("GET", list_path)
            self.check(len(page["data"]) == PAGE, f"the list returned {len(page['data'])} items")

            def fresh_conversation() -> Request:
                """Every create run starts on a new conversation holding one item."""
                path = ITEMS_PATH.format(client.json("POST", CONVERSATIONS_PATH, {})["id"])
                created = client.json("POST", path, json.loads(MESSAGE_BODY))
                self.check(len(created["data"]) == 1, "a create returned other than 1 item")
                return ("POST", path, MESSAGE_BODY, JSON_HEADERS)

            def all_stored(request: Request, run: Throughput) -> None:
                expected = 1 + s.warmup * run.concurrency + s.requests - run.errors
                stored = self.count_items(client, request[1])
                self.check(
                    stored == expected,
                    f"create c{run.concurrency}: {stored} items stored, {expected} expected",
                )

            for c in s.concurrencies:
                self.measure(server, "POST items (1 message)", fresh_conversation, c, all_stored)
            for c in s.concurrencies:
                self.measure(
                    server, f"GET items limit={PAGE}", lambda: ("GET", list_path, None, AUTH), c
                )
            client.close()

    def bare_throughput(self) -> None:
        log("bare Starlette server (same uvicorn settings): the ceiling")
        with self.server("bare") as server:
            client = Client(server.host, server.port)
            self.check(client.json("GET", "/ping").get("ok") is True, "bare /ping answered wrongly")
            echoed = client.json("POST", "/echo", json.loads(MESSAGE_BODY))
            self.check(echoed == json.loads(MESSAGE_BODY), "bare /echo answered wrongly")
            client.close()
            for c in self.s.concurrencies:
                self.measure(
                    server, "POST /echo (same body)", lambda: ("POST", "/echo", MESSAGE_BODY, JSON_HEADERS), c
                )
            for c in self.s.concurrencies:
                self.measure(server, "GET /ping (small dict)", lambda: ("GET", "/ping", None, AUTH), c)

    def page_latency(self) -> None:
        s = self.s
        log(f"mock server seeded in-process with {s.small:,} and {s.large:,} items: page latency")
        with self.server("mock", "--small", str(s.small), "--large", str(s.large)) as server:
            self.results.seed = server.info
            log(f"  seeded {s.large:,} items in {server.info['large_seconds']:.1f} s")
            client = Client(server.host, server.port)
            targets: dict[str, list[tuple[int, str]]] = {}
            for label, count in (("small", s.small), ("large", s.large)):
                base = ITEMS_PATH.format(server.info[label])
                # The asc page after the 21st item from the end is exactly the last 20 items.
                tail = client.json("GET", base + f"?order=desc&limit={PAGE + 1}")
                self.check(len(tail["data"]) == PAGE + 1, f"{label}: the desc page is short")
                cursor = tail["data"][-1]["id"]
                last = client.json("GET", base + f"?order=asc&after={cursor}&limit={PAGE}")
                self.check(
                    [i["id"] for i in last["data"]] == [i["id"] for i in tail["data"][PAGE - 1 :: -1]]
                    and last["has_more"] is False,
                    f"{label}: the asc last page does not match the desc first page",
                )
                for query, suffix in (
                    (f"asc, after=<item n-{PAGE}> (last page)", f"?order=asc&after={cursor}&limit={PAGE}"),
                    ("desc, first page (newest)", f"?order=desc&limit={PAGE}"),
                    ("asc, first page (oldest)", f"?order=asc&limit={PAGE}"),
                ):
                    targets.setdefault(query, []).append((count, base + suffix))
            for query, pair in targets.items():
                rows = interleaved_latency(
                    client, query, pair, requests=s.latency_requests, warmup=min(20, s.latency_requests)
                )
                self.results.latency.extend(rows)
                log(
                    f"  {query:34} "
                    + "   ".join(
                        f"{r.items:>7,} items p50 {r.p50_ms:5.2f} p95 {r.p95_ms:5.2f} ms" for r in rows
                    )
                )
            client.close()

    def responses(self) -> None:
        """Non-streamed and streamed ``POST /responses``, each row on a fresh server, all requests
        of a row appended to one conversation (shared by its connections)."""
        s = self.s
        log(
            "mock server, POST /responses appending to one conversation shared by the connections "
            "(a fresh server per row)"
        )
        rows = [(stream, c) for stream in (False, True) for c in s.concurrencies]
        # Every row's server boots now, in parallel; they idle until their row (an idle uvicorn wakes
        # 10 times a second), and each is stopped when its row ends.
        booting = [ServerProcess("mock", "--small", "0", "--large", "0").launch() for _ in rows]
        for (stream, c), launched in zip(rows, booting, strict=True):
            total = s.stream_requests if stream else s.responses_requests
            with self.server("mock", launched=launched) as server:
                client = Client(server.host, server.port)
                conversation = client.json("POST", CONVERSATIONS_PATH, {})["id"]
                warm = client.json("POST", CONVERSATIONS_PATH, {})["id"]
                run, samples = responses_load(
                    server,
                    conversation,
                    warm,
                    stream=stream,
                    concurrency=c,
                    total=total,
                    warmup=s.response_warmup,
                )
                problems = [
                    p for p in (check_response_sample(x, conversation, stream=stream) for x in samples) if p
                ]
                self.check(
                    not problems,
                    f"responses {run.mode} c{c}: {len(problems)} wrong answers, first: "
                    f"{problems[0] if problems else ''}",
                )
                if stream and samples:
                    run.events_per_stream = samples[0].body.count(b"\n") + 1
                run.items_at_end = self.count_items(client, ITEMS_PATH.format(conversation))
                expected = 2 * (total - run.errors)
                self.check(
                    run.items_at_end == expected,
                    f"responses {run.mode} c{c}: the conversation holds {run.items_at_end} items, "
                    f"{expected} expected (input + reply per request)",
                )
                client.close()
            self.results.responses.append(run)
            self._log_responses(run)

    @staticmethod
    def _log_responses(r: ResponsesRun) -> None:
        first = (
            f"  1st event p50 {r.first_event_p50_ms:5.2f} p95 {r.first_event_p95_ms:5.2f} ms"
            if r.first_event_p50_ms is not None
            else ""
        )
        quarters = " ".join(f"{x:.0f}" for x in r.quarter_rps)
        log(
            f"  {r.mode:6} c{r.concurrency:<2} {r.requests:>5} requests {r.rps:6.0f} req/s  p50 {r.p50_ms:6.2f} "
            f"p95 {r.p95_ms:6.2f} ms{first}  quarters {quarters} req/s  {r.items_at_end} items"
            + (f"  {r.errors} errors, first: {r.first_error}" if r.errors else "")
        )

    def plugin_overhead(self) -> None:
        s = self.s
        n = s.plugin_tests
        specs = [spec for spec in PYTEST_SUITES if s.plugin_full or not spec.full_only]
        runs: dict[str, list[tuple[float, dict[str, Any]]]] = {spec.key: [] for spec in specs}
        with tempfile.TemporaryDirectory(prefix="mka1-bench-pytest-") as tmp:
            directory = Path(tmp)
            write_pytest_suite(directory, n)
            # Untimed: one test of each file fills the bytecode cache (pytest's assertion-rewritten
            # test files and plugin modules too) and imports everything the timed runs will import.
            files = sorted({spec.file for spec in specs})
            _, _, last = run_pytest(directory, [f"{file}::test_0" for file in files])
            self.check(f"{len(files)} passed" in last, f"plugin suites' warm-up: {last!r}")

            log("pytest plugin: in-process timings (bench/_plugin.py)")
            inprocess = self._plugin_helper()
            log(
                f"  import mka1_mock.pytest_plugin {1000 * inprocess['import_plugin_s']:.0f} ms, "
                f"handle+reset+close {inprocess['handle_us']:.1f} µs, +sdk() {inprocess['sdk_us']:.0f} µs, "
                f"server start {1000 * inprocess['server_start_median_s']:.1f} ms "
                f"stop {1000 * inprocess['server_stop_median_s']:.1f} ms"
            )

            log(f"pytest plugin: generated suites of {n} trivial tests, {s.plugin_repeats} run(s) each")
            for _ in range(s.plugin_repeats):  # interleaved, so that noise lands on every suite alike
                for spec in specs:
                    wall, timings, last = run_pytest(
                        directory, [*spec.args, spec.file], bytecode_cache=spec.bytecode_cache
                    )
                    self.check(
                        timings.get("tests") == n and f"{n} passed" in last,
                        f"plugin suite '{spec.name}': {last!r}, {timings.get('tests')} tests collected",
                    )
                    runs[spec.key].append((wall, timings))
        suites: dict[str, PytestSuite] = {}
        for spec in specs:
            walls = [w for w, _ in runs[spec.key]]
            phases = [t.get("run_phase_s", math.nan) for _, t in runs[spec.key]]
            setups = [t["server_setup_s"] for _, t in runs[spec.key] if t.get("server_setup_s") is not None]
            teardowns = [t["last_teardown_s"] for _, t in runs[spec.key] if t.get("last_teardown_s") is not None]
            suite = suites[spec.key] = PytestSuite(
                key=spec.key,
                name=spec.name,
                file=spec.file,
                fixture=spec.fixture,
                args=list(spec.args),
                bytecode_cache=spec.bytecode_cache,
                tests=n,
                wall_s=statistics.median(walls),
                run_phase_s=statistics.median(phases),
                server_setup_ms=1000 * statistics.median(setups) if setups else None,
                last_teardown_ms=1000 * statistics.median(teardowns) if teardowns else None,
                runs_wall_s=walls,
                runs_run_phase_s=phases,
            )
            log(
                f"  {spec.name:32} wall {suite.wall_s:5.2f} s  run phase {suite.run_phase_s:5.2f} s"
                f"  (runs: {', '.join(f'{w:.2f}' for w in walls)})"
            )
        plain, mock, sdk = suites["plain"], suites["mock"], suites["sdk"]

        def session_ms(suite: PytestSuite) -> float:
            return (suite.server_setup_ms or 0.0) + (suite.last_teardown_ms or 0.0)

        def per_test_us(suite: PytestSuite, attr: str, minus_session: bool) -> float:
            extra = float(getattr(suite, attr)) - float(getattr(plain, attr))
            if minus_session:
                extra -= session_ms(suite) / 1000
            return 1e6 * extra / n

        def load_ms(with_plugin: str, without: str) -> float | None:
            if with_plugin not in suites or without not in suites:
                return None
            return 1000 * (suites[with_plugin].wall_s - suites[without].wall_s)

        self.results.plugin = PluginOverhead(
            inprocess=inprocess,
            suites=list(suites.values()),
            tests_per_suite=n,
            repeats=s.plugin_repeats,
            plugin_load_ms=load_ms("plain", "bare"),
            plugin_load_no_cache_ms=load_ms("plain_nocache", "bare_nocache"),
            session_startup_ms=session_ms(mock),
            mock_per_test_raw_us=per_test_us(mock, "wall_s", False),
            mock_per_test_us=per_test_us(mock, "wall_s", True),
            mock_per_test_run_phase_us=per_test_us(mock, "run_phase_s", True),
            sdk_per_test_raw_us=per_test_us(sdk, "wall_s", False),
            sdk_per_test_us=per_test_us(sdk, "wall_s", True),
            sdk_per_test_run_phase_us=per_test_us(sdk, "run_phase_s", True),
        )

    def _plugin_helper(self) -> dict[str, Any]:
        """bench/_plugin.py's figures (in a fresh process, with the warm bytecode cache)."""
        s = self.s
        command = [
            sys.executable,
            str(PLUGIN_HELPER),
            "--iterations",
            str(s.plugin_iterations),
            "--sdk-iterations",
            str(s.plugin_sdk_iterations),
            "--server-repeats",
            str(s.plugin_server_repeats),
        ]
        helper = subprocess.run(
            command, env=child_env(), stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300
        )
        marker = "bench-plugin "
        found = [line for line in helper.stdout.splitlines() if line.startswith(marker)]
        if helper.returncode != 0 or not found:
            raise RuntimeError(f"bench/_plugin.py failed (status {helper.returncode}): {helper.stderr[-500:]}")
        inprocess: dict[str, Any] = json.loads(found[-1][len(marker) :])
        self.check(inprocess.get("store_empty") is True, "plugin: the store was not empty after reset()")
        return inprocess


# --- report ----------------------------------------------------------------------------------------


def render(results: Results) -> str:
    env, s = results.env, results.settings
    out: list[str] = []
    out.append("mka1-mock benchmark")
    load_avg = env["load_average_1min_at_start"]
    out.append(
        f"  machine : {env['cpu_count']} cores ({env['cpus_usable']} usable), {env['platform']}, "
        f"{env['implementation']} {env['python']}"
        + (f", load average {load_avg:.2f} at start" if load_avg is not None else "")
    )
    out.append(
        f"  stack   : mka1-mock {env['mka1_mock']}, uvicorn {env['uvicorn']} "
        f"(http={env['uvicorn_http']}, loop={env['uvicorn_loop']}), starlette {env['starlette']}, "
        f"pydantic {env['pydantic']}, h11 {env['h11']}"
    )
    out.append(
        "  setup   : servers in their own processes (bench/_servers.py -> mka1_mock.server.serve_forever,"
        " 127.0.0.1:0);"
    )
    out.append(
        "            client: one thread + one keep-alive http.client connection (TCP_NODELAY) per "
        "concurrent request"
    )
    nodelay = set(results.tcp_nodelay.values())
    if "missing" in nodelay:
        out.append(
            "  WARNING : the servers' connections lack TCP_NODELAY (mka1_mock.server.bind_socket makes a "
            "proto=0 socket):"
        )
        out.append(
            "            expect ~44 ms per request, a delayed-ACK stall, not the cost of the app"
        )
    elif nodelay:
        out.append("  sockets : TCP_NODELAY on (mka1_mock.server.bind_socket makes IPPROTO_TCP sockets)")
    out.append("")

    if results.throughput:
        repeats = s["repeats"]
        out.append(
            f"Throughput: {s['requests']:,} timed requests per run after {s['warmup']} warm-up requests "
            f"per connection; median of {repeats} run{'s' if repeats > 1 else ''} by req/s"
        )
        header = (
            f"  {'server':6} {'request':26} {'conc':>4} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} "
            f"{'srv CPU':>7} {'cli CPU':>7} {'errors':>6}  req/s of each run"
        )
        out.append(header)
        out.append("  " + "-" * (len(header) - 2))
        for r in results.throughput:
            srv = "n/a" if r.server_cpu_pct is None else f"{r.server_cpu_pct:.0f}%"
            runs = " ".join(f"{x:.0f}" for x in r.runs_rps)
            out.append(
                f"  {r.server:6} {r.name:26} {r.concurrency:>4} {r.rps:>7.0f} {r.p50_ms:>7.2f} "
                f"{r.p99_ms:>7.2f} {srv:>7} {r.client_cpu_pct:>6.0f}% {r.errors:>6}  {runs}"
            )
        by_key = {(r.server, r.method, r.concurrency): r for r in results.throughput}
        for method, what in (("POST", "POST items / POST /echo"), ("GET", "GET items / GET /ping")):
            parts = []
            for c in s["concurrencies"]:
                mock, bare = by_key.get(("mock", method, c)), by_key.get(("bare", method, c))
                if mock and bare:
                    parts.append(f"c{c} {100 * mock.rps / bare.rps:.0f}%")
            if parts:
                out.append(f"  mock vs bare Starlette, {what}: {', '.join(parts)}")
        out.append("")

    if results.latency:
        out.append(
            f"Page latency: {s['latency_requests']} sequential GET .../items?limit={PAGE} per row and "
            "size, the two conversations taking turns on one connection"
        )
        seed = results.seed
        if seed:
            out.append(
                f"  {seed['large_items']:,} items seeded in-process (the backend's add_items, validated like the "
                f"API) in {seed['large_seconds']:.1f} s"
            )
        small_n, large_n = s["small"], s["large"]
        header = (
            f"  {'query':34} {f'{small_n:,} items p50/p95':>22} {f'{large_n:,} items p50/p95':>24} "
            f"{'p50 ratio':>9}"
        )
        out.append(header)
        out.append("  " + "-" * (len(header) - 2))
        rows: dict[str, dict[int, Latency]] = {}
        for lat in results.latency:
            rows.setdefault(lat.query, {})[lat.items] = lat
        for query, by_items in rows.items():
            a, b = by_items.get(small_n), by_items.get(large_n)
            fa = f"{a.p50_ms:.2f} / {a.p95_ms:.2f} ms" if a else "-"
            fb = f"{b.p50_ms:.2f} / {b.p95_ms:.2f} ms" if b else "-"
            ratio = f"{b.p50_ms / a.p50_ms:.2f}x" if a and b else "-"
            out.append(f"  {query:34} {fa:>22} {fb:>24} {ratio:>9}")
        out.append("")

    if results.responses:
        out.append(
            'Responses: POST /api/v1/llm/responses {"model": "auto", "input": "hello", "conversation": <id>}'
            ' (+ "stream": true)'
        )
        out.append(
            "  one conversation per row, shared by all its connections: empty when the clock starts "
            f"({s['response_warmup']} warm-up requests per connection go to another one), 2 items appended "
            "per request;"
        )
        out.append(
            "  a fresh server per row; p50/p95/p99 = until the whole body (a stream: its end) is read; "
            "1st event = until the first data: line (response.created)"
        )
        header = (
            f"  {'mode':6} {'conc':>4} {'requests':>8} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
            f"{'1st event p50/p95 ms':>20} {'events':>6} {'srv CPU':>7} {'cli CPU':>7} {'items':>6} "
            f"{'srv RSS MB':>13} {'errors':>6}"
        )
        out.append(header)
        out.append("  " + "-" * (len(header) - 2))
        for resp in results.responses:
            srv = "n/a" if resp.server_cpu_pct is None else f"{resp.server_cpu_pct:.0f}%"
            first = (
                f"{resp.first_event_p50_ms:.2f} / {resp.first_event_p95_ms:.2f}"
                if resp.first_event_p50_ms is not None and resp.first_event_p95_ms is not None
                else "-"
            )
            rss = (
                f"{resp.server_rss_mb_start:.0f} -> {resp.server_rss_mb_end:.0f}"
                if resp.server_rss_mb_start is not None and resp.server_rss_mb_end is not None
                else "n/a"
            )
            events = "-" if resp.events_per_stream is None else str(resp.events_per_stream)
            out.append(
                f"  {resp.mode:6} {resp.concurrency:>4} {resp.requests:>8} {resp.rps:>6.0f} {resp.p50_ms:>7.2f} "
                f"{resp.p95_ms:>7.2f} {resp.p99_ms:>7.2f} {first:>20} {events:>6} {srv:>7} "
                f"{resp.client_cpu_pct:>6.0f}% {resp.items_at_end:>6} {rss:>13} {resp.errors:>6}"
            )
        out.append(
            "  as the conversation grows: the requests in completion order, in quarters (items in the "
            "conversation: 0 -> 2 x requests)"
        )
        header = (
            f"  {'mode':6} {'conc':>4} {'req/s Q1':>8} {'Q2':>6} {'Q3':>6} {'Q4':>6} {'Q4/Q1':>6}  "
            f"{'p50 ms Q1 -> Q4':>16}  {'1st event p50 ms Q1 -> Q4':>25}"
        )
        out.append(header)
        out.append("  " + "-" * (len(header) - 2))
        for resp in results.responses:
            q = resp.quarter_rps
            ratio = f"{q[-1] / q[0]:.2f}x" if q and q[0] and not math.isnan(q[0]) else "-"
            p50 = f"{resp.quarter_p50_ms[0]:.2f} -> {resp.quarter_p50_ms[-1]:.2f}"
            first = (
                f"{resp.quarter_first_event_p50_ms[0]:.2f} -> {resp.quarter_first_event_p50_ms[-1]:.2f}"
                if resp.quarter_first_event_p50_ms
                else "-"
            )
            out.append(
                f"  {resp.mode:6} {resp.concurrency:>4} {q[0]:>8.0f} {q[1]:>6.0f} {q[2]:>6.0f} {q[3]:>6.0f} "
                f"{ratio:>6}  {p50:>16}  {first:>25}"
            )
        out.append("")

    plugin = results.plugin
    if plugin is not None:
        ip = plugin.inprocess
        n = plugin.tests_per_suite
        out.append("Plugin overhead (mka1_mock.pytest_plugin)")
        out.append("  in-process, in a fresh process (bench/_plugin.py):")
        inprocess_rows = [
            ("import pytest", f"{1000 * ip['import_pytest_s']:.0f} ms", "for scale"),
            (
                "import mka1_mock.pytest_plugin, after pytest",
                f"{1000 * ip['import_plugin_s']:.0f} ms",
                "every pytest session pays it once mka1-mock is installed (pytest11 entry point)",
            ),
            (
                "mka1_mock per test: Mka1Mock(...) + reset() + close()",
                f"{ip['handle_us']:.1f} µs",
                f"empty store, {ip['iterations']:,} iterations",
            ),
            (
                "mka1_sdk per test: the same + sdk()",
                f"{ip['sdk_us']:.0f} µs",
                f"{ip['sdk_iterations']:,} iterations; the first sdk() {1000 * ip['import_sdk_s']:.0f} ms "
                "(imports meetkai_mka1)",
            ),
            (
                "session: MockServer(create_app(...)).start()",
                f"{1000 * ip['server_start_median_s']:.1f} ms",
                f"median of {len(ip['server_start_s'])}; the first {1000 * ip['server_start_s'][0]:.1f} ms; "
                f"create_app {1000 * statistics.median(ip['create_app_s']):.2f} ms",
            ),
            (
                "session: MockServer.stop()",
                f"{1000 * ip['server_stop_median_s']:.1f} ms",
                f"median of {len(ip['server_stop_s'])}",
            ),
        ]
        for label, value, note in inprocess_rows:
            out.append(f"    {label:54} {value:>9}  {note}")
        out.append(
            f"  end to end: python -m pytest -q -p no:cacheprovider in a temp dir, {n} trivial tests per file, "
            f"median of {plugin.repeats} run{'s' if plugin.repeats > 1 else ''}, interleaved;"
        )
        out.append(
            "  compiled modules cached (PYTHONPYCACHEPREFIX, warmed by an untimed run) unless the suite says "
            "'no bytecode cache'"
        )
        header = (
            f"  {'suite':32} {'wall s':>7} {'run phase s':>11} {'server setup ms':>15} "
            f"{'last teardown ms':>16}  wall s of each run"
        )
        out.append(header)
        out.append("  " + "-" * (len(header) - 2))
        for suite in plugin.suites:
            setup = "-" if suite.server_setup_ms is None else f"{suite.server_setup_ms:.1f}"
            teardown = "-" if suite.last_teardown_ms is None else f"{suite.last_teardown_ms:.1f}"
            out.append(
                f"  {suite.name:32} {suite.wall_s:>7.2f} {suite.run_phase_s:>11.3f} {setup:>15} "
                f"{teardown:>16}  {' '.join(f'{w:.2f}' for w in suite.runs_wall_s)}"
            )
        if plugin.plugin_load_ms is not None:
            out.append(
                f"  plugin load per session (wall, plugin loaded - no plugin): {plugin.plugin_load_ms:.0f} ms"
                + (
                    f"; with PYTHONDONTWRITEBYTECODE=1: {plugin.plugin_load_no_cache_ms:.0f} ms"
                    if plugin.plugin_load_no_cache_ms is not None
                    else ""
                )
            )
        out.append(
            f"  session start-up of mka1_mock_server inside pytest (setup + last teardown): "
            f"{plugin.session_startup_ms:.0f} ms"
        )
        for fixture, raw, net, phase in (
            ("mka1_mock", plugin.mock_per_test_raw_us, plugin.mock_per_test_us, plugin.mock_per_test_run_phase_us),
            ("mka1_sdk ", plugin.sdk_per_test_raw_us, plugin.sdk_per_test_us, plugin.sdk_per_test_run_phase_us),
        ):
            out.append(
                f"  {fixture} per test: (wall with - without) / {n} = {raw:.0f} µs; minus the session "
                f"start-up: {net:.0f} µs (run phase: {phase:.0f} µs)"
            )
        out.append("")

    out.append(
        f"Total: {results.elapsed_seconds:.1f} s, {results.failed_requests()} failed requests, "
        f"{len(results.checks)} failed checks"
    )
    for check in results.checks:
        out.append(f"  check failed: {check}")
    return "\n".join(out)


# --- command line ----------------------------------------------------------------------------------

SECTIONS = ("mock", "bare", "latency", "responses", "plugin")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark mka1-mock over HTTP against a bare Starlette app (see bench/README.md)."
    )
    parser.add_argument("--quick", action="store_true", help="a smoke test: fewer requests, one run each")
    parser.add_argument("--requests", type=int, help="timed requests per run (default 2000; quick 300)")
    parser.add_argument("--repeats", type=int, help="runs per throughput row (default 3; quick 1)")
    parser.add_argument(
        "--latency-requests", type=int, help="requests per page-latency cell (default 200; quick 50)"
    )
    parser.add_argument(
        "--concurrency", type=int, nargs="+", default=[1, 8], metavar="N", help="(default: 1 8)"
    )
    parser.add_argument("--small", type=int, default=100, help="items in the small conversation")
    parser.add_argument("--large", type=int, default=100_000, help="items in the large conversation")
    parser.add_argument(
        "--responses-requests",
        type=int,
        help="timed non-streamed responses per row (default 1000; quick 200)",
    )
    parser.add_argument(
        "--stream-requests", type=int, help="timed streamed responses per row (default 300; quick 100)"
    )
    parser.add_argument(
        "--plugin-tests", type=int, default=500, help="tests per generated pytest file (default 500)"
    )
    parser.add_argument(
        "--plugin-repeats", type=int, help="runs of each generated pytest suite (default 3; quick 1)"
    )
    parser.add_argument(
        "--only", choices=SECTIONS, action="append", help="run only this section (repeatable)"
    )
    parser.add_argument(
        "--json",
        metavar="PATH",
        help="also write the results as JSON to PATH; '-' prints the JSON on stdout instead of the table",
    )
    args = parser.parse_args(argv)
    if min(args.small, args.large) < PAGE + 1:
        parser.error(f"--small and --large must be at least {PAGE + 1}")
    if min(args.concurrency) < 1:
        parser.error("--concurrency must be at least 1")
    for name in ("responses_requests", "stream_requests", "plugin_tests", "plugin_repeats"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        requests=args.requests or (300 if args.quick else 2000),
        warmup=10 if args.quick else 50,
        repeats=args.repeats or (1 if args.quick else 3),
        latency_requests=args.latency_requests or (50 if args.quick else 200),
        concurrencies=tuple(args.concurrency),
        small=args.small,
        large=args.large,
        responses_requests=args.responses_requests or (200 if args.quick else 1000),
        stream_requests=args.stream_requests or (100 if args.quick else 300),
        response_warmup=3 if args.quick else 10,
        plugin_tests=args.plugin_tests,
        plugin_repeats=args.plugin_repeats or (1 if args.quick else 3),
        plugin_full=not args.quick,
        plugin_iterations=10_000,
        plugin_sdk_iterations=300 if args.quick else 1_000,
        plugin_server_repeats=2 if args.quick else 5,
    )
    bench = Bench(settings)
    sections = args.only or list(SECTIONS)

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    atexit.register(ServerProcess.stop_all)
    started = time.perf_counter()
    try:
        for name, run_section in (
            ("mock", bench.mock_throughput),
            ("bare", bench.bare_throughput),
            ("latency", bench.page_latency),
            ("responses", bench.responses),
            ("plugin", bench.plugin_overhead),
        ):
            if name in sections:
                section_started = time.perf_counter()
                run_section()
                bench.results.section_seconds[name] = time.perf_counter() - section_started
                log(f"  ({name}: {bench.results.section_seconds[name]:.1f} s)")
    except KeyboardInterrupt:
        log("interrupted: servers stopped, no report")
        return 130
    except RuntimeError as err:  # a server that would not start (its traceback is above), or a
        # failed plugin helper / generated pytest suite
        log(f"bench: {err}")
        return 2
    finally:
        ServerProcess.stop_all()
    results = bench.results
    results.elapsed_seconds = time.perf_counter() - started

    document = json.dumps(asdict(results), indent=2)
    if args.json == "-":
        print(document)
    else:
        print(render(results))
        if args.json:
            Path(args.json).write_text(document + "\n", encoding="utf-8")
    return 1 if results.checks or results.failed_requests() else 0


if __name__ == "__main__":
    sys.exit(main())
