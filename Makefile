# Two commands on a fresh Debian machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get

.PHONY: run test lint format migrate audit bench-routing bench-planning bench-realtime bench-stats mutants clean system-deps speech-deps

$(BIN)/python:
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  echo "python3-venv is missing: installing it with apt-get"; \
	  rm -rf $(VENV); $(APT) update -qq && $(APT) install -y -qq python3-venv >/dev/null && \
	  $(PYTHON) -m venv $(VENV); }

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $(STAMP)

run: $(STAMP) speech-deps
	$(BIN)/welcome-center demo

migrate: $(STAMP)
	$(BIN)/welcome-center migrate

# Debian packages the test suite drives for real: Chromium (browser tests) and
# PostgreSQL (tests against a private cluster). Installed only when missing.
# The display's spoken calls: Debian's espeak-ng (offline, every kiosk language).
speech-deps:
	@command -v espeak-ng >/dev/null 2>&1 || { \
	  echo "installing Debian's espeak-ng for the display's spoken calls"; \
	  $(APT) update -qq && $(APT) install -y -qq espeak-ng >/dev/null; }

system-deps: speech-deps
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  $(APT) update -qq && $(APT) install -y -qq chromium >/dev/null; }
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  echo "installing Debian's postgresql for the database tests"; \
	  $(APT) update -qq && $(APT) install -y -qq postgresql >/dev/null; }

test: $(STAMP) system-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m tools.audit
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Known vulnerabilities in the installed dependencies (pip-audit, PyPI's advisories).
# A vulnerability fails; an advisory service out of reach only warns (tools/audit.py).
audit: $(STAMP)
	$(BIN)/python -m tools.audit

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Benchmarks print numbers; they are not timed tests.
bench-routing: $(STAMP)
	$(BIN)/python -m bench.routing

# Arrival windows, what-if predictions, staffing advice and wait ranges (docs/routing.md,
# "Planning the day"); about 10 minutes on two cores.
bench-planning: $(STAMP)
	$(BIN)/python -m bench.planning

bench-realtime: $(STAMP) system-deps
	$(BIN)/python -m bench.realtime

# A year of days (365 × 40 visitors) in the event log, then GET …/stats timed for the
# year and for one day (bench/stats.py); about 6 minutes, most of it building the year.
bench-stats: $(STAMP)
	$(BIN)/python -m bench.stats

# Check-in, call-next and visit status beside a bare FastAPI ceiling (bench/http.py);
# BENCH_QUICK=1 for a smoke of a couple of minutes.
bench-http: $(STAMP) system-deps
	$(BIN)/python -m bench.http

# Planted one-line bugs (tests/mutants/mutants.yaml), each in a temporary copy of the
# repository: every one must make its tests fail. Minutes, so not part of `make test`.
mutants: $(STAMP)
	$(BIN)/python -m tests.mutants.run

clean:
	rm -rf $(VENV) var .pytest_cache
