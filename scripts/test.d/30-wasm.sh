# shellcheck shell=bash
# wasm32 build + wasm-bindgen, then a Node smoke test of the nodejs output.
# Sourced by scripts/test.sh.
step "wasm: build" bash scripts/build-wasm.sh
if [[ $STEP_RC -eq 0 ]]; then
  step "wasm: node smoke" node --test scripts/smoke/wasm-node.test.cjs
else
  skip "wasm: node smoke" "wasm build failed"
fi
