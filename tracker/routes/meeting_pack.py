"""The meeting pack of a plan, as a page and as a PDF.

``/plans/<slug>/pack?since=YYYY-MM-DD``      the page (print it, or read it on screen)
``/plans/<slug>/pack.pdf?since=YYYY-MM-DD``  the same page as a PDF (WeasyPrint)

The secretariat (and admins) get the pack of any plan, with the reports waiting for
review; everyone else gets the pack of a published plan without them
(``publishing.meeting_pack``). The public's copies are kept by the public cache.
"""

from __future__ import annotations

from flask import Blueprint, current_app, make_response, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import ServiceUnavailable

from tracker.charts import html
from tracker.publishing.chart_words import RANKING_RULE, html_words
from tracker.publishing.meeting_pack import meeting_pack
from tracker.routes.forms import now
from tracker.routes.public import _date_arg
from tracker.services.permissions import is_staff
from tracker.services.plans import get_plan
from tracker.web.pdf import PdfUnavailable, html_to_pdf
from tracker.web.public_cache import public_page, public_response

bp = Blueprint("meeting_pack", __name__)


def _render(slug: str, *, pdf: bool):
    """The pack page's HTML and its status (400 for a bad ``since``, named on the page)."""
    viewer = current_user if current_user.is_authenticated else None
    staff = is_staff(viewer)
    plan = get_plan(slug, published_only=not staff)
    since, error = _date_arg("since")
    pack = meeting_pack(plan, today=now().date(), since=since, viewer=viewer, staff=staff, locale=get_locale())
    prefix = request.script_root + "/agencies/"

    def agency_href(name: str) -> str | None:
        agency_id = pack.agency_ids.get(name)
        # The public agency page lists published plans only.
        return f"{prefix}{agency_id}" if agency_id is not None and plan.published else None

    page = render_template(
        "public/pack.html", plan=plan, pack=pack, error=error, pdf=pdf, rule=RANKING_RULE,
        ranking=html.ranking_html(pack.ranking, agency_href, _("Lead agencies, best first"),
                                  html_words(get_locale())),
    )
    return page, (400 if error else 200)


@bp.route("/plans/<slug>/pack")
@public_page
def pack(slug: str):
    """The meeting pack: headlines, scorecard, changes since the last meeting, overdue
    actions by agency, reports waiting for review (secretariat), the agency ranking."""
    return _render(slug, pdf=False)


@bp.route("/plans/<slug>/pack.pdf")
@public_response
def pack_pdf(slug: str):
    """The meeting pack as a PDF; a 503 page when this server cannot make PDFs."""
    page, status = _render(slug, pdf=True)
    if status != 200:
        return page, status
    try:
        document = html_to_pdf(page, base_url=request.host_url, static_folder=current_app.static_folder,
                               static_path=request.script_root + current_app.static_url_path + "/")
    except PdfUnavailable as exc:
        current_app.logger.error("meeting pack PDF: cannot make PDFs here: %s", exc)
        raise ServiceUnavailable(_(
            "This server cannot make PDF files just now (the PDF library or the system libraries it "
            "needs are missing). The pack is on its page: print it from your browser, or try again later."
        )) from None
    response = make_response(document)
    response.mimetype = "application/pdf"
    day = now().date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="{plan_file(slug)}-pack-{day}.pdf"'
    return response


def plan_file(slug: str) -> str:
    """The slug as a file-name part: slugs are already safe, but a header must never carry a quote."""
    return "".join(c for c in slug if c.isalnum() or c in "-_") or "plan"
