#!/usr/bin/env bash
# The main job on a fresh machine: `alipay-f2f demo` — starts the embedded offline
# sandbox gateway and runs what a cashier does (a payment that needs the buyer's
# password: pay -> polling -> paid; a partial refund; a payment the buyer never
# confirms: polled, then cancelled), printing what the cashier would see.
#
#   bash scripts/demo.sh [--fast] [--poll-interval-ms MS] [--max-wait-ms MS] [--json]
#
# 1. scripts/setup.sh rust node  — installs what is missing (fast no-op otherwise);
# 2. builds the npm package if it is missing or older than its sources
#    (native addon + sandbox binary + TypeScript, or just TypeScript when only npm/src changed);
# 3. node npm/dist/cli/index.js demo "$@".
# Env: DEMO_FORCE_BUILD=1 rebuilds everything; ALIPAY_F2F_PROFILE=debug builds faster.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=demo
cd "$ROOT"

bash scripts/setup.sh rust node

# Is any of the given sources newer than the artifact $1 (or is it missing)?
stale() {
  local artifact=$1; shift
  [[ -e $artifact ]] || return 0
  [[ -n $(find "$@" -newer "$artifact" -type f -print -quit 2>/dev/null) ]]
}

native_addon=$(compgen -G 'npm/native/alipay-f2f.*.node' | head -n 1 || true)
native_sources=(Cargo.toml Cargo.lock core/src core/Cargo.toml bindings-node/src bindings-node/Cargo.toml sandbox/src sandbox/Cargo.toml sandbox/keys bindings-node/build.rs)
ts_sources=(npm/src npm/tsconfig.json npm/package.json npm/scripts/build.mjs)

if [[ -n ${DEMO_FORCE_BUILD:-} || -z $native_addon ]] \
  || stale "$native_addon" "${native_sources[@]}" \
  || stale npm/native/alipay-f2f-sandbox "${native_sources[@]}" \
  || stale npm/native/index.js "${native_sources[@]}"; then
  log "building the npm package (native addon, sandbox binary, TypeScript): cd npm && npm run build"
  (cd npm && npm run build)
elif stale npm/dist/cli/commands/demo.js "${ts_sources[@]}" || stale npm/dist/index.js "${ts_sources[@]}"; then
  log "building the npm package's TypeScript: cd npm && npm run build:ts"
  (cd npm && npm run build:ts)
else
  log "npm package is up to date"
fi

log "node npm/dist/cli/index.js demo $*"
exec node npm/dist/cli/index.js demo "$@"
