# Every target sets up the virtual environment itself from pinned versions.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test test-gpu report report-check validate clean

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/oracle run cases --out reports/latest

test: $(STAMP)
	$(PY) -m pytest

test-gpu: $(STAMP)
	$(PY) -m pytest -m gpu -v tests/test_gpu.py
	$(VENV)/bin/oracle run cases --device cpu,gpu --out reports/gpu-all
# report.md, report.html and plots/ from the last `make run`
report: $(STAMP)
	$(VENV)/bin/oracle report --results reports/latest/results.json --out reports/latest

# The HTML report in headless Chromium (installed from Debian when missing); screenshot in reports/report-check/
report-check: $(STAMP)
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	ORACLE_REQUIRE_CHROMIUM=1 $(PY) -m pytest -q tests/test_report_browser.py

validate: $(STAMP)
	$(VENV)/bin/oracle validate cases

clean:
	rm -rf $(VENV) reports
