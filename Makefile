# Spy System — the two commands of the README, plus helpers.
#   make run    set up .venv if needed, then run the product on its embedded default (demo mode)
#   make test   set up .venv if needed, then run the whole suite (PostgreSQL too when
#               SPY_TEST_DATABASE_URL is set)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test lint format clean screenshots

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/spy demo

test: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	@echo "== suite on SQLite =="
	$(BIN)/pytest
	@if [ -n "$$SPY_TEST_DATABASE_URL" ]; then \
		echo "== suite on PostgreSQL ($$SPY_TEST_DATABASE_URL) =="; \
		$(BIN)/pytest; \
	else \
		echo "PostgreSQL run SKIPPED: SPY_TEST_DATABASE_URL is not set (e.g. postgresql://postgres@127.0.0.1:5432/test)"; \
	fi

screenshots: $(STAMP)  ## regenerate docs/screenshots/ with the browser tests
	SPY_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest tests/browser -q

lint: $(STAMP)
	$(BIN)/ruff check src tests

format: $(STAMP)
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

clean:
	rm -rf $(VENV) var build src/*.egg-info
