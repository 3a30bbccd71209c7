#!/usr/bin/env bash
#
# scripts/services.sh start|stop PORT NAME [ARGS...]: runs one of our Go dev programs (scripts/webserve,
# scripts/courier-sim) in the background for the stack on the emulator on PORT, with its pid file and log in
# .run/<PORT>/<NAME>.{pid,log}. `start` builds it, stops an earlier instance and starts it with ARGS and the
# emulator's environment; `stop` ends it (its whole process group: TERM, then KILL after a deadline);
# `stop PORT all` ends every service of that port. `make run` starts them, `make stop` stops them.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

STOP_DEADLINE=5

service_stop() {
  local port="$1" name="$2" pf pid
  pf="$(run_dir "$port")/$name.pid"
  [[ -f "$pf" ]] || return 0
  pid="$(<"$pf")"
  if process_group_alive "$pid"; then
    kill -TERM -- "-$pid" 2>/dev/null || true
    local start
    start="$(date +%s)"
    while process_group_alive "$pid"; do
      if (($(date +%s) - start >= STOP_DEADLINE)); then
        kill -KILL -- "-$pid" 2>/dev/null || true
        break
      fi
      sleep 0.1
    done
    log "Stopped $name (pid $pid)"
  fi
  rm -f "$pf"
}

service_start() {
  local port="$1" name="$2"
  shift 2
  local dir bin
  dir="$(run_dir "$port")"
  bin="$ROOT/.build/tools/$name"
  mkdir -p "$dir" "$(dirname "$bin")"
  (cd "$ROOT" && go build -o "$bin" "./scripts/$name")
  service_stop "$port" "$name"
  (
    cd "$ROOT"
    emulator_env "$port"
    # shellcheck disable=SC2016 # $$ and $1 belong to the inner shell
    nohup setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$dir/$name.pid" "$bin" "$@" >"$dir/$name.log" 2>&1 </dev/null &
  )
  for _ in {1..50}; do
    [[ -s "$dir/$name.pid" ]] && break
    sleep 0.1
  done
  log "Started $name (pid $(<"$dir/$name.pid"), log ${dir#"$ROOT"/}/$name.log)"
}

[[ $# -ge 3 ]] || die "usage: scripts/services.sh start|stop PORT NAME [ARGS...]"
action="$1" port="$2" name="$3"
shift 3
case "$action" in
start) service_start "$port" "$name" "$@" ;;
stop)
  if [[ "$name" == all ]]; then
    for pf in "$(run_dir "$port")"/*.pid; do
      [[ -e "$pf" && "$(basename "$pf")" != emulator.pid ]] || continue
      service_stop "$port" "$(basename "$pf" .pid)"
    done
  else
    service_stop "$port" "$name"
  fi
  ;;
*) die "unknown action $action (start or stop)" ;;
esac
