# Two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
export AWS_DEFAULT_REGION ?= us-east-1

.PHONY: demo serve test lint typecheck unit integration e2e corpus build bench openapi validate publish-web clean

$(VENV)/.installed: requirements-dev.txt layers/shared/requirements.txt constraints.txt pyproject.toml
	test -x $(PY) || $$(scripts/find-python) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt -c constraints.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $$(scripts/find-python) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet -r requirements-sam.txt
	touch $@

# checkov pins boto3 and networkx below moto's and cfn-lint's: an environment of its own.
$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $$(scripts/find-python) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $@

demo: $(VENV)/.installed
	$(VENV)/bin/alerts demo

serve: $(VENV)/.installed
	$(VENV)/bin/alerts serve

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# Each handler on its own: all thirteen are modules named `app`, which one mypy run refuses.
typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy
	for handler in functions/*/app.py; do \
		MYPYPATH=layers/shared:src:. $(VENV)/bin/mypy --strict --follow-imports=silent "$$handler" || exit 1; \
	done

# cfn-lint with the Serverless Rules, SAM's own lint, checkov (configuration: .checkov.yaml).
validate: $(VENV)/.installed $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	$(VENV)/bin/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml
	$(SAM_VENV)/bin/sam validate --lint --template template.yaml
	$(CHECKOV_VENV)/bin/checkov --config-file .checkov.yaml

# The template tests run cfn-lint, `sam validate --lint` and checkov too. Three workers on two
# cores: much of a test's time is waiting (moto's server threads, the local stream pumps,
# chromium), and on a 2-core machine the suite took 10 min 53 s with two workers, 6 min 29 s
# with three (2026-12-03, idle machine; in the two-worker run 73 tests failed on a bug fixed
# before the other, three of them after a 30 s browser timeout). PYTEST_WORKERS overrides.
PYTEST_WORKERS ?= 3
test: lint typecheck $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed
	SAM_CLI=$(CURDIR)/$(SAM_VENV)/bin/sam CHECKOV=$(CURDIR)/$(CHECKOV_VENV)/bin/checkov \
		SAM_CLI_TELEMETRY=0 $(PY) -m pytest -n $(PYTEST_WORKERS)

# What `sam deploy` uploads (.aws-sam/build): layers/shared/Makefile and functions/Makefile
# ship compiled bytecode and only the data the code reads. Needs Python 3.13 (pyenv or PATH).
build: $(SAM_VENV)/.installed
	SAM_CLI_TELEMETRY=0 $(SAM_VENV)/bin/sam build

# The real-world corpus (tests/corpus/real_world): share of right fields, every miss; fails on a
# wrong hotline or an internal error.
corpus: $(VENV)/.installed
	$(VENV)/bin/alerts corpus-score

# Issue 7's figures side by side, one table (build/bench.md); BENCH_ARGS=--quick for fewer
# rounds. Cold starts are measured on the built artifacts, hence `build` first.
bench: $(VENV)/.installed build
	$(PY) -m bench $(BENCH_ARGS)

# The citizen API's OpenAPI document (openapi/citizen-api.json), from its handler's routes.
openapi: $(VENV)/.installed
	$(PY) -m alerts_cli.openapi

# The citizen page and the publisher console (web/) to a deployed stack's site bucket.
publish-web:
	@test -n "$(STACK)" || { echo "usage: make publish-web STACK=<deployed stack name>" >&2; exit 2; }
	scripts/publish-web "$(STACK)"

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
