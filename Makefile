# The README's two commands: `make study` (the main job) and `make test`.
# Each sets itself up on a fresh machine: a .venv with wxtime and what it needs.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.wxtime-installed

.PHONY: study test setup lab lint format clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

study: $(STAMP)
	MPLBACKEND=Agg $(BIN)/wxtime study --output reports/noon_study.html

test: $(STAMP)
	$(BIN)/ruff check wxtime tests benchmarks docs
	$(BIN)/ruff format --check wxtime tests benchmarks docs
	MPLBACKEND=Agg $(BIN)/python -m pytest

# The analyst's notebooks in JupyterLab (installs the [lab] extra once).
lab: $(STAMP)
	$(BIN)/python -c "import jupyterlab, ipywidgets" 2>/dev/null || $(BIN)/python -m pip install --quiet -e ".[test,lab]"
	$(BIN)/jupyter lab notebooks/

format: $(STAMP)
	$(BIN)/ruff check --fix wxtime tests benchmarks docs
	$(BIN)/ruff format wxtime tests benchmarks docs

clean:
	rm -rf reports .pytest_cache .ruff_cache
