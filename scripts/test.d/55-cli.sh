# shellcheck shell=bash
# The README's first command end to end: scripts/demo.sh (setup is a no-op here, the package
# was just built by 50-node so no rebuild) running `alipay-f2f demo --fast` against the embedded
# sandbox. The CLI's and the forwarded deployment's own tests (tests/node/cli*.test.mjs,
# tests/node/forward*.test.mjs) run in 50-node's e2e steps on every Node runtime.
# Sourced by scripts/test.sh.
if [[ -f npm/dist/cli/index.js && -f npm/native/alipay-f2f-sandbox ]]; then
  step "cli: bash scripts/demo.sh --fast (the main job)" bash scripts/demo.sh --fast
else
  skip "cli: bash scripts/demo.sh --fast" "npm package not built (see the node steps)"
fi
