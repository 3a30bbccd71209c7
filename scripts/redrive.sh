#!/usr/bin/env bash
#
# scripts/redrive.sh list|redrive [PORT]: lists the messages in the dead-letter queues of the stack deployed on the
# emulator on PORT (default: from AWS_ENDPOINT_URL, else 4566), each with the reason its consumer recorded, and with
# `redrive` moves them back to the queues they came from (the Go program in scripts/redrive does the work).
#   QUEUE       only this DLQ: payment, assignment, notification or stream
#   MESSAGE_ID  redrive only this message
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

command="${1:?usage: scripts/redrive.sh list|redrive [PORT]}"
port="${2:-$(default_port)}"
outputs=".run/$port/outputs.json"

cd "$ROOT"
require_file "$outputs" "no $outputs: deploy first ('make deploy-local PORT=$port')"
emulator_env "$port"
args=(-outputs "$outputs")
[[ -n "${QUEUE:-}" ]] && args+=(-queue "$QUEUE")
[[ -n "${MESSAGE_ID:-}" ]] && args+=(-message-id "$MESSAGE_ID")
go run ./scripts/redrive "${args[@]}" "$command"
