# shellcheck shell=bash
# Hardening: fault-injection matrix, SIGKILL crash + resume, load, JS key hygiene and addon boundary over real
# HTTP against the real sandbox binary (tests/hardening/, needs npm/dist from 50-node.sh's build);
# the Rust key-hygiene test runs with the workspace tests (core/tests/hygiene.rs).
# Fuzzing (scripts/fuzz.sh) runs 10 s per target only when cargo-fuzz and a nightly toolchain are
# already installed, or with HARDENING_FUZZ=1 (installs cargo-fuzz; the build takes minutes).
# Dependency checks (tests/hardening/deps.sh) run when cargo-deny is installed, or with
# HARDENING_DEPS=1 (installs it). Sourced by scripts/test.sh.

if [[ -f npm/dist/index.js && -f npm/dist/sandbox.js ]]; then
  step "hardening: fault matrix, crash/resume, load, JS hygiene, addon boundary (node)" \
    node --test --test-timeout=900000 --test-concurrency=1 tests/hardening/*.test.mjs
else
  skip "hardening: node suites" "npm/dist not built (run the node suite first: bash scripts/test.sh node hardening)"
fi

if cargo +nightly --version >/dev/null 2>&1 && { cargo fuzz --version >/dev/null 2>&1 || [[ ${HARDENING_FUZZ:-} == 1 ]]; }; then
  step "hardening: fuzz ${FUZZ_SECONDS:-10}s per target" env FUZZ_SECONDS="${FUZZ_SECONDS:-10}" bash scripts/fuzz.sh
else
  skip "hardening: fuzz" "no nightly toolchain or cargo-fuzz (HARDENING_FUZZ=1 installs it; bash scripts/fuzz.sh runs 60 s per target)"
fi

if cargo deny --version >/dev/null 2>&1 || [[ ${HARDENING_DEPS:-} == 1 ]]; then
  step "hardening: cargo deny (licenses bans sources) + npm audit" bash tests/hardening/deps.sh
else
  skip "hardening: dependency checks" "cargo-deny not installed (HARDENING_DEPS=1 installs it)"
fi
