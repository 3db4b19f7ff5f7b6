# The two commands: `make run` starts everything, `make test` runs the whole suite.
# Both install what they need: a venv with the Python package and npm packages
# from package-lock.json.

VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: run test install lint typecheck pytest bench artifacts clean

run: install
	bash scripts/run_local.sh

test: install lint typecheck pytest

install: $(VENV)/.installed node_modules/.installed

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

pytest:
	$(BIN)/python -m pytest

artifacts: install
	npm run artifacts

clean:
	rm -rf $(VENV) node_modules artifacts cache
