# Every target sets up the virtual environment itself from pinned versions.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test report validate clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/oracle run cases --out reports/latest

# Oracle vs floor vs naive timings (README: "Speed"); writes reports/bench.json
.PHONY: bench
bench: $(STAMP)
	$(PY) bench/bench.py

test: $(STAMP)
	$(PY) -m pytest

validate: $(STAMP)
	$(VENV)/bin/oracle validate cases

clean:
	rm -rf $(VENV) reports
