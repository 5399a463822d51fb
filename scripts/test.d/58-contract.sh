# shellcheck shell=bash
# Black-box contract suite (tests/contract): design.md §4/§5 names and behaviours only, against
# the packed tarball installed fresh (ESM + CJS), the sandbox via startSandbox(), the installed
# `alipay-f2f sandbox` bin, `npx alipay-f2f sandbox` and the Rust binary; vectors from
# ../shared/fixtures. Sourced by scripts/test.sh.
if [[ -f npm/dist/index.js && -f npm/native/alipay-f2f-sandbox ]]; then
  step "contract: design §4/§5 black-box suite (packed tarball)" bash tests/contract/run.sh
else
  skip "contract: design §4/§5 black-box suite" "npm package not built (see the node steps)"
fi
