# Two commands: `make run` installs and starts the bot, `make test` installs and tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

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

test: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/pytest

# Slack ack latency against a bare Bolt app (bench/slack_latency.py; about 30 s).
bench: $(VENV)/.installed-test
	$(BIN)/python bench/slack_latency.py

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache
