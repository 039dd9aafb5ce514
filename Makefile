# Two commands for a fresh machine with Python 3.11+:
#   make run    install, migrate, seed the real data, serve on http://127.0.0.1:5000
#   make test   install and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app wsgi

.PHONY: install run test lint clean

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

run: install
	$(FLASK) db upgrade
	$(FLASK) seed load
	$(FLASK) users demo
	@# The scheduler (reminders) runs beside the development server and stops with it.
	$(FLASK) scheduler run & trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check tracker tests bench

clean:
	rm -rf $(VENV) instance .pytest_cache
