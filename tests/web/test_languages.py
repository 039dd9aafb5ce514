"""Choosing the language: the switcher, ?lang=, the cookie, the account, Accept-Language; the
public cache keeps each language apart; emails in the recipient's language; Babel formats.

The Spanish words come from a tiny catalogue compiled for these tests (``spanish``), so
they pass whatever state the real catalogues are in.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from flask import current_app
from sqlalchemy import select

from tests import factories
from tests.conftest import csrf_token
from tests.factories import SYSTEM
from tracker import formats
from tracker.extensions import db
from tracker.models import OutboxMessage, User
from tracker.reminders.compose import LinkSettings
from tracker.reminders.run import run_reminder_pass
from tracker.services.actions import assign_actions
from tracker.subscriptions.follow import followed_thing, subscribe
from tracker.web.response_cache import PUBLIC

SPANISH = {
    "Skip to content": "Saltar al contenido",
    "Language": "Idioma",
    "Hello,": "Hola,",
    "Report progress": "Informar del avance",
    "Confirm the subscription": "Confirmar la suscripción",
    "Your language was saved.": "Se guardó su idioma.",
    "Reminder: %(title)s": "Recordatorio: %(title)s",
}
LINKS = LinkSettings(base_url="http://tracker.test", secret_key="test-secret-key")


@pytest.fixture
def spanish(app, tmp_path):
    """A Spanish catalogue of a few strings, over the app's own for this test (Flask-Babel
    merges the directories in order, a later one's translations winning)."""
    catalog = Catalog(locale="es")
    for english, spanish in SPANISH.items():
        catalog.add(english, spanish)
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with open(folder / "messages.mo", "wb") as handle:
        write_mo(handle, catalog)
    babel = app.extensions["babel"]
    original = babel.translation_directories
    # Flask-Babel keeps each language's merged catalogues for the process: an earlier test
    # that read the real Spanish one must not hide this one, nor this one outlive the test.
    cache = babel.instance.domain_instance.cache
    cache.clear()
    babel.translation_directories = [*original, str(tmp_path)]
    yield
    babel.translation_directories = original
    cache.clear()


def html_lang(page: str) -> str:
    return re.search(r'<html lang="([^"]+)"', page).group(1)


def switcher(page: str) -> list[tuple[str, str, str, str]]:
    """(href, hreflang, lang, name) of each link of the language switcher."""
    nav = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', page, re.DOTALL).group(1)
    return re.findall(r'<a href="([^"]+)" rel="alternate nofollow" hreflang="(\w+)" lang="(\w+)"[^>]*>([^<]+)</a>', nav)


@pytest.mark.parametrize("path", ["/", "/plans/lingua", "/sign-in", "/no-such-page"])
def test_every_page_has_a_switcher_naming_each_language_in_itself(client, db_session, path):
    factories.plan(slug="lingua")
    page = client.get(path + "?sort=title").get_data(as_text=True)
    links = switcher(page)
    assert [(code, lang, name) for _, code, lang, name in links] == [
        ("en", "en", "English"), ("es", "es", "Español"), ("fr", "fr", "Français"), ("ru", "ru", "Русский"),
    ]
    for href, code, _, _ in links:  # the same page and its query, in that language
        assert href.startswith(path + "?") and "sort=title" in href and f"lang={code}" in href
    assert re.search(r'hreflang="en" lang="en" aria-current="true">English', page)
    assert html_lang(page) == "en"


def test_lang_in_the_url_renders_the_page_in_it_and_the_cookie_remembers_it(client, db_session, spanish):
    first = client.get("/?lang=es")
    page = first.get_data(as_text=True)
    assert html_lang(page) == "es" and "Saltar al contenido" in page and 'aria-label="Idioma"' in page
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("lang=es;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "private" in first.headers["Cache-Control"]  # no shared cache keeps a Set-Cookie
    # The next page, without ?lang=, is still Spanish: the cookie says so.
    again = client.get("/plans")
    assert html_lang(again.get_data(as_text=True)) == "es" and "Set-Cookie" not in again.headers
    # ?lang= wins over the cookie (a link someone shared), and becomes the new choice.
    assert html_lang(client.get("/?lang=ru").get_data(as_text=True)) == "ru"
    assert html_lang(client.get("/").get_data(as_text=True)) == "ru"


def test_the_cookie_wins_over_the_browser_header_and_unknown_choices_are_ignored(client, db_session):
    client.set_cookie("lang", "fr")
    assert html_lang(client.get("/", headers={"Accept-Language": "es"}).get_data(as_text=True)) == "fr"
    client.delete_cookie("lang")
    ignored = client.get("/?lang=xx", headers={"Accept-Language": "de"})
    assert html_lang(ignored.get_data(as_text=True)) == "en" and "Set-Cookie" not in ignored.headers


def test_a_first_visit_from_mexico_gets_spanish(client, db_session, spanish):
    page = client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert html_lang(page) == "es" and "Saltar al contenido" in page
    assert re.search(r'hreflang="es" lang="es" aria-current="true">Español', page)


def test_the_account_language_follows_the_user_to_any_browser(app, client, db_session, auth, spanish):
    user = auth.login_as("secretariat")
    assert "The language of these pages and of the emails you receive" in client.get("/account/").get_data(as_text=True)
    token = csrf_token(client, "/account/")
    refused = client.post("/account/language", data={"locale": "xx", "csrf_token": token})
    assert refused.status_code == 422 and "Choose one of the languages offered." in refused.get_data(as_text=True)

    saved = client.post("/account/language", data={"locale": "es", "csrf_token": token})
    assert saved.status_code == 302 and saved.headers["Set-Cookie"].startswith("lang=es;")
    assert db.session.get(User, user.id).locale == "es"
    assert "Se guardó su idioma." in client.get("/account/").get_data(as_text=True)

    # Another browser, no cookie, an English header: once signed in, the account's language.
    other = app.test_client()
    other.post("/sign-in", data={"email": user.email, "password": "correct horse battery",
                                 "csrf_token": csrf_token(other)})
    assert html_lang(other.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)) == "es"
    # The switcher still changes it on that browser.
    assert html_lang(other.get("/?lang=fr").get_data(as_text=True)) == "fr"
    assert html_lang(other.get("/").get_data(as_text=True)) == "fr"

    # Back to the browser's own choice: the account forgets, the cookie goes.
    cleared = client.post("/account/language", data={"locale": "", "csrf_token": token})
    assert db.session.get(User, user.id).locale is None and "lang=;" in cleared.headers["Set-Cookie"]


def test_the_public_cache_never_gives_one_language_the_others_copy(app, client, db_session, spanish):
    factories.plan(slug="kept-apart", title="Kept apart")
    cache = app.extensions[PUBLIC]
    spanish_page = client.get("/plans/kept-apart", headers={"Accept-Language": "es-MX"}).get_data(as_text=True)
    english_page = client.get("/plans/kept-apart", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html_lang(spanish_page) == "es" and html_lang(english_page) == "en"
    assert "Saltar al contenido" in spanish_page and "Skip to content" in english_page
    assert len(cache) == 2
    # Each visitor again gets their own copy (from memory now), never the other's.
    assert client.get("/plans/kept-apart", headers={"Accept-Language": "es"}).get_data(as_text=True) == spanish_page
    assert client.get("/plans/kept-apart").get_data(as_text=True) == english_page
    # A visitor whose only cookie is the language's is still the public: the Spanish copy, kept.
    client.set_cookie("lang", "es")
    assert client.get("/plans/kept-apart", headers={"Accept-Language": "en"}).get_data(as_text=True) == spanish_page
    client.delete_cookie("lang")
    assert len(cache) == 2
    # A ?lang= link that sets the cookie is answered but not kept (it carries a Set-Cookie).
    assert html_lang(client.get("/plans/kept-apart?lang=fr").get_data(as_text=True)) == "fr"
    assert len(cache) == 2


def test_a_reminder_goes_out_in_its_recipients_language(db_session, spanish):
    plan = factories.plan(period_start="2027-01-01", period_end="2028-12-31")
    factories.agency(acronym="MIN")
    focal = factories.user("agency", agency="MIN")
    english_focal = factories.user("agency", agency="MIN")
    focal.locale = "es"
    action = factories.action(plan, start_date="2027-01-01", due_date="2027-03-31", title="Publicar presupuestos")
    assign_actions([action], {"lead_agency": "MIN"}, actor=SYSTEM, now=datetime(2027, 1, 1, tzinfo=UTC))

    run_reminder_pass(datetime(2027, 3, 1, 7, tzinfo=UTC), links=LINKS, templates=current_app.jinja_env)

    mails = {m.recipient: m for m in db.session.scalars(select(OutboxMessage))}
    spanish_mail, english_mail = mails[focal.email], mails[english_focal.email]
    assert spanish_mail.subject == "Recordatorio: Publicar presupuestos"
    assert spanish_mail.body_text.startswith("Hola,") and "Informar del avance" in spanish_mail.body_text
    assert "31 de marzo de 2027" in spanish_mail.body_text  # Babel's Spanish date
    assert html_lang(spanish_mail.body_html) == "es"
    assert english_mail.subject == "Reminder: Publicar presupuestos" and english_mail.body_text.startswith("Hello,")
    assert "Wednesday 31 March 2027" in english_mail.body_text and html_lang(english_mail.body_html) == "en"


def test_a_subscription_is_confirmed_in_the_language_it_was_asked_in(db_session, spanish):
    plan = factories.plan(slug="seguido", title="Plan seguido")
    followed = followed_thing(plan.slug)
    subscribe("persona@example.org", followed, now=datetime(2026, 12, 1, tzinfo=UTC), links=LINKS,
              templates=current_app.jinja_env, locale="es")
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.body_text.startswith("Hola,") and "Confirmar la suscripción" in mail.body_html
    assert html_lang(mail.body_html) == "es"


def test_dates_numbers_and_percentages_follow_the_locale():
    day = date(2026, 12, 2)
    assert formats.day(day, "es") == "2 de diciembre de 2026"
    assert formats.day(day, "ru") == "2 декабря 2026\u202fг."
    assert formats.day(day, "en") == "2026-12-02"  # English pages keep the forms' ISO dates
    assert formats.full_day(day, "fr") == "mercredi 2 décembre 2026"
    assert formats.number(1234.5, "fr").replace("\u202f", " ").replace("\xa0", " ") == "1 234,5"
    assert formats.number(1234.5, "en") == "1,234.5" and formats.number(1234.0, "en") == "1,234"
    assert formats.percent(42, "en") == "42%" and formats.percent(42.5, "fr") == "42,5\xa0%"
    assert formats.moment(datetime(2026, 12, 2, 14, 5, tzinfo=UTC), "es") == "2 de diciembre de 2026 14:05 UTC"


def test_a_spanish_page_shows_its_dates_the_spanish_way(client, db_session):
    factories.plan(slug="fechas", title="Fechas", period_start="2026-12-02", period_end="2027-06-30")
    page = client.get("/plans/fechas?lang=es").get_data(as_text=True)
    assert "2 de diciembre de 2026 – 30 de junio de 2027" in page
    assert "2026-12-02 – 2027-06-30" in client.get("/plans/fechas?lang=en").get_data(as_text=True)


def test_the_command_line_speaks_the_operators_language(app, monkeypatch):
    from tracker.web.languages import environment_language

    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    monkeypatch.delenv("LANGUAGE", raising=False)
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert environment_language(app.config["LANGUAGES"]) == "es"
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert environment_language(app.config["LANGUAGES"]) == "en"
