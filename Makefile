# Dev tooling of the food-delivery reference app. `make` (or `make help`) lists the targets.
# The work is done by the scripts in scripts/ (each says what it does in its header); this file wires them up.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
.NOTPARALLEL: # targets such as `test` run their prerequisites in the order written
MAKEFLAGS += --no-print-directory

MINISTACK_VERSION := 1.5.33
# cryptography is optional for MiniStack but needed here: without it Cognito signs tokens with a dummy key and the
# HTTP API's JWT authorizer cannot verify RS256 signatures, so it answers 401 to every valid token.
CRYPTOGRAPHY_VERSION := 50.0.2
# cfn-lint checks the synthesized templates of both stages in `make test` (rules switched off: .cfnlintrc.yaml).
CFN_LINT_VERSION := 1.58.0
PY_TOOLS := ministack==$(MINISTACK_VERSION) cryptography==$(CRYPTOGRAPHY_VERSION) cfn-lint==$(CFN_LINT_VERSION)
# PORT: the emulator of `make run`, and of deploy-local/seed/stop. Taken from a user-provided AWS_ENDPOINT_URL (e.g. a
# LocalStack on http://localhost:4566), else 4566. TEST_PORT: the fresh emulator of `make e2e`.
ifndef PORT
PORT := $(shell source scripts/lib.sh && default_port)
ifeq ($(PORT),)
$(error cannot use AWS_ENDPOINT_URL=$(AWS_ENDPOINT_URL): set PORT, or unset AWS_ENDPOINT_URL)
endif
endif
TEST_PORT ?= 4599
# BENCH_PORT: the fresh emulator of `make bench`.
BENCH_PORT ?= 4596
# RELIABILITY_PORT: the fresh emulator of `make reliability`.
RELIABILITY_PORT ?= 4591

VENV := .venv
space := $(subst ,, )
VENV_STAMP := $(VENV)/.stamp-$(subst ==,-,$(subst $(space),+,$(PY_TOOLS)))
NODE_STAMP := node_modules/.stamp-npm-ci
GOMOD_STAMP := .build/.stamp-go-mod-download
# golangci-lint is pinned (with everything it builds from) in tools/go.mod, a module of its own so that the app's
# go.mod stays the app's; built once into .build/bin (about 2 min of CPU from a cold Go build cache).
GOLANGCI_LINT := .build/bin/golangci-lint
STEP := source scripts/lib.sh && step

.PHONY: help tools build vet lint unit cfn-lint test e2e fuzz bench reliability diagram emulator-up emulator-down deploy-local deploy destroy token seed outputs timeline run stop clean distclean

help: ## List the targets (this)
	@echo "Usage: make TARGET [PORT=$(PORT)] [TEST_PORT=$(TEST_PORT)]"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-14s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

# --- tools: each stamp file records one finished install, so a second `make tools` does nothing -----------------

tools: $(VENV_STAMP) $(NODE_STAMP) $(GOMOD_STAMP) $(GOLANGCI_LINT) ## Install the pinned tools: MiniStack and cfn-lint in .venv, the CDK CLI (npm ci), Go modules, golangci-lint
	@echo "==> Tools ready: MiniStack $(MINISTACK_VERSION) and cfn-lint $(CFN_LINT_VERSION) in $(VENV)/, cdk and cdklocal in node_modules/, Go modules, $(GOLANGCI_LINT)"

$(VENV_STAMP):
	@if [[ ! -x $(VENV)/bin/python3 ]]; then $(STEP) "Creating the Python venv $(VENV)/" python3 -m venv $(VENV); fi
	@$(STEP) "Installing $(PY_TOOLS) into $(VENV)/" \
		$(VENV)/bin/python3 -m pip install --quiet --disable-pip-version-check $(PY_TOOLS)
	@rm -f $(VENV)/.stamp-* && touch $@

$(NODE_STAMP): package.json package-lock.json
	@$(STEP) "Installing the Node tooling (npm ci)" npm ci --no-audit --no-fund --loglevel=error
	@# aws-cdk ships Go templates: a go.mod makes node_modules a module of its own, outside `go vet/test ./...`.
	@printf 'module ignore/node_modules\n' >node_modules/go.mod
	@touch $@

$(GOMOD_STAMP): go.mod go.sum
	@mkdir -p $(@D)
	@$(STEP) "Downloading Go modules" go mod download
	@touch $@

$(GOLANGCI_LINT): tools/go.mod tools/go.sum
	@mkdir -p $(@D)
	@$(STEP) "Building golangci-lint $$(awk '$$1 == "github.com/golangci/golangci-lint/v2" { print $$2 }' tools/go.mod) (pinned in tools/go.mod)" \
		bash -c 'cd tools && go build -o ../$@ github.com/golangci/golangci-lint/v2/cmd/golangci-lint'

# --- build and static checks ---------------------------------------------------------------------------------------

build: $(GOMOD_STAMP) ## Build the Lambda functions for the host architecture into .build/lambda/
	@scripts/build-functions.sh

vet: $(GOMOD_STAMP) ## go vet (also the e2e-tagged tests) and gofmt: both must be silent
	@$(STEP) "go vet" go vet ./...
	@$(STEP) "go vet -tags e2e (with the deployed-stack tests)" go vet -tags e2e ./...
	@$(STEP) "gofmt -l (must list no file)" \
		bash -c 'bad=$$(git ls-files --cached --others --exclude-standard "*.go" | while read -r f; do [[ -e "$$f" ]] && echo "$$f"; done | xargs -r gofmt -l) && \
		[[ -z "$$bad" ]] || { printf "gofmt would change:\n%s\n" "$$bad"; exit 1; }'

lint: $(GOMOD_STAMP) $(GOLANGCI_LINT) ## golangci-lint with .golangci.yml (the e2e-tagged tests too): must report no issue
	@$(STEP) "golangci-lint run (.golangci.yml: the standard linters and the bug finders it lists)" $(GOLANGCI_LINT) run ./...

unit: $(GOMOD_STAMP) ## Unit tests and CDK assertion tests with the race detector (go test -race ./...; deployed-stack tests need tag e2e)
	@$(STEP) "Unit and infra assertion tests with the race detector (go test -race ./...)" go test -race ./...

cfn-lint: $(VENV_STAMP) $(GOMOD_STAMP) ## Synthesize the local and aws templates into .build/cfn/ and lint both with cfn-lint (errors and warnings fail; suppressions with reasons: .cfnlintrc.yaml)
	@scripts/cfn-lint.sh

diagram: $(GOMOD_STAMP) ## Redraw the Mermaid diagram in README.md and docs/architecture.md from the synthesized template
	@go run ./scripts/diagram -write

# --- local emulator ------------------------------------------------------------------------------------------------

emulator-up: $(VENV_STAMP) ## Start MiniStack on PORT (reuses an emulator already answering there)
	@scripts/emulator.sh start $(PORT)

emulator-down: ## Stop the MiniStack on PORT that emulator-up started
	@scripts/emulator.sh stop $(PORT)

deploy-local: $(NODE_STAMP) $(GOMOD_STAMP) ## Build the functions and deploy the stack (stage local) to the emulator on PORT (cdklocal)
	@scripts/deploy.sh $(PORT)

seed: ## Load the demo data into the stack on PORT and print the demo logins
	@scripts/seed.sh $(PORT)

outputs: ## Print the stack outputs of the deploy on PORT as KEY=VALUE (and API_BASE)
	@scripts/outputs.sh $(PORT)

run: tools ## Everything up on PORT: emulator, deploy, seed; prints the URLs and demo logins (idempotent)
	@scripts/run.sh $(PORT)

stop: ## Stop what `make run` started: web server, courier simulator, emulator
	@scripts/services.sh stop $(PORT) all
	@scripts/emulator.sh stop $(PORT)

token: ## Print an ID token for USER_NAME (default demo-customer) of the stack on PORT, for curl
	@scripts/token.sh $(or $(USER_NAME),demo-customer) $(PORT)

dlq: ## List the DLQ messages of the stack on PORT with why they failed (QUEUE=payment|assignment|notification|email|sms|stream)
	@scripts/redrive.sh list $(PORT)

timeline: ## Print one order's life in time order on PORT: versions, events, ledger, notifications, courier, every function's log lines (ORDER=<id>)
	@scripts/timeline.sh '$(ORDER)' $(PORT)

redrive: ## List, then move DLQ messages on PORT back to their queues (QUEUE=..., MESSAGE_ID=... to pick)
	@scripts/redrive.sh redrive $(PORT)

rotate-key: ## Rotate the payment provider's API key of the stack on PORT: a new value in its secret, no redeploy (docs/payments.md)
	@scripts/rotate-key.sh $(PORT)

# --- AWS (docs/deploy.md) ------------------------------------------------------------------------------------------

deploy: $(NODE_STAMP) $(GOMOD_STAMP) ## Deploy the aws stage (arm64) to the account of your AWS credentials: SENDER_EMAIL=orders@your.domain, optional ALARM_EMAIL=you@example.com (run `npx cdk bootstrap` once first)
	@scripts/deploy-aws.sh

destroy: $(GOMOD_STAMP) ## Delete the aws stack after asking (without a terminal: CONFIRM=FoodDelivery); first lists what it retains (tables, buckets, user pool, logs) and why
	@scripts/destroy.sh

# --- tests ---------------------------------------------------------------------------------------------------------

test: vet lint unit cfn-lint e2e ## All checks: vet, golangci-lint, unit, cfn-lint on both stages' templates, then the deployed-stack tests on a fresh emulator (what CI runs)

# Browser tests drive Debian's chromium; nothing downloads a browser of its own.
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	@if [[ $$(id -u) -ne 0 ]]; then echo "install Debian's chromium first: sudo apt-get install -y chromium" >&2; exit 1; fi
	@$(STEP) "Installing Debian's chromium for the browser tests" \
		bash -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null'

e2e: tools $(CHROMIUM) ## Deployed-stack tests on a fresh emulator on TEST_PORT, always stopped afterwards (E2E_ARGS=-run ...)
	@scripts/e2e.sh $(TEST_PORT)

fuzz: $(GOMOD_STAMP) ## Run each go test -fuzz target for FUZZTIME (default 10s), one after another (FUZZ=regexp picks targets)
	@scripts/fuzz.sh '$(or $(FUZZTIME),10s)' '$(or $(FUZZ),.)'

# --- benchmarks ----------------------------------------------------------------------------------------------------

bench: tools ## Cold starts vs hello-world, handler ns/op, assign and push latency and orders/s vs a no-op floor (and the app's topology with no-op functions), AWS calls, cost per 1,000 orders (tracking apart) (fresh emulator on BENCH_PORT; BENCH_ONLY=coldstart: the cold starts alone); BENCH lines, .run/bench/
	@scripts/bench.sh $(BENCH_PORT)

reliability: tools ## Load and fault suite on a fresh chaos emulator on RELIABILITY_PORT: duplicates, crashes, provider faults, 500 orders; RELIABILITY lines
	@scripts/reliability.sh $(RELIABILITY_PORT)

# --- cleaning ------------------------------------------------------------------------------------------------------

clean: ## Stop emulators started here and remove build output and run state (.build, .run, cdk.out)
	@for dir in .run/*/; do [[ -d "$$dir" ]] && scripts/services.sh stop "$$(basename "$$dir")" all; done; true
	@for pidfile in .run/*/emulator.pid; do \
		[[ -e "$$pidfile" ]] && scripts/emulator.sh stop "$$(basename "$$(dirname "$$pidfile")")"; \
	done; true
	rm -rf .build .run cdk.out cdk.out.*

distclean: clean ## clean, and remove the installed tools (.venv, node_modules)
	rm -rf $(VENV) node_modules
