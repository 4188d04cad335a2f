# Every target sets up the virtual environment itself from pinned versions.
PYTHON ?= python3.11
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: run test lint docs test-gpu report report-check validate clean baseline check versions

$(STAMP): requirements.lock pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/oracle run cases --out reports/latest

# Oracle vs floor vs naive timings (README: "Speed"), then explored scenarios per minute; reports/bench*.json
.PHONY: bench
bench: $(STAMP)
	$(PY) bench/bench.py
	$(PY) bench/explore_bench.py
	$(PY) bench/report_bench.py

# ruff (lint, import order) and mypy (types) over the code; run by `make test`
lint: $(STAMP)
	$(VENV)/bin/ruff check oracle adapters tests bench
	$(VENV)/bin/mypy

# `make test` leaves out the tests marked slow (pyproject.toml's addopts); `make test-all` runs them too
test: $(STAMP) lint
	$(PY) -m pytest

.PHONY: test-all
test-all: $(STAMP) lint
	$(PY) -m pytest -m "slow or not slow"

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

# docs/ops.md, generated from the op registry (a test checks it is current)
docs: $(STAMP)
	$(VENV)/bin/oracle ops --format markdown > docs/ops.md
# A longer, randomised run of the hostile-document fuzzers: case files, and results, baselines, atlases, versions
# configs and journals (each kind gets ORACLE_FUZZ_EXAMPLES / 6 documents). CI runs a fixed, derandomized set
.PHONY: fuzz
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz ORACLE_FUZZ_EXAMPLES=$${ORACLE_FUZZ_EXAMPLES:-5000} $(PY) -m pytest -q tests/test_fuzz_cases.py tests/test_fuzz_documents.py

# Kill the orchestrator or a worker at random points of real runs; --resume must end where a clean run ends
.PHONY: chaos
chaos: $(STAMP)
	CHAOS_TRIALS=$${CHAOS_TRIALS:-12} $(PY) -m pytest -q -s tests/chaos.py

# every recorded cell of the suite re-executed as the report's native snippet; exit 1 on one that differs
.PHONY: verify
verify: $(STAMP)
	$(VENV)/bin/oracle verify cases --run-out reports/verify

validate: $(STAMP)
	$(VENV)/bin/oracle validate cases

# Regression baselines (README: "Regression baselines").
baseline: $(STAMP)
	$(PY) -m oracle.cli snapshot cases --out baselines

check: $(STAMP)
	$(PY) -m oracle.cli check cases --against baselines

# Two versions of JAX side by side: a second venv with the older JAX of versions/jax-0.4.38.txt.
# `make versions`: each older stack in its own venv (versions/<env>.txt), compared with the pinned one through
# versions/<stack>.yaml; `make versions STACK=tensorflow` for one. Reports in reports/versions/<stack>/.
STACK ?= jax tensorflow
ENV_jax := .venv-jax-0.4.38
ENV_tensorflow := .venv-tensorflow-2.20
.venv-%/.installed: versions/%.txt
	@test -x .venv-$*/bin/python || $(PYTHON) -m venv .venv-$* || python3 -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet -r versions/$*.txt
	@touch $@

# exits with the last non-zero diff-versions code (1: a change not in versions/accepted.yaml), after every stack ran
versions: $(STAMP) $(foreach s,$(STACK),$(ENV_$(s))/.installed)
	@code=0; for s in $(STACK); do \
	  $(PY) -m oracle.cli diff-versions --config versions/$$s.yaml cases --out reports/versions/$$s || code=$$?; \
	done; exit $$code

clean:
	rm -rf $(VENV) .venv-jax-0.4.38 .venv-tensorflow-2.20 reports
