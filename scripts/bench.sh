#!/usr/bin/env bash
#
# scripts/bench.sh [PORT]: the `make bench` flow (DESIGN.md section 8). Measures, in one run:
#   1. builds the functions (scripts/build-functions.sh), the two cold-start baselines (bench/hello,
#      bench/hellosdk), the SDK floor of each function held to the cold-start target (bench/sdkfloor, see FLOORS
#      below) and the four tracing choices (bench/tracing: none, ours, xraysdk, otel) with the same flags,
#   2. cold start of every bootstrap against hello-world and against its SDK floor, interleaved, and the binary
#      sizes (bench/coldstart),
#   3. ns/op and allocs/op of each handler's hot path with in-memory adapters (go test -bench, bench/gobench),
#   4. a FRESH emulator on PORT (default 4596), deployed and seeded (plus 20 spare couriers without logins; bench/e2e
#      adds a free one per order it places), and the no-op floor stack FoodDeliveryFloor beside the app
#      (infra/floor.go, functions from bench/floor; with it the topology floor, infra/floor_topology.go),
#   5. order-placed → courier-assigned latency and sustained orders/s of the floor, then of the topology floor (the
#      app's design on that path with no-op functions), then of the app, on that emulator, BENCH_RUNS times
#      (bench/e2e; each after 5 unmeasured orders; every ratio is taken within a run and reported as the median over
#      the runs with its min and max; every measured order's placing and assignment times in .run/bench/e2e-orders.tsv,
#      to join with the functions' log lines in .run/PORT/emulator.log for per-hop times),
#   5b. live-tracking push latency, location POST → frame at the customer's socket, of the app against the floor's
#      no-op functions on the same hops, alternately, one push in flight (bench/push; BENCH_PUSH_SAMPLES each, default 60),
#   6. AWS calls per API request and per event, handlers in-process against that emulator (bench/calls; it
#      disables the bus's rules, hence after step 5),
#   7. stops that emulator (also on failure or Ctrl-C),
#   8. the cost per 1,000 delivered orders: the counts of step 6 times bench/prices-us-east-1.json (bench/cost),
#   9. collects the figures: prints one `BENCH <name> <value> <unit>` line per figure and writes them to
#      .run/bench/bench.json and bench.tsv, with the charts coldstart.svg and calls.svg (bench/report).
# The CPU-bound measurements (2, 3) run before the emulator starts, so it does not disturb them.
#   BENCH_ROUNDS   starts per binary and cold-start run (default 60, at least 20)
#   BENCH_COLDSTART_RUNS  cold-start runs, each ratio taken within its run, reported as median, min and max (default 3)
#   BENCH_ONLY=coldstart  steps 1, 2 and 9 only: the cold starts, no emulator (a minute or so)
#   BENCH_ORDERS   orders driven through the flow for the call counts (default 10, at least 10)
#   BENCH_TIME     -benchtime of the handler benchmarks (default 1s)
#   BENCH_E2E_ORDERS  orders per system and load in step 5 (default 100), offered at BENCH_E2E_RATE (default 5/s)
#                     for the latency and at BENCH_E2E_BURST (default 25/s) for the sustained throughput
#   BENCH_RUNS     runs of step 5 on the same emulator (default 3, at least 1): the spread of the emulator figures
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-4596}"
rounds="${BENCH_ROUNDS:-60}"
cold_runs="${BENCH_COLDSTART_RUNS:-3}"
only="${BENCH_ONLY:-}"
orders="${BENCH_ORDERS:-10}"
benchtime="${BENCH_TIME:-1s}"
e2e_orders="${BENCH_E2E_ORDERS:-100}"
e2e_rate="${BENCH_E2E_RATE:-5}"
e2e_burst="${BENCH_E2E_BURST:-25}"
push_samples="${BENCH_PUSH_SAMPLES:-60}"
runs="${BENCH_RUNS:-3}"
scripts="$ROOT/scripts"
arch="$(host_arch)"
out="$RUN_ROOT/bench"
bin="$BUILD_DIR/bench/$arch"
STEP_TOTAL=11

((rounds >= 20)) || die "BENCH_ROUNDS=$rounds: the cold-start figure is a median of at least 20 starts"
((cold_runs >= 1)) || die "BENCH_COLDSTART_RUNS=$cold_runs: at least 1"
[[ -z "$only" || "$only" == coldstart ]] || die "BENCH_ONLY=$only: only 'coldstart' (or unset for every step)"
[[ "$only" == coldstart ]] && STEP_TOTAL=3
((runs >= 1)) || die "BENCH_RUNS=$runs: at least one run of the emulator figures"
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if ((status != 0)) && "$scripts/emulator.sh" status "$port" >/dev/null 2>&1; then
    emulator_log_tail "$port" 40
  fi
  "$scripts/emulator.sh" stop "$port" >/dev/null || true
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cd "$ROOT"
rm -rf "$out"
mkdir -p "$out" "$bin"

# The same command line as scripts/build-functions.sh's build_one (DESIGN.md section 8).
build_lambda() {
  mkdir -p "$bin/$1"
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -ldflags='-s -w' -tags lambda.norpc \
    -o "$bin/$1/bootstrap" "./bench/$1"
}
# The SDK floor of each function a customer or courier waits on (issue 15): hello plus exactly the SDK clients its job
# requires, and for the notification channels the template engines they render with (bench/sdkfloor's build tags,
# without the sdkfloor_ prefix). hello-sdk is the DynamoDB floor. The probes are named sdk-floor-<the tags, joined by ->;
# the figures: coldstart.<function>.ratio_vs_sdk_floor, and each probe's own ratio to hello (docs/performance.md).
FLOORS=(
  "order-api dynamodb" "tracking dynamodb" "delivery-assignment dynamodb" "realtime dynamodb" "realtime-push dynamodb"
  "stream-publisher eventbridge"
  "payment dynamodb s3 secretsmanager"
  "notification dynamodb text"
  "notify-sms dynamodb sns text"
  "notify-email dynamodb sesv2 text html"
)
# The same clients without the templates, for the template engines' share.
FLOORS_WITHOUT_TEMPLATES=("dynamodb sns" "dynamodb sesv2")

# floor_name PART...: the probe's name for these build tags (dynamodb alone is hello-sdk).
floor_name() {
  if [[ "$*" == dynamodb ]]; then echo hello-sdk; else (IFS=-; echo "sdk-floor-$*"); fi
}
# build_floor PART...: the SDK floor probe with these build tags, same flags as the functions.
build_floor() {
  local name tags part
  name="$(floor_name "$@")"
  [[ "$name" == hello-sdk ]] && return 0
  tags=lambda.norpc
  for part in "$@"; do tags+=",sdkfloor_$part"; done
  mkdir -p "$bin/$name"
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -ldflags='-s -w' -tags "$tags" \
    -o "$bin/$name/bootstrap" ./bench/sdkfloor
}
# build_tracing NAME: one of the tracing comparison binaries (bench/tracing, a module of its own), same flags.
build_tracing() {
  mkdir -p "$bin/tracing-$1"
  (cd bench/tracing && CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -ldflags='-s -w' -tags lambda.norpc \
    -o "$bin/tracing-$1/bootstrap" "./$1")
}
build() {
  "$scripts/build-functions.sh" "$arch"
  build_lambda hello
  build_lambda hellosdk
  local t f
  # shellcheck disable=SC2086 # the parts are words
  for f in "${FLOORS[@]}"; do build_floor ${f#* }; done
  # shellcheck disable=SC2086
  for f in "${FLOORS_WITHOUT_TEMPLATES[@]}"; do build_floor $f; done
  for t in none ours xraysdk otel; do build_tracing "$t"; done
  build_lambda floor # the no-op function of the floor stack
  # The harness itself, built once so that no `go run` compiles during a measurement.
  go build -o "$bin/tools/" ./bench/coldstart ./bench/gobench ./bench/calls ./bench/e2e ./bench/push ./bench/cost ./bench/report
  log "baselines in ${bin#"$ROOT"/}: hello, hellosdk, the SDK floors"
}

coldstart() {
  local args=(hello="$bin/hello/bootstrap" hello-sdk="$bin/hellosdk/bootstrap") floors=() dir t f name
  declare -A probes=([hello-sdk]=1)
  # add_probe NAME: a probe among the binaries, once.
  add_probe() { [[ -n "${probes[$1]:-}" ]] || args+=("$1=$bin/$1/bootstrap"); probes[$1]=1; }
  for f in "${FLOORS[@]}"; do
    # shellcheck disable=SC2086 # the parts are words
    name="$(floor_name ${f#* })"
    add_probe "$name"
    floors+=(-floor "${f%% *}=$name")
  done
  # shellcheck disable=SC2086
  for f in "${FLOORS_WITHOUT_TEMPLATES[@]}"; do add_probe "$(floor_name $f)"; done
  # The tracing choices side by side (docs/observability.md): none, ours, the X-Ray SDK, OpenTelemetry.
  for t in none ours xraysdk otel; do args+=("tracing-$t=$bin/tracing-$t/bootstrap"); done
  for dir in "$BUILD_DIR/lambda/$arch"/*/; do
    args+=("$(basename "$dir")=$dir/bootstrap")
  done
  "$bin/tools/coldstart" -rounds "$rounds" -runs "$cold_runs" -baseline hello -sdk-baseline hello-sdk -workdir "$out" \
    "${floors[@]}" "${args[@]}" >"$out/coldstart.txt"
}

handlers() {
  local pkgs
  # Every package with a *_bench_test.go; the tests themselves are skipped (-run '^$').
  mapfile -t pkgs < <(find shared -name '*_bench_test.go' -printf '%h\n' | sort -u | sed 's|^|./|')
  ((${#pkgs[@]} > 0)) || die "no *_bench_test.go under shared/"
  go test -run '^$' -bench . -benchmem -benchtime "$benchtime" -count 1 "${pkgs[@]}" >"$out/gotest-bench.txt" 2>&1 ||
    { cat "$out/gotest-bench.txt" >&2; return 1; }
  grep '^Benchmark' "$out/gotest-bench.txt" | sed 's/^/    /'
  "$bin/tools/gobench" <"$out/gotest-bench.txt" >"$out/handlers.txt"
}

emulator() {
  "$scripts/emulator.sh" stop "$port" >/dev/null # a leftover of an interrupted run of ours
  "$scripts/emulator.sh" start --fresh "$port"
  "$scripts/deploy.sh" "$port"
  "$scripts/seed.sh" "$port" >/dev/null
  # Every order of the e2e step keeps its courier (nobody delivers): bench/e2e adds a free courier per order it
  # places; these are spare, for the steps after it.
  (emulator_env "$port" && go run ./scripts/seed -outputs "$RUN_ROOT/$port/outputs.json" -bench-couriers 20 >/dev/null)
  log "seeded (demo catalogue, couriers and users; 20 spare bench couriers)"
}

floor() {
  local logf="$RUN_ROOT/$port/deploy-floor.log"
  emulator_env "$port"
  if ! "$NODE_BIN/cdklocal" deploy FoodDeliveryFloor -c stage=local -c floor=true --require-approval never --no-notices \
    --outputs-file "$RUN_ROOT/$port/floor-outputs.json" --output "$RUN_ROOT/$port/cdk.out.floor" >"$logf" 2>&1; then
    tail -n 40 "$logf" >&2
    return 1
  fi
  log "floor stack deployed (outputs in .run/$port/floor-outputs.json)"
}

e2e() {
  emulator_env "$port"
  "$bin/tools/e2e" -outputs "$RUN_ROOT/$port/outputs.json" -floor-outputs "$RUN_ROOT/$port/floor-outputs.json" \
    -orders "$e2e_orders" -runs "$runs" -rate "$e2e_rate" -burst-rate "$e2e_burst" -timestamps "$out/e2e-orders.tsv" >"$out/e2e.txt"
  sed 's/^/    /' "$out/e2e.txt"
}

push() {
  emulator_env "$port"
  "$bin/tools/push" -outputs "$RUN_ROOT/$port/outputs.json" -floor-outputs "$RUN_ROOT/$port/floor-outputs.json" \
    -n "$push_samples" >"$out/push.txt"
  sed 's/^/    /' "$out/push.txt"
}

cost() {
  "$bin/tools/cost" -prices bench/prices-us-east-1.json -calls "$out/calls.txt" -template "$RUN_ROOT/$port/cdk.out/$STACK_NAME.template.json" >"$out/cost.txt"
}

calls() {
  emulator_env "$port"
  local status=0
  "$bin/tools/calls" -outputs "$RUN_ROOT/$port/outputs.json" -orders "$orders" -log "$out/calls-handlers.log" >"$out/calls.txt" || status=$?
  # 3: a call budget exceeded (GET /me/home above 2 DynamoDB calls): the figures are there, so the report is still
  # made, and the run fails at the end.
  if ((status == 3)); then
    touch "$out/over-budget"
    return 0
  fi
  return "$status"
}

step "Building the functions and the hello-world baselines (linux/$arch)" build
step "Cold starts: $cold_runs runs of $rounds interleaved starts per bootstrap, against hello-world" coldstart
if [[ "$only" == coldstart ]]; then
  step "Collecting the figures into ${out#"$ROOT"/}" "$bin/tools/report" -dir "$out" "$out/coldstart.txt"
  exit 0
fi
step "Handler hot paths: go test -bench with in-memory adapters" handlers
step "Fresh emulator on port $port: start, deploy, seed" emulator
step "No-op floor stack FoodDeliveryFloor on port $port" floor
step "Order placed → courier assigned: $runs run(s) of $e2e_orders orders at ${e2e_rate}/s and at ${e2e_burst}/s, floor, topology floor, app" e2e
step "Live-tracking push: location POST → frame at the customer, $push_samples pushes each, floor and app alternately" push
step "AWS calls per request and per event ($orders orders, handlers in-process)" calls
step "Stopping the emulator on port $port" "$scripts/emulator.sh" stop "$port"
step "Cost per 1,000 delivered orders (bench/prices-us-east-1.json)" cost
step "Collecting the figures into ${out#"$ROOT"/}" \
  "$bin/tools/report" -dir "$out" "$out/coldstart.txt" "$out/handlers.txt" "$out/e2e.txt" "$out/push.txt" "$out/calls.txt" "$out/cost.txt"
[[ ! -e "$out/over-budget" ]] ||
  die "GET /me/home made more than 2 DynamoDB calls with the catalogue cached (BENCH calls.order_api.home.dynamodb_max above)"
