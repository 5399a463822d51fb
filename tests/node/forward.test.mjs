// Forwarded deployment (后台转发) end to end over real HTTP:
//   frontend AlipayClient (Alipay public key only) --forwardTransport--> local backend
//   (createForwardBackend: allow-list, rules, sign) --> sandbox gateway.
// Includes a tampering backend, merchant rules refusing pay / cancel, gateway faults, and
// the HTTP surface of the backend (methods, content types, sizes, CORS, pre-parsed bodies).
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, describe, test } from 'node:test'

import { authCode, control, lib, sandboxLib, tradeNo } from './helpers.mjs'

const { AlipayClient, AlipayError, createForwardBackend, forwardTransport, DEFAULT_FORWARD_METHODS } = lib

let sb, direct
const servers = []

before(async () => {
  sb = await sandboxLib.startSandbox({ speed: 100 })
  direct = new AlipayClient({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, timeoutMs: 5000 })
})
after(async () => {
  for (const s of servers) await new Promise((r) => s.close(r))
  await sb?.close()
})

/** Serves `handler` on 127.0.0.1:0; resolves to the forward URL. */
async function serve(handler) {
  const server = createServer(handler)
  servers.push(server)
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${server.address().port}/alipay/forward`
}

/** A backend over the sandbox with `opts`, served over HTTP. */
async function backend(opts = {}) {
  const b = createForwardBackend({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, gateway: sb.url, timeoutMs: 5000, ...opts })
  return { b, url: await serve(b.httpHandler) }
}

/** The frontend: verifies with the Alipay public key only, no private key. */
function frontend(url, extra = {}) {
  return new AlipayClient({ appId: sb.demoApp.appId, alipayPublicKey: sb.alipayPublicKey, transport: forwardTransport({ url, ...extra }), timeoutMs: 5000 })
}

const FAST = { pollIntervalMs: 100, maxWaitMs: 3000, cancelRetryIntervalMs: 20 }

async function pay(client, prefix, amount = '88.88', opts = {}) {
  const events = []
  const order = { outTradeNo: tradeNo('FW'), authCode: authCode(prefix), totalAmount: amount, subject: 'Coffee' }
  const outcome = await client.barcodePay(order, { ...FAST, onEvent: (e) => events.push(e), ...opts })
  return { order, outcome, events, types: events.map((e) => e.type) }
}

async function tradeStatus(outTradeNo) {
  try {
    return (await direct.query({ outTradeNo })).trade_status
  } catch (e) {
    if (e instanceof AlipayError && e.subCode === 'ACQ.TRADE_NOT_EXIST') return 'NOT_EXIST'
    throw e
  }
}

describe('forwarded flow', () => {
  let url
  const log = []
  before(async () => {
    ;({ url } = await backend({ onForward: (e) => log.push(e) }))
  })

  test('the frontend needs no private key, and cannot sign', async () => {
    const c = frontend(url)
    await assert.rejects(c.forward({ method: 'alipay.trade.query', bizContent: '{}' }), (e) => e instanceof AlipayError && e.field === 'privateKey')
  })

  test('default allow-list is the six trade methods', () => {
    assert.deepEqual([...DEFAULT_FORWARD_METHODS].sort(), [
      'alipay.trade.cancel', 'alipay.trade.close', 'alipay.trade.fastpay.refund.query', 'alipay.trade.pay', 'alipay.trade.query', 'alipay.trade.refund',
    ])
  })

  test('pays at once (280) through the backend; verified in the frontend', async () => {
    const { order, outcome } = await pay(frontend(url), '280')
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.pay')
    assert.equal(await tradeStatus(order.outTradeNo), 'TRADE_SUCCESS')
    const entry = log.find((e) => e.outTradeNo === order.outTradeNo)
    assert.equal(entry.method, 'alipay.trade.pay')
    assert.equal(entry.status, 200)
    assert.ok(!JSON.stringify(log).includes(order.authCode), 'the audit log never carries the payment code')
  })

  test('buyer enters the password (28105): polls through the backend, paid; refund flow too', async () => {
    const c = frontend(url)
    const { order, outcome, types } = await pay(c, '28105')
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.query')
    assert.ok(types.includes('waitingForBuyer') && types.includes('query'))
    const r = await c.refundFlow({ outTradeNo: order.outTradeNo, refundAmount: '10.00' }, { queryDelayMs: 10, retryIntervalMs: 10 })
    assert.equal(r.status, 'refunded')
    assert.equal(r.refundAmount, '10.00')
  })

  test('buyer never confirms (282): cancelled (close) through the backend', async () => {
    const { order, outcome } = await pay(frontend(url), '282', '9.99', { maxWaitMs: 300 })
    assert.equal(outcome.status, 'cancelled')
    assert.equal(outcome.action, 'close')
    assert.equal(await tradeStatus(order.outTradeNo), 'TRADE_CLOSED')
  })

  test('one-shot calls: verified objects, gateway errors typed', async () => {
    const c = frontend(url)
    const { order } = await pay(c, '280')
    const q = await c.query({ outTradeNo: order.outTradeNo })
    assert.equal(q.trade_status, 'TRADE_SUCCESS')
    await assert.rejects(c.query({ outTradeNo: tradeNo('NONE') }), (e) => e.code === 'ERR_GATEWAY' && e.subCode === 'ACQ.TRADE_NOT_EXIST')
  })

  test('gateway HTTP 5xx reaches the frontend as ERR_HTTP with the gateway status', async () => {
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault: 'http_5xx', times: 1 })
    await assert.rejects(frontend(url).query({ outTradeNo: tradeNo('X') }), (e) => e.code === 'ERR_HTTP' && e.httpStatus === 502)
  })

  test('dropped gateway connection: ERR_NETWORK; the flow still reaches a verified outcome', async () => {
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault: 'drop_connection', times: 1 })
    await assert.rejects(frontend(url).query({ outTradeNo: tradeNo('X') }), (e) => e.code === 'ERR_NETWORK')
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.pay', fault: 'drop_connection', times: 1 })
    const { outcome, order } = await pay(frontend(url), '280')
    assert.equal(outcome.status, 'paid') // processed by the gateway, answer lost, proven by a query
    assert.equal(await tradeStatus(order.outTradeNo), 'TRADE_SUCCESS')
  })

  test('a method outside the allow-list is refused (ERR_FORWARD_REFUSED), nothing sent', async () => {
    await assert.rejects(
      frontend(url).execute('alipay.trade.create', { out_trade_no: tradeNo('C'), total_amount: '1.00', subject: 'x' }),
      (e) => e instanceof AlipayError && e.code === 'ERR_FORWARD_REFUSED' && /not allowed/.test(e.message),
    )
  })
})

describe('tampering backend', () => {
  let url
  before(async () => {
    const b = createForwardBackend({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, gateway: sb.url })
    // forwards, then rewrites the pay answer into a success (keeping the original signature)
    url = await serve(async (req, res) => {
      const chunks = []
      for await (const c of req) chunks.push(c)
      const body = Buffer.concat(chunks).toString('utf8')
      const r = await b.handle(body)
      let text = r.body
      if (JSON.parse(body).method === 'alipay.trade.pay') {
        text = text.replace('"code":"10003"', '"code":"10000"').replace('"code":"40004"', '"code":"10000"').replace('"total_amount":"88.88"', '"total_amount":"0.01"')
      }
      res.writeHead(r.status, r.headers).end(text)
    })
  })

  test('a forged "paid" for an unconfirmed payment is rejected (ERR_SIGNATURE) and the trade cancelled', async () => {
    const { order, outcome, events } = await pay(frontend(url), '282', '88.88', { maxWaitMs: 300 })
    const rejected = events.find((e) => e.type === 'rejected')
    assert.ok(rejected, 'the tampered answer was rejected')
    assert.equal(rejected.errorCode, 'ERR_SIGNATURE')
    assert.notEqual(outcome.status, 'paid')
    assert.equal(outcome.status, 'cancelled')
    assert.equal(await tradeStatus(order.outTradeNo), 'TRADE_CLOSED')
  })

  test('a forged success over "insufficient balance" (283) never reports paid', async () => {
    const { order, outcome, events } = await pay(frontend(url), '283')
    assert.ok(events.some((e) => e.type === 'rejected' && e.errorCode === 'ERR_SIGNATURE'))
    assert.notEqual(outcome.status, 'paid')
    assert.notEqual(await tradeStatus(order.outTradeNo), 'TRADE_SUCCESS')
  })

  test('an altered amount on a real payment: rejected, then proven paid by a verified query', async () => {
    const { outcome, events } = await pay(frontend(url), '280')
    assert.ok(events.some((e) => e.type === 'rejected'))
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.query')
    assert.equal(outcome.totalAmount, '88.88')
  })

  test('one-shot call through a tampering backend throws ERR_SIGNATURE', async () => {
    const c = frontend(url)
    await assert.rejects(c.pay({ outTradeNo: tradeNo('TP'), authCode: authCode('283'), totalAmount: '88.88', subject: 'x' }), (e) => e.code === 'ERR_SIGNATURE')
  })
})

describe('merchant rules', () => {
  const seen = []
  let url
  before(async () => {
    ;({ url } = await backend({
      rules: async (call) => {
        seen.push(call.method)
        assert.equal(typeof call.request, 'object') // the HTTP request, for sessions/auth
        if (call.method === 'alipay.trade.pay' && Number(call.biz.total_amount) > 100) throw new Error('amount over the till limit (100.00)')
        if (call.method === 'alipay.trade.cancel' && String(call.biz.out_trade_no).startsWith('NOCANCEL')) throw new Error('cancels need a supervisor')
      },
    }))
  })

  test('a refused pay: typed error for a one-shot call, and nothing charged', async () => {
    const c = frontend(url)
    const outTradeNo = tradeNo('RF')
    await assert.rejects(
      c.pay({ outTradeNo, authCode: authCode('280'), totalAmount: '500.00', subject: 'TV' }),
      (e) => e instanceof AlipayError && e.code === 'ERR_FORWARD_REFUSED' && /till limit/.test(e.message),
    )
    assert.equal(await tradeStatus(outTradeNo), 'NOT_EXIST')
  })

  test('a refused pay in barcodePay: never paid, nothing charged, the refusal is visible in the events', async () => {
    const { order, outcome, events } = await pay(frontend(url), '280', '500.00')
    assert.notEqual(outcome.status, 'paid')
    assert.ok(['failed', 'cancelled'].includes(outcome.status), JSON.stringify(outcome))
    const failed = events.find((e) => e.type === 'transportFailed' && e.method === 'alipay.trade.pay')
    assert.ok(failed, JSON.stringify(events))
    assert.match(JSON.stringify(failed.error), /ERR_FORWARD_REFUSED.*till limit|till limit/)
    const status = await tradeStatus(order.outTradeNo)
    assert.ok(status === 'NOT_EXIST' || status === 'TRADE_CLOSED', status)
  })

  test('a refused cancel: the flow reports unknown, never success', async () => {
    const c = frontend(url)
    const order = { outTradeNo: tradeNo('NOCANCEL'), authCode: authCode('282'), totalAmount: '20.00', subject: 'Tea' }
    const outcome = await c.barcodePay(order, { ...FAST, maxWaitMs: 200, cancelRetries: 2 })
    assert.equal(outcome.status, 'unknown')
    assert.equal(outcome.paid, false)
    assert.ok(outcome.calls.some((x) => x.method === 'alipay.trade.cancel'))
    assert.equal(await tradeStatus(order.outTradeNo), 'WAIT_BUYER_PAY') // really not reversed: reconcile
  })

  test('per-call headers (a POS session token) reach the rules through call.request', async () => {
    let token = 'good'
    const { url: authUrl } = await backend({
      rules: (call) => {
        if (call.request.headers.authorization !== 'Bearer good') throw new Error('not logged in')
      },
    })
    const c = frontend(authUrl, { headers: async () => ({ authorization: `Bearer ${token}` }) })
    const { outcome } = await pay(c, '280')
    assert.equal(outcome.status, 'paid')
    token = 'expired'
    await assert.rejects(c.query({ outTradeNo: 'X' }), (e) => e.code === 'ERR_FORWARD_REFUSED' && /not logged in/.test(e.message))
  })

  test('allowed calls pass the rules', async () => {
    const { outcome } = await pay(frontend(url), '280', '50.00')
    assert.equal(outcome.status, 'paid')
    assert.ok(seen.includes('alipay.trade.pay'))
  })
})

describe('backend HTTP surface', () => {
  let url, b
  before(async () => {
    ;({ url, b } = await backend({ cors: { origin: ['https://pos.example.com'], allowHeaders: ['authorization'] }, maxBodyBytes: 4096 }))
  })
  const post = (body, headers = { 'content-type': 'application/json' }) => fetch(url, { method: 'POST', headers, body })

  test('GET: 405', async () => {
    const r = await fetch(url)
    assert.equal(r.status, 405)
    assert.equal((await r.json()).error.code, 'ERR_INVALID_ARGUMENT')
  })

  test('text/plain: 415 (cross-origin pages must pass a preflight)', async () => {
    const r = await post('{}', { 'content-type': 'text/plain' })
    assert.equal(r.status, 415)
  })

  test('malformed requests: 400 with a clear message', async () => {
    for (const [body, re] of [
      ['not json', /not valid JSON/],
      ['[1]', /JSON object/],
      ['{"bizContent":"{}"}', /method/],
      ['{"method":"alipay.trade.query","bizContent":7}', /bizContent/],
      ['{"method":"alipay.trade.query","bizContent":"{oops"}', /not valid JSON/],
      ['{"method":"alipay.trade.query","bizContent":"[1]"}', /JSON object/],
    ]) {
      const r = await post(body)
      assert.equal(r.status, 400, body)
      assert.equal(r.headers.get('x-alipay-f2f-forward'), 'error')
      const e = (await r.json()).error
      assert.equal(e.code, 'ERR_INVALID_ARGUMENT')
      assert.match(e.message, re, body)
    }
  })

  test('too large: 413', async () => {
    const r = await post(JSON.stringify({ method: 'alipay.trade.query', bizContent: JSON.stringify({ out_trade_no: 'x'.repeat(5000) }) }))
    assert.equal(r.status, 413)
  })

  test('a gateway answer comes back byte for byte, marked as such', async () => {
    const outTradeNo = tradeNo('RAW')
    const r = await post(JSON.stringify({ method: 'alipay.trade.query', bizContent: JSON.stringify({ out_trade_no: outTradeNo }) }))
    assert.equal(r.status, 200)
    assert.equal(r.headers.get('x-alipay-f2f-forward'), 'gateway')
    const text = await r.text()
    assert.match(text, /^\{"alipay_trade_query_response":/)
    const obj = lib.verifyResponse(text, 'alipay.trade.query', sb.alipayPublicKey)
    assert.equal(obj.sub_code, 'ACQ.TRADE_NOT_EXIST')
  })

  test('bizContent as an object is accepted (signed as its JSON text)', async () => {
    const r = await post(JSON.stringify({ method: 'alipay.trade.query', bizContent: { out_trade_no: tradeNo('OBJ') } }))
    assert.equal(r.status, 200)
  })

  test('CORS: allowed origin gets the headers and a preflight; others do not', async () => {
    const pre = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://pos.example.com', 'access-control-request-method': 'POST' } })
    assert.equal(pre.status, 204)
    assert.equal(pre.headers.get('access-control-allow-origin'), 'https://pos.example.com')
    assert.match(pre.headers.get('access-control-allow-headers'), /content-type, authorization/)
    assert.match(pre.headers.get('access-control-allow-methods'), /POST/)
    const bad = await fetch(url, { method: 'OPTIONS', headers: { origin: 'https://evil.example.com' } })
    assert.equal(bad.headers.get('access-control-allow-origin'), null)
    const r = await fetch(url, { method: 'POST', headers: { origin: 'https://pos.example.com', 'content-type': 'application/json' }, body: '{}' })
    assert.equal(r.headers.get('access-control-allow-origin'), 'https://pos.example.com')
    assert.equal(r.headers.get('vary'), 'origin')
  })

  test('Express-style pre-parsed body (req.body) is used', async () => {
    const outTradeNo = tradeNo('EXP')
    const result = await new Promise((resolve) => {
      const res = {
        headersSent: false,
        writeHead(status, headers) { this.status = status; this.headers = headers },
        end(body) { resolve({ status: this.status, headers: this.headers, body }) },
      }
      const req = { method: 'POST', headers: { 'content-type': 'application/json' }, body: { method: 'alipay.trade.query', bizContent: JSON.stringify({ out_trade_no: outTradeNo }) }, on() {} }
      b.httpHandler(req, res)
    })
    assert.equal(result.status, 200)
    assert.match(result.body, /ACQ.TRADE_NOT_EXIST/)
  })

  test('handle(): plain function for other frameworks', async () => {
    const r = await b.handle(JSON.stringify({ method: 'alipay.trade.cancel', bizContent: '{"out_trade_no":"' + tradeNo('H') + '"}' }))
    assert.equal(r.status, 200)
    assert.match(r.body, /alipay_trade_cancel_response/)
    const bad = await b.handle(new TextEncoder().encode('{'))
    assert.equal(bad.status, 400)
  })

  test('forward backend unreachable: the frontend gets ERR_NETWORK; the flow ends cancelled or unknown, never paid', async () => {
    const c = new AlipayClient({ appId: sb.demoApp.appId, alipayPublicKey: sb.alipayPublicKey, transport: forwardTransport({ url: 'http://127.0.0.1:9/x' }) })
    await assert.rejects(c.query({ outTradeNo: 'X1' }), (e) => e.code === 'ERR_NETWORK')
    const outcome = await c.barcodePay({ outTradeNo: tradeNo('UN'), authCode: authCode('280'), totalAmount: '1.00', subject: 'x' }, { ...FAST, cancelRetries: 1, queryRetries: 1 })
    assert.equal(outcome.status, 'unknown')
  })

  test('bad options are refused', () => {
    assert.throws(() => createForwardBackend({ appId: 'x' }), TypeError)
    assert.throws(() => createForwardBackend({ appId: 'x', privateKey: sb.demoApp.privateKey, rules: 3 }), TypeError)
    assert.throws(() => createForwardBackend({ appId: 'x', privateKey: 'garbage' }), (e) => e.code === 'ERR_KEY_FORMAT')
    assert.throws(() => forwardTransport({}), TypeError)
    assert.throws(() => createForwardBackend({ appId: 'x', privateKey: sb.demoApp.privateKey, cors: { origin: '*', credentials: true } }), TypeError)
  })
})
