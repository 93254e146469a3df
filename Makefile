# Backprop Lab: the two commands a newcomer needs.
#   make lab    create the environment (once) and open JupyterLab on the first lesson
#   make test   create the environment (once) and run every test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: lab test env exercises bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

env: $(STAMP)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab lessons/00_welcome.ipynb

test: $(STAMP)
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) benchmarks/bench_training.py

clean:
	rm -rf $(VENV) .pytest_cache
