"""The benchmark's HTTP client (bench/http_load.py) reads answers as HTTP says, and refuses broken ones."""

import http.client
import socket
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from http_load import fetch


def answering(raw: bytes):
    """A one-connection server that reads a request and answers ``raw``, then closes."""
    server = socket.create_server(("127.0.0.1", 0))
    received = []

    def serve():
        conn, _ = server.accept()
        with conn:
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, _, body = data.partition(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)
            while len(body) < length:
                body += conn.recv(65536)
            received.append((head.decode(), body))
            conn.sendall(raw)
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1], received


def test_a_post_is_sent_with_its_body_and_the_answer_read_with_its_headers():
    port, received = answering(b"HTTP/1.1 201 CREATED\r\nContent-Type: application/json\r\nContent-Length: 9\r\n"
                               b"Location: /r/1\r\n\r\n{\"id\": 1}")
    resp = fetch(port, "POST", "/reports", {"Authorization": "Bearer t"}, b'{"a": 1}')
    assert (resp.status, resp.body, resp.headers["location"], resp.headers["content-type"]) == (
        201, b'{"id": 1}', "/r/1", "application/json")
    head, body = received[0]
    assert head.startswith("POST /reports HTTP/1.1\r\n") and "Authorization: Bearer t" in head
    assert "Content-Length: 8" in head and body == b'{"a": 1}'


def test_a_chunked_answer_is_decoded():
    port, _ = answering(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
    assert fetch(port, "GET", "/").body == b"hello world"


@pytest.mark.parametrize("raw, error", [
    (b"HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\ntoo short", http.client.IncompleteRead),
    (b"garbage\r\n\r\n", http.client.BadStatusLine),
    (b"", http.client.BadStatusLine),
    (b"HTTP/1.1 200 OK\r\nContent-Length: 2", http.client.BadStatusLine),
])
def test_a_broken_answer_is_an_error_not_a_result(raw, error):
    port, _ = answering(raw)
    with pytest.raises(error):
        fetch(port, "GET", "/")
