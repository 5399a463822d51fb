# shellcheck shell=bash
# Shared helpers for scripts/*.sh. Source it; do not run it.

# Repo root, whatever the caller's cwd.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ROOT
# cargo-installed tools (wasm-bindgen) live here; rustup may not have put it on PATH in CI.
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

log()  { printf '[%s] %s\n' "${LOG_TAG:-setup}" "$*" >&2; }
warn() { printf '[%s] WARNING: %s\n' "${LOG_TAG:-setup}" "$*" >&2; }
die()  { printf '[%s] ERROR: %s\n' "${LOG_TAG:-setup}" "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# Version of a package in Cargo.lock, e.g. `lock_version wasm-bindgen` -> 0.2.130.
lock_version() {
  awk -v name="$1" '
    $0 == "[[package]]" { inpkg = 1; n = ""; next }
    inpkg && $1 == "name" { gsub(/"/, "", $3); n = $3 }
    inpkg && $1 == "version" && n == name { gsub(/"/, "", $3); print $3; exit }
  ' "$ROOT/Cargo.lock"
}

# Is the rustup wasm32-unknown-unknown target installed for the default toolchain?
has_rustup_wasm_target() {
  have rustup && rustup target list --installed 2>/dev/null | grep -qx 'wasm32-unknown-unknown'
}

# Which route builds wasm here: "rustup" (stable + installed target) or "debian"
# (rustc-web + rust-web-src + lld-19 via -Zbuild-std). WASM_ROUTE overrides.
wasm_route() {
  if [[ -n "${WASM_ROUTE:-}" ]]; then echo "$WASM_ROUTE"; return; fi
  if has_rustup_wasm_target; then echo rustup; else echo debian; fi
}

# Human-readable size in bytes and KiB.
fmt_size() { awk -v b="$1" 'BEGIN { printf "%d B (%.1f KiB)", b, b / 1024 }'; }
