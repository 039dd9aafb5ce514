"""The JSON API gives every translation, or one language with ?lang= (the original where untranslated)."""

from __future__ import annotations

from tests import factories
from tests.translations.test_pages import translated_plan


def test_without_lang_the_original_comes_with_every_translation(client, db_session):
    translated_plan()
    plan = client.get("/api/v1/plans/shared").get_json()
    assert plan["title"] == "Open data plan"
    assert plan["title_translations"] == {"es": "Plan de datos abiertos"}
    assert plan["description_translations"] == {"ru": "О плане."}
    assert "title_language" not in plan
    assert plan["areas"][0]["name_translations"] == {"es": "Gobernanza"}
    [rec] = client.get("/api/v1/plans/shared/recommendations").get_json()
    assert rec["text"] == "Publish the budget." and rec["text_translations"] == {"es": "Publicar el presupuesto."}
    assert rec["area"]["name_translations"] == {"es": "Gobernanza"}
    assert rec["status"]["label_translations"] == {}
    [action] = client.get("/api/v1/plans/shared/actions").get_json()
    assert action["title_translations"] == {"fr": "Rédiger la politique"}
    assert action["milestones"][0]["title_translations"] == {"es": "Política publicada"}


def test_lang_gives_one_language_and_says_which_each_text_is_in(client, db_session):
    translated_plan()
    plan = client.get("/api/v1/plans/shared?lang=es").get_json()
    assert (plan["title"], plan["title_language"]) == ("Plan de datos abiertos", "es")
    assert (plan["description"], plan["description_language"]) == ("About the plan.", "en")
    assert "title_translations" not in plan
    [rec] = client.get("/api/v1/plans/shared/recommendations?lang=es").get_json()
    assert (rec["text"], rec["text_language"]) == ("Publicar el presupuesto.", "es")
    assert rec["area"]["name"] == "Gobernanza"
    [action] = client.get("/api/v1/plans/shared/actions?lang=fr").get_json()
    assert (action["title"], action["title_language"]) == ("Rédiger la politique", "fr")
    assert (action["milestones"][0]["title"], action["milestones"][0]["title_language"]) == ("Policy published", "en")
    # The next request without lang is back to every translation.
    assert "title_translations" in client.get("/api/v1/plans/shared").get_json()


def test_a_bad_lang_is_refused_naming_it(client, db_session):
    translated_plan()
    for path in ("/api/v1/plans/shared?lang=español", "/api/v1/plans/shared/actions?lang=e"):
        response = client.get(path)
        assert response.status_code == 422
        assert "lang" in response.get_json()["errors"]["query"]


def test_translations_are_written_through_the_api(client, db_session):
    translated_plan()
    secretariat = factories.user(role="secretariat")
    headers = {"Authorization": f"Bearer {factories.api_token(secretariat)}"}
    [action] = client.get("/api/v1/plans/shared/actions").get_json()
    response = client.patch(f"/api/v1/actions/{action['id']}", headers=headers, json={
        "version": action["version"], "title_translations": {"es": "Redactar la política", "fr": None}})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title_translations"] == {"es": "Redactar la política"}
    response = client.patch(f"/api/v1/actions/{action['id']}", headers=headers, json={
        "version": response.get_json()["version"], "title_translations": {"es": "x" * 501}})
    assert response.status_code == 422
    assert "title_translations" in response.get_json()["errors"]["json"]
