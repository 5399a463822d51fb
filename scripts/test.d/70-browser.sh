# shellcheck shell=bash
# The WebAssembly build in real headless Chromium (apt chromium + playwright-core, no browser
# download): the package's browser entry (lazy init, vectors, custom init, trap recovery, a module
# worker) and the web POS example (npm/examples/web-pos) in the forwarded deployment against the
# sandbox: a full payment, an aborted one, a forged answer rejected. Screenshots: tests/artifacts/.
# Sourced by scripts/test.sh; needs the npm build with its wasm entries (50-node / 60-wasm).
step "browser: setup (chromium, CJK font, playwright-core)" bash tests/browser/setup.sh
if [[ $STEP_RC -ne 0 ]]; then
  skip "browser: headless chromium tests" "setup failed"
elif [[ ! -f npm/dist/browser.mjs || ! -f npm/dist/index.mjs || ! -f npm/wasm/web/alipay_f2f_wasm_bg.wasm ]]; then
  skip "browser: headless chromium tests" "npm package not built with its wasm entries (run 30-wasm, 50-node)"
else
  step "browser: headless chromium tests (package + web POS)" node --test --test-timeout=120000 tests/browser/
fi
