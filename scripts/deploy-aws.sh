#!/usr/bin/env bash
#
# scripts/deploy-aws.sh: `make deploy`: deploys the aws stage (arm64) of the FoodDelivery stack to the account and
# region of your AWS credentials (docs/deploy.md):
#   1. refuses AWS_ENDPOINT_URL (the emulator's variable: the emulator's deploy is `make deploy-local`) and a
#      missing SENDER_EMAIL,
#   2. checks the credentials, the region and the CDK bootstrap (scripts/awsstage check) before anything is built,
#   3. builds the functions for linux/arm64 (scripts/build-functions.sh arm64),
#   4. runs `cdk deploy FoodDelivery -c stage=aws`; the CDK CLI asks before it adds or widens IAM permissions
#      (its default, --require-approval broadening), and writes the stack outputs to .run/aws/outputs.json.
#   SENDER_EMAIL     required: the address notification emails come from (SenderEmail parameter; SES emails it a
#                    verification link, and sends nothing until it is clicked)
#   ALARM_EMAIL      optional: subscribed to the alarm topic (AlarmEmail parameter; AWS emails a confirmation link)
#   CDK_DEPLOY_ARGS  optional: more arguments for cdk deploy, e.g. '--require-approval never' in a pipeline
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$ROOT"
STEP_TOTAL=3

[[ -z "${AWS_ENDPOINT_URL:-}" ]] || die "AWS_ENDPOINT_URL=$AWS_ENDPOINT_URL points at an emulator: make deploy ships to AWS; unset it, or deploy to the emulator with 'make deploy-local'"
[[ -n "${SENDER_EMAIL:-}" ]] || die "SENDER_EMAIL is required: the address notification emails come from, e.g. 'make deploy SENDER_EMAIL=orders@your-domain.example' (docs/deploy.md)"
export CDK_DISABLE_VERSION_CHECK=1 CDK_DISABLE_CLI_TELEMETRY=true

step "Checking the AWS credentials, region and CDK bootstrap" go run ./scripts/awsstage check
step "Building functions (linux/arm64)" "$ROOT/scripts/build-functions.sh" arm64
[[ -x "$NODE_BIN/cdk" ]] || die "cdk not found in node_modules: run 'make tools'"
mkdir -p "$RUN_ROOT/aws"
# Not a step: cdk deploy may ask for approval, and its progress is the output a reader wants to see.
log "cdk deploy $STACK_NAME -c stage=aws"
# shellcheck disable=SC2086 # CDK_DEPLOY_ARGS is a list of words
"$NODE_BIN/cdk" deploy "$STACK_NAME" -c stage=aws --no-notices \
  --parameters "SenderEmail=$SENDER_EMAIL" --parameters "AlarmEmail=${ALARM_EMAIL:-}" \
  --outputs-file "$RUN_ROOT/aws/outputs.json" ${CDK_DEPLOY_ARGS:-}
log "stack outputs in .run/aws/outputs.json"
