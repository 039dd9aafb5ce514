# Two commands for a fresh machine with Python 3.11+:
#   make run    install what the service needs, migrate, seed the real data, serve on :5000
#   make test   add the test extras, Debian's chromium and nginx and axe-core, run the whole suite
#               (scripts/test-suite.sh: in parallel workers, then the `serial` tests alone)
#   make test-fast   the in-process tier only: no real processes, no slow tests (about a minute)
PYTHON ?= python3
# The parallel workers of `make test` and `make test-fast` (pytest-xdist): auto is one per CPU.
TEST_WORKERS ?= auto
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi

.PHONY: install install-test run test test-fast lint clean

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

install: $(VENV)/.installed

install-test: $(VENV)/.test-installed
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
test-fast: $(VENV)/.test-installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal -m "not process and not slow"

lint: install-test
	$(BIN)/ruff check tracker tests bench

clean:
	rm -rf $(VENV) instance .pytest_cache tests/e2e/node_modules
