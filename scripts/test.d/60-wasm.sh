# shellcheck shell=bash
# The WebAssembly entries of the npm package: `alipay-f2f/wasm` in Node (its own smoke test, then the
# whole tests/node e2e suite re-run against the wasm build through a shim package), and the
# `deno`/`bun` conditions in real Deno and Bun binaries from the npm registry. Sourced by scripts/test.sh.
# Needs scripts/build-wasm.sh (30-wasm) and the npm build (50-node); builds what is missing.
# The core's variable-time RSA verification (feature vartime-verify, enabled only in the wasm32 build):
# its own tests, and the vector/response/notify suites through it.
step "wasm: core vartime-verify tests" cargo test -p alipay-f2f-core --features vartime-verify --locked \
  --lib --test response_vectors --test sign_vectors --test notify_vectors --test cert_vectors
if [[ ! -f npm/wasm/web/alipay_f2f_wasm_bg.wasm ]]; then
  step "wasm: build (missing)" bash scripts/build-wasm.sh
fi
if [[ ! -f npm/dist/index.js ]]; then
  step "wasm: npm build (missing)" bash -c 'cd npm && npm run build'
else
  step "wasm: npm wasm entries (esbuild)" bash -c 'cd npm && node scripts/build.mjs --wasm-only'
fi
if [[ ! -f npm/dist/wasm.js || ! -f npm/dist/browser.mjs ]]; then
  skip "wasm: entries" "npm/dist/wasm.js or browser.mjs missing"
else
  step "wasm: node smoke of alipay-f2f/wasm (ESM + CJS, isolation)" bash tests/runtimes/run.sh node
  step "wasm: parity with the native addon (same results, same errors)" node --test tests/wasm/parity.test.mjs
  step "wasm: RSA verification vs WebCrypto (valid, bit-flipped, random, edge signatures)" node --test tests/wasm/rsa-webcrypto.test.mjs
  step "wasm: main entry falls back to the wasm build where no addon loads (ALIPAY_F2F_IMPLEMENTATION)" node --test tests/wasm/fallback.test.mjs
  for v in ${NODE_TEST_RUNTIMES:-22 24}; do
    nb="tests/node/node_modules/node$v/bin/node"
    if [[ -x $nb ]]; then
      step "wasm: smoke of alipay-f2f/wasm on node $v" bash -c "cd tests/runtimes && ../../$nb smoke.mjs alipay-f2f/wasm"
    else
      skip "wasm: smoke on node $v" "$nb not installed (50-node installs it)"
    fi
  done
  wasm_shim=$(bash tests/wasm/shim-pkg.sh)
  step "wasm: tests/node e2e suite against alipay-f2f/wasm" \
    env ALIPAY_F2F_PKG="$wasm_shim" node --test --test-timeout=180000 tests/node/*.test.mjs
  step "wasm: install deno + bun (tests/runtimes)" bash tests/runtimes/run.sh install
  if [[ $STEP_RC -eq 0 ]]; then
    step "wasm: deno smoke (deno condition)" bash tests/runtimes/run.sh deno
    step "wasm: bun smoke (bun condition)" bash tests/runtimes/run.sh bun
    step "wasm: packed tarball installed fresh: node (alipay-f2f/wasm), deno, bun" bash tests/runtimes/run.sh tarball
  else
    skip "wasm: deno/bun smoke" "runtimes not installed"
  fi
fi
