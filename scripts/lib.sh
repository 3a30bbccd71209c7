# shellcheck shell=bash disable=SC2034 # the variables set here are for the scripts that source this file
#
# scripts/lib.sh: helpers shared by the dev scripts and the Makefile. Source it, don't run it.
#
#   paths      ROOT, VENV, NODE_BIN, RUN_ROOT, BUILD_DIR; run_dir PORT (per-port state: pid, log, outputs, cdk.out)
#   logging    log, warn, die; step TITLE CMD... (numbered, timed, nestable)
#   emulator   endpoint_for_port, port_from_endpoint, default_port, emulator_env, is_localstack_compatible,
#              wait_for_health URL DEADLINE_SECONDS [PID_FILE], process_group_alive PGID
#   misc       host_arch, require_file
#
# Everything is keyed by the emulator's port, so `make run` (4566) and `make e2e` (4599) never share a file.

# Refuse to run as a program: the caller's `set -euo pipefail` and traps belong to the caller.
if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  echo "scripts/lib.sh is a library: source it from bash" >&2
  exit 2
fi

# ---------------------------------------------------------------------------------------------------------
# Paths
# ---------------------------------------------------------------------------------------------------------

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
NODE_BIN="$ROOT/node_modules/.bin"
RUN_ROOT="$ROOT/.run"
BUILD_DIR="$ROOT/.build"
STACK_NAME="FoodDelivery"
DEFAULT_PORT=4566
HEALTH_PATH="/_localstack/health" # answered by MiniStack and by LocalStack alike

# run_dir PORT: the directory holding everything about the emulator on PORT (created on demand).
run_dir() {
  local dir="$RUN_ROOT/$1"
  mkdir -p "$dir"
  printf '%s\n' "$dir"
}

require_file() {
  [[ -e "$1" ]] || die "${2:-missing $1}"
}

# ---------------------------------------------------------------------------------------------------------
# Logging
# ---------------------------------------------------------------------------------------------------------

# Nested steps (a script run as a step of another script) are indented one level per depth.
STEP_DEPTH="${STEP_DEPTH:-0}"
export STEP_DEPTH
STEP_NUM=0    # steps started by this script so far
STEP_TOTAL="" # the sourcing script sets it (`STEP_TOTAL=4`) to number its steps; empty: unnumbered

_indent() { printf '%*s' $((STEP_DEPTH * 4)) ''; }

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  _BOLD=$'\e[1m' _RED=$'\e[31m' _YELLOW=$'\e[33m' _RESET=$'\e[0m'
else
  _BOLD='' _RED='' _YELLOW='' _RESET=''
fi

log() { printf '%s    %s\n' "$(_indent)" "$*"; }
warn() { printf '%s    %swarning:%s %s\n' "$(_indent)" "$_YELLOW" "$_RESET" "$*" >&2; }
die() {
  printf '%s    %serror:%s %s\n' "$(_indent)" "$_RED" "$_RESET" "$*" >&2
  exit 1
}

_now() { date +%s.%N; }
_elapsed() { awk -v a="$1" -v b="$(_now)" 'BEGIN { printf "%.1fs", b - a }'; }

# step TITLE CMD [ARGS...]: prints `==> [3/7] TITLE`, runs CMD (a command or a shell function), then prints
# `    done in 4.2s`, or `    FAILED after 4.2s` and returns CMD's status.
# CMD runs in a subshell with errexit on (a plain `cmd || status=$?` would silently switch errexit off inside
# shell functions), so a failing line inside a step function fails the step; a step cannot set variables for
# later steps. Scripts that CMD runs inherit a deeper STEP_DEPTH and print their own steps indented.
step() {
  local title="$1"
  shift
  STEP_NUM=$((STEP_NUM + 1))
  local counter="" marker="==>"
  [[ -n "$STEP_TOTAL" ]] && counter="[$STEP_NUM/$STEP_TOTAL] "
  ((STEP_DEPTH > 0)) && marker="-->"
  printf '%s%s%s %s%s%s\n' "$(_indent)" "$_BOLD" "$marker" "$counter" "$title" "$_RESET"

  local start status errexit=""
  start="$(_now)"
  [[ $- == *e* ]] && errexit=1
  set +e
  (
    set -e
    STEP_DEPTH=$((STEP_DEPTH + 1))
    "$@"
  )
  status=$?
  [[ -n "$errexit" ]] && set -e
  if ((status == 0)); then
    printf '%s    done in %s\n' "$(_indent)" "$(_elapsed "$start")"
  else
    printf '%s    %sFAILED after %s%s (exit %d)\n' "$(_indent)" "$_RED" "$(_elapsed "$start")" "$_RESET" "$status" >&2
  fi
  return "$status"
}

# ---------------------------------------------------------------------------------------------------------
# Emulator
# ---------------------------------------------------------------------------------------------------------

endpoint_for_port() { printf 'http://localhost:%s\n' "$1"; }

# port_from_endpoint URL: the port of a local endpoint URL (http://localhost:4566 -> 4566, http://127.0.0.1 -> 80).
# Only loopback endpoints are accepted: every script here runs and addresses emulators on this machine.
port_from_endpoint() {
  local url="$1" rest host port
  [[ "$url" =~ ^(https?)://([^/]+)/?$ ]] || die "AWS_ENDPOINT_URL=$url: expected http://localhost:PORT"
  rest="${BASH_REMATCH[2]}"
  host="${rest%%:*}"
  if [[ "$rest" == *:* ]]; then port="${rest##*:}"; elif [[ "${BASH_REMATCH[1]}" == https ]]; then port=443; else port=80; fi
  case "$host" in
    localhost | 127.0.0.1 | localhost.localstack.cloud) ;;
    *) die "AWS_ENDPOINT_URL=$url: only a local emulator (localhost / 127.0.0.1) is supported" ;;
  esac
  [[ "$port" =~ ^[0-9]+$ ]] || die "AWS_ENDPOINT_URL=$url: bad port"
  printf '%s\n' "$port"
}

# default_port: the port from a user-provided AWS_ENDPOINT_URL, else 4566.
default_port() {
  if [[ -n "${AWS_ENDPOINT_URL:-}" ]]; then
    port_from_endpoint "$AWS_ENDPOINT_URL"
  else
    printf '%s\n' "$DEFAULT_PORT"
  fi
}

# emulator_env PORT: exports what every client of the emulator on PORT needs (AWS SDKs, cdklocal, our Go
# programs). Dummy credentials: the emulator accepts any.
emulator_env() {
  local endpoint
  endpoint="$(endpoint_for_port "$1")"
  export AWS_ENDPOINT_URL="$endpoint"
  export AWS_ENDPOINT_URL_S3="$endpoint"
  export AWS_ACCESS_KEY_ID=test
  export AWS_SECRET_ACCESS_KEY=test
  export AWS_REGION=us-east-1
  export AWS_DEFAULT_REGION=us-east-1
  # A profile or session token meant for a real account must not leak into calls to the emulator.
  unset AWS_PROFILE AWS_SESSION_TOKEN
  # CDK CLI / jsii noise that has nothing to do with us.
  export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION=1
  export CDK_DISABLE_VERSION_CHECK=1
  export CDK_DISABLE_CLI_TELEMETRY=true # the CLI would otherwise try to send usage data on each command
}

# is_localstack_compatible URL: true if URL answers the LocalStack health endpoint with its JSON shape.
is_localstack_compatible() {
  local body
  body="$(curl --silent --fail --max-time 2 "$1$HEALTH_PATH" 2>/dev/null)" || return 1
  [[ "$body" == *'"services"'* ]]
}

# wait_for_health URL DEADLINE_SECONDS [PID_FILE]: polls the health endpoint until it answers (0) or the deadline
# passes (1). With PID_FILE, gives up at once (2) when the process group it names has died.
wait_for_health() {
  local url="$1" deadline="$2" pid_file="${3:-}" start
  start="$(date +%s)"
  until is_localstack_compatible "$url"; do
    if [[ -n "$pid_file" && -s "$pid_file" ]] && ! process_group_alive "$(<"$pid_file")"; then
      return 2
    fi
    if (($(date +%s) - start >= deadline)); then
      return 1
    fi
    sleep 0.2
  done
}

# emulator_log_tail PORT LINES: shows the end of the emulator's log on stderr (after a failure), if there is one.
emulator_log_tail() {
  local logf="$RUN_ROOT/$1/emulator.log"
  [[ -f "$logf" ]] || return 0
  echo "--- last lines of the emulator log (.run/$1/emulator.log) ---" >&2
  tail -n "$2" "$logf" >&2 || true
  echo "---" >&2
}

# process_group_alive PGID: true while any live (non-zombie) process is left in the process group.
process_group_alive() {
  ps -e -o pgid=,stat= | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# ---------------------------------------------------------------------------------------------------------
# Misc
# ---------------------------------------------------------------------------------------------------------

host_arch() { go env GOARCH; }
