#!/usr/bin/env bash
#
# scripts/run.sh [PORT]: the `make run` flow. Brings the whole app up on a local emulator on PORT (default: from
# AWS_ENDPOINT_URL, else 4566): starts MiniStack unless an emulator already answers there, deploys the stack, seeds
# the demo data, and prints the URLs. Idempotent: run again, it reuses the emulator, redeploys (a no-op when nothing
# changed) and reseeds. Expects the tools installed (`make tools`).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-$(default_port)}"
scripts="$ROOT/scripts"
STEP_TOTAL=3

step "Starting the emulator on port $port" "$scripts/emulator.sh" start "$port"
step "Deploying" "$scripts/deploy.sh" "$port"
step "Seeding demo data" "$scripts/seed.sh" "$port"

eval "$("$scripts/outputs.sh" "$port")"
echo
echo "The food-delivery app is up."
stop_hint="make stop"
[[ "$port" == "$(default_port)" ]] || stop_hint="make stop PORT=$port"
printf '  %-10s %s\n' "Emulator" "$(endpoint_for_port "$port")   (stop it with: $stop_hint)"
if [[ -n "${API_BASE:-}" ]]; then
  printf '  %-10s %s\n' "API" "$API_BASE   (try: curl $API_BASE/restaurants)"
fi
# The web app's address, if the stack has one (an output named Web...Url).
while IFS='=' read -r key _; do
  if [[ "$key" =~ ^Web.*Url$ ]]; then
    printf '  %-10s %s\n' "Web app" "${!key}"
  fi
done < <("$scripts/outputs.sh" "$port")
printf '  %-10s %s\n' "Outputs" "scripts/outputs.sh $port"
printf '  %-10s %s\n' "Logins" "the demo users printed by the seeding step above"
