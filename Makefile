# Two commands: `make run` installs and starts the bot, `make test` installs and tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

CHROMIUM := /usr/bin/chromium

.PHONY: run test lint bench clean browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Stamp files so a second `make run` does not reinstall.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/chatbot run

# The browser tests drive Debian's Chromium (Playwright's own browser download cannot
# be used here). Installing it needs root; without it those tests skip locally and
# fail under CI=true.
browser:
	@test -x $(CHROMIUM) || { command -v apt-get >/dev/null && \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "warning: could not install chromium; the browser tests cannot run"; }

test: $(VENV)/.installed-test browser
	$(BIN)/ruff check .
	$(BIN)/pytest

# Every script in bench/, figures collected in bench/RESULTS.md (needs Synapse for the
# Matrix one, hence the test extra).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/run_all.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
