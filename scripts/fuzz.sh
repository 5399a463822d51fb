#!/usr/bin/env bash
# Fuzzes alipay-f2f with cargo-fuzz (libFuzzer, nightly toolchain).
#
#   bash scripts/fuzz.sh [TARGET...]            # every target by default
#   FUZZ_SECONDS=600 bash scripts/fuzz.sh flow_pay
#
# Targets (fuzz/fuzz_targets/): response, notify, keys, form, cert, sandbox,
# flow_pay, flow_refund. Each runs FUZZ_SECONDS (default 60) on one core;
# corpora live in fuzz/corpus/<target> (git-ignored), seeded from the shared
# fixtures (FIXTURES, default ../shared/fixtures next to the repo root).
# Crashes land in fuzz/artifacts/<target>/. The last lines are a table:
# target, seconds, executions, exec/s, corpus size, crashes. Exit status is
# non-zero when a target crashed (or could not be built/run).
#
# Env: FUZZ_SECONDS, FUZZ_INSTALL=0 (never install cargo-fuzz), FUZZ_JOBS
# (parallel libFuzzer jobs per target, default 1), FIXTURES, FUZZ_SANITIZER
# (default `none`: the crates forbid unsafe code and AddressSanitizer costs
# ~3x throughput on these allocation-heavy targets; `address` to use it).
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
LOG_TAG=fuzz
cd "$ROOT"

ALL_TARGETS=(response notify keys form cert sandbox flow_pay flow_refund)
SECONDS_PER=${FUZZ_SECONDS:-60}
SANITIZER=${FUZZ_SANITIZER:-none}
FIXTURES=${FIXTURES:-"$ROOT/../shared/fixtures"}
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${ALL_TARGETS[@]}")

if ! cargo +nightly --version >/dev/null 2>&1; then
  die "no nightly toolchain (cargo +nightly); cargo-fuzz needs it"
fi
# cargo-fuzz from crates.io, once (idempotent), bounded in time.
if ! cargo fuzz --version >/dev/null 2>&1; then
  [[ ${FUZZ_INSTALL:-1} == 0 ]] && die "cargo-fuzz is not installed (FUZZ_INSTALL=0)"
  log "installing cargo-fuzz from crates.io"
  timeout 1200 cargo install cargo-fuzz --locked || timeout 1200 cargo install cargo-fuzz ||
    die "cargo install cargo-fuzz failed"
fi

# Seeds: fixture vectors, one file per input, named by content hash.
seed_all() {
  if [[ ! -d $FIXTURES ]]; then warn "no fixtures at $FIXTURES: empty corpora"; return; fi
  python3 - "$FIXTURES" "$ROOT/fuzz/corpus" <<'PY'
import hashlib, json, os, sys
fx, out = sys.argv[1], sys.argv[2]
def put(t, data):
    if isinstance(data, str): data = data.encode()
    d = os.path.join(out, t); os.makedirs(d, exist_ok=True)
    open(os.path.join(d, 'seed-' + hashlib.sha1(data).hexdigest()[:16]), 'wb').write(data)
load = lambda n: json.load(open(os.path.join(fx, n)))
for v in load('response_verify_vectors.json'):
    put('response', v['method'] + '\n' + v['response_body'])
for v in load('extract_sign_content_vectors.json')['cases']:
    put('response', v['method'] + '\n' + v['response_body'])
for v in load('notify_vectors.json'):
    body = v.get('example_form_body_utf8')
    if body is None and isinstance(v.get('params_decoded'), dict):
        from urllib.parse import urlencode
        body = urlencode(v['params_decoded'])
    if body: put('notify', body); put('form', body)
for v in load('request_sign_vectors.json'):
    from urllib.parse import urlencode
    put('form', urlencode(v['params']))
for v in load('aes_vectors.json'):
    put('cert', v['key_b64'] + '\n' + v['ciphertext_b64'])
kd = os.path.join(fx, 'keys')
for n in sorted(os.listdir(kd)):
    raw = open(os.path.join(kd, n), 'rb').read()
    if n.endswith('.crt'):
        put('cert', raw)
    put('keys', b'\x00' + raw)  # mode 0: the text as is
PY
}
seed_all

mkdir -p fuzz/artifacts; log "building fuzz targets (release + debug assertions, nightly)"
if ! cargo +nightly fuzz build -O -s "$SANITIZER" >/dev/null 2>fuzz/artifacts/build.log; then
  tail -30 fuzz/artifacts/build.log >&2; die "cargo fuzz build failed"
fi

rows=() failed=0
for t in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  logf="fuzz/artifacts/$t/run.log"
  log "fuzzing $t for ${SECONDS_PER}s"
  # -rss_limit_mb: the flows keep signature caches; 2 GiB is plenty.
  cargo +nightly fuzz run -O -s "$SANITIZER" "$t" "fuzz/corpus/$t" -- \
    -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
    ${FUZZ_JOBS:+-jobs=$FUZZ_JOBS -workers=$FUZZ_JOBS} >"$logf" 2>&1
  rc=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$logf" | awk '{s+=$2} END {print s+0}')
  eps=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$logf" | awk '{s+=$2} END {print s+0}')
  corpus=$(find "fuzz/corpus/$t" -type f | wc -l)
  crashes=$(find "fuzz/artifacts/$t" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' -o -name 'leak-*' \) | wc -l)
  if [[ $rc -ne 0 || $crashes -gt 0 ]]; then
    failed=1
    grep -m5 -E 'panicked|ERROR|SUMMARY' "$logf" >&2
  fi
  rows+=("$(printf '%-12s %8s %12s %9s %8s %8s' "$t" "$SECONDS_PER" "$execs" "$eps" "$corpus" "$crashes")")
done

printf '\n%-12s %8s %12s %9s %8s %8s\n' target seconds executions exec/s corpus crashes
printf '%s\n' "${rows[@]}"
[[ $failed -eq 0 ]]
