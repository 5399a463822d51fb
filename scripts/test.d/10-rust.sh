# shellcheck shell=bash
# Host Rust: formatting, lints, unit/integration/doc tests. Sourced by scripts/test.sh.
#
# Feature unification: in a --workspace run, core is built with `native-crypto`
# (sandbox enables it), so core alone is linted and tested again with only the
# portable backend, the one the wasm build uses.
step "rust: fmt" cargo fmt --all --check
step "rust: clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
step "rust: clippy core (portable)" cargo clippy -p alipay-f2f-core --all-targets --locked -- -D warnings
# alipay-f2f-node is tested by 50-node.sh together with the npm package build.
step "rust: test (core with native-crypto)" cargo test --workspace --exclude alipay-f2f-node --locked
step "rust: test core (portable)" cargo test -p alipay-f2f-core --locked
