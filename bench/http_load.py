"""Load on 127.0.0.1: one request at a time, many from threads, or wrk for throughput."""

from __future__ import annotations

import http.client
import json
import math
import re
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
    """One request on a new connection (gunicorn's sync workers close every connection)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    started = time.perf_counter()
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data,
                        time.perf_counter() - started)
    finally:
        conn.close()


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
