"""Translations kept in backups (a round trip between two databases) and published as open data."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from tests import factories
from tests.fixtures.databases import app_on
from tests.translations.test_pages import translated_plan
from tracker.exchange.spreadsheets.writing import export_rows, to_csv
from tracker.extensions import db
from tracker.models import Milestone, Status
from tracker.services.plans import get_plan
from tracker.services.statuses import update_status


def translate_a_status() -> None:
    pending = db.session.get(Status, "pending")
    data = {name: getattr(pending, name) for name in ("label", "description", "colour", "default_percent",
                                                      "is_final", "irm_completion", "retired")}
    update_status(pending, {**data, "label_translations": {"es": "Pendiente", "ru": "Ожидает"}})


@pytest.mark.scratch_db
def test_a_backup_restores_every_translation(scratch, tmp_path):
    source = app_on(scratch.migrated("tr_source"), UPLOAD_DIR=str(tmp_path / "source"))
    with source.app_context():
        translated_plan()
        translate_a_status()
        exported = to_csv(export_rows(get_plan("shared")))
        archive = tmp_path / "backup.tar.gz"
        result = source.test_cli_runner().invoke(args=["backup", "create", "-o", str(archive)])
        assert result.exit_code == 0, result.output
        db.session.remove()
        db.engine.dispose()

    target = app_on(scratch.new("tr_target"), UPLOAD_DIR=str(tmp_path / "target"))
    with target.app_context():
        result = target.test_cli_runner().invoke(args=["backup", "restore", str(archive)])
        assert result.exit_code == 0, result.output
        plan = get_plan("shared")
        assert plan.title_translations == {"es": "Plan de datos abiertos"}
        assert plan.description_translations == {"ru": "О плане."}
        assert db.session.get(Status, "pending").label_translations == {"es": "Pendiente", "ru": "Ожидает"}
        assert db.session.scalars(select(Milestone)).one().title_translations == {"es": "Política publicada"}
        assert to_csv(export_rows(plan)) == exported  # every translation column, cell for cell
        db.session.remove()
        db.engine.dispose()


def test_open_data_publishes_translations_with_a_schema(client, db_session):
    translated_plan()
    translate_a_status()
    factories.plan(slug="private", published=False, title="Hidden", title_translations={"es": "Oculto"})

    package = client.get("/open-data/datapackage.json").get_json()
    [resource] = [r for r in package["resources"] if r["name"] == "translations"]
    assert [f["name"] for f in resource["schema"]["fields"]] == ["resource", "plan_slug", "item", "field",
                                                                 "language", "text"]
    assert resource["schema"]["primaryKey"] == ["resource", "item", "field", "language"]

    rows = list(csv.DictReader(io.StringIO(client.get("/open-data/translations.csv").get_data(as_text=True))))
    found = {(r["resource"], r["item"], r["field"], r["language"]): r["text"] for r in rows}
    assert found == {
        ("plans", "shared", "title", "es"): "Plan de datos abiertos",
        ("plans", "shared", "description", "ru"): "О плане.",
        ("statuses", "pending", "label", "es"): "Pendiente",
        ("statuses", "pending", "label", "ru"): "Ожидает",
        ("areas", "shared/G", "name", "es"): "Gobernanza",
        ("recommendations", "shared/R1", "text", "es"): "Publicar el presupuesto.",
        ("actions", "shared/A1", "title", "fr"): "Rédiger la politique",
        ("milestones", "shared/A1/2027-03-31/1", "title", "es"): "Política publicada",
    }  # nothing of the unpublished plan

    document = client.get("/open-data/plans/shared.json").get_json()
    assert document["plan"]["title_translations"] == {"es": "Plan de datos abiertos"}
    assert document["recommendations"][0]["text_translations"] == {"es": "Publicar el presupuesto."}
    assert document["actions"][0]["milestones"][0]["title_translations"] == {"es": "Política publicada"}
