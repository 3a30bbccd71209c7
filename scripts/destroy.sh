#!/usr/bin/env bash
#
# scripts/destroy.sh: `make destroy`: deletes the aws stage's FoodDelivery stack from the account and region of your
# AWS credentials, after asking (docs/deploy.md):
#   1. refuses AWS_ENDPOINT_URL (an emulator's stack goes away with `make stop`);
#   2. without a terminal to ask in, refuses unless CONFIRM=FoodDelivery (the stack's name) is given;
#   3. lists what the deletion leaves behind and why: the resources with DeletionPolicy Retain in the aws stage's
#      synthesized template (scripts/synth, infra/retention): the tables, the buckets, the user pool, the log groups;
#   4. asks for the stack's name (unless CONFIRM names it);
#   5. deletes the stack with your credentials and waits (scripts/awsstage destroy), then names what stayed with its
#      physical ids, read from the deployed template.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"

[[ -z "${AWS_ENDPOINT_URL:-}" ]] || die "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL points at an emulator: make destroy deletes the AWS stack; an emulator's stack goes with 'make stop'"
confirm="${CONFIRM:-}"
if [[ -n "$confirm" && "$confirm" != "$STACK_NAME" ]]; then
  die "CONFIRM=$confirm: to delete without being asked, CONFIRM must be the stack's name, CONFIRM=$STACK_NAME"
fi
if [[ -z "$confirm" && ! -t 0 ]]; then
  die "make destroy asks before it deletes the stack, and there is no terminal to ask in: run it in a terminal, or say CONFIRM=$STACK_NAME"
fi

tpl=.build/cfn/aws.template.json
step "Synthesizing the aws stage's template (what the deletion retains)" go run ./scripts/synth -stage aws -out .build/cfn
echo "Deleting the stack $STACK_NAME keeps these resources (DeletionPolicy Retain in the aws template), and why:"
go run ./scripts/awsstage retained "$tpl"
echo "Also kept: the CDK bootstrap stack CDKToolkit, which every CDK app of the account and region shares."
echo "Every other resource of the stack is deleted with it."

if [[ -z "$confirm" ]]; then
  read -r -p "Type $STACK_NAME to delete the stack, anything else to keep it: " answer || answer=""
  if [[ "$answer" != "$STACK_NAME" ]]; then
    echo "kept: nothing was deleted"
    exit 1
  fi
fi
go run ./scripts/awsstage destroy
