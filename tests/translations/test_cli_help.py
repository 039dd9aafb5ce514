"""``flask --app wsgi ... --help`` in the operator's language (``LANG``), as the commands' messages are.

Every help text of the app's own commands (groups, commands, options) is checked against the
catalogues: its English is a msgid of the .pot (it was wrapped, so translators see it), and
under each language the help click shows is that catalogue's msgstr (it is translated when
the help is shown, not frozen in English at import). A help text left unwrapped fails here.
"""

from __future__ import annotations

import os
import subprocess
import sys
from functools import cache
from pathlib import Path

import click
import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "tracker" / "translations"
LANGUAGES = ["es", "fr", "ru"]


@cache
def catalogue(code: str | None):
    """The .pot (``None``) or a language's .po, as babel reads it."""
    path = TRANSLATIONS / ("messages.pot" if code is None else f"{code}/LC_MESSAGES/messages.po")
    with open(path, "rb") as handle:
        return read_po(handle, locale=code)


def msgstr(code: str, english: str) -> str:
    """The catalogue's translation of ``english``; fails when it has none."""
    assert catalogue(None).get(english) is not None, f"{english!r} is not in messages.pot: wrap it, `make translations`"
    message = catalogue(code).get(english)
    assert message is not None and message.string, f"{code}: {english!r} is not translated yet"
    return message.string


def flat(text: str) -> str:
    """``text`` with its whitespace made single spaces: click rewraps help to the terminal."""
    return " ".join(text.split())


def tracker_commands(app) -> list[tuple[str, click.Command]]:
    """Every group and command of the app's own CLI (not Flask's or Flask-Migrate's), by path."""
    found = []

    def walk(path: str, command: click.Command) -> None:
        found.append((path, command))
        for name, inner in getattr(command, "commands", {}).items():
            walk(f"{path} {name}", inner)

    for name, command in app.cli.commands.items():
        callbacks = [command.callback, *(c.callback for c in getattr(command, "commands", {}).values())]
        if any(callback and callback.__module__.startswith("tracker.") for callback in callbacks):
            walk(name, command)
    return found


def help_texts(command: click.Command) -> list[tuple[str, object]]:
    """(what, help) of the command and each of its options that has help."""
    texts = [("help", command.help)] if command.help else []
    texts += [(f"option {param.opts[-1]}", param.help) for param in command.params
              if isinstance(param, click.Option) and param.help]
    return texts


def test_the_app_commands_are_found(app):
    paths = [path for path, _ in tracker_commands(app)]
    assert {"users", "users create", "seed load", "plans import", "scheduler run-once", "backup restore"} <= set(paths)
    assert not any(path.split()[0] in ("db", "run", "shell", "routes") for path in paths)


def test_every_command_has_help(app):
    missing = [path for path, command in tracker_commands(app) if not command.help]
    assert not missing, f"commands without help: {missing}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_help_text_is_the_catalogues_translation_when_shown(app, code):
    """Under ``code`` the help click formats holds the msgstr of each text (its English a msgid)."""
    problems = []
    with app.app_context():
        for path, command in tracker_commands(app):
            with force_locale("en"):
                english = [(what, str(text)) for what, text in help_texts(command)]
            with force_locale(code):
                # Wide enough that click never wraps (it would break "--any-database" at its hyphen).
                context = click.Context(command, info_name=path, terminal_width=10_000, max_content_width=10_000)
                shown = flat(command.get_help(context))
                # What a parent's listing shows (click shortens it; it must still be translated).
                short = flat(command.get_short_help_str(limit=10_000))
            for what, text in english:
                try:
                    expected = flat(msgstr(code, text))
                except AssertionError as exc:
                    problems.append(f"{path} {what}: {exc}")
                    continue
                if expected not in shown:
                    problems.append(f"{path} {what}: {text!r} is shown untranslated in {code}")
                if what == "help" and not expected.startswith(short.removesuffix("...").rstrip()):
                    problems.append(f"{path}: the short help {short!r} is not the {code} translation")
    assert not problems, f"{len(problems)} help texts:\n" + "\n".join(problems)


def flask_help(*args: str, lang: str, tmp_path: Path) -> str:
    """``flask --app wsgi <args> --help`` run as an operator would, with ``LANG=lang``."""
    env = {key: value for key, value in os.environ.items() if key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=lang, TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'help.db'}")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", *args, "--help"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    return flat(result.stdout)


@pytest.mark.process
@pytest.mark.sqlite_only  # the command runs on a SQLite file of its own (flask_help)
def test_seed_help_is_spanish_under_a_spanish_locale(tmp_path):
    group = flask_help("seed", lang="es_ES.UTF-8", tmp_path=tmp_path)
    assert flat(msgstr("es", "Load the seed reports as real data.")) in group
    load = flask_help("seed", "load", lang="es_ES.UTF-8", tmp_path=tmp_path)
    assert flat(msgstr("es", "Load every seed plan (or the one named SLUG) through the services.\n\n"
                             "Loading again changes nothing; an edited seed file updates its plan in place.")) in load
    english = flask_help("seed", "load", lang="C.UTF-8", tmp_path=tmp_path)
    assert "Load every seed plan (or the one named SLUG) through the services." in english


@pytest.mark.process
@pytest.mark.sqlite_only  # the command runs on a SQLite file of its own (flask_help)
def test_backup_help_is_russian_under_a_russian_locale(tmp_path):
    group = flask_help("backup", lang="ru_RU.UTF-8", tmp_path=tmp_path)
    assert flat(msgstr("ru", "Back up the whole tracker into one archive, and restore it.")) in group
    restore = flask_help("backup", "restore", lang="ru_RU.UTF-8", tmp_path=tmp_path)
    assert flat(msgstr("ru", "Replace everything in a database that already holds data.")) in restore


@pytest.mark.process
@pytest.mark.sqlite_only  # the command runs on a SQLite file of its own (flask_help)
@pytest.mark.parametrize(("lang", "code"), [("es_ES.UTF-8", "es"), ("ru_RU.UTF-8", "ru")])
def test_click_s_own_words_are_the_catalogue_s(tmp_path, lang, code):
    """The headings and the --help line click writes itself, and its usage errors."""
    shown = flask_help("users", lang=lang, tmp_path=tmp_path)
    for english in ("Usage:", "Options", "Commands", "Show this message and exit."):
        assert flat(msgstr(code, english)) in shown, english
        if english not in msgstr(code, english):
            assert english not in shown
    env = {key: value for key, value in os.environ.items() if key not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES")}
    env.update(LANG=lang, TRACKER_DATABASE_URL=f"sqlite:///{tmp_path / 'help.db'}")
    wrong = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "users", "no-such-command"], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120, check=False)
    assert wrong.returncode == 2
    assert msgstr(code, "No such command {name!r}.").format(name="no-such-command") in wrong.stderr
