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

import re
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


def _escaped(text: str) -> str:
    """``text`` escaped with markupsafe's entities (so the page reads as the templates wrote
    it), as a plain ``str``: a ``Markup`` per value was a third of the rows' time."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


# What Jinja's |urlencode leaves as it is in a string: most codes ("R25", "A1.2") need no quoting.
_URL_SAFE = re.compile(r"[A-Za-z0-9_.~/-]*")


def _code_link(prefix: str, code: str) -> str:
    # ``prefix`` is already escaped; the code quoted as |urlencode quotes a string (all but "/").
    quoted = code if _URL_SAFE.fullmatch(code) else quote(code, safe="/")
    return f'<a href="{prefix}{quoted}">{_escaped(code)}</a>'


def _page_words(cells: RowCells) -> dict[str, str]:
    # The words and link prefixes escaped once a page (the words are the template's markup).
    return {name: str(escape(value)) for name, value in {**cells.words, **cells.links}.items()}


def recommendation_rows(rows, cells: RowCells) -> Markup:
    """The ``<tr>`` of each recommendation: code, text (with what was done, the institutions
    and the source), area, status (then, on an as-of page) and timeframe."""
    marking, badges, words = cells.marking, cells.badges, _page_words(cells)
    timeframes = {key: str(escape(value)) for key, value in cells.timeframes.items()}
    out = []
    for rec in rows:
        described = str(marking.content(rec, "text"))
        if rec.actions_taken:
            described += (f' <p class="actions-taken"><em>{words["actions_taken"]}:</em> '
                          f'{marking.original(rec.actions_taken)}</p>')
        if rec.institutions:
            described += f' <p class="meta">{words["institutions"]}: {marking.original("; ".join(rec.institutions))}</p>'
        if rec.source_document or rec.source_section or rec.source_lines:
            described += f' <p class="source">{words["source"]}: {citation_html(rec, marking)}</p>'
        area = marking.content(rec.area, "name") if rec.area else words["other"]
        if cells.statuses_then is not None:
            then = cells.statuses_then.get(rec.id)
            status = badges[then] if then else f'<span class="tag">{words["not_recorded"]}</span>'
        else:
            status = badges[rec.status_key]
        timeframe = ""
        if rec.timeframe:
            # A timeframe the schema no longer takes (old data) has no translation: as stored.
            timeframe = timeframes.get(rec.timeframe) or _escaped(f"{rec.timeframe} term")
        out.append(f'<tr id="rec-{_escaped(rec.code)}"><th scope="row">{_code_link(words["recommendation"], rec.code)}'
                   f"</th><td>{described}</td><td>{area}</td><td>{status}</td><td>{timeframe}</td></tr>")
    return Markup("\n".join(out))


def action_rows(rows, cells: RowCells) -> Markup:
    """The ``<tr>`` of each action (``is-overdue`` when it is): code and title, lead agency,
    start, due (and "overdue"), status and percent complete."""
    marking, badges, locale, words = cells.marking, cells.badges, cells.locale, _page_words(cells)
    overdue = f' <span class="overdue"><span aria-hidden="true">⚠ </span>{words["overdue"]}</span>'
    out = []
    for action in rows:
        late = action.is_overdue(cells.today)
        if action.lead_agency_id is not None:
            agency = (f'<a href="{words["agency"]}{action.lead_agency_id}">'
                      f"{marking.original(action.lead_agency_name)}</a>")
        else:
            agency = words["not_assigned"]
        start = _escaped(day(action.start_date, locale)) if action.start_date else ""
        due = _escaped(day(action.due_date, locale)) if action.due_date else ""
        out.append(
            ('<tr class="is-overdue">' if late else "<tr>") + '<th scope="row">'
            f'{_code_link(words["action"], action.code)} {marking.content(action, "title")}</th>'
            f"<td>{agency}</td><td>{start}</td><td>{due}{overdue if late else ''}</td>"
            f"<td>{badges[action.status_key]}</td><td>{_escaped(percent(action.percent_complete, locale))}</td></tr>")
    return Markup("\n".join(out))


def row_cells(**values) -> RowCells:
    """The template's ``row_cells(badges=..., words=..., ...)``: a ``RowCells`` in the
    request's language and locale."""
    return RowCells(marking=page_marking(), locale=str(get_locale()), **values)


def init_app(app: Flask) -> None:
    """Make ``row_cells``, ``recommendation_rows`` and ``action_rows`` Jinja globals."""
    app.jinja_env.globals.update(row_cells=row_cells, recommendation_rows=recommendation_rows,
                                 action_rows=action_rows)
