#!/usr/bin/env bash
#
# scripts/rotate-key.sh [PORT]: rotates the payment provider's API key of the stack deployed on the emulator on PORT
# (default: from AWS_ENDPOINT_URL, else 4566): a new generated value in its Secrets Manager secret, no redeploy (the Go
# program in scripts/rotate-key does the work; docs/payments.md says what happens next).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-$(default_port)}"
outputs=".run/$port/outputs.json"

cd "$ROOT"
require_file "$outputs" "no $outputs: deploy first ('make deploy-local PORT=$port')"
emulator_env "$port"
go run ./scripts/rotate-key -outputs "$outputs"
