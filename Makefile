# staffcalc — the two commands the README promises, plus helpers.
#   make report   set up .venv if needed, then generate the reports from the sample data
#   make test     set up .venv if needed, then run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.staffcalc-installed

.PHONY: setup report test bench lab whatif sample notebooks docs clean-venv

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

report: setup
	$(BIN)/staffcalc report --config reports.yaml --data data --out reports

test: setup
	$(BIN)/ruff check staffcalc tests benchmarks notebooks
	$(BIN)/python -m pytest

bench: setup
	$(BIN)/python -m benchmarks.run

lab: setup
	$(BIN)/jupyter lab notebooks

whatif: setup
	$(BIN)/staffcalc whatif

notebooks: setup
	$(BIN)/jupytext --sync notebooks/*.py

sample: setup
	$(BIN)/python -m staffcalc.sample --seed 2026 --staff 3000 --out data

docs: setup
	$(BIN)/staffcalc docs

clean-venv:
	rm -rf $(VENV)
