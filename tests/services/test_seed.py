"""The seed reports load through the services, reproduce their tables, and reload as no-ops."""

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.factories import NOW
from tests.fixtures.seed import TABLE_2_1, load
from tracker.exchange.seed_files import iter_documents, load_seed_document, month_span
from tracker.models import Action, Agency, Area, Plan, Recommendation, StatusChange
from tracker.publishing.scorecards import plan_scorecard
from tracker.services.errors import ValidationFailed
from tracker.services.plans import get_plan

# Loading the real seed plans is what these test: seconds each.
pytestmark = [pytest.mark.seeded, pytest.mark.slow]


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
        load_seed_document(Path("mexico-2016-review-followup.yaml"), document, now=NOW)
    assert set(caught.value.errors) == {"recommendations[2].status", "recommendations[5].area"}
    assert all(v == 0 for v in table_counts(db_session).values())


def test_months_of_a_plan_become_real_dates():
    from datetime import date

    assert month_span(date(2019, 1, 1), 1, 1) == (date(2019, 1, 1), date(2019, 1, 31))
    assert month_span(date(2019, 1, 1), 3, 22) == (date(2019, 3, 1), date(2020, 12, 31))


def test_mexico_2016_assessment_round_is_dated_december_2017_and_frozen(app, db_session):
    from datetime import date

    from tracker.models import AssessmentRound
    from tracker.services.assessments import round_totals

    load(app, "mexico-2016-review-followup")
    [round_] = db_session.scalars(select(AssessmentRound)).all()
    assert round_.assessed_on == date(2017, 12, 31)
    assert round_totals(round_) == {"fully_achieved": 14, "ongoing": 7, "under_discussion": 1, "pending": 2}


def test_mexico_2018_annex_a_recommendations_by_timeframe(app, db_session):
    load(app, "mexico-2018-way-forward")
    plan = get_plan("mexico-2018-way-forward")
    timeframes = Counter(r.timeframe for r in plan.recommendations)
    assert timeframes == {"short": 9, "medium": 18, "long": 1}
    assert {r.status_key for r in plan.recommendations} == {"pending"}
    assert all(r.area is not None for r in plan.recommendations)


# Annex D of seed 000: (lead, start month, duration in months), durations capped at month 24.
MONGOLIA_ANNEX_D = {
    "A1": ("CabSec", 1, 1), "A2": ("CabSec", 1, 2), "A3": ("CabSec", 1, 24),
    "A4": ("ODWG", 2, 3), "A5": ("ODWG", 3, 22), "A6": ("ODWG", 2, 23),
    "A7": ("CabSec", 3, 12), "A8": ("ODWG", 3, 22), "A9": ("ODWG", 5, 20),
    "A10": ("CabSec", 6, 12), "A11": ("CabSec", 2, 12), "A12": ("DATA-PUBLISHERS", 6, 19),
    "A13": ("ODWG", 3, 12), "A14": ("ODWG", 9, 6), "A15": ("ODWG", 22, 2),
}


def test_mongolia_action_plan_has_15_actions_with_owners_and_months(app, db_session):
    load(app, "mongolia-odra-2018")
    plan = get_plan("mongolia-odra-2018")
    start = plan.period_start

    def months_from_start(day):
        return (day.year - start.year) * 12 + day.month - start.month + 1

    found = {
        a.code: (
            a.lead_agency.acronym or a.lead_agency.name,
            months_from_start(a.start_date),
            months_from_start(a.due_date) - months_from_start(a.start_date) + 1,
        )
        for a in plan.actions
    }
    # A12's lead has no acronym in the report; the seed names the body instead.
    expected = {
        code: ("Organizations to publish (open) data" if lead == "DATA-PUBLISHERS" else lead, *months)
        for code, (lead, *months) in MONGOLIA_ANNEX_D.items()
    }
    assert found == expected
    assert all(a.area is not None and a.area.code.startswith("D") for a in plan.actions)


def test_mongolia_readiness_ratings_per_dimension(app, db_session):
    from tracker.services.readiness import plan_readiness

    load(app, "mongolia-odra-2018")
    dimensions = plan_readiness(get_plan("mongolia-odra-2018"))
    ratings = {d.code: d.rating for d in dimensions}
    assert ratings == {f"D{i}": "YELLOW" for i in range(1, 9)} | {"D5": "RED"}
    assert sum(len(d.questions) for d in dimensions) == 43
    assert [len(d.questions) for d in dimensions] == [5, 6, 8, 7, 4, 5, 4, 4]
    marks = Counter(e.mark for d in dimensions for q in d.questions for e in q.evidence)
    assert marks == {"+": 144, "-": 83, "0": 26}
    assert all(d.area is not None and d.area.code == d.code for d in dimensions)
    assert all(d.recommendations for d in dimensions)


def test_kazakhstan_recommendations_per_area(app, db_session):
    load(app, "kazakhstan-odra")
    plan = get_plan("kazakhstan-odra")
    per_area = Counter(r.area.code for r in plan.recommendations)
    assert per_area == {"LEAD": 16, "LEG": 7, "INST": 8, "DATA": 4, "COMM": 10, "FIN": 8, "ICT": 2}


def test_kazakhstan_2023_analysis_has_its_proposals_and_figures(app, db_session):
    load(app, "kazakhstan-2023-analysis")
    plan = get_plan("kazakhstan-2023-analysis")
    assert len(plan.recommendations) == 6
    assert len(plan.figures) == 24
    odin = next(f for f in plan.figures if "ODIN" in f.label and f.unit == "rank")
    assert (odin.value, odin.year) == (54, 2022)


def test_agencies_are_deduplicated_within_a_country(app, db_session):
    load(app)
    names = db_session.execute(select(Agency.country, Agency.name)).all()
    acronyms = db_session.execute(select(Agency.country, Agency.acronym).where(Agency.acronym.is_not(None))).all()
    assert len(names) == len(set(names))
    assert len(acronyms) == len(set(acronyms))
    kazakh_government = db_session.scalars(
        select(Agency).where(Agency.country == "Kazakhstan", Agency.acronym == "GOV")
    ).all()
    assert len(kazakh_government) <= 1
