"""Tokens, not cookies; and every answer under /api is JSON, errors included."""

from datetime import UTC, datetime

from tests.api.conftest import bearer
from tracker.services.tokens import create_token, revoke_token


def test_writing_without_a_token_is_401_with_a_bearer_challenge(client, world):
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports", json={"percent_complete": 10})
    assert response.status_code == 401 and response.is_json
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["code"] == 401


def test_invalid_malformed_and_revoked_tokens_are_401_even_for_reading(client, world):
    for header in ("Bearer trk_not-a-real-token", "Bearer", "Basic dXNlcjpwYXNz", "trk_no_scheme"):
        response = client.get("/api/v1/plans", headers={"Authorization": header})
        assert response.status_code == 401, header
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]

    token, secret = create_token(world.focal, {"name": "laptop", "scope": "read"}, now=datetime.now(UTC))
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/plans", headers=headers).status_code == 200
    revoke_token(world.focal, token.id, now=datetime.now(UTC))
    response = client.get("/api/v1/plans", headers=headers)
    assert response.status_code == 401 and "revoked" in response.get_json()["message"]


def test_a_signed_in_browser_session_counts_for_nothing(client, auth, world):
    from tests import factories

    factories.plan(slug="hidden-plan", published=False)
    assert auth.login(world.secretariat.email).status_code == 302  # signed in to the pages
    # The session cookie is ignored: no unpublished plan, and writing needs a token (not CSRF).
    assert client.get("/api/v1/plans/hidden-plan").status_code == 404
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports", json={})
    assert response.status_code == 401
    # With a token and no CSRF token at all, the write goes through.
    response = client.post(f"/api/v1/actions/{world.overdue.id}/reports",
                           json={"percent_complete": 10, "proposed_status": "ongoing"},
                           headers=bearer(world.focal))
    assert response.status_code == 201
    assert "Set-Cookie" not in response.headers


def test_not_found_is_json_everywhere_under_api(client, world):
    for url in ("/api/v1/plans/no-such-plan", "/api/v1/actions/999999", "/api/v1/reports/999999",
                "/api/v1/actions/999999/reports", "/api/v1/no-such-thing", "/api/nothing-here"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.is_json and response.get_json()["status"] == "Not Found", url

    wrong_method = client.delete("/api/v1/plans")
    assert wrong_method.status_code == 405 and wrong_method.is_json
    assert "GET" in wrong_method.headers["Allow"]
    # The pages keep their HTML error pages.
    page = client.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_an_action_of_an_unpublished_plan_is_404_for_the_public(client, world):
    from tests import factories

    hidden = factories.plan(slug="hidden-plan", published=False)
    action = factories.action(hidden, lead_agency="MIN")
    assert client.get(f"/api/v1/actions/{action.id}").status_code == 404
    assert client.get(f"/api/v1/actions/{action.id}", headers=bearer(world.focal)).status_code == 200
    assert client.get(f"/api/v1/actions/{action.id}", headers=bearer(world.outsider)).status_code == 404
