#!/usr/bin/env bash
#
# scripts/outputs.sh [PORT]: prints the FoodDelivery stack's outputs from the last deploy to the emulator on PORT
# (default: from AWS_ENDPOINT_URL, else 4566) as KEY=VALUE lines, shell-quoted where needed, plus
#   ENDPOINT=http://localhost:PORT
#   API_BASE=http://localhost:PORT/_aws/execute-api/<ApiId>   (the HTTP API as the emulator serves it)
# Source it from other scripts or read it:  eval "$(scripts/outputs.sh 4566)"; curl "$API_BASE/restaurants"
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-$(default_port)}"
outputs="$RUN_ROOT/$port/outputs.json"
require_file "$outputs" "no outputs for port $port (${outputs#"$ROOT"/}): deploy first ('make deploy-local PORT=$port')"

python="$VENV/bin/python3"
[[ -x "$python" ]] || python=python3

"$python" - "$outputs" "$STACK_NAME" "$(endpoint_for_port "$port")" <<'PY'
import json, shlex, signal, sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`

path, stack, endpoint = sys.argv[1:4]
with open(path) as f:
    outputs = json.load(f).get(stack)
if outputs is None:
    sys.exit(f"{path}: no outputs for stack {stack}")
for key in sorted(outputs):
    print(f"{key}={shlex.quote(str(outputs[key]))}")
print(f"ENDPOINT={shlex.quote(endpoint)}")
if "ApiId" in outputs:
    print(f"API_BASE={shlex.quote(endpoint + '/_aws/execute-api/' + outputs['ApiId'])}")
PY
