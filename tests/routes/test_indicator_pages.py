"""Indicators through the pages: the secretariat defines one, an agency reports a value by
the form, the secretariat accepts it, and the public action page shows value, rating and chart."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tracker.models import Indicator, IndicatorValue, ProgressReport
from tracker.services.rounds import open_reporting_round


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def post(client, path, data, *, form_path=None):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path or path)})


@pytest.fixture
def setting(db_session):
    plan = factories.plan(slug="open-data", title="Open data plan")
    factories.agency(acronym="MIN")
    rec = factories.recommendation(plan, code="R1")
    action = factories.action(plan, code="A1", lead_agency="MIN", recommendations=["R1"],
                              start_date="2024-01-01", due_date="2099-12-31")
    open_reporting_round(plan, {"name": "Round 2026", "opens_on": "2020-01-01", "deadline": "2099-12-31"})
    return plan, rec, action


INDICATOR = {"code": "DATASETS", "name": "Datasets on the national portal", "kind": "number", "unit": "datasets",
             "direction": "up", "baseline_value": "100", "baseline_date": "2024-01-01", "target_value": "200",
             "target_date": "2026-01-01", "data_source": "Portal statistics", "position": "0"}


def test_the_whole_story_define_report_accept_and_show(client, login_as, auth, db_session, setting):
    plan, _rec, action = setting
    staff = login_as("secretariat")
    edit_page = text(client.get(f"/secretariat/plans/{plan.slug}/actions/{action.id}/edit"))
    assert "No indicator measures this yet." in edit_page and "Add an indicator" in edit_page

    new_url = f"/secretariat/plans/{plan.slug}/actions/{action.id}/indicators/new"
    refused = post(client, new_url, {**INDICATOR, "baseline_value": "a hundred", "target_date": "2020-01-01"})
    assert refused.status_code == 422
    assert "Enter a number (e.g. 42 or 3.5)." in text(refused)
    assert 'value="a hundred"' in text(refused)  # what was typed comes back
    assert db_session.scalars(select(Indicator)).all() == []

    saved = post(client, new_url, INDICATOR)
    assert saved.status_code == 302
    assert "DATASETS: Datasets on the national portal" in text(client.get(saved.headers["Location"]))

    focal = factories.user("agency", agency="MIN")
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    auth.login(focal.email)
    form_url = f"/agency/actions/{action.id}/report"
    indicator = db_session.scalars(select(Indicator)).one()
    box = f"indicator-{indicator.id}-value"
    form = text(client.get(form_url))
    assert "DATASETS · Datasets on the national portal (datasets)" in form and f'id="{box}"' in form

    report = {"narrative": "Portal relaunched", "percent_complete": "50", "proposed_status": "ongoing",
              "links": "", "intent": "submit"}
    bad = post(client, form_url, {**report, box: "lots"}, form_path=form_url)
    assert bad.status_code == 422
    page = text(bad)
    assert re.search(rf'<p class="error" id="{box}-error">Enter a number', page)
    assert 'value="lots"' in page
    good = post(client, form_url, {**report, box: "180", f"indicator-{indicator.id}-date": "2025-06-30"},
                form_path=form_url)
    assert good.status_code == 302, text(good)
    assert db_session.scalars(select(IndicatorValue)).one().value == 180.0

    public_url = f"/plans/{plan.slug}/actions/{action.id and action.code}"
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})
    before = text(client.get(public_url)).split('id="indicators-heading"', 1)[1]
    # Not before acceptance (the section only: a timestamp elsewhere may hold the digits "180").
    assert "Not rated yet" in before and "180 datasets" not in before

    auth.login(staff.email)
    submitted = db_session.scalars(select(ProgressReport)).one()
    review = f"/secretariat/reviews/{submitted.id}"
    assert "Indicator values reported" in text(client.get(review))
    accepted = post(client, f"{review}/accept", {"accept_comment": ""}, form_path=review)
    assert accepted.status_code == 302
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/")})

    page = text(client.get(public_url))
    section = page.split('id="indicators-heading"', 1)[1]
    assert "DATASETS: Datasets on the national portal" in section
    assert "180 datasets (2025-06-30)" in section  # the latest accepted value
    assert "100 datasets (2024-01-01)" in section and "200 datasets by 2026-01-01" in section
    # 100 -> 180 in 1.5 years against 100 -> 200 in 2: above 95% of the pace needed.
    assert 'class="rating rating-substantial_progress"' in section and "Substantial progress" in section
    assert "How the rating is worked out" in section
    chart_url = f"/plans/{plan.slug}/indicators/DATASETS.png"
    assert chart_url in section
    chart = client.get(chart_url)
    assert chart.status_code == 200 and chart.mimetype == "image/png" and chart.data[:8] == b"\x89PNG\r\n\x1a\n"
    svg = client.get(f"/plans/{plan.slug}/indicators/DATASETS.svg").get_data(as_text=True)
    assert "Baseline: 100" in svg and "Target: 200" in svg and "Accepted values" in svg
    csv = client.get(f"/plans/{plan.slug}/indicators/DATASETS.csv").get_data(as_text=True)
    assert "Value,2025-06-30,180" in csv.replace("\r\n", "\n")


def test_recommendation_indicators_are_shown_and_unpublished_plans_hide_them(client, login_as, db_session, setting):
    plan, rec, _action = setting
    factories.indicator(rec, code="LAW", name="Open data law adopted", kind="yes_no", baseline_value=0,
                        target_value=1)
    page = text(client.get(f"/plans/{plan.slug}/recommendations/{rec.code}"))
    assert "LAW: Open data law adopted" in page and "Not rated yet" in page

    plan.published = False
    db_session.commit()
    assert client.get(f"/plans/{plan.slug}/indicators/LAW.png").status_code == 404


def test_an_unknown_indicator_chart_is_404(client, setting):
    plan, *_ = setting
    assert client.get(f"/plans/{plan.slug}/indicators/NOPE.svg").status_code == 404


def test_a_plan_wide_indicator_is_edited_and_leads_back_to_the_plan_s_indicators(client, login_as, setting):
    from tests.factories import NOW, SYSTEM
    from tracker.services.indicators import save_indicator

    plan, *_ = setting
    indicator, _ = save_indicator(plan, {"code": "RANK", "name": "Rank in the index", "direction": "down"},
                                  actor=SYSTEM, now=NOW)
    login_as("secretariat")
    url = f"/secretariat/plans/{plan.slug}/indicators/{indicator.id}/edit"
    assert "the whole plan" in text(client.get(url))
    saved = post(client, url, {"code": "RANK", "name": "Rank in the OURdata Index", "kind": "number",
                               "direction": "down", "position": "0"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/plans/{plan.slug}/indicators")
    assert indicator.name == "Rank in the OURdata Index"
    assert client.get(f"/secretariat/plans/{plan.slug}/indicators/999999/edit").status_code == 404
