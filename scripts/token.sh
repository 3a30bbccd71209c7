#!/usr/bin/env bash
#
# scripts/token.sh USERNAME [PORT]: prints an ID token for a user of the stack deployed on the emulator on PORT
# (default: from AWS_ENDPOINT_URL, else 4566), for trying the API by hand:
#   TOKEN=$(scripts/token.sh demo-customer)
#   curl -H "Authorization: Bearer $TOKEN" "$API_BASE/orders/<id>"
# Demo users share the password printed by `make run`; pass another with TOKEN_PASSWORD.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || die "usage: scripts/token.sh USERNAME [PORT]"
user="$1"
port="${2:-$(default_port)}"
outputs=".run/$port/outputs.json"

cd "$ROOT"
require_file "$outputs" "no $outputs: run 'make run' first"
emulator_env "$port"
args=(-outputs "$outputs")
[[ -z "${TOKEN_PASSWORD:-}" ]] || args+=(-password "$TOKEN_PASSWORD")
go run ./scripts/token "${args[@]}" "$user"
