"""The app (or the bare route) under gunicorn, started and stopped by the benchmark."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from http_load import fetch

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def read_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def kib(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


class Server:
    """``gunicorn -w N -b 127.0.0.1:PORT <app>`` from the repository root, with its workers."""

    def __init__(self, app: str, workers: int, env: dict, log: Path):
        self.app, self.workers, self.log_path = app, workers, log
        self.port = free_port()
        self.env = {**os.environ, **env}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        self.log = open(self.log_path, "a")
        self.log.write(f"\n--- {datetime.now(UTC).isoformat()} gunicorn {self.app} on {self.port}\n")
        self.log.flush()
        self._log_start = self.log_path.stat().st_size
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(self.workers), "-b", f"127.0.0.1:{self.port}", self.app],
            cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def worker_pids(self) -> list[int]:
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            return [int(c) for c in children]
        except OSError:  # no CONFIG_PROC_CHILDREN: scan /proc for our children
            found = []
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text()
                    except OSError:
                        continue
                    if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                        found.append(int(entry.name))
            return found

    def _wait_ready(self, timeout: float = 180) -> None:
        """Until the server answers and every worker has loaded the app.

        Workers import the app after they fork (no --preload), so the first answer only
        proves one worker is up; a worker that has loaded the app is several times the
        size of a freshly forked one, which is what the RSS check waits for.
        """
        deadline = time.monotonic() + timeout
        answered = False
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log_tail()}")
            if not answered:
                try:
                    fetch(self.port, "GET", "/", timeout=30)
                    answered = True
                except OSError:
                    time.sleep(0.2)
                    continue
            sizes = [kib(read_status(pid).get("VmRSS")) for pid in self.worker_pids()]
            if len(sizes) == self.workers and min(sizes) > 0.7 * max(sizes):
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s: {self.log_tail()}")

    def peak_rss_kib(self) -> int:
        """The largest VmHWM (peak resident set) among the workers."""
        return max((kib(read_status(pid).get("VmHWM")) for pid in self.worker_pids()), default=0)

    def log_mark(self) -> int:
        self.log.flush()
        return self.log_path.stat().st_size

    def new_log(self, mark: int | None = None) -> str:
        """The log written since ``mark`` (default: since this server started)."""
        self.log.flush()
        with open(self.log_path, "rb") as handle:
            handle.seek(self._log_start if mark is None else mark)
            return handle.read().decode(errors="replace")

    def log_tail(self, lines: int = 15) -> str:
        self.log.flush()
        return "\n".join(self.log_path.read_text().splitlines()[-lines:])

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=30)
        self.log.close()


def server_problems(log: str) -> str:
    """What the server log says went wrong: tracebacks' last lines and worker timeouts."""
    found = Counter()
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if "WORKER TIMEOUT" in line:
            found["worker timeout"] += 1
        if line.startswith("Traceback"):
            for later in lines[i + 1:]:
                if later and not later.startswith((" ", "\t", "Traceback", "During handling", "The above")):
                    found[later.strip()[:160]] += 1
                    break
    return "; ".join(f"{n} x {what}" for what, n in found.most_common(3))
