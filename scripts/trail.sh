#!/usr/bin/env bash
#
# scripts/trail.sh [-timeline] ORDER_ID [PORT]: what one order left behind in the stack on the emulator on PORT (default: from
# AWS_ENDPOINT_URL, else 4566): its table items, its courier, its receipt in S3, and the functions' log lines about
# it, in time order (scripts/trail); with -timeline only the log lines, one short line each. docs/walkthrough.md
# reads one order with it.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

flags=()
if [[ "${1:-}" == -timeline ]]; then
  flags+=(-timeline)
  shift
fi
[[ $# -ge 1 ]] || die "usage: scripts/trail.sh [-timeline] ORDER_ID [PORT]"
order="$1"
port="${2:-$(default_port)}"
dir=".run/$port"

cd "$ROOT"
require_file "$dir/outputs.json" "no $dir/outputs.json: run 'make run' first"
emulator_env "$port"
go run ./scripts/trail "${flags[@]}" -outputs "$dir/outputs.json" -log "$dir/emulator.log" "$order"
