"""``MockServer``: a real socket on a free port, started and stopped without sleeps."""

from __future__ import annotations

import socket

import pytest
import requests

from mka1_mock import MockServer, create_app
from mka1_mock.testing.server import bind_socket


def test_listening_socket_is_tcp_so_asyncio_sets_nodelay() -> None:
    """The socket names IPPROTO_TCP, which asyncio needs to set TCP_NODELAY on accepted sockets.

    Without it each keep-alive response waits ~40 ms on Nagle + delayed ACK (bench/ shows it).
    """
    sock = bind_socket("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_server_binds_loopback_on_a_free_port_and_stops() -> None:
    """Two servers get distinct free ports on 127.0.0.1, answer, and refuse connections once stopped."""
    with MockServer(create_app()) as first, MockServer(create_app()) as second:
        assert first.host == "127.0.0.1"
        assert first.port != second.port
        reply = requests.get(first.url + "/api/v1/llm/conversations", timeout=5,
                             headers={"Authorization": "Bearer k"})
        assert reply.status_code == 200
        assert reply.json() == {"object": "list", "data": [], "has_more": False,
                                "first_id": None, "last_id": None}
        url = first.url
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/api/v1/llm/conversations", timeout=5)


def test_two_apps_share_no_state() -> None:
    """State lives on each app: a conversation created in one server is unknown to another."""
    headers = {"Authorization": "Bearer k"}
    with MockServer(create_app()) as first, MockServer(create_app()) as second:
        created = requests.post(first.url + "/api/v1/llm/conversations", json={}, headers=headers, timeout=5)
        missing = requests.get(f"{second.url}/api/v1/llm/conversations/{created.json()['id']}",
                               headers=headers, timeout=5)
    assert created.status_code == 200
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "conversation_not_found"


def test_starting_twice_is_an_error() -> None:
    """start() on a running server raises instead of leaking a second thread."""
    with MockServer(create_app()) as server:
        with pytest.raises(RuntimeError, match="already started"):
            server.start()
