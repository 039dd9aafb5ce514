# Two commands for a fresh machine with Python 3.11+:
#   make run    install what the service needs, migrate, seed the real data, serve on :5000
#   make test   add the test extras, Debian's chromium and nginx and axe-core, run the whole suite
#               (scripts/test-suite.sh: in parallel workers, then the `serial` tests alone)
#   make test-fast   the in-process tier only: no real processes, no slow tests (about a minute)
#   make translations   extract the strings into the .pot, update every catalogue, compile them
PYTHON ?= python3
# The parallel workers of `make test` and `make test-fast` (pytest-xdist): auto is one per CPU.
TEST_WORKERS ?= auto
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi

.PHONY: install install-test run test test-fast lint clean translations catalogues

# The interface's catalogues (docs/translating.md). The compiled .mo files are built here,
# at install (`make run`, `make test`), never committed: a .po is the one source a
# translator edits, and a committed binary could silently disagree with it.
TRANSLATIONS := tracker/translations
LOCALES      := es fr ru
# The same keywords as the code's aliases: _ and gettext, _l and lazy_gettext, ngettext, and
# N_ (a schema's message: English in the API, translated when a form shows it).
EXTRACT      := extract -F babel.cfg -k _l -k N_ -k lazy_gettext -k ngettext:1,2 -k lazy_ngettext:1,2 \
                --no-location --sort-output --project tracker --ignore-dirs '.* __pycache__'
CATALOGUES   := $(wildcard $(TRANSLATIONS)/*/LC_MESSAGES/messages.po)

# The service alone: `make run` never waits for the test tools.
$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	@# WeasyPrint (the meeting pack's PDF) loads Debian's Pango at run time: installed when
	@# missing; without root the service still runs and the PDF link says why it cannot.
	scripts/system-packages.sh --warn-only pdf
	touch $@

# The test extras (pytest, Playwright, Schemathesis, ...), then what the browser tests need
# outside Python: Debian's chromium and nginx (apt-get) and axe-core (npm), each only when missing
# (and, in tests/e2e/setup.sh, Pango for the PDF and poppler to read it back).
$(VENV)/.test-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed catalogues

# Compile each catalogue whose .po changed (entries still fuzzy or empty fall back to English).
catalogues: $(CATALOGUES:.po=.mo)

$(TRANSLATIONS)/%/LC_MESSAGES/messages.mo: $(TRANSLATIONS)/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

# After changing strings in code or templates: the .pot again from the sources, every
# catalogue brought up to date with it (a new language: `pybabel init`, see the docs), compiled.
translations: $(VENV)/.installed
	$(BIN)/pybabel $(EXTRACT) -o $(TRANSLATIONS)/messages.pot .
	@for lang in $(LOCALES); do \
	  if [ -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang; \
	  else \
	    $(BIN)/pybabel init -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) -l $$lang; \
	  fi; \
	done
	$(BIN)/pybabel compile --statistics -d $(TRANSLATIONS)

install-test: $(VENV)/.test-installed catalogues
	tests/e2e/setup.sh

run: install
	$(FLASK) db upgrade
	$(FLASK) seed load
	$(FLASK) users demo
	@# The scheduler (reminders) runs beside the development server and stops with it.
	$(FLASK) scheduler run & trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port 5000

test: install-test
	PYTEST=$(BIN)/pytest TEST_WORKERS=$(TEST_WORKERS) scripts/test-suite.sh

# The tiers are pytest markers declared in pyproject.toml; CI runs `make test` on both databases.
test-fast: $(VENV)/.test-installed catalogues
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -m "not process and not slow"

lint: install-test
	$(BIN)/ruff check tracker tests bench

clean:
	rm -rf $(VENV) instance .pytest_cache tests/e2e/node_modules
