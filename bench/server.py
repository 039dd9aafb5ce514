"""The app (or the bare route) under gunicorn, started and stopped by the benchmark."""

from __future__ import annotations

import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Self

from tests.fixtures.servers import Gunicorn


def read_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def kib(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


class Server(Gunicorn):
    """``gunicorn -w N <app>`` from the repository root, with its workers: the tests' launcher
    (tests/fixtures/servers.py), without ``--preload``, ready once every worker has the app."""

    def __init__(self, app: str, workers: int, env: dict, log: Path, threads: int = 1):
        super().__init__(log=log, env=env, app=app, workers=workers, threads=threads, preload=False, timeout=30,
                         log_level="info", ready_path="/", stop_grace=30)
        self.log_path = self.log

    def __enter__(self) -> Self:
        with open(self.log_path, "a") as log:
            log.write(f"\n--- {datetime.now(UTC).isoformat()} gunicorn {self.app} on {self.port}\n")
        self._log_start = self.log_path.stat().st_size
        return self.start(wait=180)

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

    def wait_until_ready(self, wait: float) -> None:
        """Until the server answers and every worker has loaded the app.

        Workers import the app after they fork (no --preload), so the first answer only
        proves one worker is up; a worker that has loaded the app is several times the
        size of a freshly forked one, which is what the RSS check waits for.
        """
        deadline = time.monotonic() + wait
        super().wait_until_ready(wait)
        while time.monotonic() < deadline:
            sizes = [kib(read_status(pid).get("VmRSS")) for pid in self.worker_pids()]
            if len(sizes) == self.workers and min(sizes) > 0.7 * max(sizes):
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready after {wait:.0f} s: {self.log_tail()}")

    def peak_rss_kib(self) -> int:
        """The largest VmHWM (peak resident set) among the workers."""
        return max((kib(read_status(pid).get("VmHWM")) for pid in self.worker_pids()), default=0)

    def log_mark(self) -> int:
        return self.log_path.stat().st_size

    def new_log(self, mark: int | None = None) -> str:
        """The log written since ``mark`` (default: since this server started)."""
        return self.log_since(self._log_start if mark is None else mark)

    def log_tail(self, lines: int = 15) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


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
