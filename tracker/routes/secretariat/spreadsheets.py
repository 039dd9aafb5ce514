"""Plans in from spreadsheets (checked or imported) and out again (CSV or XLSX)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from tracker.exchange.spreadsheets.columns import COLUMNS
from tracker.exchange.spreadsheets.importing import import_spreadsheet
from tracker.exchange.spreadsheets.reading import SpreadsheetLimits
from tracker.exchange.spreadsheets.writing import export_rows, to_csv, to_xlsx
from tracker.routes.secretariat import bp
from tracker.services.plans import get_plan
from tracker.services.transaction import Actor

EXPORTS = {
    "csv": (to_csv, "text/csv; charset=utf-8"),
    "xlsx": (to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@bp.route("/import", methods=["GET", "POST"])
def import_plan():
    """Upload a CSV or XLSX plan: check it (dry run) or import it, all or nothing."""
    result, errors, dry_run = None, {}, True
    options = {"publish": False, "create_agencies": False}
    if request.method == "POST":
        upload = request.files.get("file")
        dry_run = request.form.get("mode") != "import"
        options = {name: name in request.form for name in options}
        if upload is None or not upload.filename:
            errors["file"] = _("Choose a CSV or XLSX file.")
        else:
            result = import_spreadsheet(
                upload.filename,
                upload.read(),
                actor=Actor.of(current_user),
                now=datetime.now(UTC),
                limits=SpreadsheetLimits.from_config(current_app.config),
                dry_run=dry_run,
                **options,
            )
    status = 422 if errors or (result and not result.ok) else 200
    return (
        render_template(
            "secretariat/import.html", result=result, errors=errors, dry_run=dry_run, options=options,
            columns=COLUMNS,
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
