"""The seed reports' figures as indicators with source references, and seed 004 on a page."""

from __future__ import annotations

import html
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.fixtures.seed import load
from tracker.models import Indicator, IndicatorValue
from tracker.services.plans import get_plan

pytestmark = [pytest.mark.seeded, pytest.mark.slow]


def test_seeded_indicators_carry_their_values_and_sources_and_reload_as_no_ops(app, db_session):
    load(app, "mexico-2016-review-followup")
    load(app, "mexico-2018-way-forward")
    load(app, "kazakhstan-2023-analysis")
    rank = db_session.scalars(select(Indicator).where(Indicator.code == "OURDATA-RANK")).one()
    assert (rank.direction, rank.baseline_value, rank.baseline_date) == ("down", 10.0, date(2014, 12, 31))
    assert [(v.period_date.year, v.value, v.source_lines) for v in rank.counted_values] == [
        (2014, 10.0, "49"), (2017, 5.0, "49")]
    assert all(v.source_document == "002_6847f20350a23e8f.txt" for v in rank.values)
    assert "004, lines 13-21" in rank.data_source
    downloads = db_session.scalars(select(Indicator).where(Indicator.code == "INEGI-MAP-DOWNLOADS")).one()
    assert [v.value for v in downloads.counted_values] == [5000.0, 20000.0]
    odin = db_session.scalars(select(Indicator).where(Indicator.code == "ODIN-SCORE")).one()
    assert (odin.baseline_value, odin.values) == (62.0, [])  # a baseline only: nothing invented

    values = db_session.scalar(select(func.count()).select_from(IndicatorValue))
    again = load(app, "mexico-2016-review-followup") + load(app, "kazakhstan-2023-analysis")
    assert not any(summary.changed_anything for summary in again)
    assert db_session.scalar(select(func.count()).select_from(IndicatorValue)) == values


def test_seed_004_s_figures_and_the_ourdata_rank_are_on_the_plan_s_indicators_page(app, client, db_session):
    load(app, "mexico-2016-review-followup")
    db_session.commit()
    plan = get_plan("mexico-2016-review-followup")
    assert any(f.source_document == "004_391637f05ebb02a9.txt" for f in plan.figures)
    page = html.unescape(client.get(f"/plans/{plan.slug}/indicators").get_data(as_text=True))
    assert "OECD countries at the 2nd OECD Expert Group Meeting on Open Government Data (20 April 2016)" in page
    assert "19 countries" in page and "004_391637f05ebb02a9.txt, 2nd OECD Expert Group Meeting" in page
    assert "OURDATA-RANK: Mexico's rank in the OECD Open, Useful and Reusable Data (OURdata) Index" in page
    assert "5 rank among OECD countries (2017-12-31)" in page
    # 10th to 5th in three years, going down as wanted, with no target: the pace itself is rated.
    assert "Substantial progress" in page
    assert f'href="/plans/{plan.slug}/indicators"' in client.get(f"/plans/{plan.slug}").get_data(as_text=True)
