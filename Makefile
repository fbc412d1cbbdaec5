# Every target bootstraps .venv from pyproject.toml on first use; only Python 3.11+ and make are needed.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
HOST   ?= 127.0.0.1
PORT   ?= 8080
ARGS   ?=

.PHONY: serve test lint bench clean venv docs fuzz

venv: $(STAMP)

$(STAMP): pyproject.toml
	@echo "mka1-mock: installing .venv from pyproject.toml" >&2
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip >&2
	@$(BIN)/python -m pip install --quiet -e '.[test,lint]' >&2
	@touch $(STAMP)

# '@' and bootstrap output on stderr: the server's first stdout line is its "listening" line.
serve: $(STAMP)
	@$(BIN)/mka1-mock serve --host $(HOST) --port $(PORT) $(ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python bench/run.py $(ARGS)

clean:
	rm -rf $(VENV) build src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache bench/.cache

# Regenerate the README's endpoint tables from the endpoint declarations.
docs: $(STAMP)
	$(BIN)/python -m mka1_mock.openapi --readme README.md

# A longer, randomised spec-driven fuzz run (make test runs a bounded, derandomised one).
fuzz: $(STAMP)
	MKA1_FUZZ_EXAMPLES=$${MKA1_FUZZ_EXAMPLES:-1000} MKA1_FUZZ_RANDOM=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_fuzz_openapi.py $(ARGS)
