// Key hygiene across the JS surface: no private key material (every 16-character window of the
// key's base64 body, of its private numbers d, p, q, dp, dq, qi in decimal and hex, and of an AES
// content key) in AlipayError messages, stacks and properties, in console-inspect / JSON of key
// and client objects, in flow events, snapshots and outcomes, in anything logged to the console,
// or in CLI output. The payment code is never printed unmasked outside the pay call either.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { inspect } from 'node:util'

import { authCode, lib, PKG_DIR, sandboxLib, tradeNo } from './lib.mjs'
import { fixture } from '../node/helpers.mjs'

const W = 16
const CLI = join(PKG_DIR, 'dist', 'cli', 'index.js')
const AES_KEY = randomBytes(16).toString('base64')

const windows = (s) => Array.from({ length: Math.max(0, s.length - W + 1) }, (_, i) => s.slice(i, i + W))
const pemBody = (pem) => pem.split('\n').filter((l) => !l.startsWith('-----')).join('').replace(/\s/g, '')
const big = (b64url) => BigInt(`0x${Buffer.from(b64url, 'base64url').toString('hex')}`)

function secretsOf(pems) {
  const set = new Set()
  const pub = new Set()
  for (const pem of pems) {
    for (const der of [pem, createPrivateKey(pem).export({ type: 'pkcs8', format: 'pem' }), createPrivateKey(pem).export({ type: 'pkcs1', format: 'pem' })]) {
      for (const w of windows(pemBody(der))) set.add(w)
    }
    const jwk = createPrivateKey(pem).export({ format: 'jwk' })
    for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
      const n = big(jwk[k])
      for (const s of [n.toString(10), n.toString(16), n.toString(16).toUpperCase()]) for (const w of windows(s)) set.add(w)
    }
    const spki = createPublicKey(pem).export({ type: 'spki', format: 'der' }).toString('base64')
    const n = big(jwk.n)
    for (const s of [spki, n.toString(10), n.toString(16), n.toString(16).toUpperCase()]) for (const w of windows(s)) pub.add(w)
  }
  for (const w of windows(AES_KEY)) set.add(w)
  for (const w of pub) set.delete(w)
  return set
}

let sb, dir, secrets, demoPem, appPem
const seen = []
const record = (what, text) => seen.push([what, typeof text === 'string' ? text : inspect(text, { depth: 10, showHidden: true })])
function recordError(what, fn) {
  try {
    const r = fn()
    record(`${what} (no error)`, r)
  } catch (e) {
    record(`${what} message`, String(e?.message))
    record(`${what} stack`, String(e?.stack))
    record(`${what} inspect`, e)
    record(`${what} json`, JSON.stringify(e))
    record(`${what} props`, JSON.stringify(Object.fromEntries(Object.entries(e ?? {}))))
  }
}
async function recordRejection(what, p) {
  try {
    record(`${what} (resolved)`, await p)
  } catch (e) {
    recordError(what, () => { throw e })
  }
}

// Everything the SDK logs goes through these (captured, then forwarded).
const logged = []
const original = {}
before(async () => {
  for (const m of ['log', 'info', 'warn', 'error', 'debug', 'trace']) {
    original[m] = console[m]
    console[m] = (...args) => { logged.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 10 }))).join(' ')) }
  }
  sb = await sandboxLib.startSandbox({ speed: 100 })
  dir = mkdtempSync(join(tmpdir(), 'alipay-f2f-hygiene-'))
  demoPem = sb.demoApp.privateKey
  appPem = fixture('keys/app-private-key.pem')
  secrets = secretsOf([demoPem, appPem])
})
after(async () => {
  Object.assign(console, original)
  await sb?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

function leaksIn(text) {
  return windows(text).filter((w) => secrets.has(w))
}

test('key errors, key objects and clients never show key material', () => {
  assert.ok(secrets.size > 5000)
  assert.ok(leaksIn(demoPem).length > 0, 'the detector finds the key in its own PEM')
  for (const [name, pem] of [['demo pkcs8', demoPem], ['app pkcs1', appPem], ['bare', pemBody(appPem)]]) {
    for (const cut of [pem.length / 3, pem.length / 2, pem.length - 40, pem.length - 3].map(Math.floor)) {
      recordError(`${name} truncated@${cut}`, () => lib.importPrivateKey(pem.slice(0, cut)))
    }
    const mid = Math.floor(pem.length / 2)
    recordError(`${name} corrupt`, () => lib.importPrivateKey(`${pem.slice(0, mid)}!${pem.slice(mid + 1)}`))
    recordError(`${name} as public`, () => lib.importPublicKey(pem))
    recordError(`${name} relabelled`, () => lib.importPrivateKey(pem.replaceAll('PRIVATE KEY', 'PUBLIC KEY')))
    const key = lib.importPrivateKey(pem)
    record(`${name} PrivateKey inspect`, key)
    record(`${name} PrivateKey json`, JSON.stringify(key) ?? 'undefined')
    record(`${name} PrivateKey string`, String(key))
    record(`${name} PublicKey inspect`, key.publicKey())
    recordError(`${name} client truncated`, () => new lib.AlipayClient({ appId: '2021000000000001', privateKey: pem.slice(0, 300), alipayPublicKey: sb.alipayPublicKey }))
    const client = new lib.AlipayClient({ appId: '2021000000000001', privateKey: pem, alipayPublicKey: sb.alipayPublicKey, encryptKey: AES_KEY, gateway: sb.url })
    record(`${name} client inspect`, client)
    record(`${name} client json`, JSON.stringify(client) ?? 'undefined')
    recordError(`${name} sign bad params`, () => lib.sign({ a: 1 }, key))
    recordError(`${name} sign gbk`, () => lib.sign({ a: '😀' }, key, { charset: 'gbk' }))
  }
  recordError('AES key truncated', () => new lib.AlipayClient({ appId: '2021000000000001', privateKey: demoPem, alipayPublicKey: sb.alipayPublicKey, encryptKey: AES_KEY.slice(0, 20) }))
  recordError('verify forged', () => lib.verifyResponse('{"alipay_trade_pay_response":{"code":"10000"},"sign":"AAAA"}', 'alipay.trade.pay', sb.alipayPublicKey))
  recordError('verify garbage', () => lib.verifyResponse('<html>', 'alipay.trade.pay', sb.alipayPublicKey))
})

test('flows: events, snapshots, outcomes and errors over HTTP never show key material or the payment code', async () => {
  const client = new lib.AlipayClient({ appId: sb.demoApp.appId, privateKey: demoPem, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, timeoutMs: 3000 })
  const codes = []
  for (const prefix of ['280', '283', '282', '285', '28150']) {
    const code = authCode(prefix)
    codes.push(code)
    const events = []
    const snaps = []
    const outcome = await client.barcodePay(
      { outTradeNo: tradeNo('HY'), authCode: code, totalAmount: '3.30', subject: 'hygiene' },
      { pollIntervalMs: 100, maxWaitMs: 600, onEvent: (e) => events.push(e), onSnapshot: (s) => snaps.push(s) },
    )
    record(`${prefix} outcome`, JSON.stringify(outcome))
    record(`${prefix} outcome inspect`, outcome)
    for (const e of events) record(`${prefix} event`, JSON.stringify(e))
    for (const s of snaps) record(`${prefix} snapshot`, s)
    if (outcome.status === 'paid') {
      const r = await client.refundFlow({ outTradeNo: outcome.outTradeNo, refundAmount: '1.00' }, { onEvent: (e) => record('refund event', JSON.stringify(e)), onSnapshot: (s) => record('refund snapshot', s), queryDelayMs: 50 })
      record('refund outcome', JSON.stringify(r))
    }
  }
  // errors from the gateway path: wrong Alipay key (answers do not verify), unknown trade
  const wrongKey = new lib.AlipayClient({ appId: sb.demoApp.appId, privateKey: demoPem, alipayPublicKey: lib.importPrivateKey(appPem).publicKey(), gateway: sb.url })
  await recordRejection('wrong alipay key', wrongKey.query({ outTradeNo: 'NOPE' }))
  await recordRejection('unreachable gateway', new lib.AlipayClient({ appId: sb.demoApp.appId, privateKey: demoPem, alipayPublicKey: sb.alipayPublicKey, gateway: 'http://127.0.0.1:9/gateway.do', timeoutMs: 500 }).query({ outTradeNo: 'X' }))
  await recordRejection('execute bad biz', client.execute('alipay.trade.query', { out_trade_no: '!!' }))
  for (const [what, text] of seen) {
    for (const c of codes) {
      const isPay = /"method":"alipay\.trade\.pay"/.test(text) && /"type":"call"/.test(text)
      assert.ok(!text.includes(c) || isPay, `${what}: unmasked payment code: ${text.slice(0, 300)}`)
    }
  }
})

test('CLI output never shows key material', () => {
  const keyFile = join(dir, 'app.pem')
  const truncFile = join(dir, 'trunc.pem')
  const corruptFile = join(dir, 'corrupt.pem')
  const pubFile = join(dir, 'alipay.pem')
  writeFileSync(keyFile, demoPem, { mode: 0o600 })
  writeFileSync(truncFile, demoPem.slice(0, Math.floor(demoPem.length * 0.6)))
  writeFileSync(corruptFile, demoPem.replace(/[A-Za-z0-9+/]{10}\n/, '!!!!!!!!!!\n'))
  writeFileSync(pubFile, sb.alipayPublicKey)
  const gw = ['--app-id', sb.demoApp.appId, '--alipay-public-key', pubFile, '--gateway', sb.url]
  const runs = [
    ['keys', 'check', keyFile],
    ['keys', 'check', truncFile],
    ['keys', 'check', corruptFile, '--json'],
    ['keys', 'check', '--private-key', keyFile, '--alipay-public-key', keyFile],
    ['barcode-pay', '--out-trade-no', tradeNo('HC'), '--auth-code', authCode('280'), '--amount', '1.00', '--subject', 'cli', '--private-key', keyFile, ...gw, '--json'],
    ['barcode-pay', '--out-trade-no', tradeNo('HC'), '--auth-code', authCode('280'), '--amount', '1.00', '--subject', 'cli', '--private-key', truncFile, ...gw],
    ['query', '--out-trade-no', 'NOPE', '--private-key', corruptFile, ...gw],
    ['query', '--out-trade-no', 'NOPE', '--private-key', keyFile, '--app-id', sb.demoApp.appId, '--alipay-public-key', keyFile, '--gateway', sb.url],
    ['sign-content', 'a=1', 'b=2', '--key', truncFile],
  ]
  for (const args of runs) {
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 })
    record(`cli ${args.slice(0, 2).join(' ')} stdout`, r.stdout)
    record(`cli ${args.slice(0, 2).join(' ')} stderr`, r.stderr)
    assert.ok(r.stdout.length + r.stderr.length > 0, `cli ${args.join(' ')} printed something`)
  }
})

test('nothing observed or logged contains key material', () => {
  for (const l of logged) record('console', l)
  assert.ok(seen.length > 150, `observed ${seen.length}`)
  const leaks = []
  for (const [what, text] of seen) {
    const l = leaksIn(text)
    if (l.length) leaks.push(`${what}: ${l.slice(0, 2).join(', ')}`)
  }
  original.log(`hygiene (JS): ${seen.length} observed strings (${logged.length} console lines), ${secrets.size} secret fragments, ${leaks.length} leaks`)
  assert.deepEqual(leaks, [])
})
