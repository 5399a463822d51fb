#!/usr/bin/env bash
# Smoke tests of the alipay-f2f WebAssembly entries in other runtimes:
#   bash tests/runtimes/run.sh install        npm ci (deno, bun from the npm registry; no install scripts)
#   bash tests/runtimes/run.sh node|deno|bun  runs smoke.mjs under that runtime
#   bash tests/runtimes/run.sh tarball        `npm pack`s the package, installs the tarball in a fresh
#                                             directory and runs the smoke there with node, deno and bun
# The package under test is ../../npm (linked as node_modules/alipay-f2f); build it first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
DENO=node_modules/@deno/linux-x64-glibc/deno
BUN=node_modules/@oven/bun-linux-x64/bin/bun

link() { mkdir -p node_modules && ln -sfn ../../../npm node_modules/alipay-f2f; }

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
  tarball)
    repo="$(cd ../.. && pwd)"
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    tgz=$(cd "$repo/npm" && npm pack --silent --ignore-scripts --pack-destination "$tmp" | tail -1)
    mkdir -p "$tmp/app"
    cp smoke.mjs node-cjs.cjs "$tmp/app/"
    (cd "$tmp/app" && echo '{"private":true}' > package.json &&
      npm install --no-audit --no-fund --ignore-scripts --loglevel=error "$tmp/$tgz" >/dev/null)
    tar -tzf "$tmp/$tgz" | grep -q 'package/wasm/web/alipay_f2f_wasm_bg.wasm' || { echo "the .wasm is not in the tarball" >&2; exit 1; }
    export ALIPAY_F2F_REPO="$repo"
    (cd "$tmp/app" && node smoke.mjs alipay-f2f/wasm && node node-cjs.cjs)
    (cd "$tmp/app" && "$OLDPWD/$DENO" run --allow-read --allow-run --allow-env --allow-net=127.0.0.1 smoke.mjs alipay-f2f)
    (cd "$tmp/app" && "$OLDPWD/$BUN" smoke.mjs alipay-f2f)
    ;;
  *) echo "usage: $0 install|node|deno|bun|tarball" >&2; exit 2;;
esac
