# fargate-stacks. On a fresh machine `make templates` and `make test` do all set-up.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
ENV ?=
# checkov (security scan in the tests) needs its own venv: see requirements-checkov.txt.
CHECKOV_VENV := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-stamp
# AWS's Guard engine (cfn-guard) for the Guard rules registry test: see requirements-guard.txt.
GUARD_VENV := .venv-guard
GUARD_STAMP := $(GUARD_VENV)/.installed-stamp

.PHONY: templates test golden lint bench deploy demo adopt-demo clean checkov guard

$(STAMP): setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

$(CHECKOV_STAMP): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements-checkov.txt
	touch $(CHECKOV_STAMP)

$(GUARD_STAMP): requirements-guard.txt tests/guard_engine.py
	test -x $(GUARD_VENV)/bin/python || $(PYTHON) -m venv $(GUARD_VENV)
	$(GUARD_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(GUARD_VENV)/bin/python -m pip install --quiet --no-deps -r requirements-guard.txt
	$(GUARD_VENV)/bin/python -m tests.guard_engine install
	touch $(GUARD_STAMP)

## make guard: AWS's cfn-guard in .venv-guard/bin (make test does this itself)
guard: $(GUARD_STAMP)

## make checkov: the pinned checkov in .venv-checkov (make test does this itself)
checkov: $(CHECKOV_STAMP)

## make templates [ENV=prod] [LOCK=check]: generate (and validate) output/<env>/ from params/<env>.yaml;
## updates params/<env>.lock.yaml, or with LOCK=check (CI) fails when it would change
LOCK ?=
templates: $(STAMP)
	$(PY) generate.py $(if $(ENV),--env $(ENV),--all)$(if $(filter check,$(LOCK)), --check-lock)

## make test: the whole suite (cfn-lint, golden files, params errors, deployer end-to-end)
test: $(STAMP) $(CHECKOV_STAMP) $(GUARD_STAMP)
	$(PY) -m pytest

## make golden: regenerate tests/golden/ after a deliberate template change; review `git diff`
golden: $(STAMP)
	$(PY) -m tests.regen_golden

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean:
	rm -rf output/*/ output/.*.rejected .pytest_cache

## make bench: speed and memory targets (never asserted in the test suite)
bench: $(STAMP)
	$(PY) -m benchmarks.run

## make deploy ENV=dev [ARGS="--stacks svc-auth --set auth.ImageTag=1.2.3"]: regenerate, review, confirm, execute
deploy: $(STAMP)
	@test -n "$(ENV)" || { echo "usage: make deploy ENV=dev [ARGS='--yes ...']" >&2; exit 2; }
	$(PY) generate.py --env $(ENV)
	$(PY) deploy.py --env $(ENV) --execute $(ARGS)

## make demo: the whole deploy of output/dev against a local AWS endpoint (moto on 127.0.0.1) made as slow as AWS,
## at half its pace (docs/local-endpoint.md), then three failing ECS rollouts replayed with Stubber (the rollout
## view and the root-cause line); no AWS account
demo: $(STAMP)
	$(PY) generate.py --env dev
	$(PY) -m tests.moto_endpoint --slow '{"scale": 0.5}' -- $(PY) deploy.py --env dev --execute --yes
	$(PY) -m tests.rollout_scenarios output/dev

## make adopt-demo: adopt a console-built cluster on a local endpoint (moto on 127.0.0.1): discover it with
## adopt.py, generate, import its services, target groups, rules and log groups, update them (docs/adopting.md)
adopt-demo: $(STAMP)
	MOTO_ECS_SERVICE_RUNNING=2 $(PY) -m tests.moto_endpoint -- $(PY) -m tests.adopt_demo
