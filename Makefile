# The README's two commands: `make run` and `make test`. Both create .venv/ in the checkout first.
PY ?= python3
VENV := .venv
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml setup.py
	$(PY) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	# setuptools prints an information notice for every editable install that maps folders
	# (setup.py's package_dir); the checkout's mediawatch/ is the installed one, so it is moot here.
	PYTHONWARNINGS='ignore:Editable installation' $(VENV)/bin/pip install --quiet -e '.[test]'
	# The checkout's own modules, compiled once: where PYTHONDONTWRITEBYTECODE is set (as on our CI
	# machines) imports never cache them, and every crawl process compiled them again (~0.15 s).
	$(VENV)/bin/python -m compileall -q -x '/\.(venv|git)/' .
	touch $(STAMP)

.PHONY: setup run test check lint imports typecheck
setup: $(STAMP)

run: $(STAMP)
	$(VENV)/bin/mediawatch demo

# Three pytest workers (pytest-xdist) on two cores: much of the suite waits on crawl and daemon
# subprocesses and on their schedules, and a third worker fills those waits (bench/test_suite.py
# measures a run). loadfile keeps each module in one worker, which builds its shared fixtures (a
# crawled archive, the browser crawl, the demo, Redis) once.
test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/vulture  # dead code; settings in pyproject.toml [tool.vulture]
	sh .ci/lint-imports
	$(VENV)/bin/python .ci/typecheck.py
	$(VENV)/bin/pytest -q -n 3 --dist loadfile

# The inner loop, under a minute: ruff and every test that starts no crawl, daemon or browser.
check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -q -m "not slow"

lint: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The import contracts alone (pyproject.toml [tool.importlinter]): spine -> stages -> db/matcher.
imports: $(STAMP)
	sh .ci/lint-imports

# mypy over the package as installed (the rooms as mediawatch.*); settings in pyproject.toml.
typecheck: $(STAMP)
	$(VENV)/bin/python .ci/typecheck.py
