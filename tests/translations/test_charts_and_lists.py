"""Charts, lists and emails in the reader's language: the translated title where one exists,
else the original marked "(original in English)", as on the plan page.

The Gantt, timeline and ranking pages, the plan page's embedded Gantt, the meeting pack,
search, the agency pages and reminders; and the chart images, whose words, month names and
days follow the language asked for, each language cached apart.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import flask_babel
import pytest
from flask import current_app
from sqlalchemy import select

from tests import factories
from tests.charts.conftest import svg_texts
from tests.factories import SYSTEM
from tests.translations.conftest import read, statements
from tracker import formats
from tracker.extensions import db
from tracker.models import Agency, OutboxMessage
from tracker.reminders.compose import LinkSettings
from tracker.reminders.run import run_reminder_pass
from tracker.routes.forms import now
from tracker.services.actions import assign_actions

LINKS = LinkSettings(base_url="http://tracker.test", secret_key="test-secret-key")
SPANISH_TITLE = "Publicar los presupuestos"
# An untranslated title for a reader of another language, as ``web.content_language.content_html`` writes it.
MARKED = r'<span lang="en">{}</span> <span class="original-language">[^<]+</span>'


def page(client, path: str, language: str) -> str:
    response = read(client, path, language)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def marked(text: str) -> str:
    return MARKED.format(re.escape(text))


@pytest.fixture
def plan(db_session, languages):
    """A published plan whose area, recommendation and one overdue action have Spanish titles."""
    plan = factories.plan(slug="shared", title="Open data plan", published=True,
                          title_translations={"es": "Plan de datos abiertos", "ru": "План открытых данных"})
    factories.agency(acronym="MIN", name="Ministry of Finance")
    area = factories.area(plan, code="G", name="Governance", name_translations={"es": "Gobernanza", "ru": "Управление"})
    factories.recommendation(plan, code="R1", text="Publish the budget.", area=area.code, timeframe="short",
                             text_translations={"es": "Publicar el presupuesto."})
    action = factories.action(plan, code="A1", title="Publish the budgets", area=area.code, recommendations=["R1"],
                              start_date="2026-01-01", due_date="2026-06-30",
                              title_translations={"es": SPANISH_TITLE, "ru": "Опубликовать бюджеты"},
                              milestones=[{"due_date": "2026-03-31", "title": "Draft ready",
                                           "title_translations": {"es": "Borrador listo"}}])
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=datetime(2026, 1, 1, tzinfo=UTC))
    return plan


@pytest.mark.parametrize("path", ["/plans/shared/gantt", "/plans/shared/gantt?view=table", "/plans/shared"])
def test_the_html_gantt_shows_the_spanish_title_and_the_marked_original_to_a_french_reader(client, plan, path):
    spanish = page(client, path, "es")
    assert SPANISH_TITLE in spanish and "Gobernanza" in spanish and "Borrador listo" in spanish
    assert "Publish the budgets" not in spanish and "Draft ready" not in spanish

    french = page(client, path, "fr")
    assert re.search(marked("Publish the budgets"), french)
    assert SPANISH_TITLE not in french and "Gobernanza" not in french

    english = page(client, path, "en")
    assert "Publish the budgets" in english and "original-language" not in english


def test_a_translated_gantt_of_50_actions_reads_no_more_than_one_of_2(client, db_session, languages):
    """Speed guard (counts statements, never time): the translations come with their rows."""
    for slug, count in (("few", 2), ("many", 50)):
        plan = factories.plan(slug=slug, published=True)
        area = factories.area(plan, code="G", name="Governance", name_translations={"es": "Gobernanza"})
        for n in range(count):
            factories.action(plan, code=f"A{n}", area=area.code, title_translations={"es": f"Acción {n}"} if n % 2 else {},
                             milestones=[{"due_date": "2026-06-30", "title": "Step", "title_translations": {"es": "Paso"}}])
    engine = db_session.get_bind().engine
    small = statements(engine, lambda: page(client, "/plans/few/gantt", "es"))
    large = statements(engine, lambda: page(client, "/plans/many/gantt", "es"))
    assert "Acción 49" in page(client, "/plans/many/gantt", "es")
    assert len(large) <= len(small), large


def test_the_html_gantt_s_axis_and_words_are_the_reader_s(client, plan):
    spanish = page(client, "/plans/shared/gantt?zoom=month", "es")
    # Babel's month names, not English ones, on the axis.
    for month in formats.month_abbreviations("es")[:6]:
        assert f">{month}</span>" in spanish
    assert ">Jan</span>" not in spanish
    with flask_babel.force_locale("es"):
        overdue = flask_babel.gettext("Overdue")
    assert f'<strong class="hchart-overdue">{overdue}</strong>' in spanish


@pytest.mark.parametrize("language", ["en", "ru"])
def test_the_quarter_axis_names_each_quarter_in_the_reader_s_words(client, plan, language):
    """The quarter's words come from the catalogue, whose placeholders are %(name)s."""
    html = page(client, "/plans/shared/gantt?zoom=quarter", language)
    with flask_babel.force_locale(language):
        first = flask_babel.gettext("Q%(quarter)s %(year)s", quarter=1, year=2026)
    assert f">{first}</span>" in html
    assert "%(quarter)s" not in html and "{quarter}" not in html


@pytest.mark.parametrize("path", ["/plans/shared/gantt", "/plans/shared/gantt?view=table"])
@pytest.mark.parametrize("language", ["es", "ru"])
def test_the_html_gantt_writes_days_as_the_reader_does(client, plan, path, language):
    """The bars' tips and the table give the action's and its milestone's dates through Babel."""
    html = page(client, path, language)
    for day in ("2026-01-01", "2026-06-30", "2026-03-31"):
        written = formats.day(datetime.fromisoformat(day).date(), language)
        assert written in html, written
        assert day not in html
    english = page(client, path, "en")
    assert formats.day(datetime(2026, 6, 30).date(), "en") in english


def test_the_timeline_shows_the_spanish_text_and_the_marked_original_to_a_french_reader(client, plan):
    assert "Publicar el presupuesto." in page(client, "/plans/shared/timeline", "es")
    assert re.search(marked("Publish the budget."), page(client, "/plans/shared/timeline", "fr"))


def test_the_ranking_page_names_the_plan_in_the_reader_s_language(client, plan):
    spanish = page(client, "/plans/shared/ranking", "es")
    assert "Plan de datos abiertos" in spanish and "Ministry of Finance" in spanish
    assert re.search(marked("Open data plan"), page(client, "/plans/shared/ranking", "fr"))


def test_the_meeting_pack_lists_the_spanish_title_and_the_marked_original_to_a_french_reader(client, plan):
    spanish = page(client, "/plans/shared/pack?since=2026-01-01", "es")
    assert SPANISH_TITLE in spanish and "Plan de datos abiertos" in spanish
    french = page(client, "/plans/shared/pack?since=2026-01-01", "fr")
    assert re.search(marked("Publish the budgets"), french)


def test_search_results_show_the_spanish_title_and_the_marked_original_to_a_french_reader(client, plan):
    # Search matches the original (``models.translations``: what search and codes use).
    spanish = page(client, "/search?q=budget", "es")
    assert SPANISH_TITLE in spanish and "Publicar el presupuesto." in spanish
    french = page(client, "/search?q=budget", "fr")
    assert re.search(marked("Publish the budgets"), french)
    assert re.search(marked("Publish the budget."), french)


def test_the_public_agency_page_shows_the_spanish_title_and_the_marked_original(client, plan):
    path = f"/agencies/{db.session.scalar(select(Agency.id).where(Agency.acronym == 'MIN'))}"
    spanish = page(client, path, "es")
    assert SPANISH_TITLE in spanish and "Plan de datos abiertos" in spanish
    assert re.search(marked("Publish the budgets"), page(client, path, "fr"))


def test_what_we_owe_shows_the_spanish_title_and_the_marked_original(client, plan, login_as):
    login_as("agency", agency="MIN")
    assert SPANISH_TITLE in page(client, "/agency/", "es")
    assert re.search(marked("Publish the budgets"), page(client, "/agency/", "fr"))


def test_a_reminder_to_a_spanish_reader_names_the_action_in_spanish(db_session, languages):
    plan = factories.plan(period_start="2027-01-01", period_end="2028-12-31")
    factories.agency(acronym="MIN")
    readers = {language: factories.user("agency", agency="MIN") for language in ("es", "fr", "en")}
    for language, user in readers.items():
        user.locale = language
    action = factories.action(plan, start_date="2027-01-01", due_date="2027-03-31", title="Publish the budgets",
                              title_translations={"es": SPANISH_TITLE})
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=datetime(2027, 1, 1, tzinfo=UTC))

    run_reminder_pass(datetime(2027, 3, 1, 7, tzinfo=UTC), links=LINKS, templates=current_app.jinja_env)

    mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    spanish = mails[readers["es"].email]
    assert SPANISH_TITLE in spanish.subject
    assert SPANISH_TITLE in spanish.body_text and SPANISH_TITLE in spanish.body_html
    assert "Publish the budgets" not in spanish.body_text

    french = mails[readers["fr"].email]
    with flask_babel.force_locale("fr"):
        marker = flask_babel.gettext("(original in English)")
    assert f"Publish the budgets {marker}" in french.body_text
    assert re.search(marked("Publish the budgets"), french.body_html)

    english = mails[readers["en"].email]
    assert "Publish the budgets" in english.subject and SPANISH_TITLE not in english.body_text
    assert "original-language" not in english.body_html


# --- Chart images ----------------------------------------------------------------------------


@pytest.fixture
def fresh_chart_cache(app):
    """The chart cache starts and ends empty (the app outlives the test's data)."""
    app.extensions.pop("tracker_chart_cache", None)
    yield
    app.extensions.pop("tracker_chart_cache", None)


def chart(client, path: str, language: str):
    response = read(client, path, language)
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    return response


def test_a_russian_gantt_svg_speaks_russian(client, plan, fresh_chart_cache):
    texts = " ".join(svg_texts(chart(client, "/plans/shared/gantt.svg?zoom=month", "ru").data))
    assert "Опубликовать бюджеты" in texts and "Управление" in texts and "План открытых данных" in texts
    assert "Publish the budgets" not in texts
    # Babel's Russian months on the axis, and today as Russians write a day (Cyrillic, not ISO).
    assert any(month in texts for month in formats.month_abbreviations("ru"))
    assert "Jan" not in texts.split()
    assert f"({formats.day(now().date(), 'ru')})" in texts  # e.g. "3 декабря 2026 г."


def test_each_language_gets_its_own_gantt_image_and_etag(client, plan, fresh_chart_cache):
    english = chart(client, "/plans/shared/gantt.png", "en")
    spanish = chart(client, "/plans/shared/gantt.png", "es")
    assert english.data != spanish.data
    assert english.headers["ETag"] != spanish.headers["ETag"]
    # Asked again, each language gets its own copy back from the cache, not the other's.
    assert chart(client, "/plans/shared/gantt.png", "en").data == english.data
    assert chart(client, "/plans/shared/gantt.png", "es").data == spanish.data
    svg = " ".join(svg_texts(chart(client, "/plans/shared/gantt.svg", "es").data))
    assert SPANISH_TITLE in svg and "Publish the budgets" not in svg


@pytest.mark.parametrize("name", ["scorecard", "timeline", "rounds", "readiness", "agencies"])
def test_every_chart_image_is_titled_in_the_reader_s_language(client, plan, fresh_chart_cache, name):
    spanish = " ".join(svg_texts(chart(client, f"/plans/shared/{name}.svg", "es").data))
    assert "Plan de datos abiertos" in spanish and "Open data plan" not in spanish
    english = " ".join(svg_texts(chart(client, f"/plans/shared/{name}.svg", "en").data))
    assert "Open data plan" in english


def test_the_scorecard_image_names_areas_in_the_reader_s_language(client, plan, fresh_chart_cache):
    texts = svg_texts(chart(client, "/plans/shared/scorecard.svg", "es").data)
    assert "Gobernanza" in texts and "Governance" not in texts


def test_an_indicator_chart_is_cached_per_language(client, plan, fresh_chart_cache):
    from tracker.services.actions import find_action

    factories.indicator(find_action(plan, "A1"), code="I1", name="Budgets published", unit="count",
                        kind="number", baseline_value=0, target_value=10)
    english = chart(client, "/plans/shared/indicators/I1.svg", "en")
    spanish = chart(client, "/plans/shared/indicators/I1.svg", "es")
    assert english.headers["ETag"] != spanish.headers["ETag"]
    with flask_babel.force_locale("es"):
        target = flask_babel.gettext("Target")
    assert any(text.startswith(f"{target}:") for text in svg_texts(spanish.data))


def test_the_chart_font_draws_every_russian_letter():
    """Cyrillic must come out as letters, not boxes: the font the charts use has every glyph."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    words = "".join(formats.month_abbreviations("ru")) + formats.day(datetime(2026, 12, 3).date(), "ru")
    words += "Опубликовать бюджеты Управление Сегодня Просрочено ЁЖЩЪЫЭЮЯ ёжщъыэюя"
    for weight in ("normal", "bold"):
        font = get_font(findfont(FontProperties(weight=weight)))
        missing = {c for c in words if not c.isspace() and font.get_char_index(ord(c)) == 0}
        assert not missing, (weight, font.fname, missing)


def test_a_bad_query_parameter_is_refused_in_the_reader_s_language(client, plan):
    response = read(client, "/plans/shared/gantt?zoom=bogus", "es")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    with flask_babel.force_locale("es"):
        check = flask_babel.gettext("Check the query parameters: %(problem)s", problem="")
    assert check.strip() in body and "Check the query" not in body
    assert "zoom" in body
