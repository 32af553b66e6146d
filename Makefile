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
	env -u SPY_TEST_DATABASE_URL $(BIN)/pytest
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

# make bench: benchmarks of issue 7 (ratios and percentiles measured in one run). Installs the
# benchmark-only extra (django-post-office), uses PostgreSQL from SPY_TEST_DATABASE_URL when set
# (in its own scratch database spy_bench) plus SQLite, prints the table, writes bench/results.json
# and the table in docs/performance.md.
BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	@touch $(BENCH_STAMP)

.PHONY: bench
bench: $(BENCH_STAMP)
	$(BIN)/ruff check bench
	$(BIN)/ruff format --check bench
	$(BIN)/python -m bench.run

# make reliability: fault, load and bad-input scenarios of issue 8 against the real product
# (spy worker / spy web processes, aiosmtpd sinks with faults, PostgreSQL from
# SPY_TEST_DATABASE_URL in its own scratch database spy_reliability, SQLite in a temporary file).
# Prints the table, writes reliability/results.json and the table in docs/reliability.md.
# FAST=1 runs the < 60 s subset that tests/test_reliability_fast.py runs in make test.
RELIABILITY_STAMP := $(VENV)/.reliability-installed

$(RELIABILITY_STAMP): $(STAMP) pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,reliability]"
	@touch $(RELIABILITY_STAMP)

.PHONY: reliability
reliability: $(RELIABILITY_STAMP)
	$(BIN)/ruff check reliability
	$(BIN)/ruff format --check reliability
	$(BIN)/python -m reliability.run $(if $(FAST),--fast)
