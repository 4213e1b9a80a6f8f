# The two commands: `make run` (set up and start everything) and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: run test bench fuzz setup migrate lint format clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-*
	@touch $@

migrate: setup
	$(BIN)/python manage.py migrate --noinput

# The Procfile's processes run under scripts/run_procfile.py rather than `honcho start`: on
# Ctrl-C it signals each main process alone, so Celery stops its own pool (see the script).
run: export DEBUG ?= true
run: migrate
	$(BIN)/python manage.py seed_demo
	$(BIN)/python scripts/run_procfile.py Procfile

test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Benchmarks run on the local PostgreSQL and Redis unless pointed elsewhere; each creates and
# drops a database of its own.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/crm_bench
bench: export REDIS_URL ?= redis://127.0.0.1:6379/13
bench: setup
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

fuzz: setup
	scripts/fuzz_api.sh

# The gates CI runs before the tests (and pre-commit runs on each commit).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports
	$(BIN)/mypy

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) var
