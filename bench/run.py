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
        self.seed: dict[str, Any] = {}
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
            if line.startswith("bench-seed "):
                self.seed = json.loads(line[len("bench-seed ") :])
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
        return self.start()

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
    """The q-th percentile (0..100) of ``values``, linearly interpolated; ``values`` must be sorted."""
    if not values:
        return math.nan
    pos = (len(values) - 1) * q / 100
    low = math.floor(pos)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (pos - low)


@dataclass
class Throughput:
    server: str
    name: str
    method: str
    path: str
    concurrency: int
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    server_cpu_pct: float | None
    client_cpu_pct: float
    errors: int
    first_error: str | None = None


Request = tuple[str, str, bytes | None, dict[str, str]]


def load(
    server: ServerProcess,
    name: str,
    request: Request,
    *,
    concurrency: int,
    total: int,
    warmup: int,
) -> Throughput:
    """``total`` requests (split over ``concurrency`` keep-alive connections, one thread each) after
    ``warmup`` untimed requests per connection; timing starts when every connection is warm."""
    method, path, body, headers = request
    counts = [total // concurrency + (1 if i < total % concurrency else 0) for i in range(concurrency)]
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
        barrier.wait(timeout=60)
    except threading.BrokenBarrierError:
        raise RuntimeError(f"{name}: warm-up did not finish") from None
    cpu0_server, cpu0_client, t0 = server.cpu_seconds(), time.process_time(), time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - t0
    cpu1_server, cpu1_client = server.cpu_seconds(), time.process_time()

    merged = sorted(x for part in latencies for x in part)
    server_cpu = (
        None
        if cpu0_server is None or cpu1_server is None
        else 100 * (cpu1_server - cpu0_server) / seconds
    )
    return Throughput(
        server=server.kind,
        name=name,
        method=method,
        path=path,
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


def sequential_latency(
    client: Client, query: str, path: str, items: int, *, requests: int, warmup: int
) -> Latency:
    for _ in range(warmup):
        client.call("GET", path)
    samples: list[float] = []
    errors = 0
    clock = time.perf_counter
    for _ in range(requests):
        t0 = clock()
        status, _ = client.call("GET", path)
        samples.append(clock() - t0)
        errors += status != 200
    samples.sort()
    return Latency(
        query=query,
        items=items,
        requests=requests,
        p50_ms=1000 * percentile(samples, 50),
        p95_ms=1000 * percentile(samples, 95),
        p99_ms=1000 * percentile(samples, 99),
        max_ms=1000 * samples[-1],
        errors=errors,
    )


# --- the benchmark ---------------------------------------------------------------------------------


@dataclass
class Settings:
    requests: int
    warmup: int
    latency_requests: int
    concurrencies: tuple[int, ...]
    small: int
    large: int


@dataclass
class Results:
    env: dict[str, Any]
    settings: dict[str, Any]
    seed: dict[str, Any] = field(default_factory=dict)
    throughput: list[Throughput] = field(default_factory=list)
    latency: list[Latency] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def environment() -> dict[str, Any]:
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_count": os.cpu_count(),
        "cpus_usable": usable,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(terse=True),
        "mka1_mock": _version("mka1-mock"),
        "uvicorn": _version("uvicorn"),
        "starlette": _version("starlette"),
        "pydantic": _version("pydantic"),
        "h11": _version("h11"),
        # what uvicorn's "auto" picks: httptools/uvloop when installed, else h11/asyncio
        "uvicorn_http": "httptools" if find_spec("httptools") else "h11",
        "uvicorn_loop": "uvloop" if find_spec("uvloop") else "asyncio",
    }


def _check(results: Results, ok: bool, message: str) -> None:
    if not ok:
        results.checks.append(message)
        log(f"  CHECK FAILED: {message}")


def bench_mock_throughput(results: Results, s: Settings) -> None:
    log("mock server (fresh, one 100-item conversation): create and list throughput")
    with ServerProcess("mock", "--small", str(s.small), "--large", "0") as server:
        client = Client(server.host, server.port)
        small = server.seed["small"]
        list_path = ITEMS_PATH.format(small) + f"?limit={PAGE}&order=asc"
        page = client.json("GET", list_path)
        _check(results, len(page["data"]) == min(PAGE, s.small), f"list returned {len(page['data'])} items")
        for concurrency in s.concurrencies:
            # A fresh conversation per run, so every run starts from the same state.
            conversation = client.json("POST", CONVERSATIONS_PATH, {})["id"]
            path = ITEMS_PATH.format(conversation)
            created = client.json("POST", path, json.loads(MESSAGE_BODY))
            _check(results, len(created["data"]) == 1, "create returned other than 1 item")
            result = load(
                server,
                "POST items (1 message)",
                ("POST", path, MESSAGE_BODY, JSON_HEADERS),
                concurrency=concurrency,
                total=s.requests,
                warmup=s.warmup,
            )
            results.throughput.append(result)
            _log_result(server, result)
            expected = 1 + s.warmup * concurrency + s.requests - result.errors
            stored = count_items(client, path)
            _check(results, stored == expected, f"create c{concurrency}: {stored} items stored, expected {expected}")
        for concurrency in s.concurrencies:
            result = load(
                server,
                f"GET items limit={PAGE} asc",
                ("GET", list_path, None, AUTH),
                concurrency=concurrency,
                total=s.requests,
                warmup=s.warmup,
            )
            results.throughput.append(result)
            _log_result(server, result)
        client.close()


def count_items(client: Client, path: str) -> int:
    """How many items a conversation holds, by paging through all of them (limit=100)."""
    total, after = 0, ""
    while True:
        page = client.json("GET", path + "?order=asc&limit=100" + (f"&after={after}" if after else ""))
        total += len(page["data"])
        if not page["has_more"]:
            return total
        after = page["last_id"]


def _log_result(server: ServerProcess, result: Throughput) -> None:
    log(
        f"  {server.kind:4} {result.name:28} c{result.concurrency:<2} {result.rps:8.0f} req/s  "
        f"p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
        + (f"  {result.errors} errors ({result.first_error})" if result.errors else "")
    )


def bench_bare_throughput(results: Results, s: Settings) -> None:
    log("bare Starlette server: the ceiling")
    with ServerProcess("bare") as server:
        client = Client(server.host, server.port)
        _check(results, client.json("GET", "/ping").get("ok") is True, "bare /ping answered wrongly")
        echoed = client.json("POST", "/echo", json.loads(MESSAGE_BODY))
        _check(results, echoed == json.loads(MESSAGE_BODY), "bare /echo answered wrongly")
        client.close()
        for name, request in (
            ("GET /ping (small dict)", ("GET", "/ping", None, AUTH)),
            ("POST /echo (same body)", ("POST", "/echo", MESSAGE_BODY, JSON_HEADERS)),
        ):
            for concurrency in s.concurrencies:
                result = load(
                    server, name, request, concurrency=concurrency, total=s.requests, warmup=s.warmup
                )
                results.throughput.append(result)
                _log_result(server, result)


def bench_page_latency(results: Results, s: Settings) -> None:
    log(f"mock server seeded in-process with {s.small:,} and {s.large:,} items: page latency")
    with ServerProcess("mock", "--small", str(s.small), "--large", str(s.large)) as server:
        results.seed = server.seed
        log(
            f"  seeded {s.large:,} items in {server.seed['large_seconds']:.1f} s "
            f"(+ {s.small:,} in {server.seed['small_seconds']:.2f} s)"
        )
        client = Client(server.host, server.port)
        for label, count in (("small", s.small), ("large", s.large)):
            conversation = server.seed[label]
            base = ITEMS_PATH.format(conversation)
            # The asc page after this id is the last full page.
            tail = client.json("GET", base + f"?order=desc&limit={PAGE + 1}")
            _check(results, len(tail["data"]) == PAGE + 1, f"{label}: desc page too short")
            cursor = tail["data"][-1]["id"]
            queries = (
                (f"asc, last page (after=item #{count - PAGE})", f"?order=asc&after={cursor}&limit={PAGE}"),
                ("desc, first page", f"?order=desc&limit={PAGE}"),
                ("asc, first page", f"?order=asc&limit={PAGE}"),
            )
            last = client.json("GET", base + queries[0][1])
            _check(
                results,
                [i["id"] for i in last["data"]] == [i["id"] for i in reversed(tail["data"][:PAGE])]
                and last["has_more"] is False,
                f"{label}: asc last page does not match the desc first page",
            )
            for query, suffix in queries:
                result = sequential_latency(
                    client,
                    query.replace(f"#{count - PAGE}", "#n-20"),
                    base + suffix,
                    count,
                    requests=s.latency_requests,
                    warmup=min(20, s.latency_requests),
                )
                results.latency.append(result)
                log(
                    f"  {count:>7,} items  {query:40} p50 {result.p50_ms:6.2f} ms  "
                    f"p95 {result.p95_ms:6.2f} ms" + (f"  {result.errors} errors" if result.errors else "")
                )
        client.close()


# --- report ----------------------------------------------------------------------------------------


def render(results: Results) -> str:
    env, s = results.env, results.settings
    out: list[str] = []
    out.append("mka1-mock benchmark")
    out.append(
        f"  machine : {env['cpu_count']} cores ({env['cpus_usable']} usable), {env['platform']}, "
        f"{env['implementation']} {env['python']}"
    )
    out.append(
        f"  stack   : mka1-mock {env['mka1_mock']}, uvicorn {env['uvicorn']} "
        f"(http={env['uvicorn_http']}, loop={env['uvicorn_loop']}), starlette {env['starlette']}, "
        f"pydantic {env['pydantic']}, h11 {env['h11']}"
    )
    out.append(
        "  setup   : each server in its own process (bench/_servers.py, mka1_mock.server.serve_forever "
        "on 127.0.0.1:0); client = 1 thread + 1 keep-alive http.client connection per concurrency slot"
    )
    out.append("")
    out.append(
        f"Throughput: {s['requests']:,} timed requests per run after {s['warmup']} warm-up requests per "
        "connection"
    )
    header = (
        f"  {'server':6} {'request':28} {'conc':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'srv CPU':>8} {'cli CPU':>8} {'errors':>6}"
    )
    out.append(header)
    out.append("  " + "-" * (len(header) - 2))
    for r in results.throughput:
        srv = "n/a" if r.server_cpu_pct is None else f"{r.server_cpu_pct:.0f}%"
        out.append(
            f"  {r.server:6} {r.name:28} {r.concurrency:>4} {r.rps:>8.0f} {r.p50_ms:>8.2f} "
            f"{r.p99_ms:>8.2f} {srv:>8} {r.client_cpu_pct:>7.0f}% {r.errors:>6}"
        )
    by_key = {(r.server, r.method, r.concurrency): r for r in results.throughput}
    ratios = []
    for method, what in (("POST", "POST items vs POST /echo"), ("GET", "GET items vs GET /ping")):
        parts = []
        for c in s["concurrencies"]:
            mock, bare = by_key.get(("mock", method, c)), by_key.get(("bare", method, c))
            if mock and bare:
                parts.append(f"c{c} {100 * mock.rps / bare.rps:.0f}%")
        if parts:
            ratios.append(f"{what}: {', '.join(parts)}")
    if ratios:
        out.append("  mock as % of the bare Starlette ceiling -- " + "; ".join(ratios))
    out.append("")

    seed = results.seed
    out.append(
        f"Page latency: {s['latency_requests']} sequential GET .../items requests per row (limit={PAGE}, "
        "one keep-alive connection)"
    )
    if seed:
        out.append(
            f"  seeding in-process through Store.add_items (batches of 500, validated like the API): "
            f"{seed['large_items']:,} items in {seed['large_seconds']:.1f} s"
        )
    small_n, large_n = s["small"], s["large"]
    header = (
        f"  {'query':36} {f'{small_n:,} items p50/p95 ms':>24} {f'{large_n:,} items p50/p95 ms':>26} "
        f"{'p50 ratio':>10}"
    )
    out.append(header)
    out.append("  " + "-" * (len(header) - 2))
    rows: dict[str, dict[int, Latency]] = {}
    for lat in results.latency:
        rows.setdefault(lat.query, {})[lat.items] = lat
    for query, by_items in rows.items():
        a, b = by_items.get(small_n), by_items.get(large_n)
        fa = f"{a.p50_ms:.2f} / {a.p95_ms:.2f}" if a else "-"
        fb = f"{b.p50_ms:.2f} / {b.p95_ms:.2f}" if b else "-"
        ratio = f"{b.p50_ms / a.p50_ms:.2f}x" if a and b else "-"
        out.append(f"  {query:36} {fa:>24} {fb:>26} {ratio:>10}")
    out.append("")
    errors = sum(r.errors for r in results.throughput) + sum(r.errors for r in results.latency)
    out.append(
        f"Total: {results.elapsed_seconds:.1f} s, {errors} failed requests, "
        f"{len(results.checks)} failed checks"
    )
    for check in results.checks:
        out.append(f"  check failed: {check}")
    return "\n".join(out)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer requests: a smoke test")
    parser.add_argument("--requests", type=int, help="timed requests per throughput run (default 2000)")
    parser.add_argument(
        "--latency-requests", type=int, help="requests per page-latency row (default 200)"
    )
    parser.add_argument("--large", type=int, default=100_000, help="items in the large conversation")
    parser.add_argument("--small", type=int, default=100, help="items in the small conversation")
    parser.add_argument(
        "--concurrency",
        type=int,
        nargs="+",
        default=[1, 8],
        metavar="N",
        help="client concurrencies to run (default: 1 8)",
    )
    parser.add_argument(
        "--only",
        choices=("mock", "bare", "latency"),
        action="append",
        help="run only these sections (repeatable; default: all)",
    )
    parser.add_argument(
        "--json",
        metavar="PATH",
        help="also write the results as JSON to PATH; '-' prints JSON on stdout instead of the table",
    )
    args = parser.parse_args(argv)
    if args.small < PAGE + 1 or args.large < PAGE + 1:
        parser.error(f"--small and --large must be at least {PAGE + 1}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = Settings(
        requests=args.requests or (300 if args.quick else 2000),
        warmup=10 if args.quick else 50,
        latency_requests=args.latency_requests or (50 if args.quick else 200),
        concurrencies=tuple(args.concurrency),
        small=args.small,
        large=args.large,
    )
    results = Results(env=environment(), settings=asdict(settings))
    sections = args.only or ["mock", "bare", "latency"]

    def on_term(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    atexit.register(ServerProcess.stop_all)
    started = time.perf_counter()
    try:
        if "mock" in sections:
            bench_mock_throughput(results, settings)
        if "bare" in sections:
            bench_bare_throughput(results, settings)
        if "latency" in sections:
            bench_page_latency(results, settings)
    except KeyboardInterrupt:
        log("interrupted; stopping the servers")
        return 130
    finally:
        ServerProcess.stop_all()
    results.elapsed_seconds = time.perf_counter() - started

    document = json.dumps(asdict(results), indent=2)
    if args.json == "-":
        print(document)
    else:
        print(render(results))
        if args.json:
            Path(args.json).write_text(document + "\n", encoding="utf-8")
    failed = results.checks or any(r.errors for r in [*results.throughput, *results.latency])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
