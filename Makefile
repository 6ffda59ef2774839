# The front door. `make up` runs the whole local platform; `make test` runs every suite.
# Both install what they need into the repo first (.tools/, .venv/, node_modules/): no root needed.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The interpreter .venv is built from: any CPython 3.11 or newer. Its build shows in the load gate: with
# one compiled with profile-guided and link-time optimisation (Debian's and Ubuntu's python3, python.org's,
# the python images the services ship in), the Python services spend about a tenth less CPU per order than
# with a default pyenv build; see loadtests/README.md. `make install PYTHON=/usr/bin/python3.11` switches.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
BIN := .venv/bin
PYPROJECTS := pyproject.toml $(wildcard */pyproject.toml */*/pyproject.toml)

.PHONY: FORCE help install up down status test lint typecheck test-python test-node contract contract-verify scenarios clean

help: ## list the targets
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

install: .venv/.installed node_modules/.installed ## install Python and Node dependencies into the repo

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Holds what PYTHON named when .venv was built; rewritten only when that changes, and then .venv is built
# afresh (uv keeps a venv whose interpreter still answers to the name asked for).
.tools/venv-python: $(UV) FORCE
	@echo '$(PYTHON)' | cmp -s - $@ || echo '$(PYTHON)' > $@

.venv/.installed: $(UV) uv.lock $(PYPROJECTS) .tools/venv-python
	$(if $(filter .tools/venv-python,$?),rm -rf .venv)
	$(UV) sync --locked --all-packages --quiet --python '$(PYTHON)' --no-python-downloads
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

up: install ## start the local platform and print its URLs (Ctrl-C stops it); ARGS="--detach" to background
	$(BIN)/shopctl up $(ARGS)

down: install ## stop a platform started with `make up ARGS=--detach`
	$(BIN)/shopctl down

status: install ## health of every component
	$(BIN)/shopctl status

test: lint typecheck ## every check and suite
	@# The Python suites mostly wait on real servers, so the Node suites run beside them; output stays per target.
	$(MAKE) --no-print-directory -j2 --output-sync=target test-python test-node

lint: install ## ruff, yamllint, shellcheck, hadolint, detect-secrets, bandit, eslint (security rules) + prettier
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/yamllint --strict .
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/lint-files.sh
	PATH="$(CURDIR)/$(BIN):$$PATH" scripts/scan-code.sh
	npm run --silent lint

typecheck: install ## mypy (strict) over every Python package, `npm run typecheck` in every Node workspace
	$(BIN)/mypy $$($(BIN)/python scripts/workspace.py python-sources)
	@if [ "$$(node -p 'require("./package.json").workspaces.length')" -gt 0 ]; then \
		npm run typecheck --workspaces --if-present; \
	fi

test-python: install ## pytest, package by package, TEST_JOBS (default 3) packages at a time
	$(BIN)/python scripts/test_python.py

test-node: install ## `npm test` in every Node workspace
	@if [ "$$(node -p 'require("./package.json").workspaces.length')" -gt 0 ]; then \
		npm test --workspaces --if-present; \
	else echo "no Node workspaces yet"; fi

# The contract gate (contract-tests/README.md). Results go to contract-tests/results/ (git-ignored).
CONTRACT_RESULTS := contract-tests/results
PACTS ?= contract-tests/pacts

contract: install ## consumer pacts (Python + TS) regenerated, verified against the real providers; schemathesis long run
	@export PACT_DO_NOT_TRACK=true; status=0; mkdir -p $(CONTRACT_RESULTS); \
	echo "=== consumer pacts (Python)"; \
	$(BIN)/pytest contract-tests/consumers/python -q -p no:cacheprovider \
		--junitxml=$(CONTRACT_RESULTS)/consumers-python.junit.xml || status=1; \
	echo "=== consumer pacts (TypeScript)"; \
	npm test --workspace @contoso-shop/contract-tests || status=1; \
	echo "=== provider verification of contract-tests/pacts"; \
	$(BIN)/contract-verify contract-tests/pacts --json $(CONTRACT_RESULTS)/verification.json \
		--junit $(CONTRACT_RESULTS)/verification.junit.xml || status=1; \
	echo "=== schemathesis long run"; \
	contract-tests/schemathesis/run.sh || status=1; \
	exit $$status

contract-verify: install ## verify every pact in PACTS=DIR (default contract-tests/pacts) against the real providers
	$(BIN)/contract-verify $(PACTS) --json $(CONTRACT_RESULTS)/verification.json \
		--junit $(CONTRACT_RESULTS)/verification.junit.xml

# QA order scenarios (scenarios/README.md). Results go to .shop/scenarios/ (git-ignored with .shop/).
# SCENARIO_TARGET: `local` (the `make up` platform, started detached when it is not running) or an env file.
# SCENARIO_EXCLUDE: tags left out; `make scenarios SCENARIO_EXCLUDE=` runs every scenario.
SCENARIO_TARGET ?= local
SCENARIO_EXCLUDE ?= known-issue

scenarios: install ## replay scenarios/ against SCENARIO_TARGET (default: local, started if needed); ARGS="--tags smoke"
	$(BIN)/shopctl replay scenarios/ --target $(SCENARIO_TARGET) --start --exclude-tags "$(SCENARIO_EXCLUDE)" \
		--junit .shop/scenarios/junit.xml --json .shop/scenarios/results.json $(ARGS)

clean: ## remove installs and local state (.tools, .venv, node_modules, .shop)
	rm -rf .tools .venv node_modules .shop

# Each area keeps its own targets beside its code (chaos/make.mk, k8s/make.mk, …); `make help` lists them too.
include $(sort $(wildcard */make.mk */*/make.mk))
