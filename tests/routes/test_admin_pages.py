"""Administrators: users and agencies."""

import re

from tests import factories
from tests.conftest import csrf_token
from tracker.models import Agency, User


def create(client, **fields):
    data = {"email": "focal@ministry.example.org", "password": "a long enough password", "role": "agency",
            "agency": "", **fields}
    return client.post("/admin/users", data={**data, "csrf_token": csrf_token(client, "/admin/users")})


def test_admin_creates_a_user_who_can_then_sign_in(client, auth, db_session):
    factories.agency(acronym="MIN")
    auth.login_as("admin")
    response = create(client, agency="MIN")
    assert response.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "User focal@ministry.example.org created." in page
    row = page.split("focal@ministry.example.org</th>", 1)[1].split("</tr>", 1)[0]
    assert "Agency" in row and "(MIN)" in row
    auth.logout()
    assert auth.login("focal@ministry.example.org", "a long enough password").status_code == 302


def test_an_invalid_email_gets_a_message_on_its_field(client, login_as, db_session):
    login_as("admin")
    response = create(client, email="not-an-email")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="email-error">Enter an email address in the correct format, like name@example.gov<', page)
    assert 'value="not-an-email"' in page and "a long enough password" not in page
    assert db_session.query(User).filter_by(email="not-an-email").count() == 0


def test_admin_changes_a_users_role_and_deactivates_them(client, login_as, db_session):
    user = factories.user("secretariat")
    login_as("admin")
    url = f"/admin/users/{user.id}"
    assert client.get(url).status_code == 200
    response = client.post(url, data={"role": "assessor", "agency": "", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 302
    db_session.refresh(user)
    assert (user.role, user.active) == ("assessor", False)  # the unticked box deactivates


def test_an_admin_cannot_remove_their_own_access(client, login_as):
    admin = login_as("admin")
    url = f"/admin/users/{admin.id}"
    response = client.post(url, data={"role": "secretariat", "active": "yes", "csrf_token": csrf_token(client, url)})
    assert response.status_code == 422
    assert "You cannot remove your own administrator access." in response.get_data(as_text=True)


def test_admin_lists_and_creates_agencies_refusing_duplicates(client, login_as, db_session):
    login_as("admin")
    data = {"name": "National Statistics Office", "acronym": "NSO", "country": "Testland"}
    token = csrf_token(client, "/admin/agencies")
    assert client.post("/admin/agencies", data={**data, "csrf_token": token}).status_code == 302
    page = client.get("/admin/agencies").get_data(as_text=True)
    assert "Agency National Statistics Office (NSO) created." in page
    assert "<th scope=\"row\">National Statistics Office</th>" in page
    response = client.post("/admin/agencies", data={**data, "csrf_token": token})
    assert response.status_code == 422
    assert re.search(r'id="name-error">An agency with this name already exists', response.get_data(as_text=True))
    assert db_session.query(Agency).filter_by(acronym="NSO").count() == 1


def test_only_admins_reach_the_admin_pages(client, login_as):
    login_as("secretariat")
    assert client.get("/admin/users").status_code == 403
    assert client.get("/admin/agencies").status_code == 403


def test_an_agency_user_needs_an_agency(client, login_as):
    login_as("admin")
    response = create(client, agency="")
    assert response.status_code == 422
    assert re.search(r'id="agency-error">An agency user must belong to an agency.', response.get_data(as_text=True))
