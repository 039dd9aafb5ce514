"""Load on 127.0.0.1: one request at a time, many from threads, or wrk for throughput."""

from __future__ import annotations

import http.client
import json
import math
import re
import socket
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float


def fetch(port: int, method: str, path: str, headers: dict | None = None, body: bytes | None = None,
          timeout: float = 120) -> Response:
    """One HTTP/1.1 request on a new connection, ``Connection: close`` (gunicorn's sync workers
    close every connection anyway), read to the end.

    A plain socket rather than http.client: the load tool shares the machine's cores with the
    server it measures, and http.client's header parsing (the email package's) cost it more
    CPU per request than the rest of the client. Still real HTTP, checked: a status line, its
    headers, and a body as long as its Content-Length says (or chunked, decoded), else
    ``http.client.HTTPException``.
    """
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
             *(f"{k}: {v}" for k, v in (headers or {}).items())]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    seconds = time.perf_counter() - started
    return _parsed(b"".join(chunks), method, seconds)


def _parsed(raw: bytes, method: str, seconds: float) -> Response:
    head, separator, data = raw.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    version, _, rest = status_line.partition(" ")
    code = rest[:3]
    if not separator or not version.startswith("HTTP/1.") or not code.isdigit():
        raise http.client.BadStatusLine(status_line[:80])
    headers = {}
    for line in header_lines:
        name, colon, value = line.partition(":")
        if not colon:
            raise http.client.HTTPException(f"bad header line {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    status = int(code)
    if method == "HEAD" or status in (204, 304) or 100 <= status < 200:
        data = b""
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        data = _dechunked(data)
    elif "content-length" in headers and len(data) != int(headers["content-length"]):
        raise http.client.IncompleteRead(data, int(headers["content-length"]) - len(data))
    return Response(status, headers, data, seconds)


def _dechunked(data: bytes) -> bytes:
    out, at = [], 0
    while True:
        end = data.find(b"\r\n", at)
        if end < 0:
            raise http.client.IncompleteRead(b"".join(out))
        size = int(data[at:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2:end + 2 + size])
        if len(out[-1]) != size:
            raise http.client.IncompleteRead(b"".join(out), size - len(out[-1]))
        at = end + 2 + size + 2


@dataclass
class Load:
    """What a load run saw: latencies of the expected answers, and everything else."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    problems: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def errors(self) -> int:
        return sum(self.problems.values())

    def percentile(self, p: float) -> float | None:
        if not self.latencies:
            return None
        ordered = sorted(self.latencies)  # nearest rank
        return ordered[max(0, min(len(ordered) - 1, math.ceil(p / 100 * len(ordered)) - 1))]

    @property
    def rate(self) -> float | None:
        return len(self.latencies) / self.elapsed if self.elapsed else None


def run_load(port: int, requests: Callable[[int, int], tuple], *, concurrency: int,
             count: int | None = None, duration: float | None = None, expect=(200,),
             per_client: int | None = None) -> Load:
    """Send requests from ``concurrency`` threads until ``count`` are sent or ``duration`` is up.

    ``requests(client, n)`` gives (method, path, headers, body) for a client's n-th request.
    """
    result, lock = Load(), threading.Lock()
    sent = [0]
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def client(index: int) -> None:
        start.wait()
        n = 0
        while True:
            with lock:
                if count is not None and sent[0] >= count:
                    return
                if duration is not None and time.perf_counter() >= deadline[0]:
                    return
                if per_client is not None and n >= per_client:
                    return
                sent[0] += 1
            method, path, headers, body = requests(index, n)
            n += 1
            try:
                resp = fetch(port, method, path, headers, body)
            except (OSError, http.client.HTTPException) as exc:  # a result, not a crash
                with lock:
                    result.problems[type(exc).__name__] += 1
                continue
            with lock:
                result.statuses[resp.status] += 1
                if resp.status in expect:
                    result.latencies.append(resp.seconds)
                else:
                    result.problems[f"HTTP {resp.status}"] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + (duration or 0)
    began = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join(timeout=(duration or 0) + 600)
    result.elapsed = time.perf_counter() - began
    return result


WRK_DONE = """
done = function(summary, latency, requests)
  io.write(string.format(
    "WRK_JSON {\\"requests\\": %d, \\"duration_us\\": %d, \\"connect\\": %d, \\"read\\": %d, "
    .. "\\"write\\": %d, \\"status\\": %d, \\"timeout\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d}\\n",
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.status, summary.errors.timeout,
    latency:percentile(50), latency:percentile(95)))
end
"""


@dataclass
class Throughput:
    rate: float
    requests: int
    errors: int
    tool: str


def throughput(port: int, path: str, headers: dict, args, work: Path) -> Throughput:
    """Requests per second for ``duration`` seconds: wrk if installed, else the Python client."""
    if args.wrk:
        script = work / "wrk.lua"
        lines = [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
        script.write_text("\n".join(lines) + WRK_DONE)
        command = [args.wrk, "-t", str(min(2, args.connections)), "-c", str(args.connections),
                   "-d", f"{args.duration}s", "--timeout", "60s", "-s", str(script),
                   f"http://127.0.0.1:{port}{path}"]
        out = subprocess.run(command, capture_output=True, text=True, timeout=args.duration + 120,
                             check=False)
        match = re.search(r"^WRK_JSON (.*)$", out.stdout, re.MULTILINE)
        if out.returncode != 0 or match is None:
            raise RuntimeError(f"wrk failed ({out.returncode}): {out.stderr.strip() or out.stdout.strip()}")
        data = json.loads(match.group(1))
        errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
        seconds = data["duration_us"] / 1e6
        return Throughput((data["requests"] - errors) / seconds, data["requests"], errors, "wrk")
    load = run_load(port, lambda c, n: ("GET", path, headers, None), concurrency=args.connections,
                    duration=args.duration, expect=(200, 304))
    return Throughput(load.rate or 0.0, sum(load.statuses.values()) + load.errors, load.errors, "python")
