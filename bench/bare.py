"""The ceiling for bench/run.py: a bare Flask app with one route, served like the tracker.

    gunicorn -w 4 -b 127.0.0.1:8001 bench.bare:app

No database, no templates, no extensions: what gunicorn and Flask alone cost per request
on this machine, so the tracker's pages can be read as a fraction of it.
"""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    """A short constant answer."""
    return "Hello from a bare Flask route."
