#!/usr/bin/env bash
#
# scripts/items.sh ORDER_ID [PORT]: what one order left in the storage of the stack on the emulator on PORT
# (default: from AWS_ENDPOINT_URL, else 4566), as stored: the items of its partition in the table, its courier, the
# payment provider's books for it and its receipt in S3 (scripts/items). `make timeline ORDER=<id>` tells the same
# order's story in time order. docs/walkthrough.md reads one order with both.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

[[ $# -ge 1 ]] || die "usage: scripts/items.sh ORDER_ID [PORT]"
order="$1"
port="${2:-$(default_port)}"
dir=".run/$port"

cd "$ROOT"
require_file "$dir/outputs.json" "no $dir/outputs.json: run 'make run' first"
emulator_env "$port"
go run ./scripts/items -outputs "$dir/outputs.json" "$order"
