"""Independent assessors: open a round, record a status with its justification."""

import re

from tests import factories
from tests.conftest import csrf_token
from tracker.models import RecommendationAssessment


def open_round(client, plan, name="Follow-up 2026", assessed_on="2026-11-01"):
    return client.post("/assessor/", data={"plan": plan.slug, "name": name, "assessed_on": assessed_on,
                                           "csrf_token": csrf_token(client, "/assessor/")})


def test_assessor_opens_a_round_and_records_a_status_with_justification(client, login_as, db_session):
    plan = factories.plan(title="Open data plan")
    first = factories.recommendation(plan, code="GOV-1", text="Sustain the co-ordination.")
    factories.recommendation(plan, code="GOV-2", text="Secure the funding.")
    login_as("assessor")

    response = open_round(client, plan)
    assert response.status_code == 302
    round_url = response.headers["Location"]
    page = client.get(round_url).get_data(as_text=True)
    assert "Follow-up 2026" in page and "0 of 2 recommendations rated" in page
    assert "Sustain the co-ordination." in page and "Secure the funding." in page
    action = re.search(rf'action="([^"]+/recommendations/{first.id})"', page).group(1)

    response = client.post(action, data={"status": "ongoing", "justification": "The decree is in force",
                                         "csrf_token": csrf_token(client, round_url)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#rec-{first.id}")
    page = client.get(round_url).get_data(as_text=True)
    assert "Status of GOV-1 recorded." in page and "1 of 2 recommendations rated" in page
    assert "The decree is in force</textarea>" in page
    recorded = db_session.query(RecommendationAssessment).one()
    assert (recorded.status_key, recorded.justification) == ("ongoing", "The decree is in force")
    assert first.status_key == "pending"  # the validated status is the secretariat's, untouched

    rounds = client.get("/assessor/").get_data(as_text=True)
    assert "Follow-up 2026" in rounds and "1 of 2" in rounds


def test_a_missing_justification_is_named_and_nothing_is_recorded(client, login_as, db_session):
    plan = factories.plan()
    rec = factories.recommendation(plan)
    login_as("assessor")
    round_url = open_round(client, plan).headers["Location"]
    page = client.get(round_url).get_data(as_text=True)
    action = re.search(r'action="([^"]+/recommendations/\d+)"', page).group(1)

    response = client.post(action, data={"status": "fully_achieved", "justification": "",
                                         "csrf_token": csrf_token(client, round_url)})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="justification-{rec.id}-error">Say why the recommendation has this status<', page)
    assert f'href="#justification-{rec.id}">Say why the recommendation has this status<' in page
    assert re.search(r'<option value="fully_achieved" selected>', page)  # the choice is kept
    assert db_session.query(RecommendationAssessment).count() == 0


def test_a_round_name_is_unique_within_its_plan(client, login_as):
    plan = factories.plan()
    login_as("admin")  # administrators may assess too
    assert open_round(client, plan).status_code == 302
    response = open_round(client, plan)
    assert response.status_code == 422
    assert re.search(r'id="name-error">This plan already has an assessment round with this name',
                     response.get_data(as_text=True))


def test_other_roles_cannot_assess(client, auth):
    auth.login_as("agency")
    assert client.get("/assessor/").status_code == 403
    auth.logout()
    auth.login_as("secretariat")
    assert client.get("/assessor/").status_code == 403
