"""Benchmark mka1-mock over real HTTP: item create/list throughput, page latency at 100 vs 100,000
items, and a bare Starlette app on the same server stack as the ceiling.

    .venv/bin/python bench/run.py            # ~1 minute, prints a table
    .venv/bin/python bench/run.py --quick    # a few seconds per section, for a smoke test
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
import subprocess
import sys
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
REQUEST_TIMEOUT = 30.0


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


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
        self.proc = subprocess.Popen(
            self.argv,
            stdin=subprocess.PIPE,  # the server exits when this pipe closes
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,  # Ctrl-C reaches only us; we stop the server ourselves
        )
        ServerProcess._live.append(self)
        threading.Thread(target=self._drain, daemon=True).start()
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
    for (items, _), values, failed in zip(targets, samples, errors):
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


@dataclass
class Results:
    env: dict[str, Any]
    settings: dict[str, Any]
    tcp_nodelay: dict[str, str] = field(default_factory=dict)  # server kind -> native/missing
    seed: dict[str, Any] = field(default_factory=dict)
    throughput: list[Throughput] = field(default_factory=list)
    latency: list[Latency] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # failed correctness checks
    elapsed_seconds: float = 0.0

    def failed_requests(self) -> int:
        return sum(r.errors for r in [*self.throughput, *self.latency])


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

    def server(self, kind: str, *args: str) -> ServerProcess:
        server = ServerProcess(kind, *args).start()
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
                f"  {seed['large_items']:,} items seeded in-process (Store.add_items, validated like the "
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

    out.append(
        f"Total: {results.elapsed_seconds:.1f} s, {results.failed_requests()} failed requests, "
        f"{len(results.checks)} failed checks"
    )
    for check in results.checks:
        out.append(f"  check failed: {check}")
    return "\n".join(out)


# --- command line ----------------------------------------------------------------------------------

SECTIONS = ("mock", "bare", "latency")


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
    )
    bench = Bench(settings)
    sections = args.only or list(SECTIONS)

    def on_sigterm(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_sigterm)
    atexit.register(ServerProcess.stop_all)
    started = time.perf_counter()
    try:
        if "mock" in sections:
            bench.mock_throughput()
        if "bare" in sections:
            bench.bare_throughput()
        if "latency" in sections:
            bench.page_latency()
    except KeyboardInterrupt:
        log("interrupted: servers stopped, no report")
        return 130
    except RuntimeError as err:  # a server that would not start (its traceback is above)
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
