#!/usr/bin/env bash
#
# scripts/deploy.sh [PORT]: deploys the CDK app (stage local) to the emulator answering on PORT (default: from
# AWS_ENDPOINT_URL, else 4566) with cdklocal:
#   1. builds the functions for the host architecture (scripts/build-functions.sh),
#   2. bootstraps the CDK environment, unless the emulator already has the CDKToolkit stack,
#   3. deploys the FoodDelivery stack,
#   4. applies the settings the emulator's CloudFormation drops (scripts/emulator-fixups, which reads them from the
#      synthesized template and changes only what is missing; see its header for the gaps it covers).
# Per-port files in .run/PORT/: cdk.out/ (the cloud assembly, so deploys to two emulators never clash),
# outputs.json (the stack outputs; see scripts/outputs.sh) and deploy.log (cdklocal's full output).
#   CDK_CONTEXT   extra context for the deploy, e.g. CDK_CONTEXT='-c chaos=true' (the fault injection of
#                 `make reliability`, local stage only; infra.StackProps.Chaos)
#   ALARM_EMAIL   subscribes this address to the alarm topic (the stack's AlarmEmail parameter; empty: nobody)
#
# Not among the gaps: DESIGN.md section 4 reports that an older MiniStack dropped the RedrivePolicy of queues created
# through CloudFormation; on the pinned 1.5.33 GetQueueAttributes returns it after both a create and an update, and a
# poison message reaches its DLQ, so no redrive policy is re-applied.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

port="${1:-$(default_port)}"
endpoint="$(endpoint_for_port "$port")"
dir="$(run_dir "$port")"
account=000000000000 # the emulator's account (MiniStack and LocalStack alike)
STEP_TOTAL=4

cd "$ROOT"
is_localstack_compatible "$endpoint" || die "no emulator answers on $endpoint: start one with 'scripts/emulator.sh start $port'"
[[ -x "$NODE_BIN/cdklocal" ]] || die "cdklocal not found in node_modules: run 'make tools'"
emulator_env "$port"

# cdk_local ARGS...: runs cdklocal with its output in .run/PORT/deploy.log, shown (its end) only on failure.
cdk_local() {
  local logf="$dir/deploy.log"
  printf '\n$ cdklocal %s\n' "$*" >>"$logf"
  if ! "$NODE_BIN/cdklocal" "$@" --no-notices >>"$logf" 2>&1; then
    echo "cdklocal $1 failed; last lines of ${logf#"$ROOT"/}:" >&2
    tail -n 60 "$logf" >&2
    return 1
  fi
}

# The CDKToolkit stack is looked up with one signed CloudFormation call (instant), because a no-op
# `cdklocal bootstrap` still costs about 2.5 s.
bootstrap() {
  local answer
  answer="$(curl --silent --show-error --max-time 10 --aws-sigv4 "aws:amz:$AWS_REGION:cloudformation" \
    --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" --data 'Action=DescribeStacks&StackName=CDKToolkit&Version=2010-05-15' \
    "$endpoint/")" || answer=""
  if [[ "$answer" =~ \<StackStatus\>(CREATE_COMPLETE|UPDATE_COMPLETE)\</StackStatus\> ]]; then
    log "already bootstrapped (CDKToolkit ${BASH_REMATCH[1]})"
    return 0
  fi
  # Run outside the repository (no cdk.json there) with an explicit environment: bootstrap then needs no synth
  # of the app (which would default to the aws stage, whose arm64 binaries are not built here).
  (cd "$dir" && cdk_local bootstrap "aws://$account/$AWS_REGION")
}

deploy() {
  rm -f "$dir/outputs.json"
  # shellcheck disable=SC2086 # CDK_CONTEXT is a list of words
  cdk_local deploy "$STACK_NAME" -c stage=local ${CDK_CONTEXT:-} --require-approval never \
    --parameters "AlarmEmail=${ALARM_EMAIL:-}" --outputs-file "$dir/outputs.json" --output "$dir/cdk.out"
  require_file "$dir/outputs.json" "cdklocal deploy wrote no ${dir#"$ROOT"/}/outputs.json"
  log "outputs in ${dir#"$ROOT"/}/outputs.json (scripts/outputs.sh $port)"
}

: >"$dir/deploy.log"
step "Building functions (linux/$(host_arch))" "$ROOT/scripts/build-functions.sh"
step "Bootstrapping CDK on $endpoint" bootstrap
fixups() {
  if [[ ! -f scripts/emulator-fixups/main.go ]]; then
    log "no scripts/emulator-fixups: nothing to apply"
    return 0
  fi
  go run ./scripts/emulator-fixups -template "$dir/cdk.out/$STACK_NAME.template.json" -outputs "$dir/outputs.json"
}

step "Deploying stack $STACK_NAME (stage local)" deploy
step "Applying emulator fixups (settings its CloudFormation drops)" fixups
