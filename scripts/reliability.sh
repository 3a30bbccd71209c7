#!/usr/bin/env bash
#
# scripts/reliability.sh [PORT]: the `make reliability` flow (issue 6). Starts a FRESH emulator on PORT (default
# 4591), deploys the stack WITH the fault injection (CDK_CONTEXT='-c chaos=true', infra.StackProps.Chaos: every event
# delivered 2 or 3 times to each consumer queue, the SQS consumers crashing on 5 % of deliveries), seeds it, runs
# the harness bench/reliability (rate steps, each kept only if 90 % of its orders settle within 40 s of its end; then
# RELIABILITY_ORDERS orders at the highest kept rate, with malformed requests alongside and the payment provider's
# timeout and decline cards; the demo couriers deliver through the API), adds what the emulator log says the faults
# did, and always stops that emulator again.
# Prints `RELIABILITY <name> <value>` lines (also in .run/reliability/reliability.txt) and exits non-zero if a
# must-be-0 figure is not 0 or an order is not settled by the deadline.
#   RELIABILITY_ORDERS     orders of the main load (default 500)
#   RELIABILITY_RATES      order rates per second to step through (default 2,4,6,8,12,16,24: on until a step fails)
#   RELIABILITY_DEADLINE   how long after the main load every order must be settled (default 6m)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-4591}"
scripts="$ROOT/scripts"
out="$RUN_ROOT/reliability"
bin="$BUILD_DIR/bench/$(host_arch)/tools"
STEP_TOTAL=5

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((status != 0)) && "$scripts/emulator.sh" status "$port" >/dev/null 2>&1; then
    emulator_log_tail "$port" 20
  fi
  if [[ -s "$out/harness.pid" ]]; then
    kill "$(<"$out/harness.pid")" 2>/dev/null || true # timeout passes the TERM on to the harness
  fi
  STEP_TOTAL=""
  step "Stopping the reliability emulator on port $port" "$scripts/emulator.sh" stop "$port" || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$ROOT"
rm -rf "$out"
mkdir -p "$out" "$bin"

harness() {
  go build -o "$bin/" ./bench/reliability
  emulator_env "$port"
  # Bounded in time whatever happens: the harness's own deadline plus a margin.
  timeout 16m "$bin/reliability" -outputs "$RUN_ROOT/$port/outputs.json" -orders "${RELIABILITY_ORDERS:-500}" \
    -rates "${RELIABILITY_RATES:-2,4,6,8,12,16,24}" -deadline "${RELIABILITY_DEADLINE:-6m}" \
    >"$out/harness.txt" 2>"$out/harness.log" &
  # timeout runs in a process group of its own: cleanup ends it by this pid on Ctrl-C or failure.
  echo $! >"$out/harness.pid"
  wait $! || status=$?
  rm -f "$out/harness.pid"
  # What the faults did, from the functions' own log lines in the emulator log.
  local logf="$RUN_ROOT/$port/emulator.log"
  {
    cat "$out/harness.txt"
    printf 'RELIABILITY chaos_crashes %s\n' "$(grep -c 'chaos: crash on message' "$logf" || true)"
    printf 'RELIABILITY chaos_duplicates_ignored %s\n' "$(grep -c 'duplicate ignored' "$logf" || true)"
  } >"$out/reliability.txt"
  # The rate steps and the main load; the full log (every DLQ message, every poll) stays in the file.
  grep -E '^(step|main load|not settled|double|duplicate|money|5xx)' "$out/harness.log" | sed 's/^/    /' || true
  return "${status:-0}"
}

# A leftover of an interrupted run of ours is stopped first; anything else on the port makes --fresh fail.
"$scripts/emulator.sh" stop "$port" >/dev/null
step "Starting a fresh emulator on port $port" "$scripts/emulator.sh" start --fresh "$port"
step "Deploying with the fault injection (-c chaos=true)" env CDK_CONTEXT='-c chaos=true' "$scripts/deploy.sh" "$port"
step "Seeding demo data" "$scripts/seed.sh" "$port"
status=0
step "Running the load and fault harness (bench/reliability; log in .run/reliability/harness.log)" harness || status=$?
STEP_TOTAL=""
cat "$out/reliability.txt" 2>/dev/null || true
exit "$status"
