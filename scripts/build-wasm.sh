#!/usr/bin/env bash
# Builds bindings-wasm (crate alipay-f2f-wasm) for wasm32-unknown-unknown and
# binds it with the wasm-bindgen CLI:
#
#   npm/wasm/web/   --target web     ES module; default export init() must be awaited
#   npm/wasm/node/  --target nodejs  CommonJS, synchronous
#
# each holding alipay_f2f_wasm.js, alipay_f2f_wasm.d.ts, alipay_f2f_wasm_bg.wasm
# (+ .d.ts). Prints the raw and gzipped .wasm size.
#
# Route: stable + the rustup wasm32 target when installed; otherwise Debian's
# rustc-web with -Zbuild-std (see /work/shared/toolchain.md). Run
# `scripts/setup.sh wasm` first (scripts/test.sh does).
#
# Env: WASM_OUT (default npm/wasm), WASM_PROFILE (default release-wasm: opt-level z,
#      lto, panic=abort), WASM_ROUTE=rustup|debian, CARGO_TARGET_DIR (default target/wasm),
#      WASM_RUSTFLAGS (replaces the default flags: SIMD128 and 32-bit crypto-bigint limbs, and on
#      the debian route also panic=immediate-abort, location-detail=none),
#      WASM_CRATE (default alipay-f2f-wasm; bench/wasm-size-floor builds its probe with the
#      same flags) and WASM_FEATURES (its cargo features).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=build-wasm
cd "$ROOT"

CRATE="${WASM_CRATE:-alipay-f2f-wasm}"
LIB="${CRATE//-/_}"
FEATURES=()
[[ -z ${WASM_FEATURES:-} ]] || FEATURES=(--features "$WASM_FEATURES")
TARGET=wasm32-unknown-unknown
PROFILE="${WASM_PROFILE:-release-wasm}"
OUT="${WASM_OUT:-npm/wasm}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target/wasm}"

# The workspace release profile strips symbols, which also drops the wasm
# `target_features` section wasm-bindgen reads; strip debug info only and let
# wasm-bindgen drop the name/producers sections instead.
strip_var="CARGO_PROFILE_$(tr 'a-z-' 'A-Z_' <<<"$PROFILE")_STRIP"
export "$strip_var"="${!strip_var:-debuginfo}"

# Both routes (stable flags):
# - SIMD128: the variable-time verification kernel (crates/rsa-vartime-verify) uses it;
#   every engine the package supports has it (Chrome 91, Firefox 89, Safari 16.4, Node 16.4).
# - 32-bit limbs in crypto-bigint (constant-time signing): cpubits picks 64-bit limbs on
#   wasm32, whose 64×64→128 products are `__multi3` calls; with 32-bit limbs each product
#   is one `i64.mul` (about +30% signatures/s, 2 KiB smaller; same signatures: the parity
#   and WebCrypto tests compare them).
stable_rustflags='-Ctarget-feature=+simd128 --cfg cpubits="32"'
route=$(wasm_route)
t0=$SECONDS
case "$route" in
  rustup)
    wasm_rustflags="${WASM_RUSTFLAGS-$stable_rustflags}"
    log "cargo build -p $CRATE --target $TARGET --profile $PROFILE (rustup target) $wasm_rustflags"
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$wasm_rustflags" \
      cargo build --quiet -p "$CRATE" "${FEATURES[@]}" --target "$TARGET" --profile "$PROFILE"
    ;;
  debian)
    have wasm-ld-19 || die "wasm-ld-19 missing: run scripts/setup.sh wasm"
    rustup toolchain list 2>/dev/null | grep -q '^debian' || die "toolchain +debian missing: run scripts/setup.sh wasm"
    # Size (the build-std route allows unstable flags): a panic traps at once
    # (`unreachable`, as `panic = "abort"` ends anyway: the npm wrapper turns the trap
    # into ERR_INTERNAL and re-instantiates) without linking panic formatting, and no
    # file/line/column strings of panic locations.
    # Override with WASM_RUSTFLAGS (e.g. WASM_RUSTFLAGS= for none).
    wasm_rustflags="${WASM_RUSTFLAGS--Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none $stable_rustflags}"
    log "cargo +debian build -p $CRATE --target $TARGET --profile $PROFILE -Zbuild-std (Debian rustc-web) $wasm_rustflags"
    CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER=wasm-ld-19 \
    RUSTC_BOOTSTRAP=1 \
    RUSTFLAGS="${RUSTFLAGS:+$RUSTFLAGS }$wasm_rustflags" \
      cargo +debian build --quiet -p "$CRATE" "${FEATURES[@]}" --target "$TARGET" --profile "$PROFILE" \
        -Zbuild-std=std,panic_abort
    ;;
  *) die "unknown WASM_ROUTE '$route' (rustup|debian)";;
esac
wasm="$CARGO_TARGET_DIR/$TARGET/$PROFILE/$LIB.wasm"
[[ -f $wasm ]] || die "expected $wasm after the build"
log "cargo: $((SECONDS - t0))s, $(fmt_size "$(stat -c %s "$wasm")") before wasm-bindgen"

want=$(lock_version wasm-bindgen)
have=$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)
[[ $have == "$want" ]] || die "wasm-bindgen CLI is '${have:-missing}', Cargo.lock has $want: run scripts/setup.sh wasm"

for t in web nodejs; do
  dir="$OUT/${t/nodejs/node}"
  rm -rf "$dir"
  # --experimental-reset-state-function: exports __wbg_reset_state(), which the npm
  # wrapper (npm/src/wasm-binding.ts) calls to re-instantiate after a trap (panic=abort).
  wasm-bindgen --target "$t" --out-dir "$dir" --out-name "$LIB" \
    --remove-name-section --remove-producers-section --experimental-reset-state-function "$wasm"
done

bg="$OUT/web/${LIB}_bg.wasm"
raw=$(stat -c %s "$bg")
gz=$(gzip -9 -c "$bg" | wc -c)
log "outputs: $OUT/web (--target web), $OUT/node (--target nodejs)"
log "size: ${LIB}_bg.wasm $(fmt_size "$raw") raw, $(fmt_size "$gz") gzip -9"
