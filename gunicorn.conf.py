"""gunicorn's settings for the tracker: ``gunicorn -c gunicorn.conf.py wsgi:app``.

gunicorn reads this file by itself when started from this folder; deploy/ names it with
``-c``. Bind address, workers and timeouts come from the command line or
``GUNICORN_CMD_ARGS`` (see deploy/systemd/tracker-app@.service). The file keeps two rules:

* Which ``X-Forwarded-*`` headers to believe is decided by the application alone, through
  ``TRACKER_TRUSTED_PROXIES`` (0, the default, believes none; see tracker/web/security.py).
  gunicorn's own defaults would believe ``X-Forwarded-Proto`` from any client on
  127.0.0.1 and take such a request for HTTPS, whatever that setting says.
* ``/metrics`` adds up every worker's figures through prometheus_client's multiprocess
  mode: a directory of this server's own (``PROMETHEUS_MULTIPROC_DIR``; systemd gives each
  instance one under /run), emptied when the server starts, a dead worker's live
  figures dropped. Unset, a temporary directory is made and removed at exit.
"""

import os
import shutil
import tempfile
from pathlib import Path

# Believe no forwarded header here: the app's ProxyFix applies TRACKER_TRUSTED_PROXIES.
forwarded_allow_ips = ""
secure_scheme_headers: dict[str, str] = {}

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
