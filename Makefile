# The README's commands. Each target works on a fresh clone with no other step.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SCALE ?= small
HORIZON ?= 30
CAPACITY ?= 50
SEED ?= 42
COLLECT_HOST ?= 127.0.0.1
COLLECT_PORT ?= 8787
export LEADHOUSE_LANDING ?= $(CURDIR)/data/landing
export LEADHOUSE_WAREHOUSE ?= $(CURDIR)/data/warehouse/leadhouse.duckdb
export LEADHOUSE_OUTPUT ?= $(CURDIR)/data/output
export DAGSTER_HOME ?= $(CURDIR)/data/dagster_home
# Compiled bytecode halves the import time of great_expectations (this environment sets
# PYTHONDONTWRITEBYTECODE, so it must be done at install time).
STAMP := $(VENV)/.installed

.PHONY: help setup run test test-spark test-fast test-e2e test-faults lint ui bench clean prepare calibrate report docs collect

help:
	@echo "make run    set up, generate the '$(SCALE)' sample, materialize everything, summarise"
	@echo "make test   set up and run the test suite"
	@echo "make test-fast  the unit tests only (under two minutes)"
	@echo "make test-spark the dbt project on a local Spark, marts compared with DuckDB's"
	@echo "make test-e2e   the scenario suites that run the whole job several times"
	@echo "make lint   ruff (lint + format check) and sqlfluff on the dbt models"
	@echo "make test-faults  the fault suite: kills, two runs, a full disk, a bad CRM, duplicates, huge records"
	@echo "make ui     start the Dagster UI on http://127.0.0.1:3000"
	@echo "make report write data/output/report.html from the warehouse"
	@echo "make docs   generate and serve the dbt docs on http://127.0.0.1:8080"
	@echo "make calibrate  learn rule points from outcomes and backtest them (docs/calibration.md)"
	@echo "make bench  run the benchmarks (benchmarks/README.md)"
	@echo "make collect  serve the HTTP collector on $(COLLECT_HOST):$(COLLECT_PORT) (docs/collector.md)"

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip install -q -p $(BIN)/python --compile-bytecode -c constraints.txt -e '.[dev]'
	touch $@

setup: $(STAMP)

prepare: $(STAMP)
	@mkdir -p $(DAGSTER_HOME) $(dir $(LEADHOUSE_WAREHOUSE)) $(LEADHOUSE_OUTPUT)
	@# DuckDB has one writer: scheduled and sensor runs queue one at a time.
	@test -f $(DAGSTER_HOME)/dagster.yaml || printf 'concurrency:\n  runs:\n    max_concurrent_runs: 1\ntelemetry:\n  enabled: false\n' > $(DAGSTER_HOME)/dagster.yaml
	@# Run monitoring: a run whose process died (kill -9) is marked failed, not STARTED for ever.
	@grep -q '^run_monitoring:' $(DAGSTER_HOME)/dagster.yaml || printf 'run_monitoring:\n  enabled: true\n  start_timeout_seconds: 180\n  max_resume_run_attempts: 0\n  poll_interval_seconds: 60\n' >> $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/python -m orchestration.transform.prepare

SAMPLE_STAMP = $(LEADHOUSE_LANDING)/_truth/.generated-$(SCALE)-$(SEED)

run: prepare
	@if [ -f "$(SAMPLE_STAMP)" ]; then echo "sample $(SCALE)/seed $(SEED) already in $(LEADHOUSE_LANDING)"; \
	else $(BIN)/leadhouse generate --scale $(SCALE) --seed $(SEED) --out $(LEADHOUSE_LANDING) && touch "$(SAMPLE_STAMP)"; fi
	$(BIN)/leadhouse run
	$(BIN)/leadhouse calibrate --as-of auto --horizon $(HORIZON) --capacity $(CAPACITY)

test: prepare
	$(BIN)/python -m pytest -q -m "not e2e and not spark"

# dbt on a local Spark (dbt-spark session): tiny built there, marts compared with DuckDB's
# (docs/engines.md; minutes and ~1 GB of memory, so not in `make test`)
test-spark: prepare
	$(BIN)/python -m pytest -q -s -m spark tests/integration/engines

# The scenario suites (blocking gates per layer, loads judged once, run operations, publish
# during a rebuild, erasure, replay, real senders' inputs): each runs the whole job several
# times on tiny, together longer than CI allows (tests/conftest.py lists them).
test-e2e: prepare
	$(BIN)/python -m pytest -q -m e2e

test-fast: prepare
	$(BIN)/python -m pytest -q tests/unit

# Style is enforced by tools: ruff for Python, sqlfluff (dbt templater, DuckDB dialect) for SQL.
# The dbt templater compiles against a throw-away warehouse, never the real one.
lint: prepare
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	LEADHOUSE_WAREHOUSE=$(CURDIR)/target/lint.duckdb $(BIN)/sqlfluff lint dbt_project/models dbt_project/snapshots

# SIGKILL mid-ingestion / mid-dbt / mid-sync, two runs at once, a full disk, a failing then
# absent CRM, 10^5 duplicate ids, a 5 MB record (tests/faults; a few minutes, not in `make test`)
test-faults: prepare
	LEADHOUSE_FAULTS=1 $(BIN)/python -m pytest -q tests/faults

ui: prepare
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -w workspace.yaml

calibrate: prepare
	$(BIN)/leadhouse calibrate --as-of auto --horizon $(HORIZON) --capacity $(CAPACITY)

collect: $(STAMP)
	$(BIN)/leadhouse collect --host $(COLLECT_HOST) --port $(COLLECT_PORT)

report: prepare
	$(BIN)/leadhouse report

DOCS_PORT ?= 8080
docs: prepare
	$(BIN)/dbt docs generate --profiles-dir dbt_project
	$(BIN)/dbt docs serve --profiles-dir dbt_project --host 127.0.0.1 --port $(DOCS_PORT) --no-browser

# make bench: tiny, small and medium; make bench SCALE=large (or any one scale) runs only that one.
BENCH_SCALES = $(if $(filter command line environment,$(origin SCALE)),$(SCALE),tiny small medium)
bench: prepare
	@for scale in $(BENCH_SCALES); do $(BIN)/python -m benchmarks.run --scale $$scale --seed $(SEED) || exit 1; done

clean:
	rm -rf data target logs

# Build time per engine (docs/engines.md, "When to move"): `make bench-engines SCALE=small`.
# PostgreSQL is the server of LEADHOUSE_PG_*; ENGINES=duckdb,postgres,spark adds local Spark.
ENGINES ?= duckdb,postgres
bench-engines: prepare
	$(BIN)/python -m benchmarks.engines --scale $(SCALE) --seed $(SEED) --engines $(ENGINES)
