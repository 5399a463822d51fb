#!/usr/bin/env bash
# Dependency checks of alipay-f2f.
#   Rust: cargo-deny (installed from crates.io if missing, bounded in time) with deny.toml:
#         `cargo deny --locked check licenses bans sources` (offline; `advisories` needs the RustSec
#         DB from GitHub, unreachable on the build machines: skipped, said so).
#   npm:  `npm audit` of npm/ (runtime dependencies: none) and of the dev tree; the registry's bulk
#         advisory endpoint may be unavailable (HTTP 405 through the registry mirror): reported, not failed.
# Exit non-zero only when a check that could run failed.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib.sh"
LOG_TAG=deps
cd "$ROOT"
rc=0

if ! cargo deny --version >/dev/null 2>&1; then
  log "installing cargo-deny from crates.io"
  timeout 1500 cargo install cargo-deny --locked >/dev/null 2>&1 || timeout 1500 cargo install cargo-deny >/dev/null 2>&1 ||
    { warn "cargo install cargo-deny failed"; exit 1; }
fi
log "$(cargo deny --version): licenses, bans (duplicate versions, wildcards), sources"
cargo deny --locked check licenses bans sources || rc=1
log "advisories: not checked here (the RustSec advisory DB is fetched from github.com, unreachable)"

log "npm audit (npm/, runtime dependencies)"
(cd npm && npm audit --omit=dev) || rc=1
log "npm audit (npm/, with dev dependencies)"
out=$(cd npm && npm audit 2>&1); arc=$?
printf '%s\n' "$out" | tail -5
if [[ $arc -ne 0 ]]; then
  if grep -q 'audit endpoint returned an error' <<<"$out"; then
    warn "npm audit endpoint unavailable here (registry answered: $(grep -o '[0-9]\{3\} [A-Za-z ]*- POST' <<<"$out" | head -1)); dev tree not audited"
  else
    rc=1
  fi
fi
exit $rc
