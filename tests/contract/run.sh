#!/usr/bin/env bash
# Black-box contract suite (design.md §4, §5): pack the built npm package, install the tarball
# into a fresh temp directory like a user would, copy the *.test.mjs files there and run them
# with `node --test`, so every `import 'alipay-f2f'` resolves to the installed copy.
# Env: CONTRACT_FIXTURES (default ../shared/fixtures from the repo root, else /work/shared/fixtures).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
NODE="${NODE:-node}"
fixtures="${CONTRACT_FIXTURES:-$ROOT/../shared/fixtures}"
[[ -d $fixtures ]] || fixtures=/work/shared/fixtures
[[ -d $fixtures ]] || { echo "fixtures not found (set CONTRACT_FIXTURES)" >&2; exit 1; }
[[ -f $ROOT/npm/dist/index.js ]] || { echo "npm/dist missing: cd npm && npm run build" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$ROOT/npm" && npm pack --silent --ignore-scripts --pack-destination "$tmp" >/dev/null 2>&1)
tgz=$(ls "$tmp"/alipay-f2f-*.tgz)
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tgz"
cp "$ROOT"/tests/contract/*.test.mjs "$ROOT"/tests/contract/*.cjs "$tmp"/ 2>/dev/null || true
rust_bin="${CONTRACT_RUST_SANDBOX:-}"
if [[ -z $rust_bin && -x $ROOT/target/release/alipay-f2f-sandbox ]]; then rust_bin="$ROOT/target/release/alipay-f2f-sandbox"; fi
CONTRACT_FIXTURES="$(cd "$fixtures" && pwd)" CONTRACT_SANDBOX_KEYS="$ROOT/sandbox/keys" CONTRACT_RUST_SANDBOX="$rust_bin" \
  "$NODE" --test --test-timeout=600000 ./*.test.mjs
