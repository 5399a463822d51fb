#!/usr/bin/env bash
# Installs what building and testing alipay-f2f needs. Idempotent: a fast no-op
# when everything is present (checks first, never touches the network then).
#
#   scripts/setup.sh [all|rust|wasm|node|browser]...     (default: all)
#
#   rust     cargo, rustfmt, clippy (from rustup; checked, not installed)
#   wasm     a wasm32-unknown-unknown toolchain: the rustup target if installed,
#            else Debian's rustc-web + rust-web-src + lld-19 linked as `+debian`;
#            plus the wasm-bindgen CLI at exactly Cargo.lock's wasm-bindgen version
#   node     `npm ci` in npm/ and tests/ (whichever have a package.json)
#   browser  chromium from apt (for playwright-core with executablePath)
#
# Env: SETUP_APT_TIMEOUT (s, default 900), SETUP_CARGO_TIMEOUT (default 2400),
#      SETUP_NPM_TIMEOUT (default 900), WASM_ROUTE=rustup|debian to force a route.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=setup
cd "$ROOT"

APT_TIMEOUT="${SETUP_APT_TIMEOUT:-900}"
CARGO_TIMEOUT="${SETUP_CARGO_TIMEOUT:-2400}"
NPM_TIMEOUT="${SETUP_NPM_TIMEOUT:-900}"
NODE_DIRS=(npm tests)

parts=("$@")
[[ ${#parts[@]} -eq 0 ]] && parts=(all)
want() { local p; for p in "${parts[@]}"; do [[ $p == all || $p == "$1" ]] && return 0; done; return 1; }
for p in "${parts[@]}"; do
  case "$p" in all|rust|wasm|node|browser) ;; *) die "unknown part '$p' (all|rust|wasm|node|browser)";; esac
done

started=$SECONDS

# ---------------------------------------------------------------- apt (one batch)
SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo -n); fi

# Runs a command with its output in a temp log; shows the log's tail and dies on
# failure or timeout (exit 124).
quiet_run() {
  local what=$1; shift
  local out rc=0; out=$(mktemp)
  "$@" >"$out" 2>&1 || rc=$?
  if [[ $rc -ne 0 ]]; then
    tail -n 30 "$out" >&2; rm -f "$out"
    [[ $rc -eq 124 ]] && die "$what timed out"
    die "$what failed (exit $rc)"
  fi
  rm -f "$out"
}

apt_missing() {  # prints the given packages that are not installed
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || echo "$p"
  done
}

apt_install() {
  local -a missing
  mapfile -t missing < <(apt_missing "$@")
  [[ ${#missing[@]} -eq 0 ]] && return 0
  have apt-get || die "apt-get not available; install manually: ${missing[*]}"
  log "apt: installing ${missing[*]}"
  local -a opts=(-o Acquire::Retries=2 -o Acquire::http::Timeout=30 -o DPkg::Lock::Timeout=600 -q)
  # The lists may be missing or stale on a fresh machine: always update once before installing.
  quiet_run "apt-get update" timeout "$APT_TIMEOUT" "${SUDO[@]}" apt-get "${opts[@]}" update
  quiet_run "apt-get install" env DEBIAN_FRONTEND=noninteractive timeout "$APT_TIMEOUT" "${SUDO[@]}" \
    apt-get "${opts[@]}" install -y --no-install-recommends "${missing[@]}"
  log "apt: done"
}

apt_pkgs=()
if want wasm && [[ $(wasm_route) == debian ]]; then
  apt_pkgs+=(rustc-web cargo-web rust-web-src lld-19)
fi
if want browser; then apt_pkgs+=(chromium); fi
if [[ ${#apt_pkgs[@]} -gt 0 ]]; then apt_install "${apt_pkgs[@]}"; fi

# ---------------------------------------------------------------- rust
if want rust; then
  have cargo || die "cargo not found (rustup stable expected)"
  cargo fmt --version >/dev/null 2>&1 || die "rustfmt missing for the default toolchain"
  cargo clippy --version >/dev/null 2>&1 || die "clippy missing for the default toolchain"
  log "rust: $(cargo --version | cut -d' ' -f1-2), rustfmt, clippy ok"
fi

# ---------------------------------------------------------------- wasm
if want wasm; then
  route=$(wasm_route)
  if [[ $route == debian ]]; then
    [[ -x /usr/bin/cargo && -x /usr/bin/rustc ]] || die "Debian rustc-web/cargo-web not installed"
    [[ -d /usr/lib/rustlib/src/rust/library ]] || die "rust-web-src not installed (/usr/lib/rustlib/src/rust)"
    have wasm-ld-19 || die "wasm-ld-19 not found (lld-19)"
    if ! rustup toolchain list 2>/dev/null | grep -q '^debian'; then
      log "wasm: rustup toolchain link debian /usr"
      rustup toolchain link debian /usr
    fi
    log "wasm: route debian ($(rustc +debian --version | cut -d' ' -f1-2), build-std, wasm-ld-19)"
  else
    log "wasm: route rustup (installed wasm32-unknown-unknown target)"
  fi

  wb_want=$(lock_version wasm-bindgen)
  [[ -n $wb_want ]] || die "wasm-bindgen not found in Cargo.lock"
  wb_have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
  if [[ $wb_have != "$wb_want" ]]; then
    log "wasm: cargo install wasm-bindgen-cli $wb_want (have: ${wb_have:-none}; takes ~6 min on 2 cores)"
    # No --locked: the CLI's own lockfile names a version this registry mirror lacks.
    quiet_run "cargo install wasm-bindgen-cli $wb_want (timeout ${CARGO_TIMEOUT}s)" \
      timeout "$CARGO_TIMEOUT" cargo install wasm-bindgen-cli --version "$wb_want" --force
    wb_have=$(wasm-bindgen --version | awk '{print $2}')
    [[ $wb_have == "$wb_want" ]] || die "wasm-bindgen on PATH is $wb_have, expected $wb_want ($(command -v wasm-bindgen))"
  fi
  log "wasm: wasm-bindgen $wb_have ok"
fi

# ---------------------------------------------------------------- node
if want node; then
  have node || die "node not found"
  have npm || die "npm not found"
  any=0
  for d in "${NODE_DIRS[@]}"; do
    [[ -f $d/package.json ]] || continue
    any=1
    stamp="$d/node_modules/.alipay-f2f-setup-stamp"
    want_stamp=$(cat "$d/package.json" "$d/package-lock.json" 2>/dev/null | sha256sum | cut -d' ' -f1)
    if [[ -f $stamp && $(cat "$stamp") == "$want_stamp" ]]; then
      log "node: $d/node_modules up to date"
      continue
    fi
    if [[ -f $d/package-lock.json ]]; then cmd=(npm ci); else cmd=(npm install); warn "node: $d has no package-lock.json; using npm install"; fi
    log "node: ${cmd[*]} in $d"
    (cd "$d" && quiet_run "${cmd[*]} in $d (timeout ${NPM_TIMEOUT}s)" \
      timeout "$NPM_TIMEOUT" "${cmd[@]}" --no-audit --no-fund)
    echo "$want_stamp" > "$stamp"
  done
  [[ $any -eq 1 ]] || log "node: no package.json in ${NODE_DIRS[*]} yet; nothing to install"
fi

# ---------------------------------------------------------------- browser
if want browser; then
  [[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after apt"
  log "browser: $(/usr/bin/chromium --version 2>/dev/null | head -1 || echo chromium) ok"
fi

log "ready (${parts[*]}) in $((SECONDS - started))s"
