"""Two-factor authentication (TOTP, RFC 6238), recovery codes, remembered devices, the sign-in log.

Codes are computed by pyotp here, as an authenticator app would. Services take ``now``;
the pages use the clock, so page tests use the code of the current step and then of the
next one (both within the drift allowed), never waiting.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select

from tests import factories
from tests.conftest import PASSWORD, csrf_token
from tracker.extensions import db
from tracker.models import OutboxMessage, RecoveryCode, SignInEvent
from tracker.services import two_factor
from tracker.services.errors import ValidationFailed

NOW = factories.NOW


def enabled_user(role: str = "secretariat") -> tuple[object, str, list[str]]:
    """A user with two-factor on (enabled an hour ago, so every current code is fresh)."""
    user = factories.user(role=role)
    secret = two_factor.new_secret()
    codes = two_factor.enable(user, secret, {"code": pyotp.TOTP(secret).at(NOW)}, now=NOW)
    return user, secret, codes


def events(user) -> list[tuple[str, bool]]:
    rows = db.session.scalars(select(SignInEvent).where(SignInEvent.user_id == user.id).order_by(SignInEvent.id))
    return [(e.method, e.succeeded) for e in rows]


def post_code(client, code: str, **extra):
    return client.post("/sign-in/two-factor",
                       data={"code": code, "csrf_token": csrf_token(client, "/sign-in/two-factor"), **extra})


# --- the service, with time as a parameter


def test_enabling_needs_a_right_code():
    user = factories.user()
    secret = two_factor.new_secret()
    with pytest.raises(ValidationFailed) as refused:
        two_factor.enable(user, secret, {"code": "000000" if pyotp.TOTP(secret).at(NOW) != "000000" else "111111"},
                          now=NOW)
    assert "code" in refused.value.errors and not user.has_two_factor
    with pytest.raises(ValidationFailed):
        two_factor.enable(user, secret, {"code": ""}, now=NOW)


def test_ten_recovery_codes_stored_hashed():
    user, _, codes = enabled_user()
    assert len(codes) == 10 and len(set(codes)) == 10
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert len(stored) == 10 and not set(stored) & ({c.replace("-", "") for c in codes} | set(codes))


def test_a_code_works_within_the_drift_and_only_once():
    user, secret, _ = enabled_user()
    totp = pyotp.TOTP(secret)
    later = NOW + timedelta(minutes=5)
    assert two_factor.check_code(user, {"code": totp.at(later)}, now=later) == "authenticator"
    assert two_factor.check_code(user, {"code": totp.at(later)}, now=later) is None  # replayed
    assert two_factor.check_code(user, {"code": totp.at(later + timedelta(seconds=30))}, now=later) == "authenticator"
    # Two steps away is too far, whichever way the clock is wrong.
    assert two_factor.check_code(user, {"code": totp.at(later + timedelta(seconds=120))}, now=later) is None


def test_a_recovery_code_works_once_and_not_twice():
    user, _, codes = enabled_user()
    assert two_factor.check_code(user, {"code": codes[3].upper()}, now=NOW) == "recovery_code"
    assert two_factor.check_code(user, {"code": codes[3]}, now=NOW) is None
    assert two_factor.unused_recovery_codes(user) == 9


def test_a_remembered_device_expires_and_ends_with_a_reset():
    user, _, _ = enabled_user()
    cookie = two_factor.remember_device(user, secret_key="k", now=NOW)
    assert two_factor.is_remembered(user, cookie, secret_key="k", days=30, now=NOW + timedelta(days=29))
    assert not two_factor.is_remembered(user, cookie, secret_key="k", days=30, now=NOW + timedelta(days=30))
    assert not two_factor.is_remembered(user, cookie, secret_key="other", days=30, now=NOW)
    assert not two_factor.is_remembered(user, cookie + "x", secret_key="k", days=30, now=NOW)
    two_factor.reset(user)
    assert not two_factor.is_remembered(user, cookie, secret_key="k", days=30, now=NOW)


# --- the pages


def test_enrolment_shows_a_qr_code_and_the_secret_then_recovery_codes(client, login_as):
    user = login_as("agency")
    page = client.get("/account/two-factor")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<?xml" not in html
    secret = re.search(r'<code class="secret" id="secret">([A-Z2-7]+)</code>', html).group(1)
    wrong = client.post("/account/two-factor", data={"code": "12345", "csrf_token": csrf_token(client, "/account/")})
    assert wrong.status_code == 422 and not user.has_two_factor
    # The same secret is offered again until it is confirmed.
    assert secret in client.get("/account/two-factor").get_data(as_text=True)
    done = client.post("/account/two-factor", data={"code": pyotp.TOTP(secret).now(),
                                                      "csrf_token": csrf_token(client, "/account/")})
    assert done.status_code == 200 and done.headers["Cache-Control"] == "no-store"
    assert len(re.findall(r"<li><code>[0-9a-f]{5}-[0-9a-f]{5}</code></li>", done.get_data(as_text=True))) == 10
    db.session.refresh(user)
    assert user.has_two_factor and user.totp_secret == secret
    assert "On since" in client.get("/account/").get_data(as_text=True)


def test_signing_in_asks_for_the_code_after_the_password(client, auth):
    user, secret, _ = enabled_user()
    response = auth.login(user.email)
    assert response.status_code == 302 and response.location == "/sign-in/two-factor"
    assert client.get("/account/").status_code == 302  # not signed in yet
    wrong = post_code(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 422 and "not right" in wrong.get_data(as_text=True)
    assert post_code(client, pyotp.TOTP(secret).now()).status_code == 302
    assert client.get("/account/").status_code == 200
    assert events(user) == [("password", True), ("authenticator", False), ("authenticator", True)]


def test_a_recovery_code_signs_in_once_and_not_twice(client, auth):
    user, _, codes = enabled_user()
    auth.login(user.email)
    assert post_code(client, codes[0]).status_code == 302
    assert client.get("/account/").status_code == 200
    auth.logout()
    auth.login(user.email)
    assert post_code(client, codes[0]).status_code == 422
    assert client.get("/account/").status_code == 302
    assert events(user)[-1] == ("recovery_code", False)


def test_remember_this_device_skips_the_code_until_reset(client, auth):
    user, secret, _ = enabled_user()
    auth.login(user.email)
    response = post_code(client, pyotp.TOTP(secret).now(), remember="1")
    assert "tracker_device=" in response.headers["Set-Cookie"]
    auth.logout()
    assert auth.login(user.email).location == "/secretariat/"  # straight in, to the landing
    assert events(user)[-1] == ("remembered_device", True)
    auth.logout()
    two_factor.reset(user)
    secret = two_factor.new_secret()
    two_factor.enable(user, secret, {"code": pyotp.TOTP(secret).at(NOW)}, now=NOW)
    assert auth.login(user.email).location == "/sign-in/two-factor"


def test_the_second_step_is_no_sign_in_and_expires_with_the_session_generation(client, auth):
    from tracker.services.users import end_sessions

    user, _, _ = enabled_user()
    auth.login(user.email)
    assert client.get("/account/").status_code == 302
    end_sessions(user)  # e.g. the password changed meanwhile, on another device
    response = client.get("/sign-in/two-factor")
    assert response.status_code == 302 and response.location == "/sign-in"


def test_turning_it_off_and_new_recovery_codes_need_a_code(client, auth):
    user, _, codes = enabled_user("agency")
    auth.login(user.email)
    post_code(client, codes[1])
    token = csrf_token(client, "/account/")
    assert client.post("/account/two-factor/recovery-codes", data={"code": "nope", "csrf_token": token}).status_code == 422
    fresh = client.post("/account/two-factor/recovery-codes", data={"code": codes[2], "csrf_token": token})
    assert fresh.status_code == 200
    new_codes = re.findall(r"<code>([0-9a-f]{5}-[0-9a-f]{5})</code>", fresh.get_data(as_text=True))
    assert len(new_codes) == 10 and codes[3] not in new_codes
    assert client.post("/account/two-factor/disable", data={"code": codes[3], "csrf_token": token}).status_code == 422
    assert client.post("/account/two-factor/disable", data={"code": new_codes[0], "csrf_token": token}).status_code == 302
    db.session.refresh(user)
    assert not user.has_two_factor


def test_roles_that_require_it_must_enrol_first_but_api_tokens_are_unaffected(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", ("secretariat", "admin"))
    user = factories.user(role="secretariat")
    token = factories.api_token(user)
    auth.login(user.email)
    for path in ("/", "/secretariat/plans", "/account/"):
        response = client.get(path)
        assert response.status_code == 302 and response.location == "/account/two-factor", path
    assert client.get("/account/two-factor").status_code == 200
    assert client.get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    # Agencies are not concerned.
    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/account/two-factor")})
    focal_point = factories.user(role="agency")
    auth.login(focal_point.email)
    assert client.get("/agency/").status_code == 200


def test_the_role_that_requires_it_cannot_turn_it_off(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_2FA_ROLES", ("admin",))
    user, _, codes = enabled_user("admin")
    auth.login(user.email)
    post_code(client, codes[0])
    page = client.get("/account/").get_data(as_text=True)
    assert "Turn two-factor off" not in page
    response = client.post("/account/two-factor/disable", data={"code": codes[1], "csrf_token": csrf_token(client, "/account/")})
    assert response.status_code == 422
    db.session.refresh(user)
    assert user.has_two_factor


# --- the sign-in log


def test_the_log_shows_every_attempt_to_the_user_and_to_admins(client, auth, login_as):
    user = factories.user(role="agency")
    auth.login(user.email, "wrong password!")
    auth.login(user.email)
    page = client.get("/account/").get_data(as_text=True)
    log = page[page.index("Your recent sign-ins"):]
    assert log.count("<tr>") == 3  # the header and two attempts
    assert "Failed" in log and "Succeeded" in log and "127.0.0.1" in log and "Password" in log
    auth.logout()
    login_as("admin")
    admin_page = client.get(f"/admin/sign-in-log?email={user.email}").get_data(as_text=True)
    assert admin_page.count(user.email) >= 3 and "wrong email or password" in admin_page


def test_a_sign_in_from_a_new_address_emails_the_user_when_asked(app, client, auth, monkeypatch):
    monkeypatch.setitem(app.config, "SIGN_IN_NOTICES", True)
    user = factories.user(role="secretariat")

    def notices():
        return db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == user.email,
                                                              OutboxMessage.kind == "sign_in_notice")).all()

    auth.login(user.email)  # the first sign-in ever: nothing to compare with
    auth.logout()
    auth.login(user.email)  # the same address
    auth.logout()
    assert notices() == []
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    assert elsewhere.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": csrf_token(elsewhere)}).status_code == 302
    [notice] = notices()
    assert "203.0.113.7" in notice.body_text and notice.state == "pending"


def test_the_operator_resets_two_factor_and_reads_the_log_from_the_command_line(app, client, auth):
    user, _, codes = enabled_user("admin")
    auth.login(user.email, "not the password")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["users", "reset-two-factor", "--email", user.email.upper()])
    assert result.exit_code == 0, result.output
    db.session.refresh(user)
    assert not user.has_two_factor and two_factor.check_code(user, {"code": codes[0]}, now=NOW) is None
    assert runner.invoke(args=["users", "reset-two-factor", "--email", "nobody@example.org"]).exit_code != 0
    log = runner.invoke(args=["users", "sign-in-log", "--email", user.email])
    assert log.exit_code == 0 and "password\tFAILED\twrong email or password" in log.output
