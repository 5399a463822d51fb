// Contract (design.md §4 client, §5 sandbox start-up) through the installed package: AlipayClient
// against the sandbox started by startSandbox(), by `alipay-f2f sandbox` (the installed bin) and by
// the Rust binary, with only the documented demo app (sandbox/README.md) or a freshly generated app.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs'
import { join } from 'node:path'
import { tmpdir } from 'node:os'
import { spawn } from 'node:child_process'
import { generateKeyPairSync, randomInt } from 'node:crypto'
import { createServer } from 'node:net'
import { AlipayClient, AlipayError, importPrivateKey, importPublicKey } from 'alipay-f2f'
import { startSandbox } from 'alipay-f2f/sandbox'

const KEYS = process.env.CONTRACT_SANDBOX_KEYS
const DEMO_APP_ID = '2021000000000001'
const DEMO_PRIVATE_KEY = readFileSync(join(KEYS, 'demo-app-private-key.pem'), 'utf8')
const PKG_BIN = join(process.cwd(), 'node_modules', '.bin', 'alipay-f2f')
const SHIPPED_RUST = join(process.cwd(), 'node_modules', 'alipay-f2f', 'native', 'alipay-f2f-sandbox')
const RUST_BINS = [['shipped', SHIPPED_RUST], ...(process.env.CONTRACT_RUST_SANDBOX ? [['target', process.env.CONTRACT_RUST_SANDBOX]] : [])]

let seq = 0
/** A fresh 18-digit sandbox code for scenario `prefix` (README: every code pays at most once). */
const code = (prefix) => prefix + String(Date.now() % 1e9).padStart(9, '0').slice(0, 18 - prefix.length - 4).padEnd(18 - prefix.length - 4, '0') + String(randomInt(1e4)).padStart(4, '0')
const otn = () => `CT${Date.now()}${++seq}${randomInt(1e6)}`
const order = (authCode) => ({ outTradeNo: otn(), authCode, totalAmount: '8.88', subject: 'contract' })

/** Spawns a sandbox CLI, resolves with the parsed ready line, the raw stdout so far and the child. */
function spawnSandbox(cmd, args, group = false) {
  return new Promise((resolve, reject) => {
    // `npx` is npm's wrapper: like a terminal's Ctrl-C, signal its whole process group
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: group })
    child.group = group
    let out = ''
    let err = ''
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`no ready line: ${out} ${err}`)) }, 20000)
    child.stderr.on('data', (d) => { err += d })
    child.stdout.on('data', (d) => {
      out += d
      if (!out.includes('\n') || child.ready) return
      child.ready = true
      clearTimeout(timer)
      resolve({ child, ready: JSON.parse(out.split('\n')[0]), stdout: () => out, stderr: () => err })
    })
    child.on('error', reject)
    child.on('exit', (c) => { if (!child.ready) { clearTimeout(timer); reject(new Error(`exited ${c}: ${err}`)) } })
  })
}
const stop = (child, sig = 'SIGTERM') => (child.group ? process.kill(-child.pid, sig) : child.kill(sig))
const groupGone = (child) => { try { process.kill(-child.pid, 0); return false } catch { return true } }
const exited = (child) => new Promise((r) => child.exitCode !== null || child.signalCode !== null ? r({ code: child.exitCode, signal: child.signalCode }) : child.on('exit', (code, signal) => r({ code, signal })))
async function waitGone(child) {
  for (let i = 0; i < 50 && !groupGone(child); i++) await new Promise((r) => setTimeout(r, 100))
  assert.ok(groupGone(child), 'the sandbox behind npx is still running after the signal')
}
const freePort = () => new Promise((r) => { const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => r(p)) }) })

function checkReady(ready) {
  assert.deepEqual(Object.keys(ready).sort(), ['alipayPublicKey', 'url'])
  assert.match(ready.url, /^http:\/\/127\.0\.0\.1:\d+\/gateway\.do$/)
  assert.match(ready.alipayPublicKey, /^-----BEGIN PUBLIC KEY-----\n[\s\S]+-----END PUBLIC KEY-----\n?$/)
}

/** The client tests, run against one sandbox. */
function clientSuite(label, start) {
  describe(`AlipayClient against ${label}`, () => {
    let sb
    let client
    before(async () => {
      sb = await start()
      client = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, timeoutMs: 10000 })
    })
    after(async () => { await sb?.close() })

    test('barcodePay 280… pays; query/refund/refundQuery/cancel on it', async () => {
      const o = order(code('280'))
      const events = []
      const r = await client.barcodePay(o, { onEvent: (e) => events.push(e) })
      assert.equal(r.status, 'paid', JSON.stringify(r))
      assert.equal(typeof r.tradeNo, 'string')
      assert.ok(events.length > 0, 'onEvent called')
      const q = await client.query({ outTradeNo: o.outTradeNo })
      assert.equal(q.code, '10000')
      assert.equal(q.trade_status, 'TRADE_SUCCESS')
      assert.equal(q.trade_no, r.tradeNo)
      const rf = await client.refund({ outTradeNo: o.outTradeNo, refundAmount: '1.00', outRequestNo: 'R1' })
      assert.equal(rf.fund_change, 'Y')
      const again = await client.refund({ outTradeNo: o.outTradeNo, refundAmount: '1.00', outRequestNo: 'R1' })
      assert.equal(again.fund_change, 'N', 'idempotent by out_request_no')
      const rq = await client.refundQuery({ outTradeNo: o.outTradeNo, outRequestNo: 'R1' })
      assert.equal(rq.refund_status, 'REFUND_SUCCESS')
      const err = await client.close({ outTradeNo: o.outTradeNo }).catch((e) => e)
      assert.ok(err instanceof AlipayError)
      assert.equal(err.code, 'ERR_GATEWAY')
      assert.equal(err.subCode, 'ACQ.TRADE_STATUS_ERROR')
    })

    test('pay/execute/cancel once, keys as imported objects', async () => {
      const c2 = new AlipayClient({ appId: DEMO_APP_ID, privateKey: importPrivateKey(DEMO_PRIVATE_KEY), alipayPublicKey: importPublicKey(sb.alipayPublicKey), gateway: sb.url })
      const o = order(code('280'))
      const p = await c2.pay({ outTradeNo: o.outTradeNo, authCode: o.authCode, totalAmount: '1.00', subject: 's' })
      assert.equal(p.code, '10000')
      assert.equal(p.out_trade_no, o.outTradeNo)
      const q = await c2.execute('alipay.trade.query', { out_trade_no: o.outTradeNo })
      assert.equal(q.trade_status, 'TRADE_SUCCESS')
      const c = await c2.cancel({ outTradeNo: o.outTradeNo })
      assert.equal(c.action, 'refund')
    })

    test('barcodePay 283… / 284… fail with the gateway sub code', async () => {
      for (const [p, sub] of [['283', 'ACQ.BUYER_BALANCE_NOT_ENOUGH'], ['284', 'ACQ.PAYMENT_AUTH_CODE_INVALID']]) {
        const r = await client.barcodePay(order(code(p)))
        assert.equal(r.status, 'failed', JSON.stringify(r))
        assert.ok(JSON.stringify(r).includes(sub), JSON.stringify(r))
      }
    })

    test('barcodePay 28101… pays after the buyer confirms (polling)', async () => {
      const events = []
      const r = await client.barcodePay(order(code('28101')), { pollIntervalMs: 200, maxWaitMs: 15000, onEvent: (e) => events.push(e) })
      assert.equal(r.status, 'paid', JSON.stringify(r))
      assert.ok(events.length >= 2)
    })

    test('barcodePay 282… never confirms: cancelled after maxWaitMs', async () => {
      const o = order(code('282'))
      const r = await client.barcodePay(o, { pollIntervalMs: 200, maxWaitMs: 1000 })
      assert.equal(r.status, 'cancelled', JSON.stringify(r))
      const q = await client.query({ outTradeNo: o.outTradeNo })
      assert.equal(q.trade_status, 'TRADE_CLOSED')
    })

    test('barcodePay 28801… buyer cancels on the phone: not paid', async () => {
      const r = await client.barcodePay(order(code('28801')), { pollIntervalMs: 200, maxWaitMs: 15000 })
      assert.ok(r.status === 'failed' || r.status === 'cancelled', JSON.stringify(r))
    })

    test('barcodePay 285… (20000 but actually paid) -> paid after a query', async () => {
      const r = await client.barcodePay(order(code('285')))
      assert.equal(r.status, 'paid', JSON.stringify(r))
    })

    test('barcodePay with a forged duplicate node (28953…) is never paid', async () => {
      const r = await client.barcodePay(order(code('28953')), { pollIntervalMs: 200, maxWaitMs: 2000 })
      assert.notEqual(r.status, 'paid', JSON.stringify(r))
    })

    test('barcodePay with a bad signature on a paying answer (28940…) ends cancelled, never paid', async () => {
      const o = order(code('28940'))
      const r = await client.barcodePay(o, { pollIntervalMs: 200, maxWaitMs: 2000 })
      // the answer cannot be verified: the flow queries (verified: paid) or reverses
      assert.ok(r.status === 'paid' || r.status === 'cancelled', JSON.stringify(r))
      if (r.status === 'cancelled') {
        const q = await client.query({ outTradeNo: o.outTradeNo })
        assert.notEqual(q.trade_status, 'TRADE_SUCCESS')
      }
    })

    test('barcodePay 2879… cancel keeps failing: unknown (manual reconciliation)', async () => {
      const r = await client.barcodePay(order(code('2879')), { pollIntervalMs: 100, maxWaitMs: 500 })
      assert.equal(r.status, 'unknown', JSON.stringify(r))
    })

    test('AbortSignal while the buyer confirms -> cancelled (reversed, not forgotten)', async () => {
      const o = order(code('282'))
      const ac = new AbortController()
      const events = []
      const r = await client.barcodePay(o, {
        signal: ac.signal, pollIntervalMs: 200, maxWaitMs: 30000,
        onEvent: (e) => { events.push(e); if (events.length === 2) ac.abort() },
      })
      assert.equal(r.status, 'cancelled', JSON.stringify(r))
      const q = await client.query({ outTradeNo: o.outTradeNo })
      assert.equal(q.trade_status, 'TRADE_CLOSED')
    })

    test('injected fetch is the transport', async () => {
      let calls = 0
      const f = (...a) => { calls++; return globalThis.fetch(...a) }
      const c = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, fetch: f })
      const r = await c.barcodePay(order(code('280')))
      assert.equal(r.status, 'paid')
      assert.ok(calls >= 1)
      const failing = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, fetch: async () => { throw new TypeError('fetch failed') } })
      const e = await failing.query({ outTradeNo: 'x1' }).catch((x) => x)
      assert.ok(e instanceof AlipayError)
      assert.equal(e.code, 'ERR_NETWORK')
    })

    test('a forged answer (wrong Alipay key) is ERR_SIGNATURE, never a success', async () => {
      const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } })
      const c = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: publicKey, gateway: sb.url })
      const o = order(code('280'))
      const e = await c.pay({ outTradeNo: o.outTradeNo, authCode: o.authCode, totalAmount: '1.00', subject: 's' }).catch((x) => x)
      assert.ok(e instanceof AlipayError)
      assert.equal(e.code, 'ERR_SIGNATURE')
      const r = await c.barcodePay(order(code('280')), { maxWaitMs: 500, pollIntervalMs: 100 })
      assert.notEqual(r.status, 'paid')
    })

    test('timeoutMs is enforced: ERR_TIMEOUT', async () => {
      const hang = (_url, init) => new Promise((_res, rej) => init.signal.addEventListener('abort', () => rej(init.signal.reason)))
      const c = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, fetch: hang, timeoutMs: 200 })
      const t0 = Date.now()
      const e = await c.query({ outTradeNo: 'x2' }).catch((x) => x)
      assert.ok(e instanceof AlipayError, String(e))
      assert.equal(e.code, 'ERR_TIMEOUT')
      assert.ok(Date.now() - t0 < 5000)
    })

    test('timeoutMs is enforced even when the injected fetch ignores its signal', async () => {
      const c = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, fetch: () => new Promise(() => {}), timeoutMs: 200 })
      const t0 = Date.now()
      const e = await c.query({ outTradeNo: 'x6' }).catch((x) => x)
      assert.ok(e instanceof AlipayError, String(e))
      assert.equal(e.code, 'ERR_TIMEOUT')
      assert.ok(Date.now() - t0 < 5000)
      const e2 = await c.query({ outTradeNo: 'x7' }, { signal: AbortSignal.timeout(100) }).catch((x) => x)
      assert.ok(e2 instanceof AlipayError, String(e2))
      assert.equal(e2.code, 'ERR_ABORTED')
    })

    test('AbortSignal while the pay call is in flight (286… slow, pays anyway) -> reversed, never left charged', async () => {
      const o = order(code('286'))
      const ac = new AbortController()
      setTimeout(() => ac.abort(), 300)
      const r = await client.barcodePay(o, { signal: ac.signal, pollIntervalMs: 200, maxWaitMs: 30000 })
      assert.ok(r.status === 'cancelled' || r.status === 'unknown', JSON.stringify(r))
      // whatever the answer, the sandbox must not hold a paid, unreversed trade once the slow pay lands
      await new Promise((res) => setTimeout(res, 500))
      const q = await client.query({ outTradeNo: o.outTradeNo }).catch((e) => e)
      if (!(q instanceof AlipayError)) assert.notEqual(q.trade_status, 'TRADE_SUCCESS', JSON.stringify(q))
    })

    test('config: signType RSA, charset gbk, notifyUrl are honoured', async () => {
      for (const extra of [{ signType: 'RSA' }, { charset: 'gbk' }, { signType: 'RSA', charset: 'gbk', notifyUrl: 'https://example.com/notify' }]) {
        const c = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, ...extra })
        const r = await c.barcodePay({ ...order(code('280')), subject: '当面付 合同测试' })
        assert.equal(r.status, 'paid', `${JSON.stringify(extra)} ${JSON.stringify(r)}`)
      }
    })

    test('config: certificate mode (appCert, alipayCert, alipayRootCert)', async () => {
      const c = new AlipayClient({
        appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, gateway: sb.url,
        appCert: readFileSync(join(process.env.CONTRACT_FIXTURES, 'keys/appCertPublicKey_2021001161683774.crt'), 'utf8'),
        alipayCert: readFileSync(join(KEYS, 'sandbox-alipay-cert.crt'), 'utf8'),
        alipayRootCert: readFileSync(join(KEYS, 'sandbox-root-ca.crt'), 'utf8'),
      })
      const o = order(code('280'))
      const r = await c.barcodePay(o)
      assert.equal(r.status, 'paid', JSON.stringify(r))
      const q = await c.query({ outTradeNo: o.outTradeNo })
      assert.equal(q.trade_status, 'TRADE_SUCCESS')
    })

    test('execute with an aborted signal: ERR_ABORTED', async () => {
      const e = await client.query({ outTradeNo: 'x3' }, { signal: AbortSignal.abort() }).catch((x) => x)
      assert.ok(e instanceof AlipayError)
      assert.equal(e.code, 'ERR_ABORTED')
    })

    test('unknown app id / bad arguments: AlipayError with stable codes', async () => {
      const c = new AlipayClient({ appId: '2021999999999999', privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url })
      const e = await c.query({ outTradeNo: 'x4' }).catch((x) => x)
      assert.ok(e instanceof AlipayError)
      assert.ok(['ERR_UNSIGNED_RESPONSE', 'ERR_GATEWAY', 'ERR_SIGNATURE'].includes(e.code), e.code)
      const e2 = await client.barcodePay({ ...order(code('280')), totalAmount: '1.234' }).catch((x) => x)
      assert.ok(e2 instanceof AlipayError, String(e2))
      assert.equal(e2.code, 'ERR_INVALID_ARGUMENT')
      const e4 = await client.barcodePay(order(code('280')), { pollIntervalMs: -1 }).catch((x) => x)
      assert.ok(e4 instanceof AlipayError, String(e4))
      assert.equal(e4.code, 'ERR_INVALID_ARGUMENT')
      const e3 = await client.query({ outTradeNo: 'never-existed-1' }).catch((x) => x)
      assert.ok(e3 instanceof AlipayError)
      assert.equal(e3.code, 'ERR_GATEWAY')
      assert.equal(typeof e3.subCode, 'string')
    })
  })
}

clientSuite('startSandbox()', async () => {
  const sb = await startSandbox()
  assert.equal(typeof sb.close, 'function')
  checkReady({ url: sb.url, alipayPublicKey: sb.alipayPublicKey })
  return sb
})

const viaCli = (cmd, pre = []) => async () => {
  const { child, ready } = await spawnSandbox(cmd, [...pre])
  checkReady(ready)
  return { ...ready, close: async () => { stop(child); await exited(child) } }
}
clientSuite('`alipay-f2f sandbox` (installed bin)', viaCli(PKG_BIN, ['sandbox']))
for (const [what, bin] of RUST_BINS) clientSuite(`Rust alipay-f2f-sandbox (${what})`, viaCli(bin))

const CLIS = [['bin', PKG_BIN, ['sandbox'], false], ['npx alipay-f2f sandbox', 'npx', ['--no-install', 'alipay-f2f', 'sandbox'], true],
  ...RUST_BINS.map(([w, b]) => [`rust-${w}`, b, [], false])]
for (const [label, cmd, pre, group] of CLIS) {
  describe(`sandbox CLI contract: ${label}`, () => {
    test('exactly one ready line before any request; --port 0 default; 127.0.0.1; SIGTERM exits 0', async () => {
      const { child, ready, stdout } = await spawnSandbox(cmd, pre, group)
      checkReady(ready)
      await new Promise((r) => setTimeout(r, 300))
      assert.equal(stdout(), `${JSON.stringify(ready)}\n`, 'exactly one line on stdout')
      stop(child, 'SIGTERM')
      const ex = await exited(child)
      if (group) await waitGone(child)
      else assert.equal(ex.code, 0, JSON.stringify(ex))
    })

    test('SIGINT exits cleanly', async () => {
      const { child } = await spawnSandbox(cmd, pre, group)
      stop(child, 'SIGINT')
      const ex = await exited(child)
      if (group) await waitGone(child)
      else assert.equal(ex.code, 0, JSON.stringify(ex))
    })

    test('--port N is honoured', async () => {
      const port = await freePort()
      const { child, ready } = await spawnSandbox(cmd, [...pre, '--port', String(port)], group)
      try {
        assert.equal(ready.url, `http://127.0.0.1:${port}/gateway.do`)
      } finally { stop(child); await exited(child) }
    })

    test('--app registers a freshly generated app that can pay; the demo app is then not accepted', async () => {
      const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } })
      const dir = mkdtempSync(join(tmpdir(), 'contract-app-'))
      const f = join(dir, 'app-public.pem')
      writeFileSync(f, publicKey)
      const appId = '2021000099990001'
      const { child, ready } = await spawnSandbox(cmd, [...pre, '--app', `${appId}=${f}`], group)
      try {
        const c = new AlipayClient({ appId, privateKey, alipayPublicKey: ready.alipayPublicKey, gateway: ready.url })
        const r = await c.barcodePay(order(code('280')))
        assert.equal(r.status, 'paid', JSON.stringify(r))
        const demo = new AlipayClient({ appId: DEMO_APP_ID, privateKey: DEMO_PRIVATE_KEY, alipayPublicKey: ready.alipayPublicKey, gateway: ready.url })
        const e = await demo.query({ outTradeNo: 'x5' }).catch((x) => x)
        assert.ok(e instanceof AlipayError)
      } finally { stop(child); await exited(child) }
    })
  })
}
