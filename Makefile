# The two commands of the README. Everything is installed into .venv from pinned versions.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3

.PHONY: run test lint typecheck imports migrations pytest bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

## make run: the service on http://127.0.0.1:8000 in demo mode, with the demo rota and users.
run: $(STAMP)
	HOTLINE_DEMO=1 $(BIN)/hotline demo

## make test: lint, types, import rules, migrations check, and the whole test suite.
test: lint typecheck imports migrations pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

migrations: $(STAMP)
	@rm -rf .migrations-check && mkdir -p .migrations-check
	HOTLINE_DATABASE_URL=sqlite:///.migrations-check/check.db $(BIN)/alembic upgrade head
	HOTLINE_DATABASE_URL=sqlite:///.migrations-check/check.db $(BIN)/alembic check
	@rm -rf .migrations-check

pytest: $(STAMP)
	$(BIN)/pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python bench/rota.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .migrations-check
