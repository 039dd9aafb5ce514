"""Time the sign-in methods' own work (issue 19): what a second factor and the log add.

    .venv/bin/python bench/sign_in.py [--runs 50] [--database-url URL]

On a fresh database (a temporary SQLite file unless a URL is given; a PostgreSQL one is
emptied first): a password check with its log entry, a TOTP check (time moves on 30 s per
run, as it is a parameter), the QR code of enrolment, and two pages through the test
client: the enrolment page and the account page with 50 logged sign-ins. Prints p50/p95 in
ms and the machine's load. Not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import flask_migrate
import pyotp
from sqlalchemy import create_engine, text

from tracker import create_app
from tracker.extensions import db
from tracker.services import two_factor
from tracker.services.sign_in_log import record_attempt
from tracker.services.users import create_user, sign_in

NOW = datetime(2027, 3, 24, 7, 0, tzinfo=UTC)
PASSWORD = "bench password 2027"


def timed(label: str, runs: int, work) -> None:
    took = []
    for run in range(runs):
        start = time.perf_counter()
        work(run)
        took.append((time.perf_counter() - start) * 1000)
    took.sort()
    p95 = took[min(len(took) - 1, round(0.95 * len(took)) - 1)]
    print(f"{label:<52} p50 {statistics.median(took):7.2f} ms   p95 {p95:7.2f} ms   ({runs} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    url = args.database_url or "sqlite:///" + os.path.join(tempfile.mkdtemp(), "bench.sqlite")
    if url.startswith("postgresql"):
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "TESTING": True})
    with app.app_context():
        flask_migrate.upgrade()
        user = create_user({"email": "bench@example.org", "password": PASSWORD, "role": "secretariat"}, now=NOW)

        def password_and_log(run: int) -> None:
            found = sign_in({"email": user.email, "password": PASSWORD}, remote_addr="127.0.0.1", now=NOW)
            record_attempt(user=found, email=found.email, remote_addr="127.0.0.1", method="password",
                           succeeded=True, now=NOW)

        timed("password check + sign-in log entry", args.runs, password_and_log)
        secret = two_factor.new_secret()
        two_factor.enable(user, secret, {"code": pyotp.TOTP(secret).at(NOW)}, now=NOW)
        totp = pyotp.TOTP(secret)

        def totp_check(run: int) -> None:
            at = NOW + timedelta(seconds=30 * (run + 1))
            assert two_factor.check_code(user, {"code": totp.at(at)}, now=at) == "authenticator"

        timed("TOTP code check (accepted once, in SQL)", args.runs, totp_check)
        uri = two_factor.provisioning_uri(user.email, secret, "Action-plan tracker")
        timed("QR code as SVG", args.runs, lambda run: two_factor.qr_code_svg(uri))
        two_factor.reset(user)
        db.session.remove()

    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    assert client.post("/sign-in", data={"email": "bench@example.org", "password": PASSWORD,
                                         "csrf_token": token}).status_code == 302
    timed("GET /account/two-factor (enrolment, QR code)", args.runs,
          lambda run: client.get("/account/two-factor").status_code == 200 or sys.exit("enrolment page failed"))
    timed("GET /account/ (50 sign-ins in the log)", args.runs,
          lambda run: client.get("/account/").status_code == 200 or sys.exit("account page failed"))
    with app.app_context():
        db.engine.dispose()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
