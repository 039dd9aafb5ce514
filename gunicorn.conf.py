"""gunicorn's settings for the tracker: ``gunicorn -c gunicorn.conf.py wsgi:app``.

gunicorn reads this file by itself when started from this folder; deploy/ names it with
``-c``. The bind address and timeouts come from the command line or ``GUNICORN_CMD_ARGS``
(see deploy/systemd/tracker-app@.service), which also win over the worker counts below.
The file keeps three rules:

* Which ``X-Forwarded-*`` headers to believe is decided by the application alone, through
  ``TRACKER_TRUSTED_PROXIES`` (0, the default, believes none; see tracker/web/security.py).
  gunicorn's own defaults would believe ``X-Forwarded-Proto`` from any client on
  127.0.0.1 and take such a request for HTTPS, whatever that setting says.
* ``/metrics`` adds up every worker's figures through prometheus_client's multiprocess
  mode: a directory of this server's own (``PROMETHEUS_MULTIPROC_DIR``; systemd gives each
  instance one under /run), emptied when the server starts, a dead worker's live
  figures dropped. Unset, a temporary directory is made and removed at exit.
* Workers: two worker processes per core (gunicorn's ``WEB_CONCURRENCY`` overrides the
  count), one thread each (gunicorn's sync worker) unless ``GUNICORN_THREADS`` asks for
  gthread workers. Threads were measured and lost: 50 clients submitting reports on the
  benchmark's 2 cores (bench/RESULTS.md, quiet machine) gave p95 473 ms on PostgreSQL and
  527 ms on SQLite with sync workers, 601 and 995 ms with 4 threads per worker (Python runs
  one thread of a process at a time, and on SQLite the threads queue for its write lock).
"""

import os
import shutil
import tempfile
from pathlib import Path

# Believe no forwarded header here: the app's ProxyFix applies TRACKER_TRUSTED_PROXIES.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * (os.cpu_count() or 1))
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
# With threads (GUNICORN_THREADS > 1), a worker takes a connection only when one of its
# threads is free for it: the others wait in the kernel's queue, which every worker serves
# in arrival order. gunicorn's default
# (1000 per worker) let one worker take many connections and queue them behind its own
# busy threads while another sat idle, so a few clients waited many times the median.
worker_connections = threads
# So a connection closes after its response (as with gunicorn's sync worker): one left
# open would hold a thread's place. A reverse proxy in front keeps its clients' alive.
keepalive = 0

# Set before the app (and prometheus_client) is imported: the mode is chosen at import.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tracker-metrics-")
    _made_metrics_dir = True
else:
    _made_metrics_dir = False


def on_starting(server):
    # Figures left by an earlier run of this instance would be added to this one's.
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    if _made_metrics_dir:
        shutil.rmtree(os.environ["PROMETHEUS_MULTIPROC_DIR"], ignore_errors=True)
