"""The secretariat's work dashboard: where it lands after signing in."""

from __future__ import annotations

from flask import render_template

from tracker.routes.forms import now
from tracker.routes.secretariat import bp
from tracker.services.work_dashboard import work_dashboard


@bp.route("/", endpoint="dashboard")
def dashboard():
    """Per plan: reports waiting for review, actions overdue, reports missing in the current
    round, reminders unanswered; each figure links to the page where the work is done."""
    today = now().date()
    return render_template("secretariat/dashboard.html", rows=work_dashboard(today), today=today)
