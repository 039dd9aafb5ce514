"""User accounts."""

import pytest

from tests import factories
from tests.factories import NOW, PASSWORD
from tracker.services.errors import ValidationFailed
from tracker.services.users import authenticate, create_user


def test_password_is_stored_hashed_and_checked(db_session):
    user = factories.user()
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(("scrypt:", "pbkdf2:"))
    assert authenticate(user.email.upper(), PASSWORD) == user
    assert authenticate(user.email, "wrong password") is None


def test_the_service_hashes_passwords_with_scrypt(db_session, production_password_hashing):
    """The suite hashes with cheap PBKDF2 for speed (tests/fixtures/passwords.py); the
    service itself stores scrypt hashes, and checks them."""
    assert production_password_hashing == "scrypt"
    user = factories.user()
    assert user.password_hash.startswith("scrypt:")
    assert authenticate(user.email, PASSWORD) == user
    assert authenticate(user.email, "wrong password") is None


def test_agency_user_needs_a_known_agency(db_session):
    with pytest.raises(ValidationFailed) as caught:
        create_user({"email": "a@example.org", "password": PASSWORD, "role": "agency"}, now=NOW)
    assert caught.value.errors == {"agency": ["An agency user must belong to an agency."]}
    with pytest.raises(ValidationFailed) as caught:
        create_user(
            {"email": "a@example.org", "password": PASSWORD, "role": "agency", "agency": "NOPE"},
            now=NOW,
        )
    assert caught.value.errors == {"agency": ["Unknown agency 'NOPE'."]}


def test_bad_email_role_short_password_and_duplicate_email(db_session):
    with pytest.raises(ValidationFailed) as caught:
        create_user({"email": "not-an-email", "password": "short", "role": "king"}, now=NOW)
    assert set(caught.value.errors) == {"email", "password", "role"}
    existing = factories.user()
    with pytest.raises(ValidationFailed) as caught:
        create_user({"email": existing.email, "password": PASSWORD, "role": "admin"}, now=NOW)
    assert caught.value.errors == {"email": ["A user with this email already exists."]}
