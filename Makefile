# Backprop Lab: the two commands a newcomer needs.
#   make lab    the lab's environment (once), the learner's my-work/ (first use; new exercises
#               are added later, nothing is overwritten), then JupyterLab rooted at the
#               repository, open on START_HERE.ipynb
#   make test   adds the test tools (the [dev] extra, once) and the system packages the tests
#               need, then runs every test
PYTHON ?= python3
VENV   ?= .venv
PY      = $(VENV)/bin/python
# One stamp per install: the lab's packages (pyproject's dependencies), then the test tools on
# top. A learner who runs `make lab` and later `make test` installs the test tools only then;
# a change to pyproject.toml redoes both.
LAB_STAMP = $(VENV)/.installed
DEV_STAMP = $(VENV)/.installed-dev
START     = START_HERE.ipynb
WORKSPACE = my-work

.PHONY: lab test env env-lab workspace system-deps browser-deps sandbox-deps bench clean

$(LAB_STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "could not create $(VENV) with $(PYTHON); on Debian/Ubuntu: sudo apt-get install python3-venv"; \
	  exit 1; }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

# nbgrader (one test compares our exercises with its generate_assignment) ships JupyterLab and
# Jupyter server extensions; they are switched off, so the lab looks the same after `make test`.
NBGRADER_SERVER_EXTENSIONS = formgrader validate_assignment assignment_list course_list

$(DEV_STAMP): $(LAB_STAMP)
	$(PY) -m pip install --quiet -e '.[dev]'
	$(VENV)/bin/jupyter labextension disable --level=sys_prefix \
	  @jupyter/nbgrader @jupyter-notebook/lab-extension >/dev/null 2>&1
	for ext in $(NBGRADER_SERVER_EXTENSIONS); do \
	  $(VENV)/bin/jupyter server extension disable --sys-prefix \
	    nbgrader.server_extensions.$$ext >/dev/null 2>&1 || exit 1; done
	touch $@

env-lab: $(LAB_STAMP)
env: $(DEV_STAMP)

# The learner's own copies of exercises/: copied when missing, never overwritten.
workspace: $(LAB_STAMP)
	$(VENV)/bin/labkit exercises workspace --into $(WORKSPACE)

# JupyterLab refuses to run as root unless told; a learner's own account needs no flag
ROOTFLAG = $(if $(filter 0,$(shell id -u)),--allow-root,)

# Rooted at the repository (lessons, my-work, exercises and labkit's code all reachable), open on
# the start page. Stop it with Ctrl-C twice in this terminal, or File > Shut Down in the lab.
lab: workspace
	$(VENV)/bin/jupyter lab $(ROOTFLAG) --ServerApp.root_dir="$(CURDIR)" "$(CURDIR)/$(START)"

# System packages the tests need (Debian's, installed when run as root with apt-get).
system-deps: browser-deps sandbox-deps

# The grader runs every submission in a bubblewrap sandbox (Debian's bubblewrap); without it
# `labkit grade` refuses to run and its tests fail (they never skip).
sandbox-deps:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's bubblewrap for the grading sandbox"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	  else \
	    echo "NOTE: grading needs bubblewrap: sudo apt-get install bubblewrap"; \
	    echo "      (until then labkit grade refuses to run and its tests fail)"; \
	  fi; }

# The browser tests drive Debian's chromium (never a downloaded browser build) and screenshot
# the lessons' Chinese terms (fonts-noto-cjk).
browser-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="chromium"; \
	if command -v dpkg-query >/dev/null 2>&1 && ! dpkg-query -W -f='$${Status}' fonts-noto-cjk \
	    2>/dev/null | grep -q "ok installed"; then missing="$$missing fonts-noto-cjk"; fi; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian packages for the browser tests:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "NOTE: the browser tests need Debian packages: sudo apt-get install$$missing"; \
	    echo "      (until then they are skipped)"; \
	  fi; \
	fi

# A pytest worker per core (pytest-xdist). conftest.py makes `-n` run whole files per worker
# (--dist loadfile: a notebook's cells share one kernel), for a plain `pytest -n auto` too.
# benchmarks/bench_course.py --suite times this.
PYTEST_PARALLEL = -n auto

test: $(DEV_STAMP) system-deps
	$(PY) -m pytest $(PYTEST_PARALLEL)

bench: $(DEV_STAMP)
	$(PY) benchmarks/bench_training.py

# Removes the environment only: the learner's my-work/ stays.
clean:
	rm -rf $(VENV) .pytest_cache
