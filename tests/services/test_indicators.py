"""Indicators through the services: definitions, values in progress reports, what counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.models import Event, IndicatorValue
from tracker.services.errors import ValidationFailed
from tracker.services.indicators import counted_values, reportable_indicators, update_indicator
from tracker.services.reports import accept_report, return_report, save_report

LATER = NOW + timedelta(days=1)


@pytest.fixture
def setting(db_session):
    plan = factories.plan()
    factories.agency(acronym="MIN")
    rec = factories.recommendation(plan)
    action = factories.action(plan, recommendations=[rec.code], lead_agency="MIN")
    datasets = factories.indicator(action, code="DATASETS")
    strategy = factories.indicator(rec, code="STRATEGY", kind="yes_no", baseline_value=0, target_value=1)
    secretariat = factories.user("secretariat")
    focal = factories.user("agency", agency="MIN")
    return plan, rec, action, datasets, strategy, secretariat, focal


def report(action, focal, values, *, submit=True, report=None):
    data = {"narrative": "Portal launched", "percent_complete": 60, "proposed_status": "ongoing",
            "indicator_values": values}
    return save_report(action, data, author=focal, now=NOW, submit=submit, report=report)


def test_an_action_reports_on_its_indicators_and_its_recommendations(setting):
    _plan, _rec, action, *_ = setting
    assert [i.code for i in reportable_indicators(action)] == ["DATASETS", "STRATEGY"]


def test_values_count_only_once_the_report_is_accepted(setting):
    _plan, _rec, action, datasets, strategy, secretariat, focal = setting
    filed = report(action, focal, [{"indicator": datasets.id, "value": "40", "period_date": "2026-06-30"},
                                   {"indicator": strategy.id, "value": "yes"}])
    assert counted_values(datasets) == []
    accept_report(filed, {}, reviewer=secretariat, now=LATER)
    [value] = counted_values(datasets)
    assert (value.value, value.period_date) == (40.0, date(2026, 6, 30))
    assert counted_values(strategy)[0].value == 1.0
    assert counted_values(strategy)[0].period_date == NOW.date()  # the report's day when not given


def test_a_returned_report_s_values_do_not_count_and_history_is_kept(setting):
    _plan, _rec, action, datasets, _strategy, secretariat, focal = setting
    first = report(action, focal, [{"indicator": datasets.id, "value": 40, "period_date": "2026-06-30"}])
    accept_report(first, {}, reviewer=secretariat, now=LATER)
    second = report(action, focal, [{"indicator": datasets.id, "value": 55, "period_date": "2026-09-30"}])
    return_report(second, {"comment": "Which portal?"}, reviewer=secretariat, now=LATER)
    assert [v.value for v in counted_values(datasets)] == [40.0]
    corrected = report(action, focal, [{"indicator": datasets.id, "value": 50, "period_date": "2026-09-30"}],
                       report=second)
    accept_report(corrected, {}, reviewer=secretariat, now=LATER)
    assert [v.value for v in counted_values(datasets)] == [40.0, 50.0]  # the first never overwritten


def test_bad_values_are_named_by_position_and_field_and_nothing_is_stored(setting, db_session):
    _plan, _rec, action, datasets, strategy, _secretariat, focal = setting
    other_plan = factories.plan()
    foreign = factories.indicator(factories.action(other_plan), code="FOREIGN")
    with pytest.raises(ValidationFailed) as caught:
        report(action, focal, [
            {"indicator": datasets.id, "value": "lots"},
            {"indicator": strategy.id, "value": "maybe"},
            {"indicator": foreign.id, "value": 3},
            {"indicator": datasets.id, "value": "nan", "period_date": "9999-01-01"},
        ])
    errors = caught.value.errors["indicator_values"]
    assert errors[0] == {"value": ["Enter a number (e.g. 42 or 3.5)."]}
    assert errors[1] == {"value": ["Answer yes or no."]}
    assert "Not an indicator of this action" in errors[2]["indicator"][0]
    assert "period_date" in errors[3]
    assert db_session.scalars(select(IndicatorValue)).all() == []


def test_a_percent_indicator_refuses_values_outside_0_to_100(setting):
    _plan, _rec, action, _datasets, _strategy, _secretariat, focal = setting
    share = factories.indicator(action, kind="percent", baseline_value=5, target_value=50)
    with pytest.raises(ValidationFailed) as caught:
        report(action, focal, [{"indicator": share.id, "value": 140}])
    assert caught.value.errors["indicator_values"][0] == {"value": ["Enter a percent from 0 to 100."]}


def test_a_draft_s_values_are_replaced_when_it_is_saved_again(setting, db_session):
    _plan, _rec, action, datasets, _strategy, _secretariat, focal = setting
    draft = report(action, focal, [{"indicator": datasets.id, "value": 20}], submit=False)
    report(action, focal, [{"indicator": datasets.id, "value": 25}], submit=False, report=draft)
    assert [v.value for v in db_session.scalars(select(IndicatorValue))] == [25.0]
    report(action, focal, [], submit=False, report=draft)
    assert db_session.scalars(select(IndicatorValue)).all() == []


def test_definition_checks_and_changes_go_into_the_history(setting, db_session):
    _plan, _rec, action, datasets, _strategy, _secretariat, _focal = setting
    with pytest.raises(ValidationFailed) as caught:
        factories.indicator(action, code="DATASETS")
    assert "already used" in caught.value.errors["code"][0]
    with pytest.raises(ValidationFailed) as caught:
        factories.indicator(action, target_date="2020-01-01")
    assert "before the baseline" in caught.value.errors["target_date"][0]
    with pytest.raises(ValidationFailed) as caught:
        factories.indicator(action, kind="yes_no", baseline_value=3)
    assert "1 (yes) or 0 (no)" in caught.value.errors["baseline_value"][0]

    update_indicator(datasets, {"code": "DATASETS", "name": datasets.name, "baseline_value": 10,
                                "baseline_date": "2024-01-01", "target_value": 120, "target_date": "2028-01-01"},
                     actor=SYSTEM, now=LATER)
    event = db_session.scalars(select(Event).where(Event.summary == "Indicator DATASETS changed")).one()
    assert event.details["changes"]["target_value"] == [100.0, 120.0]
