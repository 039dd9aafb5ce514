"""Pages show the reader's language where a translation exists, else the marked original."""

from __future__ import annotations

import html
import re
from datetime import date

from tests import factories
from tests.translations.conftest import read, statements


def page(client, path: str, language: str) -> str:
    return read(client, path, language).get_data(as_text=True)


def translated_plan():
    plan = factories.plan(slug="shared", title="Open data plan",
                          title_translations={"es": "Plan de datos abiertos"},
                          description="About the plan.", description_translations={"ru": "О плане."})
    area = factories.area(plan, code="G", name="Governance", name_translations={"es": "Gobernanza"})
    factories.recommendation(plan, code="R1", text="Publish the budget.", area=area.code,
                             text_translations={"es": "Publicar el presupuesto."})
    factories.action(plan, code="A1", title="Draft the policy", recommendations=["R1"],
                     title_translations={"fr": "Rédiger la politique"},
                     milestones=[{"due_date": "2027-03-31", "title": "Policy published",
                                  "title_translations": {"es": "Política publicada"}}])
    return plan


def test_a_spanish_reader_gets_the_translation_and_a_french_one_the_marked_original(client, db_session, languages):
    translated_plan()
    spanish = page(client, "/plans/shared", "es")
    assert "<h1>Plan de datos abiertos</h1>" in spanish
    assert "Publicar el presupuesto." in spanish and "Gobernanza" in spanish
    # Untranslated for Spanish: the action's title, in English, marked and tagged for screen readers.
    assert re.search(r'<span lang="en">Draft the policy</span> <span class="original-language">[^<]+</span>', spanish)

    french = page(client, "/plans/shared", "fr")
    assert '<h1><span lang="en">Open data plan</span> <span class="original-language">' in french
    assert "Rédiger la politique" in french and "Plan de datos" not in french
    assert '<span lang="en">Publish the budget.</span>' in french


def test_the_marker_is_the_interface_s_words_translated(client, db_session, languages, monkeypatch):
    """The marker goes through gettext: what a catalogue says for it is what the reader sees."""
    from tracker.web import content_language

    translated_plan()
    monkeypatch.setattr(content_language, "_", lambda text: {"(original in English)": "(original en anglais)"}.get(text, text))
    french = page(client, "/plans/shared", "fr")
    assert '<span lang="en">Open data plan</span> <span class="original-language">(original en anglais)</span>' in french


def test_an_english_reader_sees_the_originals_unmarked(client, db_session, languages):
    translated_plan()
    english = html.unescape(page(client, "/plans/shared", "en"))
    assert "<h1>Open data plan</h1>" in english
    assert "original-language" not in english and "Plan de datos" not in english


def test_the_action_and_recommendation_pages_show_translations(client, db_session, languages):
    translated_plan()
    action = page(client, "/plans/shared/actions/A1", "es")
    assert "Política publicada" in action and "Plan de datos abiertos" in action
    assert '<span lang="en">Draft the policy</span>' in action
    rec = page(client, "/plans/shared/recommendations/R1", "es")
    assert "Publicar el presupuesto." in rec and "Gobernanza" in rec


def test_a_status_label_speaks_the_reader_s_language_where_it_has_one(client, db_session, languages):
    from tracker.services.statuses import status_vocabulary, update_status

    pending = next(s for s in status_vocabulary() if s.key == "pending")
    data = {name: getattr(pending, name) for name in ("label", "description", "colour", "default_percent",
                                                      "is_final", "irm_completion", "retired")}
    # The default "Pending" is in the catalogue; a label an administrator wrote is not.
    update_status(pending, {**data, "label": "Awaiting a decision", "label_translations": {"ru": "Ожидает"}})
    translated_plan()
    assert '>Ожидает</span>' in page(client, "/plans/shared", "ru")
    assert '<span lang="en">Awaiting a decision</span>' in page(client, "/plans/shared", "fr")


def test_a_translated_page_of_50_rows_reads_no_more_than_a_page_of_2(client, db_session, languages):
    """Speed guard (counts statements, never time): translations come with their rows."""
    few, many = factories.plan(slug="few"), factories.plan(slug="many")
    for plan, count in ((few, 2), (many, 50)):
        area = factories.area(plan, code="G", name="Governance", name_translations={"es": "Gobernanza"})
        for n in range(count):
            factories.recommendation(plan, code=f"R{n}", area=area.code,
                                     text_translations={"es": f"Recomendación {n}"} if n % 2 else {})
            factories.action(plan, code=f"A{n}", recommendations=[f"R{n}"], due_date=date(2027, 1, 1),
                             title_translations={"es": f"Acción {n}"} if n % 2 else {},
                             milestones=[{"due_date": "2026-12-31", "title": "Step",
                                          "title_translations": {"es": "Paso"}}])
    engine = db_session.get_bind().engine
    small = statements(engine, lambda: page(client, "/plans/few", "es"))
    large = statements(engine, lambda: page(client, "/plans/many", "es"))
    spanish = page(client, "/plans/many", "es")
    assert "Recomendación 49" in spanish and "Acción 49" in spanish
    assert len(large) <= len(small), large
