# shellcheck shell=bash
# Host Rust: formatting, lints, unit/integration/doc tests. Sourced by scripts/test.sh.
step "rust: fmt" cargo fmt --all --check
step "rust: clippy" cargo clippy --workspace --all-targets --locked -- -D warnings
# alipay-f2f-node is tested by 50-node.sh together with the npm package build.
step "rust: test" cargo test --workspace --exclude alipay-f2f-node --locked
step "rust: test core native-crypto" cargo test -p alipay-f2f-core --features native-crypto --locked
