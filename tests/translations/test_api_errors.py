"""The JSON API's error messages in the request's language, chosen as the pages choose it.

``?lang=``, ``Accept-Language`` and a token owner's account language pick the language of
``message`` and of each refused field's messages; the keys (``code``, ``status``,
``errors`` by location and field) stay as they are, and a request that asks for no language
gets English. Expected words are read from the catalogues with babel, so these tests fail
when a message does not go through the catalogue.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import flask_babel
import marshmallow
import pytest
from babel.messages.pofile import read_po
from flask import g
from werkzeug import exceptions

import tracker.schemas
from tests import factories
from tests.api.conftest import bearer
from tracker.routes.api.base import FIELD_ERRORS, HTTP_DESCRIPTIONS
from tracker.schemas.messages import template_of

TRANSLATIONS = Path(__file__).resolve().parents[2] / "tracker" / "translations"
PLACEHOLDER = re.compile(r"\{(\w+)(?:![rsa])?(?::[^{}]*)?\}")
ROLES = "admin, secretariat, agency, assessor"


@cache
def catalogue(code: str | None):
    path = TRANSLATIONS / ("messages.pot" if code is None else f"{code}/LC_MESSAGES/messages.po")
    with open(path, "rb") as handle:
        return read_po(handle, locale=code)


def words(code: str, msgid: str, **values) -> str:
    """``msgid`` as ``code``'s catalogue translates it, its ``{placeholders}`` filled with ``values``."""
    message = catalogue(code).get(msgid)
    assert message is not None and message.string, f"{code}: {msgid!r} is not translated"
    return PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), message.string)


def post_user(client, headers: dict, *, query: str = "", **extra_headers):
    """An admin's POST /api/v1/users refused for a bad email, an unknown role and an unknown field."""
    flask_babel.refresh()
    g.pop("tracker_translations", None)
    body = {"email": "nope", "password": "a long passphrase", "role": "emperor", "colour": "red"}
    response = client.post(f"/api/v1/users{query}", json=body, headers={**headers, **extra_headers})
    assert response.status_code == 422, response.get_json()
    return response.get_json()


@pytest.fixture
def admin(db_session):
    return bearer(factories.user("admin"))


def test_without_a_language_the_messages_are_english(client, admin):
    body = post_user(client, admin)
    assert body["message"] == FIELD_ERRORS
    assert body["errors"]["json"] == {"email": ["Not a valid email address."],
                                      "role": [f"Choose one of: {ROLES}."], "colour": ["Unknown field: not part of this form."]}


@pytest.mark.parametrize(("code", "how"), [("ru", "accept"), ("es", "query")])
def test_the_messages_follow_accept_language_and_lang(client, admin, code, how):
    body = (post_user(client, admin, **{"Accept-Language": f"{code},en;q=0.5"}) if how == "accept"
            else post_user(client, admin, query=f"?lang={code}"))
    assert (body["code"], body["status"]) == (422, "Unprocessable Entity")
    assert set(body["errors"]) == {"json"} and set(body["errors"]["json"]) == {"email", "role", "colour"}
    assert body["errors"]["json"]["role"] == [words(code, "Choose one of: {choices}.", choices=ROLES)]
    assert body["errors"]["json"]["email"] == [words(code, "Not a valid email address.")]
    assert body["errors"]["json"]["colour"] == [words(code, "Unknown field: not part of this form.")]
    assert body["message"] == words(code, FIELD_ERRORS)


def test_a_token_owners_account_language_is_used_when_the_request_names_none(client, db_session):
    admin = factories.user("admin")
    admin.locale = "fr"
    db_session.flush()
    body = post_user(client, bearer(admin))
    assert body["errors"]["json"]["email"] == [words("fr", "Not a valid email address.")]
    # The request's own choice comes first, as on the pages.
    assert post_user(client, bearer(admin), query="?lang=ru")["errors"]["json"]["email"] == [
        words("ru", "Not a valid email address.")]


def test_the_session_of_the_pages_does_not_choose_the_apis_language(client, db_session, auth, admin):
    signed_in = factories.user("secretariat")
    signed_in.locale = "es"
    db_session.flush()
    auth.login(signed_in.email)
    assert post_user(client, admin)["errors"]["json"]["email"] == ["Not a valid email address."]


def test_an_unknown_address_and_a_missing_token_in_spanish(client, db_session):
    flask_babel.refresh()
    missing = client.get("/api/v1/nothing-here", headers={"Accept-Language": "es"}).get_json()
    assert (missing["code"], missing["message"]) == (404, words("es", HTTP_DESCRIPTIONS[404]))
    flask_babel.refresh()
    unsigned = client.post("/api/v1/plans", json={}, headers={"Accept-Language": "es"}).get_json()
    assert unsigned["code"] == 401
    assert unsigned["message"] == words("es", "This operation needs a personal API token (Authorization: Bearer).")


def test_the_marked_http_descriptions_are_werkzeugs():
    for code, description in HTTP_DESCRIPTIONS.items():
        assert exceptions.default_exceptions[code].description == description, code


def schema_fields():
    """Every field (nested ones too) of every schema in ``tracker.schemas``."""
    found = []

    def walk(where: str, field) -> None:
        found.append((where, field))
        for inner_name in ("inner", "value_field", "key_field"):
            inner = getattr(field, inner_name, None)
            if isinstance(inner, marshmallow.fields.Field):
                walk(f"{where}[{inner_name}]", inner)
        nested = getattr(field, "nested", None)
        if inspect.isclass(nested) and issubclass(nested, marshmallow.Schema):
            for name, inner in nested().fields.items():
                walk(f"{where}.{name}", inner)

    for info in pkgutil.iter_modules(tracker.schemas.__path__):
        module = importlib.import_module(f"tracker.schemas.{info.name}")
        for schema in vars(module).values():
            # Output schemas only dump: their messages never reach anyone.
            if (inspect.isclass(schema) and issubclass(schema, marshmallow.Schema)
                    and schema.__module__.startswith("tracker.schemas") and not schema.__name__.endswith("Output")):
                for name, field in schema().fields.items():
                    walk(f"{schema.__name__}.{name}", field)
    return found


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings the code marks today, extracted as ``make translations`` does (the committed
    .pot follows with ``make translations``; tests/test_translations.py checks they agree)."""
    from tests.test_translations import extract_options, read

    output = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *extract_options(), "-o", str(output), "."],
                   cwd=TRANSLATIONS.parents[1], check=True, capture_output=True)
    return read(output)


def test_every_message_a_schema_can_give_goes_through_the_catalogue(extracted):
    """Each field's messages and its validators' are marked for the catalogue, or made from a
    marked template (what ``schemas.messages.translate`` translates)."""
    pot = extracted
    fields = schema_fields()
    assert len(fields) > 100
    unmarked = set()
    for where, field in fields:
        messages = list(field.error_messages.values())
        messages += [getattr(validator, "error", None) for validator in field.validators]
        for message in messages:
            if not isinstance(message, str) or "{awareness}" in message:
                continue  # naive or aware datetimes: no schema takes a datetime
            # marshmallow fills in the field's type as it raises ("Not a valid date.").
            message = message.replace("{obj_type}", getattr(field, "OBJ_TYPE", "{obj_type}"))
            found = template_of(message)
            msgid = message if found is None or pot.get(message) is not None else found[0]
            if pot.get(msgid) is None:
                unmarked.add(f"{where}: {message!r}")
    assert not unmarked, f"{len(unmarked)} messages not in messages.pot:\n" + "\n".join(sorted(unmarked))


@pytest.mark.parametrize("code", ["es", "ru"])
def test_a_too_long_list_names_its_items_in_the_reader_s_words(app, code):
    """The noun filled into "Give at most {max:,} {noun}." is a marked word, translated with it."""
    from tracker.schemas.messages import translate
    from tracker.schemas.report import ReportInput

    too_many = {"narrative": "Done.", "percent_complete": 10, "links": [f"https://example.org/{n}" for n in range(999)]}
    english = ReportInput().validate(too_many)["links"][0]
    assert english.startswith("Give at most ") and english.endswith(" links.")
    with app.test_request_context(), flask_babel.force_locale(code):
        shown = translate(english)
    maximum = english.removeprefix("Give at most ").removesuffix(" links.")
    assert shown == words(code, "Give at most {max:,} {noun}.", max=maximum, noun=words(code, "links"))
