"""The ``mka1-mock`` command: version, help, and a served process that stops cleanly."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests

from mka1_mock import __version__
from mka1_mock.cli import main

LISTENING = re.compile(r"^mka1-mock listening on http://127\.0\.0\.1:(\d+)$")


@contextmanager
def serving(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """Start ``python -m mka1_mock serve --port 0 ...``; yield the process and its base URL."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mka1_mock", "serve", "--port", "0", "--log-level", "info", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().rstrip("\n")
        match = LISTENING.match(first)
        stderr = proc.stderr.read() if proc.poll() is not None and proc.stderr else ""
        assert match, f"unexpected first line {first!r}; stderr: {stderr}"
        yield proc, f"http://127.0.0.1:{match.group(1)}"
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def test_version_flag_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints 'mka1-mock <version>' and exits 0."""
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"mka1-mock {__version__}"


def test_serve_help_documents_every_option(capsys: pytest.CaptureFixture[str]) -> None:
    """serve --help names every option the server takes."""
    with pytest.raises(SystemExit):
        main(["serve", "--help"])
    text = capsys.readouterr().out
    for option in (
        "--host", "--port", "--api-key", "--log-level", "--max-body-bytes",
        "--identity-mode", "--seed", "--sequential-ids", "--freeze-time",
    ):
        assert option in text


def test_no_command_prints_help_and_fails(capsys: pytest.CaptureFixture[str]) -> None:
    """Running with no command prints the usage and returns 2."""
    assert main([]) == 2
    assert "serve" in capsys.readouterr().out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_announces_its_port_answers_and_stops_on_signal(sig: signal.Signals) -> None:
    """The first stdout line names the bound port; the API answers; a signal stops it with status 0."""
    with serving("--api-key", "mk-cli", "--sequential-ids", "--freeze-time", "1700000000") as (proc, url):
        denied = requests.post(f"{url}/api/v1/llm/conversations", json={}, timeout=5,
                               headers={"Authorization": "Bearer other"})
        created = requests.post(f"{url}/api/v1/llm/conversations", json={}, timeout=5,
                                headers={"Authorization": "Bearer mk-cli"})
        proc.send_signal(sig)
        assert proc.wait(timeout=10) == 0
        logs = proc.stderr.read()  # type: ignore[union-attr]
    assert denied.status_code == 401
    assert created.status_code == 200
    assert created.json()["id"] == "conv_" + "0" * 31 + "1"
    assert created.json()["created_at"] == 1700000000
    assert "POST /api/v1/llm/conversations" in logs  # request logging at --log-level info


def test_serve_reports_a_busy_port() -> None:
    """Binding a port already in use fails with status 1 and a message naming the address."""
    with serving() as (_, url):
        port = url.rsplit(":", 1)[1]
        result = subprocess.run(
            [sys.executable, "-m", "mka1_mock", "serve", "--port", port],
            capture_output=True, text=True, timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert result.stdout == ""


def test_serve_with_a_rate_limit_refuses_past_it() -> None:
    """``--rate-limit 1/minute`` (clock frozen): the second call in the minute gets the gateway's 429."""
    with serving("--rate-limit", "1/minute", "--freeze-time", "1700000040") as (_, url):
        headers = {"Authorization": "Bearer mk-cli"}
        first = requests.get(url + "/api/v1/llm/conversations", headers=headers, timeout=10)
        second = requests.get(url + "/api/v1/llm/conversations", headers=headers, timeout=10)
        other_key = requests.get(url + "/api/v1/llm/conversations", headers={"Authorization": "Bearer k2"}, timeout=10)
    assert first.status_code == 200 and other_key.status_code == 200
    assert (second.status_code, second.json(), second.headers["Retry-After"]) == (
        429, {"error": "Rate limit exceeded"}, "60"
    )  # fmt: skip
