"""The public plan page's two tables' rows as HTML: rows in (``services.item_tables``'
``RecommendationRow`` and ``ActionRow``, or ``publishing.as_of.ActionThen``), ``Markup`` out.

A page shows 100 rows of five or six cells. Written by a Jinja loop, each cell's helper,
filter and macro call (and each lookup of the page's language in them) cost more than all
the page's statements: half its time. Here a row is one f-string, and what every row writes
the same way (the language and its marker, the locale, the status badges, the words, the
link prefixes) is taken once per page (``RowCells``). The tables' heads, pagers and the
rest of the page stay in ``templates/public/plan.html``, which builds the ``RowCells``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from flask import Flask
from flask_babel import get_locale
from markupsafe import Markup, escape

from tracker.formats import day, percent
from tracker.web.citations import citation_html
from tracker.web.content_language import ContentMarking, page_marking


@dataclass(frozen=True)
class RowCells:
    """What every row of a page writes the same way, taken once per page."""

    marking: ContentMarking  # the page's language: translated content, marked originals
    locale: str  # dates and percentages
    badges: Mapping[str, Markup]  # a status key -> its badge (the template's ``badge`` macro)
    # Words of the page, translated by the template (markup, as its ``_()`` gives): "actions_taken",
    # "institutions", "source", "other" (no area), "not_assigned", "overdue", "not_recorded".
    words: Mapping[str, str]
    timeframes: Mapping[str, str]  # "short" -> "short term", in the page's language
    # The rows' address prefixes, to which a code or an id is added: "action", "recommendation", "agency".
    links: Mapping[str, str]
    today: date  # overdue as of this day (the as-of day on a page of the past)
    statuses_then: Mapping[int, str] | None = None  # the as-of page's: recommendation id -> status key then


def _code_link(prefix: str, code: str) -> str:
    # As Jinja's |urlencode quotes a string (all but "/"), then escaped.
    return f'<a href="{escape(prefix)}{escape(quote(code, safe="/"))}">{escape(code)}</a>'


def recommendation_rows(rows, cells: RowCells) -> Markup:
    """The ``<tr>`` of each recommendation: code, text (with what was done, the institutions
    and the source), area, status (then, on an as-of page) and timeframe."""
    marking, words, badges = cells.marking, cells.words, cells.badges
    out = []
    for rec in rows:
        described = marking.content(rec, "text")
        if rec.actions_taken:
            described += Markup(f' <p class="actions-taken"><em>{escape(words["actions_taken"])}:</em> '
                                f'{marking.original(rec.actions_taken)}</p>')
        if rec.institutions:
            described += Markup(f' <p class="meta">{escape(words["institutions"])}: '
                                f'{marking.original("; ".join(rec.institutions))}</p>')
        if rec.source_document or rec.source_section or rec.source_lines:
            described += Markup(f' <p class="source">{escape(words["source"])}: {citation_html(rec, marking)}</p>')
        area = marking.content(rec.area, "name") if rec.area else escape(words["other"])
        if cells.statuses_then is not None:
            then = cells.statuses_then.get(rec.id)
            status = badges[then] if then else Markup(f'<span class="tag">{escape(words["not_recorded"])}</span>')
        else:
            status = badges[rec.status_key]
        timeframe = ""
        if rec.timeframe:
            # A timeframe the schema no longer takes (old data) has no translation: as stored.
            timeframe = escape(cells.timeframes.get(rec.timeframe) or f"{rec.timeframe} term")
        out.append(f'<tr id="rec-{escape(rec.code)}"><th scope="row">{_code_link(cells.links["recommendation"], rec.code)}'
                   f"</th><td>{described}</td><td>{area}</td><td>{status}</td><td>{timeframe}</td></tr>")
    return Markup("\n".join(out))


def action_rows(rows, cells: RowCells) -> Markup:
    """The ``<tr>`` of each action (``is-overdue`` when it is): code and title, lead agency,
    start, due (and "overdue"), status and percent complete."""
    marking, words, locale = cells.marking, cells.words, cells.locale
    agency_link = escape(cells.links["agency"])
    overdue = Markup(f' <span class="overdue"><span aria-hidden="true">⚠ </span>{escape(words["overdue"])}</span>')
    out = []
    for action in rows:
        late = action.is_overdue(cells.today)
        if action.lead_agency_id is not None:
            agency = (f'<a href="{agency_link}{action.lead_agency_id}">'
                      f"{marking.original(action.lead_agency_name)}</a>")
        else:
            agency = escape(words["not_assigned"])
        start = escape(day(action.start_date, locale)) if action.start_date else ""
        due = escape(day(action.due_date, locale)) if action.due_date else ""
        out.append(
            ('<tr class="is-overdue">' if late else "<tr>") + '<th scope="row">'
            f'{_code_link(cells.links["action"], action.code)} {marking.content(action, "title")}</th>'
            f"<td>{agency}</td><td>{start}</td><td>{due}{overdue if late else ''}</td>"
            f"<td>{cells.badges[action.status_key]}</td><td>{escape(percent(action.percent_complete, locale))}</td></tr>")
    return Markup("\n".join(out))


def row_cells(**values) -> RowCells:
    """The template's ``row_cells(badges=..., words=..., ...)``: a ``RowCells`` in the
    request's language and locale."""
    return RowCells(marking=page_marking(), locale=str(get_locale()), **values)


def init_app(app: Flask) -> None:
    """Make ``row_cells``, ``recommendation_rows`` and ``action_rows`` Jinja globals."""
    app.jinja_env.globals.update(row_cells=row_cells, recommendation_rows=recommendation_rows,
                                 action_rows=action_rows)
