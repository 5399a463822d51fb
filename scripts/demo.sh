#!/usr/bin/env bash
# Runs the most complete end-to-end demo that exists:
#   1. the npm package's CLI: `node npm/<bin> demo` (after `npm run build --if-present` in npm/);
#   2. else the Rust example: `cargo run -p alipay-f2f-sandbox --example demo`;
#   3. else says that no demo exists yet and exits 1.
# Extra arguments are passed to the demo.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=demo
cd "$ROOT"

bash scripts/setup.sh all

# The npm package's bin (string, or the `alipay-f2f` entry / first entry of an object).
npm_bin=""
if [[ -f npm/package.json ]]; then
  npm_bin=$(node -e '
    const p = require(process.argv[1]);
    const b = typeof p.bin === "string" ? p.bin : (p.bin && (p.bin["alipay-f2f"] || Object.values(p.bin)[0]));
    if (b) process.stdout.write(b);
  ' "$ROOT/npm/package.json")
fi

if [[ -n $npm_bin ]]; then
  log "building the npm package (npm run build --if-present in npm/)"
  (cd npm && npm run build --if-present --silent)
  log "node npm/$npm_bin demo $*"
  exec node "npm/$npm_bin" demo "$@"
fi

if compgen -G 'sandbox/examples/demo.rs' >/dev/null || [[ -f sandbox/examples/demo/main.rs ]]; then
  log "no npm CLI yet; cargo run -p alipay-f2f-sandbox --example demo"
  exec cargo run --quiet -p alipay-f2f-sandbox --example demo -- "$@"
fi

log "no demo exists yet: neither npm/package.json with a bin nor sandbox/examples/demo.rs"
exit 1
