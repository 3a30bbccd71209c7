#!/usr/bin/env bash
#
# scripts/seed.sh [PORT]: loads the demo data (restaurants, menus, couriers, demo users) into the stack deployed on
# the emulator on PORT (default: from AWS_ENDPOINT_URL, else 4566) by running the Go program in scripts/seed with the
# emulator's environment and that deploy's outputs file. The program prints the demo logins itself. Re-running it is
# harmless.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-$(default_port)}"
outputs=".run/$port/outputs.json"

cd "$ROOT"
require_file "$outputs" "no $outputs: deploy first ('make deploy-local PORT=$port')"
require_file scripts/seed/main.go "scripts/seed/main.go is missing"
emulator_env "$port"
go run ./scripts/seed -outputs "$outputs"
