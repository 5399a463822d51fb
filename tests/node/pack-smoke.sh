#!/usr/bin/env bash
# npm pack the built package, lint it (publint, attw), install the tarball into a fresh
# temp directory and smoke-test it there: ESM import and CJS require (one AlipayError class),
# a real payment against the shipped sandbox, the `alipay-f2f` CLI, and a TypeScript consumer.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PKG="$ROOT/npm"
NODE="${NODE:-node}"
cd "$PKG"
rm -f alipay-f2f-*.tgz
tgz="$PKG/$(npm pack --silent --ignore-scripts 2>/dev/null | tail -1)"
[[ -f $tgz ]] || { echo "npm pack produced no tarball" >&2; exit 1; }
echo "packed $(basename "$tgz"): $(du -h "$tgz" | cut -f1) ($(tar tzf "$tgz" | wc -l) files)" >&2
listing=$(tar tzf "$tgz")
grep -q 'package/native/alipay-f2f\..*\.node$' <<<"$listing" || { echo "addon missing from the tarball" >&2; exit 1; }
grep -q 'package/native/alipay-f2f-sandbox$' <<<"$listing" || { echo "sandbox binary missing from the tarball" >&2; exit 1; }

echo "--- publint + attw" >&2
node scripts/check-packaging.mjs "$tgz"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --loglevel=error "$tgz"
echo "--- installed into $tmp" >&2

cat > esm.mjs <<'JS'
import { createRequire } from 'node:module'
import { AlipayClient, AlipayError, importPrivateKey, signContent, implementation } from 'alipay-f2f'
import { startSandbox } from 'alipay-f2f/sandbox'
const cjs = createRequire(import.meta.url)('alipay-f2f')
if (cjs.AlipayError !== AlipayError || cjs.AlipayClient !== AlipayClient) throw new Error('dual package hazard: two copies')
if (implementation !== 'native') throw new Error(`implementation ${implementation}`)
if (signContent({ b: '2', a: '1' }) !== 'a=1&b=2') throw new Error('signContent')
try { importPrivateKey('x'); throw new Error('no throw') } catch (e) { if (!(e instanceof AlipayError) || e.code !== 'ERR_KEY_FORMAT') throw e }
const sb = await startSandbox({ speed: 100 })
try {
  const client = new AlipayClient({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url })
  const r = await client.barcodePay({ outTradeNo: `SMOKE${Date.now()}`, authCode: '280000000000000042', totalAmount: '1.00', subject: 'smoke' })
  if (r.status !== 'paid') throw new Error(JSON.stringify(r))
  console.log('esm ok: paid', r.tradeNo)
} finally { await sb.close() }
JS
"$NODE" esm.mjs

cat > cjs.cjs <<'JS'
const { AlipayClient, AlipayError, sign, importPrivateKey } = require('alipay-f2f')
const { startSandbox } = require('alipay-f2f/sandbox')
if (typeof AlipayClient !== 'function' || typeof startSandbox !== 'function') throw new Error('exports')
startSandbox({ speed: 100 }).then(async (sb) => {
  try {
    const key = importPrivateKey(sb.demoApp.privateKey)
    if (sign({ a: '1' }, key).length < 300) throw new Error('sign')
    const client = new AlipayClient({ appId: sb.demoApp.appId, privateKey: key, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url })
    await client.query({ outTradeNo: 'nope' }).then(() => { throw new Error('no throw') }, (e) => {
      if (!(e instanceof AlipayError) || e.code !== 'ERR_GATEWAY') throw e
    })
    console.log('cjs ok')
  } finally { await sb.close() }
}).catch((e) => { console.error(e); process.exit(1) })
JS
"$NODE" cjs.cjs

cat > cli.cjs <<'JS'
const { spawn } = require('node:child_process')
const path = require('node:path')
const bin = path.join(process.cwd(), 'node_modules', '.bin', 'alipay-f2f')
const child = spawn(bin, ['sandbox', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] })
let out = ''
child.stdout.on('data', (d) => {
  out += d
  if (!out.includes('\n')) return
  const ready = JSON.parse(out.split('\n')[0])
  if (!/^http:\/\/127\.0\.0\.1:\d+\/gateway\.do$/.test(ready.url) || !ready.alipayPublicKey.includes('BEGIN PUBLIC KEY')) throw new Error(out)
  child.kill('SIGTERM')
})
child.on('exit', (code) => {
  if (code !== 0) { console.error('cli exit', code); process.exit(1) }
  console.log('cli ok')
})
JS
"$NODE" cli.cjs
help=$(node_modules/.bin/alipay-f2f --help)
grep -q sandbox <<<"$help"

cat > consumer.ts <<'TS'
import { AlipayClient, AlipayError, type PayOutcome, type FlowEvent } from 'alipay-f2f'
import { startSandbox, type Sandbox } from 'alipay-f2f/sandbox'
export async function run(sb: Sandbox): Promise<string> {
  const c = new AlipayClient({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url })
  const o: PayOutcome = await c.barcodePay({ outTradeNo: 'a', authCode: 'b', totalAmount: '1.00', subject: 's' }, { onEvent: (e: FlowEvent) => void e.type })
  if (o.status === 'paid') return o.tradeNo ?? ''
  if (o.status === 'failed') return o.subMsg ?? o.code
  return o.status
}
export const e: AlipayError = new AlipayError('ERR_GATEWAY', 'x')
export const s = startSandbox
TS
for mod in node16 nodenext; do
  "$PKG/node_modules/.bin/tsc" --noEmit --strict --module $mod --moduleResolution $mod --target es2022 \
    --typeRoots "$PKG/node_modules/@types" --types node consumer.ts
done
echo "ts consumer ok (node16, nodenext)" >&2

# the whole e2e suite once more, against the installed copy instead of the build tree
if [[ ${PACK_SMOKE_FULL:-1} == 1 ]]; then
  echo "--- e2e suite against the installed package" >&2
  (cd "$ROOT" && ALIPAY_F2F_PKG="$tmp/node_modules/alipay-f2f" "$NODE" --test --test-timeout=180000 tests/node/*.test.mjs >"$tmp/e2e.log" 2>&1) \
    || { tail -80 "$tmp/e2e.log" >&2; echo "e2e against the installed package failed" >&2; exit 1; }
  grep -E '^# (tests|pass|fail)' "$tmp/e2e.log" >&2
fi
