"""The plan page's table rows written in Python (``tracker.web.table_rows``): what the template's
loop wrote, escaped the same way, in the page's language."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from tracker.services.item_tables import ActionRow, AreaName, RecommendationRow
from tracker.web.content_language import ContentMarking
from tracker.web.table_rows import RowCells, action_rows, recommendation_rows

WORDS = {"actions_taken": "Actions taken", "institutions": "Institutions", "source": "Source",
         "other": "Other recommendations", "not_assigned": "Not assigned", "overdue": "overdue",
         "not_recorded": "not yet recorded"}
LINKS = {"action": "/plans/p/actions/", "recommendation": "/plans/p/recommendations/", "agency": "/agencies/"}
BADGES = {"ongoing": Markup('<span class="status">Ongoing</span>')}


def cells(language: str = "en", **values) -> RowCells:
    return RowCells(marking=ContentMarking(language, "(original en inglés)"), locale=language, badges=BADGES,
                    words=WORDS, timeframes={"short": "short term"}, links=LINKS, today=date(2026, 6, 1), **values)


def action(**values) -> ActionRow:
    fields = {"id": 1, "code": "A1", "title": "Publish data", "title_translations": {}, "lead_agency_id": 7,
              "lead_agency_name": "Ministry", "start_date": date(2026, 1, 5), "due_date": date(2026, 3, 1),
              "percent_complete": 40, "status_key": "ongoing", "final": False}
    return ActionRow(**{**fields, **values})


def recommendation(**values) -> RecommendationRow:
    fields = {"id": 3, "code": "R1", "text": "Open the data", "text_translations": {}, "actions_taken": None,
              "status_key": "ongoing", "timeframe": "short", "area": None, "source_document": None,
              "source_section": None, "source_lines": None, "source_details": None, "institutions": ()}
    return RecommendationRow(**{**fields, **values})


def test_an_action_row_escapes_what_people_typed_as_the_templates_did():
    html = action_rows([action(code="A&1 'x'", title='<b>"Bold"</b>', lead_agency_name="Tom & Jerry's")], cells())
    assert html == (
        '<tr class="is-overdue"><th scope="row"><a href="/plans/p/actions/A%261%20%27x%27">A&amp;1 &#39;x&#39;</a> '
        "&lt;b&gt;&#34;Bold&#34;&lt;/b&gt;</th><td><a href=\"/agencies/7\">Tom &amp; Jerry&#39;s</a></td>"
        '<td>2026-01-05</td><td>2026-03-01 <span class="overdue"><span aria-hidden="true">⚠ </span>overdue</span></td>'
        '<td><span class="status">Ongoing</span></td><td>40%</td></tr>')


def test_an_action_without_a_lead_agency_or_dates_and_not_late():
    html = action_rows([action(lead_agency_id=None, lead_agency_name=None, start_date=None, due_date=None)], cells())
    assert '<tr><th scope="row">' in html
    assert "<td>Not assigned</td><td></td><td></td>" in html
    assert "overdue" not in html


def test_rows_in_another_language_show_translations_and_mark_originals():
    rows = [recommendation(text_translations={"es": "Abrir los datos"}, actions_taken="Done",
                           institutions=("Agency B", "Agency A"), area=AreaName("Finance", {})),
            recommendation(id=4, code="R2", text="Untranslated", timeframe=None)]
    html = recommendation_rows(rows, cells("es"))
    first, second = html.split("\n")
    assert ('<td>Abrir los datos <p class="actions-taken"><em>Actions taken:</em> <span lang="en">Done</span></p>'
            ' <p class="meta">Institutions: <span lang="en">Agency B; Agency A</span></p></td>') in first
    assert '<td><span lang="en">Finance</span> <span class="original-language">(original en inglés)</span></td>' in first
    assert "<td>short term</td>" in first
    assert ('<td><span lang="en">Untranslated</span> <span class="original-language">(original en inglés)</span>'
            "</td><td>Other recommendations</td>") in second
    assert second.endswith("<td></td></tr>")


def test_a_page_of_the_past_shows_each_recommendations_status_then():
    rows = [recommendation(), recommendation(id=4, code="R2")]
    html = recommendation_rows(rows, cells(statuses_then={3: "ongoing"}))
    first, second = html.split("\n")
    assert '<span class="status">Ongoing</span>' in first
    assert '<td><span class="tag">not yet recorded</span></td>' in second
