#!/usr/bin/env bash
#
# scripts/timeline.sh ORDER [PORT]: prints one order's life in time order (scripts/timeline, shared/timeline) from
# the stack deployed on the emulator on PORT (default: from AWS_ENDPOINT_URL, else 4566). TIMELINE_ARGS adds flags
# (-json). On AWS: go run ./scripts/timeline -outputs <cdk outputs file> -order <id>.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

order="${1:?usage: scripts/timeline.sh ORDER [PORT]}"
port="${2:-$(default_port)}"
outputs=".run/$port/outputs.json"

cd "$ROOT"
require_file "$outputs" "no $outputs: deploy first ('make run PORT=$port')"
emulator_env "$port"
# shellcheck disable=SC2086 # TIMELINE_ARGS is a list of words
go run ./scripts/timeline -outputs "$outputs" -order "$order" ${TIMELINE_ARGS:-}
