# shellcheck shell=bash
# Host Rust: lockfile, formatting, lints, unit/integration/doc tests. Sourced by scripts/test.sh.
#
# The lockfile check is one step of its own; the other cargo steps do not pass
# --locked, so a stale Cargo.lock fails once instead of failing every step.
#
# Feature unification: in a --workspace run, core is built with `native-crypto`
# (sandbox enables it), so core alone is linted and tested again with only the
# portable backend, the one the wasm build uses.
step "rust: Cargo.lock up to date (--locked)" cargo metadata --locked --format-version 1 -q >/dev/null
step "rust: fmt" cargo fmt --all --check
step "rust: clippy" cargo clippy --workspace --all-targets -- -D warnings
step "rust: clippy core (portable)" cargo clippy -p alipay-f2f-core --all-targets -- -D warnings
# the wasm size-floor probe (bench/wasm-size-floor, a benchmark) with all its library levels on
step "rust: clippy size-floor probe (all levels)" cargo clippy -p wasm-size-floor --all-features --all-targets -- -D warnings
# alipay-f2f-node is tested by 50-node.sh together with the npm package build.
step "rust: test (core with native-crypto)" cargo test --workspace --exclude alipay-f2f-node
step "rust: test core (portable)" cargo test -p alipay-f2f-core
