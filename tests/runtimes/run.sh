#!/usr/bin/env bash
# Smoke tests of the alipay-f2f WebAssembly entries in other runtimes:
#   bash tests/runtimes/run.sh install        npm ci (deno, bun from the npm registry; no install scripts)
#   bash tests/runtimes/run.sh node|deno|bun  runs smoke.mjs under that runtime
# The package under test is ../../npm (linked as node_modules/alipay-f2f); build it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DENO=node_modules/@deno/linux-x64-glibc/deno
BUN=node_modules/@oven/bun-linux-x64/bin/bun

link() { ln -sfn ../../../npm node_modules/alipay-f2f; }

case "${1:-}" in
  install)
    stamp=node_modules/.alipay-f2f-runtimes-stamp
    want=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
    if [[ ! -f $stamp || $(cat "$stamp") != "$want" || ! -x $DENO || ! -x $BUN ]]; then
      # --ignore-scripts: the binaries come from the platform packages; bun's postinstall would only relink them
      timeout "${SETUP_NPM_TIMEOUT:-900}" npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
      echo "$want" > "$stamp"
    fi
    link
    echo "deno $($DENO --version | head -1 | cut -d' ' -f2), bun $($BUN --version)" >&2
    ;;
  node)
    link
    node smoke.mjs alipay-f2f/wasm
    node node-cjs.cjs
    ;;
  deno)
    link
    perms=(--allow-read --allow-run --allow-env --allow-net=127.0.0.1)
    "$DENO" run "${perms[@]}" smoke.mjs alipay-f2f
    "$DENO" run "${perms[@]}" smoke.mjs alipay-f2f/wasm
    ;;
  bun)
    link
    "$BUN" smoke.mjs alipay-f2f
    "$BUN" smoke.mjs alipay-f2f/wasm
    ;;
  *) echo "usage: $0 install|node|deno|bun" >&2; exit 2;;
esac
