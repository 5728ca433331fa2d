# Every target sets up .venv itself: `make run` and `make test` are the only set-up on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-all lint bench bench-ussr docking dashboard clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,calibrate,dask,dashboard]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/treugolnik run kirov

test: $(STAMP)
	$(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m 'not slow and not browser'

test-all: $(STAMP)
	$(BIN)/python -m pytest -q -m ''

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

docking: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[reference]'
	$(BIN)/python -m pytest -q -s -m docking

dashboard: $(STAMP)
	$(BIN)/treugolnik dashboard

bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[reference]'
	$(BIN)/python benchmarks/run.py

bench-ussr: $(STAMP)
	$(BIN)/python benchmarks/run.py --ussr

clean:
	rm -rf $(VENV) runs .pytest_cache
