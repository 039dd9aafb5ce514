"""What the benchmark knows of the machine: cores, memory, load, and the CPU others use."""

from __future__ import annotations

import os
import platform
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server import Server

ROOT = Path(__file__).resolve().parents[1]


def machine() -> dict:
    """Cores, CPU model, memory and load, from /proc."""
    info = {"cores": os.cpu_count() or 1, "cpu": platform.processor() or platform.machine(),
            "memory": "unknown", "kernel": platform.release(), "python": platform.python_version()}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        mem = dict(line.split(":", 1) for line in Path("/proc/meminfo").read_text().splitlines())
        info["memory"] = f"{int(mem['MemTotal'].split()[0]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return info


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0, 0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


def background_cpu(seconds: float = 1.0) -> float | None:
    """How busy the machine is while we send nothing (other processes), 0..1."""
    busy0, total0 = cpu_times()
    time.sleep(seconds)
    busy1, total1 = cpu_times()
    return (busy1 - busy0) / (total1 - total0) if total1 > total0 else None


def process_jiffies(pid: int) -> int:
    """CPU time of a process and of the children it has reaped, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return sum(int(v) for v in fields[11:15])  # utime, stime, cutime, cstime


def database_backends(database: str) -> list[int]:
    """PostgreSQL's server processes serving ``database`` (their title names it), by /proc."""
    found = []
    needle = f" {database} ".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                title = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if title.startswith(b"postgres:") and needle in title:
                found.append(int(entry.name))
    return found


class OtherLoad:
    """The share of the CPUs that processes other than ours (server, load tool) used meanwhile.

    With ``database`` (a PostgreSQL database's name) the server processes serving that
    database count as ours too: they are the database under test, not someone else's load.
    ``breakdown()`` then says who used the CPUs: the app's workers, the load tool (this
    process: its client threads), the database, others, and what stayed idle.
    """

    def __init__(self, server: Server, database: str | None = None):
        self.server = server
        self.database = database
        self.start = self._sample()

    def _sample(self) -> dict[str, int]:
        busy, total = cpu_times()
        own = os.times()
        tool = round((own.user + own.system + own.children_user + own.children_system)
                     * os.sysconf("SC_CLK_TCK"))
        app = sum(process_jiffies(pid) for pid in [self.server.process.pid, *self.server.worker_pids()])
        database = 0
        if self.database:
            self._backends = getattr(self, "_backends", {})
            for pid in database_backends(self.database):
                self._backends[pid] = process_jiffies(pid)
            database = sum(self._backends.values())  # a backend that ended keeps its last count
        return {"busy": busy, "total": total, "tool": tool, "app": app, "database": database}

    def share(self) -> float | None:
        parts = self.breakdown()
        return None if parts is None else parts["others"]

    def breakdown(self) -> dict[str, float] | None:
        """Shares of all the CPUs since the start, 0..1: app, tool, database, others, idle."""
        end = self._sample()
        spent = {k: end[k] - self.start[k] for k in end}
        if spent["total"] <= 0:
            return None
        total = spent["total"]
        ours = spent["app"] + spent["tool"] + spent["database"]
        return {"app": spent["app"] / total, "tool": spent["tool"] / total,
                "database": spent["database"] / total, "others": max(0.0, (spent["busy"] - ours) / total),
                "idle": max(0.0, 1 - spent["busy"] / total)}


def quiet_moment(args) -> float | None:
    """Wait (up to ``--wait-idle`` seconds) until other processes leave the CPUs mostly idle.

    Returns how busy they kept the CPUs in the last second sampled, for the report.
    """
    deadline = time.monotonic() + args.wait_idle
    while True:
        busy = background_cpu()
        if busy is None or busy <= args.idle_threshold or time.monotonic() >= deadline:
            return busy


def tree_version() -> str:
    try:
        return subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                              text=True, timeout=10, check=False).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        return "unknown"
