// The main Node entry where no addon loads: a copy of the built package without its `.node` file
// (as on a platform with no prebuilt addon) must fall back to the WebAssembly build shipped in the
// package, with one process warning, and still take a real payment against the sandbox;
// ALIPAY_F2F_IMPLEMENTATION=native refuses that fallback, =wasm chooses the wasm build outright.
//   node --test tests/wasm/fallback.test.mjs     (after the npm build and scripts/build-wasm.sh)
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..', '..')
const PKG = join(root, 'npm')

/**
 * Runs `probe.cjs` (below) in a child node with the package at `pkg` and `env`; resolves with
 * its JSON report (the child prints one line) or the error it died with.
 */
function probe(pkg, env, sandbox) {
  return new Promise((resolvePromise) => {
    const childEnv = { ...process.env, ...env, PROBE_PKG: pkg, PROBE_SANDBOX: JSON.stringify(sandbox ?? null) }
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k]
    execFile(process.execPath, [join(work, 'probe.cjs')], { env: childEnv, timeout: 120_000 }, (err, stdout, stderr) => {
      const line = stdout.trim().split('\n').at(-1)
      resolvePromise({ report: line ? JSON.parse(line) : undefined, err, stderr })
    })
  })
}

// The child: loads the package, records the warnings it emits, and (with a sandbox) pays.
const PROBE = String.raw`
const warnings = []
process.on('warning', (w) => warnings.push({ name: w.name, code: w.code, message: w.message }))
const report = (r) => setImmediate(() => console.log(JSON.stringify({ ...r, warnings })))
let lib
try {
  lib = require(require('node:path').join(process.env.PROBE_PKG, 'dist', 'index.js'))
} catch (e) {
  report({ loadError: { name: e.name, code: e.code, message: e.message } })
  return
}
const sandbox = JSON.parse(process.env.PROBE_SANDBOX)
;(async () => {
  const out = { implementation: lib.implementation }
  try {
    lib.importPrivateKey('not a key')
  } catch (e) {
    out.keyError = { isAlipayError: e instanceof lib.AlipayError, code: e.code }
  }
  if (sandbox) {
    const client = new lib.AlipayClient({
      appId: sandbox.appId, privateKey: sandbox.privateKey, alipayPublicKey: sandbox.alipayPublicKey, gateway: sandbox.url,
    })
    const events = []
    const outcome = await client.barcodePay(
      { outTradeNo: 'FB' + Date.now(), authCode: '28105' + String(Date.now()).slice(-13), totalAmount: '3.20', subject: 'fallback' },
      { pollIntervalMs: 100, onEvent: (e) => events.push(e.type) },
    )
    out.payment = { status: outcome.status, confirmedBy: outcome.confirmedBy, totalAmount: outcome.totalAmount, events }
  }
  report(out)
})().catch((e) => report({ runError: String(e && e.stack) }))
`

let work, noAddon, sb, sandbox
before(async () => {
  work = mkdtempSync(join(tmpdir(), 'alipay-f2f-fallback-'))
  writeFileSync(join(work, 'probe.cjs'), PROBE)
  // the package as a platform without a prebuilt addon sees it: everything but native/*.node
  noAddon = join(work, 'pkg')
  cpSync(PKG, noAddon, {
    recursive: true,
    filter: (src) => !src.includes(`${PKG}/node_modules`) && !src.endsWith('.node') && !src.includes(`${PKG}/src`),
  })
  assert.deepEqual(readdirSync(join(noAddon, 'native')).filter((f) => f.endsWith('.node')), [])
  const { startSandbox } = await import(join(PKG, 'dist', 'sandbox.mjs'))
  sb = await startSandbox({ speed: 100 })
  sandbox = { url: sb.url, appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, alipayPublicKey: sb.alipayPublicKey }
})
after(() => {
  sb?.close()
  if (work) rmSync(work, { recursive: true, force: true })
})

test('no addon on this platform: the wasm build stands in, with one warning, and takes a real payment', async () => {
  const { report, err, stderr } = await probe(noAddon, { ALIPAY_F2F_IMPLEMENTATION: undefined, NAPI_RS_NATIVE_LIBRARY_PATH: undefined }, sandbox)
  assert.ifError(err)
  assert.ok(report, stderr)
  assert.equal(report.runError, undefined)
  assert.equal(report.implementation, 'wasm')
  assert.equal(report.warnings.length, 1, JSON.stringify(report.warnings))
  assert.equal(report.warnings[0].code, 'ALIPAY_F2F_WASM_FALLBACK')
  assert.match(report.warnings[0].message, new RegExp(`native addon for ${process.platform}-${process.arch} could not be loaded`))
  // errors from the wasm binding are the main entry's own AlipayError class
  assert.deepEqual(report.keyError, { isAlipayError: true, code: 'ERR_KEY_FORMAT' })
  assert.equal(report.payment.status, 'paid')
  assert.equal(report.payment.totalAmount, '3.20')
  // the buyer confirmed on the phone (28105): waited, polled, paid as the query proved
  assert.equal(report.payment.confirmedBy, 'alipay.trade.query')
  assert.ok(report.payment.events.includes('waitingForBuyer'), report.payment.events.join())
  assert.ok(report.payment.events.includes('query'), report.payment.events.join())
})

test('ALIPAY_F2F_IMPLEMENTATION=native refuses the fallback: ERR_INTERNAL at load, naming the platform', async () => {
  const { report } = await probe(noAddon, { ALIPAY_F2F_IMPLEMENTATION: 'native' })
  assert.equal(report.loadError.name, 'AlipayError')
  assert.equal(report.loadError.code, 'ERR_INTERNAL')
  assert.match(report.loadError.message, new RegExp(`native addon for ${process.platform}-${process.arch}`))
  assert.deepEqual(report.warnings, [])
})

test('with the addon present: native by default, wasm on request, both without a warning', async () => {
  const native = await probe(PKG, { ALIPAY_F2F_IMPLEMENTATION: undefined })
  assert.equal(native.report.implementation, 'native')
  assert.deepEqual(native.report.warnings, [])
  const wasm = await probe(PKG, { ALIPAY_F2F_IMPLEMENTATION: 'wasm' }, sandbox)
  assert.equal(wasm.report.runError, undefined)
  assert.equal(wasm.report.implementation, 'wasm')
  assert.deepEqual(wasm.report.warnings, [])
  assert.deepEqual(wasm.report.keyError, { isAlipayError: true, code: 'ERR_KEY_FORMAT' })
  assert.equal(wasm.report.payment.status, 'paid')
})

test('an unknown ALIPAY_F2F_IMPLEMENTATION is refused at load with ERR_INVALID_ARGUMENT', async () => {
  const { report } = await probe(PKG, { ALIPAY_F2F_IMPLEMENTATION: 'fast' })
  assert.equal(report.loadError.code, 'ERR_INVALID_ARGUMENT')
  assert.match(report.loadError.message, /"native" or "wasm", not "fast"/)
})
