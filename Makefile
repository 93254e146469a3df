# Backprop Lab: the two commands a newcomer needs.
#   make lab    create the environment (once) and open JupyterLab on the first lesson
#   make test   create the environment (once) and run every test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
STAMP   = $(VENV)/.installed

.PHONY: lab test env browser-deps bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

env: $(STAMP)

# JupyterLab refuses to run as root unless told; a learner's own account needs no flag
ROOTFLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(VENV)/bin/jupyter lab $(ROOTFLAG) lessons/00_welcome.ipynb

# The browser tests drive Debian's chromium (never a downloaded browser build).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "NOTE: the browser tests need Debian's chromium: sudo apt-get install chromium"; \
	    echo "      (until then they are skipped)"; \
	  fi; }

# A pytest worker per core (pytest-xdist), each running whole files: a notebook's cells share
# one kernel, so they must stay on one worker. benchmarks/bench_course.py --suite times this.
PYTEST_PARALLEL = -n auto --dist loadfile

test: $(STAMP) browser-deps
	$(PY) -m pytest $(PYTEST_PARALLEL)

bench: $(STAMP)
	$(PY) benchmarks/bench_training.py

clean:
	rm -rf $(VENV) .pytest_cache
