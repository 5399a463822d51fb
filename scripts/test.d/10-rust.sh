# shellcheck shell=bash
# Host Rust: formatting, lints, unit/integration/doc tests. Sourced by scripts/test.sh.
step "rust: fmt" cargo fmt --all --check
step "rust: clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
# bindings-node is a napi cdylib: its test harness cannot link outside Node
# (napi_* symbols come from the host process). It is tested through npm/ instead.
step "rust: test" cargo test --workspace --exclude alipay-f2f-node --locked
step "rust: test core native-crypto" cargo test -p alipay-f2f-core --features native-crypto --locked
