# The two commands of the README. Everything is installed into .venv from pinned versions.
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PYTHON ?= python3
# make run PORT=8101: the demo on another port (its public URL follows, unless HOTLINE_PUBLIC_URL is set).
PORT ?= 8000
# The browser tests and `make screenshots` drive Debian's Chromium by this path (see tests/browser).
CHROMIUM := /usr/bin/chromium

.PHONY: run test lint typecheck imports migrations pytest screenshots bench clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e '.[dev]'
	touch $(STAMP)

## make run: the service on http://127.0.0.1:$(PORT) in demo mode, with the demo rota and users.
run: $(STAMP)
	HOTLINE_DEMO=1 $(BIN)/hotline demo --port $(PORT)

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

## The browser tests (tests/browser) run with the others when Chromium is there; else one line says so.
pytest: $(STAMP)
	@test -x $(CHROMIUM) || echo "browser tests: NOT RUN, no Chromium at $(CHROMIUM) (apt-get install chromium)"
	$(BIN)/pytest -n 2 -q

## make screenshots: retake the README's pictures (docs/screenshots) in Chromium, from the demo.
screenshots: $(STAMP)
	$(BIN)/python -m tests.browser.screenshots

bench: $(STAMP)
	$(BIN)/python bench/rota.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .migrations-check
