"""Secretariat pages: bringing plans in from spreadsheets and taking them out again."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.routes.guards import require_roles
from tracker.services.permissions import STAFF_ROLES
from tracker.services.plans import get_plan, list_plans
from tracker.services.spreadsheets import COLUMNS, export_rows, import_spreadsheet, to_csv, to_xlsx
from tracker.services.transaction import Actor

bp = Blueprint("secretariat", __name__, url_prefix="/secretariat")

EXPORTS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


# Only the secretariat (and admins) may use these pages.
bp.before_request(require_roles(*STAFF_ROLES))


@bp.route("/plans")
def plans():
    """Every plan, published or not, with its spreadsheet downloads."""
    return render_template("secretariat/plans.html", plans=list_plans())


@bp.route("/import", methods=["GET", "POST"])
def import_plan():
    """Upload a CSV or XLSX plan: check it (dry run) or import it, all or nothing."""
    result, errors, dry_run = None, {}, True
    if request.method == "POST":
        upload = request.files.get("file")
        dry_run = request.form.get("mode") != "import"
        if upload is None or not upload.filename:
            errors["file"] = _("Choose a CSV or XLSX file.")
        else:
            result = import_spreadsheet(
                upload.filename,
                upload.read(),
                actor=Actor.of(current_user),
                now=datetime.now(UTC),
                max_bytes=current_app.config["MAX_SPREADSHEET_BYTES"],
                dry_run=dry_run,
            )
    status = 422 if errors or (result and not result.ok) else 200
    return (
        render_template(
            "secretariat/import.html", result=result, errors=errors, dry_run=dry_run, columns=COLUMNS
        ),
        status,
    )


@bp.route("/plans/<slug>/export.<fmt>")
def export_plan(slug: str, fmt: str):
    """Download a plan in the spreadsheet format."""
    if fmt not in EXPORTS:
        abort(404)
    plan = get_plan(slug)
    write, mimetype = EXPORTS[fmt]
    return Response(
        write(export_rows(plan)),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{plan.slug}.{fmt}"'},
    )
