"""The public cache: the same bytes until the data changes, then the new data at once."""

from tests import factories
from tests.factories import NOW, SYSTEM
from tracker.services.recommendations import set_recommendation_status
from tracker.web.response_cache import PUBLIC


def kept(app) -> int:
    """How many responses the public cache holds."""
    return len(app.extensions[PUBLIC])


def test_the_public_gets_the_page_as_first_rendered_and_a_304_when_it_has_it(app, client, db_session):
    factories.recommendation(factories.plan(slug="kept", title="Kept plan"), code="R1", text="Publish budgets")
    first = client.get("/plans/kept")
    assert first.status_code == 200 and "Publish budgets" in first.get_data(as_text=True)
    assert "Cookie" in first.headers["Vary"] and first.headers["Cache-Control"] == "public, no-cache"
    assert kept(app) == 1

    again = client.get("/plans/kept")
    assert again.get_data() == first.get_data()
    # Replayed as Flask sent it, security headers and all.
    assert dict(again.headers) == dict(first.headers)
    assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]
    revalidated = client.get("/plans/kept", headers={"If-None-Match": first.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.get_data() == b""
    assert revalidated.headers["ETag"] == first.headers["ETag"]
    assert kept(app) == 1


def test_a_change_shows_at_once(client, db_session):
    rec = factories.recommendation(factories.plan(slug="moving"), code="R1", status="pending")
    before = client.get("/plans/moving")
    assert '<td data-status="pending" data-total>1</td>' in before.get_data(as_text=True)

    set_recommendation_status(rec, {"status": "fully_achieved", "reason": "Law adopted"}, actor=SYSTEM, now=NOW)

    after = client.get("/plans/moving", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    page = after.get_data(as_text=True)
    assert '<td data-status="fully_achieved" data-total>1</td>' in page
    assert '<td data-status="pending" data-total>0</td>' in page


def test_charts_are_kept_too_and_drawn_again_after_a_change(app, client, db_session):
    rec = factories.recommendation(factories.plan(slug="drawn"), code="R1", status="pending")
    first = client.get("/plans/drawn/scorecard.csv")
    assert first.status_code == 200 and kept(app) == 1
    assert client.get("/plans/drawn/scorecard.csv").get_data() == first.get_data()

    set_recommendation_status(rec, {"status": "ongoing", "reason": "Decree"}, actor=SYSTEM, now=NOW)

    after = client.get("/plans/drawn/scorecard.csv")
    assert after.get_data() != first.get_data() and after.headers["ETag"] != first.headers["ETag"]


def test_signed_in_people_get_their_own_page_and_it_is_never_kept(app, client, db_session, auth):
    factories.plan(slug="mine")
    user = auth.login_as("secretariat")
    page = client.get("/plans/mine").get_data(as_text=True)
    assert user.email in page and "Sign out" in page
    assert kept(app) == 0

    auth.logout()
    client.delete_cookie("session")  # the sign-out message was shown; now a stranger
    public = client.get("/plans/mine").get_data(as_text=True)
    assert user.email not in public and "Sign in" in public
    assert kept(app) == 1


def test_error_pages_and_other_languages_are_kept_apart(app, client, db_session):
    factories.plan(slug="dated")
    assert client.get("/plans/dated?as_of=not-a-date").status_code == 400
    assert client.get("/plans/no-such-plan").status_code == 404
    with client.get("/static/tracker.css") as static:  # not a kept view: passed through
        assert static.status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert kept(app) == 0
    english = client.get("/plans/dated", headers={"Accept-Language": "en"})
    other = client.get("/plans/dated", headers={"Accept-Language": "de"})  # falls back to English
    assert english.status_code == other.status_code == 200
    assert kept(app) == 1  # both asked for the page in English: one entry
    french = client.get("/plans/dated", headers={"Accept-Language": "fr"})
    assert 'lang="fr"' in french.get_data(as_text=True)
    assert kept(app) == 2
