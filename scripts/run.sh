#!/usr/bin/env bash
#
# scripts/run.sh [PORT]: the `make run` flow. Brings the whole app up on a local emulator on PORT (default: from
# AWS_ENDPOINT_URL, else 4566): starts MiniStack unless an emulator already answers there, deploys the stack, seeds
# the demo data, serves the web app (WEB_PORT, default 8080), starts the courier simulator, and prints the URLs.
# Idempotent: run again, it reuses the emulator, redeploys (a no-op when nothing
# changed) and reseeds. Expects the tools installed (`make tools`).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-$(default_port)}"
scripts="$ROOT/scripts"
web_port="${WEB_PORT:-8080}"
outputs=".run/$port/outputs.json"
STEP_TOTAL=5

step "Starting the emulator on port $port" "$scripts/emulator.sh" start "$port"
step "Deploying" "$scripts/deploy.sh" "$port"
step "Seeding demo data" "$scripts/seed.sh" "$port"
step "Serving the web app on 127.0.0.1:$web_port" "$scripts/services.sh" start "$port" webserve -port "$web_port" -outputs "$outputs"
step "Starting the courier simulator (the demo couriers ride their assignments)" \
  "$scripts/services.sh" start "$port" courier-sim -outputs "$outputs"

eval "$("$scripts/outputs.sh" "$port")"
echo
echo "The food-delivery app is up."
stop_hint="make stop"
[[ "$port" == "$(default_port)" ]] || stop_hint="make stop PORT=$port"
printf '  %-10s %s\n' "Emulator" "$(endpoint_for_port "$port")   (stop it with: $stop_hint)"
if [[ -n "${API_BASE:-}" ]]; then
  printf '  %-10s %s\n' "API" "$API_BASE   (try: curl $API_BASE/restaurants)"
fi
printf '  %-10s %s\n' "Web app" "http://127.0.0.1:$web_port   (sign in as demo-customer; couriers move by themselves)"
printf '  %-10s %s\n' "Outputs" "scripts/outputs.sh $port"
printf '  %-10s %s\n' "Logins" "the demo users printed by the seeding step above"
