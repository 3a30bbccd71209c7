#!/usr/bin/env bash
#
# scripts/build-functions.sh [ARCH]: builds every Lambda function (each functions/<name>/ with a main.go) as a static
# Linux binary for ARCH (default: the host's, `go env GOARCH`) into .build/lambda/ARCH/<name>/bootstrap, the layout
# the CDK app in infra/ packages for the provided.al2023 runtime. Builds run in parallel, one per core.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

arch="${1:-$(host_arch)}"
case "$arch" in
  amd64 | arm64) ;;
  *) die "unsupported ARCH '$arch' (amd64 or arm64)" ;;
esac

cd "$ROOT"
functions=()
for main in functions/*/main.go; do
  [[ -e "$main" ]] && functions+=("$(basename "$(dirname "$main")")")
done
if ((${#functions[@]} == 0)); then
  warn "no functions/*/main.go found: nothing to build"
  exit 0
fi

out="$BUILD_DIR/lambda/$arch"
mkdir -p "$out"
# Drop binaries of functions that no longer exist, so the CDK app never packages a stale one.
for dir in "$out"/*/; do
  [[ -d "$dir" ]] || continue
  name="$(basename "$dir")"
  [[ -f "functions/$name/main.go" ]] || rm -rf "$dir"
done

# Same flags as the aws stage (see DESIGN.md section 8): static, stripped, no RPC mode, reproducible paths.
# Each binary is written beside its final name and renamed into place, so a concurrent build (make run and
# make e2e at once) or a crash never leaves a half-written bootstrap, and whatever was there is replaced.
build_one() {
  local tmp="$out/$1/bootstrap.tmp.$$"
  mkdir -p "$out/$1"
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch" go build -trimpath -ldflags='-s -w' -tags lambda.norpc \
    -o "$tmp" "./functions/$1" || { rm -f "$tmp"; return 1; }
  mv -f "$tmp" "$out/$1/bootstrap"
}

jobs_max="$(nproc 2>/dev/null || echo 2)"
pids=() names=()
failed=0
for name in "${functions[@]}"; do
  build_one "$name" &
  pids+=("$!") names+=("$name")
  if ((${#pids[@]} >= jobs_max)); then
    wait "${pids[0]}" || { warn "build of ${names[0]} failed" && failed=1; }
    pids=("${pids[@]:1}") names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do
  wait "${pids[$i]}" || { warn "build of ${names[$i]} failed" && failed=1; }
done
((failed == 0)) || die "some functions did not build"

log "built ${#functions[@]} function(s) for linux/$arch into ${out#"$ROOT"/}: ${functions[*]}"
