"""The seed reports load through the services, reproduce their tables, and reload as no-ops."""


import pytest
from sqlalchemy import func, select

from tests.factories import NOW
from tracker.models import Action, Agency, Area, Plan, Recommendation, StatusChange
from tracker.services.errors import ValidationFailed
from tracker.services.plan_import import import_plan_document
from tracker.services.plans import get_plan
from tracker.services.scorecards import plan_scorecard
from tracker.services.seed_files import SEED_ACTOR_LABEL, iter_documents, month_span
from tracker.services.transaction import Actor

# Table 2.1 of OECD (2018), Open Government Data in Mexico: The Way Forward.
TABLE_2_1 = {
    "GOV": {"fully_achieved": 1, "ongoing": 4, "under_discussion": 1, "pending": 1},
    "DEM": {"fully_achieved": 2, "ongoing": 1},
    "SKL": {"fully_achieved": 3},
    "ECO": {"fully_achieved": 2, "pending": 1},
    "PUB": {"fully_achieved": 2, "ongoing": 2},
    "LOC": {"fully_achieved": 4},
}


def load(app, slug=None, dry_run=False):
    summaries = []
    for path, document in iter_documents(app.config["SEED_DIR"], slug):
        summaries.append(
            import_plan_document(
                document, actor=Actor.system(SEED_ACTOR_LABEL), now=NOW,
                reason=f"Loaded from {path.name}", dry_run=dry_run,
            )
        )
    return summaries


def table_counts(db_session) -> dict:
    return {
        model.__tablename__: db_session.scalar(select(func.count()).select_from(model))
        for model in (Plan, Area, Recommendation, Action, Agency, StatusChange)
    }


def test_mexico_2016_reproduces_table_2_1_by_area_and_in_total(app, db_session):
    load(app, "mexico-2016-review-followup")
    scorecard = plan_scorecard(get_plan("mexico-2016-review-followup"))
    by_area = {row.code: {k: v for k, v in row.counts.items() if v} for row in scorecard.rows}
    assert by_area == TABLE_2_1
    assert dict(scorecard.totals) == {"fully_achieved": 14, "ongoing": 7, "under_discussion": 1, "pending": 2}
    assert scorecard.total == 24


def test_every_seeded_item_records_its_source_location(app, db_session):
    load(app)
    recs = db_session.scalars(select(Recommendation)).all()
    assert recs and all(r.source_document and r.source_lines for r in recs)
    assert all(r.source_document.endswith(".txt") for r in recs)


def test_loading_twice_changes_nothing(app, db_session):
    first = load(app)
    before = table_counts(db_session)
    assert all(s.changed_anything for s in first)
    second = load(app)
    assert not any(s.changed_anything for s in second)
    assert table_counts(db_session) == before


def test_check_validates_without_writing(app, db_session):
    summaries = load(app, dry_run=True)
    assert {s.slug for s in summaries} >= {"mexico-2016-review-followup", "mongolia-odra-2018"}
    assert all(v == 0 for v in table_counts(db_session).values())


def test_a_broken_document_is_refused_whole_with_every_problem_named(app, db_session):
    [(_, document)] = list(iter_documents(app.config["SEED_DIR"], "mexico-2016-review-followup"))
    document["recommendations"][2]["status"] = "nearly-there"
    document["recommendations"][5]["area"] = "NOWHERE"
    with pytest.raises(ValidationFailed) as caught:
        import_plan_document(document, actor=Actor.system("seed"), now=NOW, reason="test")
    assert set(caught.value.errors) == {"recommendations[2].status", "recommendations[5].area"}
    assert all(v == 0 for v in table_counts(db_session).values())


def test_months_of_a_plan_become_real_dates():
    from datetime import date

    assert month_span(date(2019, 1, 1), 1, 1) == (date(2019, 1, 1), date(2019, 1, 31))
    assert month_span(date(2019, 1, 1), 3, 22) == (date(2019, 3, 1), date(2020, 12, 31))
