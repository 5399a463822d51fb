#!/usr/bin/env bash
# Creates a shim of the npm package whose main entry is the WebAssembly build,
# so the Node e2e suite of tests/node (written against `dist/index.js`) runs
# unchanged against `alipay-f2f/wasm`:   ALIPAY_F2F_PKG=$(bash tests/wasm/shim-pkg.sh) node --test tests/node/*.test.mjs
# Prints the shim directory. Everything but dist/index.js is a symlink to npm/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pkg="$root/npm"
shim="${1:-$root/target/wasm-shim-pkg}"
rm -rf "$shim"
mkdir -p "$shim/dist"
for f in "$pkg"/*; do
  [[ $(basename "$f") == dist ]] && continue
  ln -s "$f" "$shim/$(basename "$f")"
done
for f in "$pkg"/dist/*; do ln -s "$f" "$shim/dist/$(basename "$f")"; done
rm "$shim/dist/index.js"
cat > "$shim/dist/index.js" <<JS
'use strict'
// wasm shim: the package's main entry is the WebAssembly build
const wasm = require('$pkg/dist/wasm.js')
if (wasm.implementation !== 'wasm') throw new Error('wasm shim: expected the wasm implementation')
module.exports = wasm
JS
echo "$shim"
