"""The catalogues are complete and the .pot holds every string of the code and templates.

Fails when:
- a language of ``LANGUAGES`` has no catalogue, or its catalogue lacks a msgid of the .pot
  (``make translations`` brings it up to date);
- a catalogue has an untranslated entry (any plural form empty) or a fuzzy one (a guess
  ``pybabel update`` made, for a translator to check), or a translation whose
  placeholders differ from the English (``%(name)s``);
- a string wrapped in a template or in the code is missing from the .pot, or the .pot
  keeps one that is no longer anywhere (``make translations`` extracts it again).

The extraction runs pybabel with the Makefile's own options, so the test and the target
cannot drift apart.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tokenize
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tracker.config import DEFAULTS

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "tracker" / "translations"
POT = TRANSLATIONS / "messages.pot"
TRANSLATED = [code for code in DEFAULTS["LANGUAGES"] if code != DEFAULTS["BABEL_DEFAULT_LOCALE"]]
# The plural forms a catalogue needs at least: Russian one/few/many. (Babel's CLDR rules give
# Spanish and French a third, "many", for millions; gettext's tradition has two. Either is
# right as long as every plural entry fills each form its header declares.)
PLURALS = {"es": 2, "fr": 2, "ru": 3}


def read(path: Path, locale: str | None = None):
    with open(path, "rb") as handle:
        return read_po(handle, locale=locale)


def ids(catalog) -> set:
    """Each message's msgid (a plural's singular and plural together)."""
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in catalog if message.id}


def extract_options() -> list[str]:
    """The ``pybabel extract`` options of the Makefile's EXTRACT variable."""
    makefile = (ROOT / "Makefile").read_text()
    found = re.search(r"^EXTRACT\s*:=\s*((?:.*\\\n)*.*)$", makefile, re.MULTILINE)
    assert found, "the Makefile defines EXTRACT"
    return shlex.split(found.group(1).replace("\\\n", " "))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """The strings the code and templates wrap today, extracted into a fresh .pot."""
    output = tmp_path_factory.mktemp("pot") / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *extract_options(), "-o", str(output), "."],
                   cwd=ROOT, check=True, capture_output=True)
    return read(output)


def test_every_wrapped_string_is_in_the_pot_and_nothing_else(extracted):
    committed = ids(read(POT))
    missing = sorted(map(str, ids(extracted) - committed))
    assert not missing, f"{len(missing)} strings are not in messages.pot (run `make translations`): {missing[:20]}"
    stale = sorted(map(str, committed - ids(extracted)))
    assert not stale, f"{len(stale)} strings of messages.pot are no longer used (run `make translations`): {stale[:20]}"


# A call to a catalogue function inside an f-string's braces: pybabel's extractor does not
# read f-strings' expressions, so such a string is never in the .pot and always shows English.
CALL_IN_FSTRING = re.compile(r"(?<![\w.])(?:_|_l|N_|gettext|lazy_gettext|ngettext|lazy_ngettext)\(\s*[rRbBuU]?[\"']")


def test_no_translated_string_hides_inside_an_f_string():
    hidden = []
    for path in sorted((ROOT / "tracker").rglob("*.py")):
        with tokenize.open(path) as handle:
            for token in tokenize.generate_tokens(handle.readline):
                if token.type == tokenize.STRING and re.match(r"(?i)[rb]*f", token.string) \
                        and CALL_IN_FSTRING.search(token.string):
                    hidden.append(f"{path.relative_to(ROOT)}:{token.start[0]}")
    assert not hidden, f"translated strings inside f-strings (take them out, the extractor cannot see them): {hidden}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_catalogue_is_up_to_date_with_the_pot(code):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {code}: `pybabel init -l {code}` (docs/translating.md)"
    missing = sorted(map(str, ids(read(POT)) - ids(read(path, code))))
    assert not missing, f"{code}: {len(missing)} msgids of the .pot are missing (run `make translations`): {missing[:20]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_entry_is_translated_and_none_is_fuzzy(code):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {code}"
    catalog = read(path, code)
    assert catalog.num_plurals >= PLURALS.get(code, 1), (
        f"{code}: the Plural-Forms header says {catalog.num_plurals} forms, fewer than the language has")
    untranslated, fuzzy = [], []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if message.pluralizable and len(strings) < catalog.num_plurals or not all(strings):
            untranslated.append(message.id)
        if message.fuzzy:
            fuzzy.append(message.id)
    assert not untranslated, f"{code}: {len(untranslated)} untranslated entries, e.g. {untranslated[:10]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy entries to check, e.g. {fuzzy[:10]}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_keep_the_placeholders(code):
    path = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
    assert path.exists(), f"no catalogue for {code}"
    problems = [f"{message.id!r}: {'; '.join(map(str, errors))}" for message, errors in read(path, code).check()]
    assert not problems, f"{code}: {len(problems)} translations break a placeholder:\n" + "\n".join(problems[:20])
