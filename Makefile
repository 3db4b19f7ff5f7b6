# The two commands: `make run` starts everything, `make test` runs the whole suite.
# Both install what they need: a venv with the Python package and npm packages
# from package-lock.json.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin
# Slither needs web3 < 8 (the service pins 8): it gets a virtualenv of its own.
SLITHER_VENV ?= .venv-slither

# Where the web app is built (see install).
WEBAPP := dentareview/webapp/index.html

.PHONY: run test install web lint typecheck slither pytest bench bench-audit artifacts clean

run: install
	bash scripts/run_local.sh

test: install lint typecheck slither pytest

install: $(VENV)/.installed node_modules/.installed $(WEBAPP)

# The web app (Vite + TypeScript), built offline into the Python package.
WEB_SOURCES := $(shell find web -type f -not -path '*/node_modules/*' 2>/dev/null)

$(WEBAPP): node_modules/.installed $(WEB_SOURCES)
	npm run --silent build:web

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package-lock.json
	npm ci --no-audit --no-fund
	touch $@

lint:
	$(BIN)/ruff check dentareview tests scripts bench migrations

typecheck:
	$(BIN)/mypy

# Static analysis of the contracts from Hardhat's offline build (no solc download);
# fails on any finding not justified in docs/SECURITY.md.
slither: install $(SLITHER_VENV)/.installed
	rm -rf build/slither
	CONTRACTS_BUILD_DIR=build/slither npx hardhat compile --quiet
	$(BIN)/python scripts/slither_check.py --slither $(SLITHER_VENV)/bin/slither \
		--artifacts build/slither/artifacts

$(SLITHER_VENV)/.installed: scripts/slither-requirements.txt
	$(PYTHON) -m venv $(SLITHER_VENV)
	$(SLITHER_VENV)/bin/pip install --quiet --upgrade pip
	$(SLITHER_VENV)/bin/pip install --quiet -r scripts/slither-requirements.txt
	touch $@

# Worker processes for pytest (pytest-xdist): each has its own Anvil nodes, database
# schemas, Redis key prefix and service ports, so they share nothing. Most tests wait on
# a chain, a database or a browser, so 3 workers keep two cores busy.
PYTEST_WORKERS ?= 3

pytest:
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS)

# Scale benchmarks (gas, intake, anchoring, reputation, audit): ~5 minutes, not part of
# `make test`; needs PostgreSQL. Results in bench/results/scale.{json,md}.
bench: install
	$(BIN)/python -m bench.run_all

# `dentareview audit` on 10k and 100k real anchored reviews (~10 minutes; SQLite and
# PostgreSQL). Results in bench/results/audit.{json,md}.
bench-audit: install
	$(BIN)/python -m bench.audit.run

web: node_modules/.installed
	npm run --silent build:web

artifacts: install
	npm run artifacts

clean:
	rm -rf $(VENV) $(SLITHER_VENV) node_modules artifacts cache dentareview/webapp
