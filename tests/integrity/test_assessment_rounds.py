"""Assessment rounds are records of what was found at a date (issue 12, items 1 and 16).

A round is open while assessors record statuses and closed once it is a record: nothing
in a closed round changes, only the secretariat reopens one (with a reason), and every
change of a round's state is kept with who, when and why. Assessors work on published
plans only.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tracker.models import (
    AssessmentRound,
    AssessmentRoundChange,
    Recommendation,
    RecommendationAssessment,
)
from tracker.services.api_queries import plans_query, visible_plan
from tracker.services.assessments import open_assessment_round, round_totals
from tracker.services.errors import Forbidden, NotFound
from tracker.services.tokens import create_token

MEXICO = "mexico-2016-review-followup"
# Table 2.1 of OECD (2018), Open Government Data in Mexico: The Way Forward.
TABLE_2_1_TOTALS = {"fully_achieved": 14, "ongoing": 7, "under_discussion": 1, "pending": 2}


def load_seed(app, slug: str = MEXICO) -> str:
    """``flask seed load SLUG``, as an operator runs it; returns its output."""
    result = app.test_cli_runner().invoke(args=["seed", "load", slug])
    assert result.exit_code == 0, result.output
    return result.output


def seeded_round(db_session) -> AssessmentRound:
    return db_session.scalars(select(AssessmentRound)).one()


def mexico_rec(db_session, code: str) -> Recommendation:
    return db_session.scalars(select(Recommendation).where(Recommendation.code == code)).one()


def statuses_of(db_session, round_: AssessmentRound) -> dict[int, tuple[str, str]]:
    """Every status recorded in the round, with its justification, by recommendation."""
    db_session.expire_all()
    return {
        a.recommendation_id: (a.status_key, a.justification)
        for a in db_session.scalars(select(RecommendationAssessment).where(RecommendationAssessment.round_id == round_.id))
    }


def assess_url(round_, rec) -> str:
    return f"/assessor/rounds/{round_.id}/recommendations/{rec.id}"


def secretariat_url(round_=None, verb: str = "") -> str:
    base = f"/secretariat/plans/{MEXICO}/assessments"
    return f"{base}/{round_.id}/{verb}" if round_ is not None else base


def history_rows(page: str) -> list[str]:
    """The rows of the page's round history table, as text without tags."""
    table = page.split('class="data round-history"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>") if "<td" in row]


@pytest.mark.seeded
def test_seeded_rounds_load_closed_and_loading_again_changes_nothing(app, client, login_as, db_session):
    """Issue 12 item 1: the OECD's December 2017 follow-up is loaded closed, its history says
    so, and a second ``seed load`` leaves the round exactly as it was."""
    load_seed(app)
    round_ = seeded_round(db_session)
    assert round_.state == "closed"
    before = statuses_of(db_session, round_)
    assert round_totals(round_) == TABLE_2_1_TOTALS

    assert f"{MEXICO}: unchanged" in load_seed(app)
    db_session.expire_all()
    assert seeded_round(db_session).state == "closed"
    assert statuses_of(db_session, round_) == before
    changes = db_session.scalars(select(AssessmentRoundChange)).all()
    assert [(c.old_state, c.new_state, c.changed_by_label) for c in changes] == [(None, "closed", "seed")]

    login_as("assessor")
    page = client.get(f"/assessor/rounds/{round_.id}").get_data(as_text=True)
    assert "This round is closed" in page
    assert "/recommendations/" not in page  # no status form is offered on a closed round
    [row] = history_rows(page)
    assert "seed" in row and "Loaded as a closed, historical record" in row


@pytest.mark.seeded
def test_an_assessor_cannot_change_a_status_in_a_closed_seeded_round(app, client, login_as, db_session):
    """Issue 12 item 1: posting a status into the closed 2017 follow-up is refused with a
    422 naming the problem; the round's statuses and its Table 2.1 counts do not move."""
    load_seed(app)
    round_ = seeded_round(db_session)
    gov1 = mexico_rec(db_session, "GOV-1")
    before = statuses_of(db_session, round_)
    assert before[gov1.id][0] == "ongoing"
    login_as("assessor")
    chart_before = client.get(f"/plans/{MEXICO}/rounds.csv").get_data(as_text=True)

    response = client.post(assess_url(round_, gov1), data={
        "status": "pending", "justification": "Rewriting history",
        "csrf_token": csrf_token(client, "/assessor/"),
    })

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "This assessment round is closed: its statuses can no longer change." in page
    assert statuses_of(db_session, round_) == before
    assert round_totals(seeded_round(db_session)) == TABLE_2_1_TOTALS
    assert client.get(f"/plans/{MEXICO}/rounds.csv").get_data(as_text=True) == chart_before


@pytest.mark.seeded
def test_an_assessor_cannot_reopen_a_closed_round(app, client, login_as, db_session):
    """Issue 12 item 1: reopening is the secretariat's alone; an assessor's attempt is refused
    and the round stays closed, with nothing added to its history."""
    load_seed(app)
    round_ = seeded_round(db_session)
    login_as("assessor")
    page = client.get(f"/assessor/rounds/{round_.id}").get_data(as_text=True)
    assert "Reopen" not in page

    response = client.post(secretariat_url(round_, "reopen"), data={
        "reason": "I want to change it", "csrf_token": csrf_token(client, "/assessor/"),
    })

    assert response.status_code == 403
    db_session.expire_all()
    assert seeded_round(db_session).state == "closed"
    assert db_session.query(AssessmentRoundChange).count() == 1


@pytest.mark.seeded
def test_reopen_record_and_close_again_are_each_kept_with_who_when_and_why(app, client, auth, db_session):
    """Issue 12 item 1: the secretariat reopens the seeded round with a reason, an assessor
    records a corrected status and closes the round; the round's history on both the
    assessor's and the secretariat's pages lists the three changes with who, when and why."""
    load_seed(app)
    round_ = seeded_round(db_session)
    gov2 = mexico_rec(db_session, "GOV-2")
    started = datetime.now(UTC)

    secretariat = auth.login_as("secretariat")
    workspace = client.get(f"/secretariat/plans/{MEXICO}").get_data(as_text=True)
    assert f'href="{secretariat_url()}"' in workspace  # linked from the plan's workspace
    listing = client.get(secretariat_url()).get_data(as_text=True)
    assert "OECD follow-up assessment (state of policy, December 2017)" in listing and "Closed" in listing
    response = client.post(secretariat_url(round_, "reopen"), data={
        "reason": "The OECD published an erratum for GOV-2", "csrf_token": csrf_token(client, secretariat_url()),
    })
    assert response.status_code == 302
    auth.logout()

    assessor = auth.login_as("assessor")
    round_page = f"/assessor/rounds/{round_.id}"
    assert "/recommendations/" in client.get(round_page).get_data(as_text=True)  # open: forms are back
    response = client.post(assess_url(round_, gov2), data={
        "status": "under_discussion", "justification": "Per the erratum of the OECD",
        "csrf_token": csrf_token(client, round_page),
    })
    assert response.status_code == 302
    response = client.post(f"/assessor/rounds/{round_.id}/close", data={
        "reason": "Erratum recorded", "csrf_token": csrf_token(client, round_page),
    })
    assert response.status_code == 302
    finished = datetime.now(UTC)

    db_session.expire_all()
    assert seeded_round(db_session).state == "closed"
    assert statuses_of(db_session, round_)[gov2.id] == ("under_discussion", "Per the erratum of the OECD")
    changes = db_session.scalars(
        select(AssessmentRoundChange).order_by(AssessmentRoundChange.changed_at, AssessmentRoundChange.id)
    ).all()
    assert [(c.old_state, c.new_state, c.changed_by_id, c.changed_by_label, c.reason) for c in changes] == [
        (None, "closed", None, "seed", changes[0].reason),
        ("closed", "open", secretariat.id, secretariat.email, "The OECD published an erratum for GOV-2"),
        ("open", "closed", assessor.id, assessor.email, "Erratum recorded"),
    ]
    assert all(started <= c.changed_at <= finished for c in changes[1:])

    page = client.get(round_page).get_data(as_text=True)
    assert "This round is closed" in page and "/recommendations/" not in page
    # The assessor sees roles, not emails (emails are for the secretariat: services.actors).
    shown_to_assessor = history_rows(page)
    auth.logout()
    auth.login_as("secretariat")
    shown_to_secretariat = history_rows(client.get(secretariat_url()).get_data(as_text=True))
    for shown, who in (
        (shown_to_assessor, ["seed", "Secretariat", "Independent assessor"]),
        (shown_to_secretariat, [change.changed_by_label for change in changes]),
    ):
        assert len(shown) == 3
        for row, change, actor in zip(shown, changes, who, strict=True):
            assert change.changed_at.strftime("%Y-%m-%d %H:%M") in row
            assert actor in row and change.reason in row
        assert "Loaded closed" in shown[0] and "Reopened" in shown[1] and "Closed" in shown[2]
    assert secretariat.email not in page


@pytest.mark.seeded
def test_reopening_without_a_reason_is_refused_with_a_field_message(app, client, login_as, db_session):
    """Issue 12 item 1: a reopening must say why; without a reason the page comes back 422
    with the message on the round's reason field, and the round stays closed."""
    load_seed(app)
    round_ = seeded_round(db_session)
    login_as("secretariat")

    response = client.post(secretariat_url(round_, "reopen"), data={
        "reason": "   ", "csrf_token": csrf_token(client, secretariat_url()),
    })

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(
        rf'id="reason-{round_.id}-error">Say why the round is reopened: the reason is kept in its history.', page
    )
    assert f'href="#reason-{round_.id}"' in page  # the error summary leads to the field
    db_session.expire_all()
    assert seeded_round(db_session).state == "closed"
    assert db_session.query(AssessmentRoundChange).count() == 1


def test_closing_is_for_the_plans_assessors_and_the_secretariat(app, client, auth, db_session):
    """Issue 12 item 1: a round an assessor opened is open; the secretariat may close it too
    (reason optional), and a closed round refuses to be closed again with a message."""
    plan = factories.plan(slug="round-plan")
    factories.recommendation(plan, code="R1")
    opener = factories.user("assessor")
    round_ = open_assessment_round(plan, {"name": "Follow-up 2026", "assessed_on": "2026-11-01"},
                                   user=opener, now=factories.NOW)
    assert round_.state == "open"

    auth.login_as("secretariat")
    url = f"/secretariat/plans/round-plan/assessments/{round_.id}/close"
    listing = "/secretariat/plans/round-plan/assessments"
    response = client.post(url, data={"csrf_token": csrf_token(client, listing)})
    assert response.status_code == 302
    response = client.post(url, data={"csrf_token": csrf_token(client, listing)})
    assert response.status_code == 422
    assert "This round is already closed." in response.get_data(as_text=True)
    db_session.expire_all()
    changes = db_session.scalars(
        select(AssessmentRoundChange).where(AssessmentRoundChange.round_id == round_.id)
        .order_by(AssessmentRoundChange.id)
    ).all()
    assert [(c.old_state, c.new_state, c.changed_by_label) for c in changes] == [
        (None, "open", opener.email), ("open", "closed", changes[1].changed_by_label),
    ]


def test_assessors_see_published_plans_only(app, client, auth, db_session):
    """Issue 12 item 16: an assessor neither lists an unpublished plan nor reaches its
    rounds (404 for the page, the status form and the close form, and for opening a round);
    the public pages and charts treat the assessor as the public. Admins still see it."""
    hidden = factories.plan(slug="hidden-plan", title="Unpublished draft plan", published=False)
    rec = factories.recommendation(hidden, code="H1", text="A recommendation not yet public")
    shown = factories.plan(slug="shown-plan", title="Published plan")
    round_ = open_assessment_round(hidden, {"name": "Draft assessment", "assessed_on": "2026-11-01"},
                                   user=factories.user("admin"), now=factories.NOW)
    assessor = auth.login_as("assessor")

    rounds = client.get("/assessor/").get_data(as_text=True)
    assert shown.title in rounds
    assert hidden.title not in rounds and "Draft assessment" not in rounds
    token = csrf_token(client, "/assessor/")
    assert client.get(f"/assessor/rounds/{round_.id}").status_code == 404
    assert client.post(f"/assessor/rounds/{round_.id}/recommendations/{rec.id}", data={
        "status": "ongoing", "justification": "Seen it anyway", "csrf_token": token,
    }).status_code == 404
    assert client.post(f"/assessor/rounds/{round_.id}/close", data={"csrf_token": token}).status_code == 404
    assert client.post("/assessor/", data={
        "plan": "hidden-plan", "name": "Another", "assessed_on": "2026-12-01", "csrf_token": token,
    }).status_code == 404
    for url in ("/plans/hidden-plan", "/plans/hidden-plan/recommendations/H1", "/plans/hidden-plan/rounds.csv"):
        assert client.get(url).status_code == 404, url
    assert "A recommendation not yet public" not in client.get("/search?q=recommendation").get_data(as_text=True)
    db_session.expire_all()
    assert db_session.query(RecommendationAssessment).count() == 0
    assert db_session.scalars(select(AssessmentRound.state).where(AssessmentRound.id == round_.id)).one() == "open"
    # Assessors hold no API tokens (create_token refuses their role); should one reach the
    # API, its queries treat the assessor as the public.
    with pytest.raises(Forbidden):
        create_token(assessor, {"name": "sync"}, now=factories.NOW)
    assert [p.slug for p in db_session.scalars(plans_query(assessor))] == ["shown-plan"]
    with pytest.raises(NotFound):
        visible_plan(assessor, "hidden-plan")

    auth.logout()
    auth.login_as("admin")
    assert hidden.title in client.get("/assessor/").get_data(as_text=True)
    assert client.get(f"/assessor/rounds/{round_.id}").status_code == 200

