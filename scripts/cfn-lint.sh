#!/usr/bin/env bash
#
# scripts/cfn-lint.sh: synthesizes the FoodDelivery stack's template for both stages (scripts/synth: in process,
# dummy function binaries, so nothing is built) into .build/cfn/, and lints both with the pinned cfn-lint from
# .venv/ (`make tools`). Any error or warning fails; the rules switched off, each with its reason, are in
# .cfnlintrc.yaml and nowhere else.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

cd "$ROOT"
out=.build/cfn
lint="$ROOT/.venv/bin/cfn-lint"
[[ -x "$lint" ]] || die "cfn-lint not found in .venv: run 'make tools'"

step "Synthesizing the local and aws templates into $out/" go run ./scripts/synth -out "$out"
# Both in one run: most of cfn-lint's time is loading its schemas. --non-zero-exit-code warning: a warning fails
# too, so a new one is fixed or listed with its reason in .cfnlintrc.yaml.
step "cfn-lint $("$lint" --version | awk '{print $2}') on both templates (suppressed: .cfnlintrc.yaml)" \
  "$lint" --config-file .cfnlintrc.yaml --non-zero-exit-code warning -- "$out/local.template.json" "$out/aws.template.json"
