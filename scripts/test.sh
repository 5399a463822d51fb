#!/usr/bin/env bash
# Runs every test of alipay-f2f: setup, then each scripts/test.d/NN-*.sh in order.
#
#   bash scripts/test.sh [FILTER...]
#
# FILTERs (substrings of test.d file names, e.g. `rust wasm`) limit which
# suites run; setup always runs (SKIP_SETUP=1 skips it). Every step is timed;
# the last line is exactly `N passed, N failed` and the exit code is non-zero
# when any step failed.
#
# Adding tests: drop an executable-or-not `scripts/test.d/NN-name.sh`. It is
# *sourced* by this script with `cd "$ROOT"` and these helpers available:
#   step NAME CMD [ARGS...]   run CMD in a subshell, timed, counted pass/fail;
#                             sets STEP_RC to its exit code (always returns 0)
#   skip NAME REASON          record a skipped step (not counted as pass or fail)
#   $ROOT, log, warn, have, lock_version, wasm_route  (scripts/lib.sh)
# A suite must not `exit`; put precondition checks in `skip`.
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=test
cd "$ROOT"
export CI="${CI:-}"
# Unbuffered, colourless-enough cargo output in logs.
export CARGO_TERM_PROGRESS_WHEN=never

passed=0 failed=0 skipped=0 STEP_RC=0
summary=()

now() { echo "${EPOCHREALTIME/,/.}"; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1fs", b - a }'; }

step() {
  local name=$1; shift
  printf '\n==> %s: %s\n' "$name" "$*" >&2
  local t0 rc; t0=$(now)
  ( "$@" ); rc=$?
  local dt; dt=$(elapsed "$t0" "$(now)")
  STEP_RC=$rc
  if [[ $rc -eq 0 ]]; then
    passed=$((passed + 1)); summary+=("$(printf 'ok    %8s  %s' "$dt" "$name")")
    printf '<== %s: ok (%s)\n' "$name" "$dt" >&2
  else
    failed=$((failed + 1)); summary+=("$(printf 'FAIL  %8s  %s (exit %d)' "$dt" "$name" "$rc")")
    printf '<== %s: FAILED with exit %d (%s)\n' "$name" "$rc" "$dt" >&2
  fi
  return 0
}

skip() {
  skipped=$((skipped + 1)); summary+=("$(printf 'skip  %8s  %s: %s' - "$1" "$2")")
  printf '\n--- %s: skipped (%s)\n' "$1" "$2" >&2
}

t_all=$(now)
if [[ -z ${SKIP_SETUP:-} ]]; then
  step "setup" bash scripts/setup.sh all
fi

shopt -s nullglob
for suite in scripts/test.d/[0-9]*.sh; do
  if [[ $# -gt 0 ]]; then
    match=0
    for f in "$@"; do [[ $(basename "$suite") == *"$f"* ]] && match=1; done
    [[ $match -eq 1 ]] || continue
  fi
  cd "$ROOT"
  # shellcheck source=/dev/null
  source "$suite"
done
cd "$ROOT"

{
  printf '\n==== summary (total %s) ====\n' "$(elapsed "$t_all" "$(now)")"
  printf '%s\n' "${summary[@]}"
  [[ $skipped -gt 0 ]] && printf '(%d skipped)\n' "$skipped"
} >&2
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
