# The two commands of the README: `make run` and `make test`. Each works on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PYTEST_WORKERS ?= 2
# Debian packages the report and dashboard tests drive (a headless browser) and the Korean
# glyphs of reports and figures; installed when missing and apt-get is usable (root).
SYSTEM_PACKAGES := chromium chromium-driver fonts-noto-cjk

.PHONY: run test install lint quick clean

$(STAMP): pyproject.toml
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian packages:$$missing"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing) >/dev/null; \
	  else echo "warning: Debian packages$$missing are missing; browser tests will skip (CI=true fails them)"; fi; \
	fi
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
