# Archivox: `make run` serves the demo, `make test` runs the suite. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Every command sees where the site listens, so links, feeds and the sandboxes' address follow
# `make run PORT=8311` and `PORT=8311 make run` alike (unless ARCHIVOX_BASE_URL is set).
export HOST PORT
PG_URL ?= postgres://postgres@127.0.0.1:5432/archivox
# The demo and the tests talk to the local sandboxes, never to the real platforms.
ARCHIVOX_SANDBOX ?= 1
export ARCHIVOX_SANDBOX

.PHONY: install run run-postgres demo test test-postgres lint format bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_paper_survey
	$(BIN)/python manage.py load_demo_catalog
	$(BIN)/python manage.py load_demo_engagement
	$(BIN)/python manage.py load_demo_voices
	$(BIN)/python manage.py load_demo_collecting
	$(BIN)/python manage.py load_demo_demand
	if [ "$(ARCHIVOX_SANDBOX)" = 1 ]; then $(BIN)/python manage.py sandbox_provision; fi
	if [ "$(ARCHIVOX_SANDBOX)" = 1 ]; then $(BIN)/python manage.py load_demo_service_hall; fi
	$(BIN)/python manage.py create_demo_staff
	$(BIN)/python manage.py load_demo_posts
	$(BIN)/python manage.py load_demo_records_requests
	# The union catalog: Suzhou's garden archives, harvested from the sandbox's repository.
	if [ "$(ARCHIVOX_SANDBOX)" = 1 ]; then $(BIN)/python manage.py load_demo_union; fi

run: demo
	$(BIN)/python manage.py serve --host $(HOST) --port $(PORT)

run-postgres:
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/0} $(MAKE) run

# The suite runs on pytest-xdist workers (each with its own var dir and test database, see
# tests/sandbox_env.py); PYTEST_ARGS='-n 0' or PYTEST_ARGS='-p no:xdist' runs it in one process.
# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set: otherwise every worker and every
# process a test starts compiles the project (and pytest rewrites the tests) from source again.
PYTEST_PARALLEL ?= -n 3 --dist loadgroup

test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= ARCHIVOX_SANDBOX=1 ARCHIVOX_VAR_DIR=$${ARCHIVOX_VAR_DIR:-var/test} \
	  $(BIN)/python -m pytest $(if $(findstring no:xdist,$(PYTEST_ARGS)),,$(PYTEST_PARALLEL)) $(PYTEST_ARGS)

test-postgres:
	DATABASE_URL=$${DATABASE_URL:-$(PG_URL)} $(MAKE) test

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	ARCHIVOX_VAR_DIR=$${ARCHIVOX_VAR_DIR:-var/bench} $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var build *.egg-info
