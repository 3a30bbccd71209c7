#!/usr/bin/env bash
#
# scripts/e2e.sh [PORT]: the deployed-stack tests. Starts a FRESH emulator on PORT (default 4599, so an emulator of
# `make run` on 4566 is left alone), deploys, seeds, runs `go test -tags e2e ./tests/...` against it, then the
# browser tests against the web app served on E2E_WEB_PORT (default 8099), and always stops that emulator and
# server again, whatever failed. Exits with the tests' status.
#   E2E_ARGS   extra `go test` arguments, e.g. E2E_ARGS='-run TestPoisonMessage'
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-4599}"
# The alarm topic's email subscription is deployed and checked (tests/alarms_test.go); example.com takes no mail.
export ALARM_EMAIL="${ALARM_EMAIL-ops@example.com}"
scripts="$ROOT/scripts"
web_port="${E2E_WEB_PORT:-8099}"
STEP_TOTAL=6

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((status != 0)); then
    emulator_log_tail "$port" 60
  fi
  STEP_TOTAL="" # unnumbered: it runs whatever step we got to
  "$scripts/services.sh" stop "$port" all || true
  step "Stopping the test emulator on port $port" "$scripts/emulator.sh" stop "$port" || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

run_tests() {
  cd "$ROOT"
  emulator_env "$port"
  export E2E_OUTPUTS="$RUN_ROOT/$port/outputs.json"
  # shellcheck disable=SC2086 # E2E_ARGS is a list of words
  # -timeout: the suite took 7 min on the shared 2-core machine (the docs test alone 3.5 min), too close to go test's
  # default limit of 10 min, which kills the whole package; a hang is still bounded by each test's own deadlines.
  go test -tags e2e -count=1 -timeout 30m -v ${E2E_ARGS:-} ./tests/...
}

# A leftover of an interrupted run of ours is stopped first; anything else on the port makes --fresh fail.
"$scripts/emulator.sh" stop "$port" >/dev/null
step "Starting a fresh emulator on port $port" "$scripts/emulator.sh" start --fresh "$port"
step "Deploying" "$scripts/deploy.sh" "$port"
step "Seeding demo data" "$scripts/seed.sh" "$port"
run_browser_tests() {
  cd "$ROOT"
  # The ops console's test plants a poison message through tests/browser/fixture, which reads the outputs.
  emulator_env "$port"
  export E2E_OUTPUTS="$RUN_ROOT/$port/outputs.json"
  WEB_URL="http://127.0.0.1:$web_port" node --test tests/browser/
}

step "Running the deployed-stack tests (tests/, tag e2e)" run_tests
step "Serving the web app on 127.0.0.1:$web_port" "$scripts/services.sh" start "$port" webserve -port "$web_port" \
  -outputs "$RUN_ROOT/$port/outputs.json"
step "Running the browser tests (tests/browser, headless chromium)" run_browser_tests
