# МОЦ Desktop — every target creates .venv itself when missing.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
APP_STAMP  := $(VENV)/.app-installed
TEST_STAMP := $(VENV)/.test-installed

.PHONY: run test bench lint screenshots clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e .
	touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --disable-pip-version-check -q -e '.[test]'
	touch $@ $(APP_STAMP)

## Start the application on the default database in the user data folder (ARGS="--db file.sqlite3" to change).
run: $(APP_STAMP)
	$(PY) -m moc_desktop $(ARGS)

## Whole test suite headless: lint, layer contracts, tests.
test: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	QT_QPA_PLATFORM=offscreen $(VENV)/bin/pytest -q

lint: $(TEST_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

## Benchmarks at scale L (figures printed, nothing asserted).
bench: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) benchmarks/run.py $(ARGS)

## README screenshots rendered offscreen.
screenshots: $(TEST_STAMP)
	QT_QPA_PLATFORM=offscreen $(PY) tools/screenshots.py

clean:
	rm -rf $(VENV) build dist *.egg-info
