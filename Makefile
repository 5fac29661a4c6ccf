# The two commands of the README: `make run` and `make test`. Each works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2

.PHONY: run test install lint quick clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e ".[all,dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/jogak quickstart

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check src tests benchmarks

test: lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) --durations=15

quick: lint
	$(BIN)/python -m pytest -q -n $(PYTEST_WORKERS) -m "not slow"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache .mypy_cache jogak-output
