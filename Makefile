# Two entry points for a fresh machine: `make demo` (build the demo site) and
# `make test` (the whole test suite). Each creates .venv and installs what it needs.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint golden bench clean setup metrics

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/python demo-site/build.py

test: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m mypy
	$(BIN)/python -m pytest -q

golden: $(STAMP)
	MLSEQ_REGEN_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py
	$(BIN)/python tools/template_pictures.py

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) demo-site/build build *.egg-info

metrics: $(STAMP)
	$(BIN)/python tools/gen_metrics.py
