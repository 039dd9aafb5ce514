"""Translations entered on the secretariat's edit forms and the admin's status page."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.fixtures.seed import load
from tracker.models import Action, Area, Milestone, Plan, Recommendation, Status
from tracker.models.translations import TRANSLATED_FIELDS, translations_attribute


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, path, data):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def box(page: str, name: str) -> str | None:
    match = re.search(rf'<(?:input|textarea) id="{name}" name="{name}"[^>]*?(?:value="([^"]*)"[^>]*>|>([^<]*)</textarea>)',
                      page)
    return (match.group(1) if match.group(1) is not None else match.group(2)) if match else None


def test_the_plan_form_offers_a_box_per_field_and_language_and_saves_them(client, login_as, db_session, languages):
    login_as("secretariat")
    plan = factories.plan(slug="p", title="Open data plan", title_translations={"fr": "Plan"})
    page = text(client.get("/secretariat/plans/p/edit"))
    assert '<label for="title_es">Title in Spanish</label>' in page
    assert [name for name in ("title_es", "title_fr", "title_ru", "description_es") if box(page, name) is None] == []
    assert box(page, "title_fr") == "Plan" and box(page, "title_en") is None  # English is the original
    # Each box says its language, for screen readers and spell checkers.
    assert re.search(r'<input id="title_ru" name="title_ru"[^>]* lang="ru"', page)
    assert re.search(r'<textarea id="description_es" name="description_es"[^>]* lang="es"', page)

    response = post(client, "/secretariat/plans/p/edit", {
        "title": "Open data plan", "country": "Testland", "title_es": "Plan de datos abiertos",
        "title_fr": "", "title_ru": "План открытых данных", "description_es": "", "description_fr": "",
        "description_ru": "Описание."})
    assert response.status_code == 302, text(response)
    db_session.refresh(plan)
    assert plan.title_translations == {"es": "Plan de datos abiertos", "ru": "План открытых данных"}
    assert plan.description_translations == {"ru": "Описание."}


def test_a_translation_that_is_too_long_is_named_on_its_box_and_nothing_is_stored(
        client, login_as, db_session, languages):
    login_as("secretariat")
    plan = factories.plan(slug="p", title="Open data plan")
    response = post(client, "/secretariat/plans/p/edit", {
        "title": "Open data plan", "country": "Testland", "title_es": "x" * 301, "title_ru": "План"})
    page = text(response)
    assert response.status_code == 422
    assert 'href="#title_es"' in page and 'id="title_es-error"' in page
    assert 'aria-describedby="title_es-error"' in page
    assert box(page, "title_ru") == "План"  # what was typed comes back
    db_session.refresh(plan)
    assert plan.title_translations == {}


def test_area_recommendation_and_action_forms_save_translations(client, login_as, db_session, languages):
    login_as("secretariat")
    plan = factories.plan(slug="p")
    area = factories.area(plan, code="G", name="Governance")
    rec = factories.recommendation(plan, code="R1", text="Publish the budget.", area="G")
    action = factories.action(plan, code="A1", title="Draft", recommendations=["R1"],
                              milestones=[{"due_date": "2027-03-31", "title": "Policy published"},
                                          {"due_date": "2027-06-30", "title": "Portal live"}])

    assert post(client, f"/secretariat/plans/p/areas/{area.id}/edit",
                {"name": "Governance", "name_es": "Gobernanza"}).status_code == 302
    assert db_session.get(Area, area.id).name_translations == {"es": "Gobernanza"}

    page = text(client.get(f"/secretariat/plans/p/recommendations/{rec.id}/edit"))
    assert box(page, "text_es") == ""
    assert post(client, f"/secretariat/plans/p/recommendations/{rec.id}/edit",
                {"text": "Publish the budget.", "area": "G", "text_es": "Publicar el presupuesto."}).status_code == 302
    assert db_session.get(Recommendation, rec.id).text_translations == {"es": "Publicar el presupuesto."}

    path = f"/secretariat/plans/p/actions/{action.id}/edit"
    page = text(client.get(path))
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    form = {"title": "Draft", "status": "pending", "percent_complete": "0", "version": version,
            "recommendations": "R1", "milestones": "2027-03-31 Policy published\n2027-06-30 Portal live",
            "title_fr": "Rédiger", "milestones_es": "2027-06-30 Portal en línea"}
    assert post(client, path, form).status_code == 302
    saved = db_session.get(Action, action.id)
    assert saved.title_translations == {"fr": "Rédiger"}
    assert {m.title: m.title_translations for m in saved.milestones} == {
        "Policy published": {}, "Portal live": {"es": "Portal en línea"}}
    assert box(text(client.get(path)), "milestones_es") == "2027-06-30 Portal en línea"

    # A line that matches no milestone is refused on its box.
    page = text(client.get(path))
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    response = post(client, path, {**form, "version": version, "milestones_es": "2027-01-01 Nada"})
    assert response.status_code == 422 and 'href="#milestones_es"' in text(response)


def test_the_admin_translates_a_status_label(client, login_as, db_session, languages):
    login_as("admin")
    pending = db_session.get(Status, "pending")
    page = text(client.get("/admin/statuses/pending"))
    assert box(page, "label_es") == ""
    response = post(client, "/admin/statuses/pending", {
        "label": pending.label, "description": pending.description, "colour": pending.colour,
        "default_percent": "0", "irm_completion": "not_started", "label_es": "Pendiente", "label_ru": "Ожидает"})
    assert response.status_code == 302, text(response)
    assert db_session.get(Status, "pending").label_translations == {"es": "Pendiente", "ru": "Ожидает"}


def test_with_english_only_the_forms_show_no_translation_boxes(app, client, login_as, db_session, monkeypatch):
    monkeypatch.setitem(app.config, "LANGUAGES", ["en"])  # a deployment that offers English alone
    login_as("secretariat")
    factories.plan(slug="p")
    page = text(client.get("/secretariat/plans/p/edit"))
    assert "Translations" not in page and 'name="title_es"' not in page


@pytest.mark.seeded
def test_the_seed_reports_load_in_english_only(app, db_session):
    """Nothing is machine-translated: a seed report loads published, every title and text untranslated."""
    load(app, "mongolia-odra-2018")
    for model, table in ((Plan, "plans"), (Area, "areas"), (Recommendation, "recommendations"),
                         (Action, "actions"), (Milestone, "milestones"), (Status, "statuses")):
        for name in TRANSLATED_FIELDS[table]:
            values = db_session.scalars(select(getattr(model, translations_attribute(name)))).all()
            assert values or model is Milestone, (table, name)  # this report has no milestones
            assert all(value == {} for value in values), (table, name)
    assert db_session.scalars(select(Plan.published)).all() == [True]
