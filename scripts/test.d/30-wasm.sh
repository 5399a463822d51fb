# shellcheck shell=bash
# wasm32 build + wasm-bindgen, then smoke tests of both outputs: the nodejs
# target under node:test, the web target in headless chromium.
# Sourced by scripts/test.sh.
step "wasm: build" bash scripts/build-wasm.sh
if [[ $STEP_RC -eq 0 ]]; then
  step "wasm: node smoke (nodejs target)" node --test scripts/smoke/wasm-node.test.cjs
  if [[ -x ${CHROMIUM:-/usr/bin/chromium} ]]; then
    step "wasm: chromium smoke (web target)" node scripts/smoke/wasm-browser.mjs
  else
    skip "wasm: chromium smoke (web target)" "no chromium (scripts/setup.sh browser)"
  fi
else
  skip "wasm: smoke tests" "wasm build failed"
fi
