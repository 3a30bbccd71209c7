#!/usr/bin/env bash
#
# scripts/emulator.sh: start, stop or inspect the local AWS emulator (MiniStack from .venv) on one port.
#
#   scripts/emulator.sh start [--fresh] [PORT]   start MiniStack on PORT (default: from AWS_ENDPOINT_URL, else 4566),
#                                                unless a LocalStack-compatible emulator already answers there, which
#                                                is then reused as it is; --fresh refuses to reuse (for tests)
#   scripts/emulator.sh stop [PORT]              stop the emulator this script started on PORT (TERM, then KILL),
#                                                with every process it spawned; never touches one it didn't start
#   scripts/emulator.sh status [PORT]            say whether an emulator answers on PORT (exit 0) or not (exit 1)
#
# State lives in .run/PORT/: emulator.pid, emulator.log, and MiniStack's own data dirs (s3/, state/, tmp/).
# MiniStack runs in the foreground of its own session (setsid), so its process group is exactly MiniStack plus the
# Lambda processes it spawns, and `stop` can end them all by that id.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

START_DEADLINE=60 # seconds for MiniStack to answer its health endpoint
STOP_DEADLINE=10  # seconds between TERM and KILL

usage() {
  sed -n '3,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

pid_file() { printf '%s/emulator.pid\n' "$(run_dir "$1")"; }
log_file() { printf '%s/emulator.log\n' "$(run_dir "$1")"; }

# our_pid PORT: prints the pid of the emulator this script started on PORT, if it is still running.
# A pid file whose process is gone (or is no longer MiniStack) is stale and removed.
our_pid() {
  local pf pid
  pf="$(pid_file "$1")"
  [[ -f "$pf" ]] || return 1
  pid="$(<"$pf")"
  if [[ "$pid" =~ ^[0-9]+$ ]] && process_group_alive "$pid" &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q ministack; then
    printf '%s\n' "$pid"
    return 0
  fi
  rm -f "$pf"
  return 1
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

emulator_version() {
  curl --silent --max-time 2 "$1$HEALTH_PATH" | sed -n 's/.*"version": *"\([^"]*\)".*/\1/p'
}

cmd_start() {
  local fresh=""
  if [[ "${1:-}" == --fresh ]]; then
    fresh=1
    shift
  fi
  local port="${1:-$(default_port)}"
  local url dir pf logf pid
  url="$(endpoint_for_port "$port")"
  dir="$(run_dir "$port")"
  pf="$(pid_file "$port")"
  logf="$(log_file "$port")"

  if pid="$(our_pid "$port")" && is_localstack_compatible "$url"; then
    [[ -z "$fresh" ]] || die "an emulator started earlier (pid $pid) still runs on port $port: stop it first"
    log "MiniStack already running on $url (pid $pid, log ${logf#"$ROOT"/})"
    return 0
  fi
  if is_localstack_compatible "$url"; then
    [[ -z "$fresh" ]] || die "port $port is taken by an emulator this script did not start; a fresh one is needed"
    log "Reusing the emulator already answering on $url (version $(emulator_version "$url")); 'stop' will leave it alone"
    return 0
  fi
  if pid="$(our_pid "$port")"; then
    die "MiniStack (pid $pid) runs on port $port but does not answer; see $logf, or stop it first"
  fi
  if port_in_use "$port"; then
    die "port $port is in use by something that is not a LocalStack-compatible emulator"
  fi

  local ministack="$VENV/bin/ministack"
  [[ -x "$ministack" ]] || die "$ministack not found: run 'make tools'"
  rm -rf "$dir/s3" "$dir/state" "$dir/tmp"
  mkdir -p "$dir/s3" "$dir/state" "$dir/tmp"
  rm -f "$pf"

  (
    emulator_env "$port"        # AWS_ENDPOINT_URL is handed on to every Lambda process it spawns
    export GATEWAY_PORT="$port" # MiniStack's listening port
    export BIND_HOST=127.0.0.1  # loopback only
    export S3_DATA_DIR="$dir/s3" STATE_DIR="$dir/state" TMPDIR="$dir/tmp"
    export IOT_MTLS_ENABLED=0 SFTP_ENABLED=0 # unused listeners on fixed ports (8883, 2222) would collide between emulators
    export LOG_LEVEL="${MINISTACK_LOG_LEVEL:-INFO}"
    cd "$dir"
    # bash -c writes its own pid (it is then replaced by MiniStack through exec), so the pid file is right whether
    # or not setsid had to fork; that pid leads MiniStack's new session and process group.
    # shellcheck disable=SC2016
    nohup setsid bash -c 'echo $$ >"$1"; exec "$2"' _ "$pf" "$ministack" >"$logf" 2>&1 </dev/null &
  )

  local status=0
  wait_for_health "$url" "$START_DEADLINE" "$pf" || status=$?
  if ((status != 0)); then
    if ((status == 2)); then
      echo "MiniStack exited during start-up; last lines of $logf:" >&2
    else
      echo "MiniStack did not answer $url$HEALTH_PATH within ${START_DEADLINE}s; last lines of $logf:" >&2
    fi
    tail -n 40 "$logf" >&2
    cmd_stop "$port" >&2
    exit 1
  fi
  log "MiniStack $(emulator_version "$url") running on $url (pid $(<"$pf"), log ${logf#"$ROOT"/})"
}

cmd_stop() {
  local port="${1:-$(default_port)}"
  local url pid
  url="$(endpoint_for_port "$port")"
  if ! pid="$(our_pid "$port")"; then
    if is_localstack_compatible "$url"; then
      log "The emulator on $url was not started by this script: leaving it running"
    else
      log "No emulator running on port $port"
    fi
    return 0
  fi

  kill -TERM -- "-$pid" 2>/dev/null || true
  local start
  start="$(date +%s)"
  while process_group_alive "$pid"; do
    if (($(date +%s) - start >= STOP_DEADLINE)); then
      warn "MiniStack (pid $pid) still running ${STOP_DEADLINE}s after TERM: sending KILL"
      kill -KILL -- "-$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  # The dead leader lingers as a zombie until init reaps it (it is not our child): wait a moment, so that
  # nothing named ministack is left in the process table when we return.
  for _ in {1..20}; do
    [[ -e "/proc/$pid" ]] || break
    sleep 0.1
  done
  rm -f "$(pid_file "$port")"
  log "Stopped MiniStack on port $port (pid $pid)"
}

cmd_status() {
  local port="${1:-$(default_port)}"
  local url pid
  url="$(endpoint_for_port "$port")"
  if is_localstack_compatible "$url"; then
    if pid="$(our_pid "$port")"; then
      log "MiniStack $(emulator_version "$url") answers on $url (pid $pid, started by this script, log $(log_file "$port"))"
    else
      log "An emulator (version $(emulator_version "$url")) answers on $url (not started by this script)"
    fi
    return 0
  fi
  if pid="$(our_pid "$port")"; then
    log "MiniStack (pid $pid) is running but does not answer on $url; see $(log_file "$port")"
  else
    log "No emulator answers on $url"
  fi
  return 1
}

case "${1:-}" in
  start) shift && cmd_start "$@" ;;
  stop) shift && cmd_stop "$@" ;;
  status) shift && cmd_status "$@" ;;
  *) usage ;;
esac
