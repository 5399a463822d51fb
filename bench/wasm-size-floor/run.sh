#!/usr/bin/env bash
# bash bench/wasm-size-floor/run.sh — the size floor of the WebAssembly build: how large the
# libraries the core is built on (rsa/crypto-bigint, x509-cert/der, aes/cbc, sha1/md-5/base64,
# serde_json) are in a .wasm on their own, with none of the project's code, built by
# scripts/build-wasm.sh with exactly the flags of the shipped build. Each level adds one
# library set to the one before; every probe is checked against node:crypto before its size
# is printed, next to the shipped npm/wasm/web/alipay_f2f_wasm_bg.wasm (when built).
# A benchmark, not a test. Needs `bash scripts/setup.sh wasm` (the wasm toolchain) and node.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
LOG_TAG=size-floor
cd "$ROOT"
OUT="$ROOT/target/size-floor"
export CARGO_TARGET_DIR="$ROOT/target/size-floor-build"
LEVELS=(rsa rsa,x509 rsa,x509,aes rsa,x509,aes,misc rsa,x509,aes,misc,json json)

rows=()
for features in "${LEVELS[@]}"; do
  dir="$OUT/${features//,/+}"
  log "building the probe with: $features"
  WASM_CRATE=wasm-size-floor WASM_FEATURES="$features" WASM_OUT="$dir" \
    bash scripts/build-wasm.sh 2>&1 | grep -v '^\[build-wasm\] \(outputs\|cargo\)' >&2 || die "build of level $features failed"
  node "$ROOT/bench/wasm-size-floor/check.mjs" "$dir/node/wasm_size_floor.js" >&2
  wasm="$dir/web/wasm_size_floor_bg.wasm"
  rows+=("$features $(stat -c %s "$wasm") $(gzip -9 -c <"$wasm" | wc -c)")
done

shipped="$ROOT/npm/wasm/web/alipay_f2f_wasm_bg.wasm"
echo
echo "WebAssembly size floor: the libraries alone, shipped build flags (scripts/build-wasm.sh), gzip -9"
printf '%-34s %12s %12s\n' "libraries linked" "raw" "gzip"
kib() { awk -v b="$1" 'BEGIN { printf "%8.1f KiB", b / 1024 }'; }
for r in "${rows[@]}"; do
  read -r f raw gz <<<"$r"
  printf '%-34s %s %s\n' "${f//,/ + }" "$(kib "$raw")" "$(kib "$gz")"
done
if [[ -f $shipped ]]; then
  printf '%-34s %s %s\n' "shipped alipay_f2f_wasm_bg.wasm" "$(kib "$(stat -c %s "$shipped")")" \
    "$(kib "$(gzip -9 -c <"$shipped" | wc -c)")"
fi
echo "target (issue #7): ≤ 80 KiB gzip"
