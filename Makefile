# pmo: two commands matter. `make run` serves the demo; `make test` runs every check.
SHELL := /bin/bash
PORT ?= 8000
UV := scripts/uv.sh
export UV_PYTHON_DOWNLOADS := never

.PHONY: run test setup lint test-unit test-postgres test-browser bench-schedule bench-planning bench-capacity openapi clean bench-level bench-select bench-simulate bench-dashboard

run: setup
	$(UV) run pmo serve --port $(PORT) --demo-if-empty

setup:
	scripts/bootstrap.sh

lint: setup
	$(UV) run ruff check src tests bench
	$(UV) run ruff format --check src tests bench
	$(UV) run mypy
	$(UV) run lint-imports

# one test process per core (pytest-xdist); each has its own test database
test-unit: setup
	$(UV) run pytest -q -n auto

test-postgres: setup
	scripts/with-postgres.sh $(UV) run pytest -q -n auto

test-browser: setup
	scripts/ensure-chromium.sh
	$(UV) run pytest -q -m browser -p no:randomly

test: lint test-unit test-postgres test-browser

openapi: setup
	$(UV) run pmo openapi > docs/api/openapi.json

clean:
	rm -rf .venv var test-artifacts

bench-schedule: setup
	$(UV) run python bench/bench_schedule.py

bench-planning: setup
	$(UV) run python bench/bench_planning.py
	scripts/with-postgres.sh $(UV) run python bench/bench_planning.py

bench-capacity: setup
	$(UV) run python bench/bench_capacity.py

bench-level: setup
	$(UV) run python bench/bench_level.py --set j30
	$(UV) run python bench/bench_level.py --set j60
	$(UV) run python bench/bench_level.py --set j120

bench-select: setup
	$(UV) run python bench/bench_select.py

bench-simulate: setup
	$(UV) run python bench/bench_simulate.py

bench-dashboard: setup
	$(UV) run python bench/bench_dashboard.py
	scripts/with-postgres.sh $(UV) run python bench/bench_dashboard.py
