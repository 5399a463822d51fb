// AlipayClient construction (eager validation) and one-shot calls with their error codes.
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'

import { authCode, control, fixture, lib, sandboxClient, tradeNo } from './helpers.mjs'

const { AlipayClient, AlipayError } = lib

let sb, client
before(async () => {
  ;({ sb, client } = await sandboxClient({ speed: 100, args: ['--slow-delay-ms', '300000'] }, { timeoutMs: 1500 }))
})
after(() => sb?.close())

describe('constructor validates eagerly', () => {
  const priv = () => sb.demoApp.privateKey
  test('wrong types: TypeError with a clear message', () => {
    assert.throws(() => new AlipayClient(), TypeError)
    assert.throws(() => new AlipayClient({ privateKey: priv() }), /appId/)
    assert.throws(() => new AlipayClient({ appId: 1, privateKey: priv() }), TypeError)
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: 42 }), /privateKey/)
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: priv(), signType: 'HS256' }), /signType/)
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: priv(), timeoutMs: -1 }), /timeoutMs/)
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: priv(), fetch: 'x' }), /fetch/)
    assert.throws(() => new AlipayClient({ appId: 'a' }), /privateKey/)
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: priv(), appCert: 'x' }), /certificate mode/)
  })
  test('bad keys: AlipayError ERR_KEY_*', () => {
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: 'nope' }), { name: 'AlipayError', code: 'ERR_KEY_FORMAT' })
    assert.throws(() => new AlipayClient({ appId: 'a', privateKey: fixture('keys/app-public-key.pem') }), { code: 'ERR_KEY_KIND' })
    assert.throws(
      () => new AlipayClient({ appId: 'a', privateKey: priv(), alipayPublicKey: priv() }),
      { code: 'ERR_KEY_KIND' },
    )
    // the app's own public key pasted where Alipay's belongs
    const ownPublic = lib.importPrivateKey(priv()).publicKey().toPem()
    assert.throws(
      () => new AlipayClient({ appId: 'a', privateKey: priv(), alipayPublicKey: ownPublic }),
      { code: 'ERR_KEY_MISMATCH' },
    )
  })
  test('parsed keys are accepted and reused', () => {
    const c = new AlipayClient({
      appId: sb.demoApp.appId,
      privateKey: lib.importPrivateKey(priv()),
      alipayPublicKey: lib.importPublicKey(sb.alipayPublicKey),
      gateway: sb.url,
    })
    assert.equal(c.gateway, sb.url)
  })
})

describe('execute and the thin calls', () => {
  test('pay at once then query, refund, refundQuery, close/cancel error paths', async () => {
    const out = tradeNo('EX')
    const paid = await client.pay({ outTradeNo: out, authCode: authCode('280'), totalAmount: '10.00', subject: 'x' })
    assert.equal(paid.code, '10000')
    assert.equal(paid.out_trade_no, out)
    const q = await client.query({ outTradeNo: out })
    assert.equal(q.trade_status, 'TRADE_SUCCESS')
    const r = await client.refund({ outTradeNo: out, refundAmount: '3.00', outRequestNo: `${out}_r1` })
    assert.equal(r.fund_change, 'Y')
    const rq = await client.refundQuery({ outTradeNo: out, outRequestNo: `${out}_r1` })
    assert.equal(rq.refund_status, 'REFUND_SUCCESS')
    const generic = await client.execute('alipay.trade.query', { out_trade_no: out })
    assert.equal(generic.trade_no, q.trade_no)
  })

  test('non-10000: ERR_GATEWAY with code, subCode, subMsg and the raw response', async () => {
    await assert.rejects(client.query({ outTradeNo: tradeNo('NX') }), (e) => {
      assert.ok(e instanceof AlipayError)
      assert.equal(e.code, 'ERR_GATEWAY')
      assert.equal(e.gatewayCode, '40004')
      assert.equal(e.subCode, 'ACQ.TRADE_NOT_EXIST')
      assert.equal(typeof e.subMsg, 'string')
      assert.equal(e.response.sub_code, 'ACQ.TRADE_NOT_EXIST')
      assert.match(e.responseBody, /alipay_trade_query_response/)
      return true
    })
  })

  test('pay answering 10003 throws ERR_GATEWAY (use barcodePay for the flow)', async () => {
    await assert.rejects(
      client.pay({ outTradeNo: tradeNo('PW'), authCode: authCode('282'), totalAmount: '1.00', subject: 'x' }),
      { code: 'ERR_GATEWAY', gatewayCode: '10003' },
    )
  })

  test('HTTP 5xx: ERR_HTTP with httpStatus', async () => {
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault: 'http_5xx', times: 1 })
    await assert.rejects(client.query({ outTradeNo: 'x' }), (e) => e.code === 'ERR_HTTP' && e.httpStatus === 502 && /html/i.test(e.responseBody))
  })

  test('connection dropped: ERR_NETWORK', async () => {
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault: 'drop_connection', times: 1 })
    await assert.rejects(client.query({ outTradeNo: 'x' }), { code: 'ERR_NETWORK' })
  })

  test('slow answer: ERR_TIMEOUT', async () => {
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault: 'slow', times: 1 })
    await assert.rejects(client.query({ outTradeNo: 'x' }, { timeoutMs: 300 }), { code: 'ERR_TIMEOUT' })
  })

  test('caller abort: ERR_ABORTED', async () => {
    await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault: 'slow', times: 1 })
    const ac = new AbortController()
    setTimeout(() => ac.abort(), 100)
    await assert.rejects(client.query({ outTradeNo: 'x' }, { signal: ac.signal }), { code: 'ERR_ABORTED' })
  })

  test('one-shot calls leave no timer pending once settled (fetch and custom transport, with a caller signal)', async () => {
    // every call arms one timeout timer and clears it when it settles; counted through the
    // global setTimeout/clearTimeout the client calls at call time; only the SDK's own timers
    // count (armed directly by dist/driver.js or dist/client.js, or the wasm bundle dist/wasm.js):
    // fetch's internals may arm timers of their own meanwhile (keep-alive ticks), with the SDK
    // further down their stack
    const realSet = globalThis.setTimeout
    const realClear = globalThis.clearTimeout
    const pending = new Set()
    let armed = 0
    globalThis.setTimeout = (fn, ms, ...rest) => {
      const t = realSet(() => {
        pending.delete(t)
        fn(...rest)
      }, ms)
      // the frame that called setTimeout (0: "Error", 1: this wrapper, 2: its caller)
      const caller = new Error().stack.split('\n')[2] ?? ''
      if (/[\\/]dist[\\/](driver|client|wasm)\.js/.test(caller)) {
        pending.add(t)
        armed++
      }
      return t
    }
    globalThis.clearTimeout = (t) => {
      pending.delete(t)
      realClear(t)
    }
    try {
      const ac = new AbortController()
      const out = tradeNo('TM')
      await client.pay({ outTradeNo: out, authCode: authCode('280'), totalAmount: '1.00', subject: 'x' })
      await client.query({ outTradeNo: out }, { signal: ac.signal })
      await assert.rejects(client.query({ outTradeNo: 'nope' }), { code: 'ERR_GATEWAY' })
      const frontend = new AlipayClient({
        appId: sb.demoApp.appId,
        alipayPublicKey: sb.alipayPublicKey,
        transport: (call, signal) => client.forward(call, { signal }),
      })
      await frontend.query({ outTradeNo: out }, { signal: ac.signal })
      // 3 fetch calls + the custom-transport call and the forward inside it
      assert.ok(armed >= 5, `expected a timer per call, saw ${armed}`)
      assert.equal(pending.size, 0, 'settled calls left timers behind')
    } finally {
      globalThis.setTimeout = realSet
      globalThis.clearTimeout = realClear
    }
  })

  test('bad signature / duplicate node / unsigned: verification errors with the raw body', async () => {
    for (const [fault, code] of [
      ['bad_signature', 'ERR_SIGNATURE'],
      ['duplicate_node', 'ERR_DUPLICATE_NODE'],
      ['unsigned', 'ERR_UNSIGNED_RESPONSE'],
      ['non_json', 'ERR_RESPONSE_FORMAT'],
      ['truncated_body', 'ERR_RESPONSE_FORMAT'],
    ]) {
      await control(sb, '/__sandbox/faults', { method: 'alipay.trade.query', fault, times: 1 })
      await assert.rejects(client.query({ outTradeNo: 'x' }), (e) => {
        assert.equal(e.code, code, fault)
        assert.equal(typeof e.responseBody, 'string')
        return true
      })
    }
  })

  test('injected fetch is used; wrong types are TypeErrors', async () => {
    let calls = 0
    const c = new AlipayClient({
      appId: sb.demoApp.appId,
      privateKey: sb.demoApp.privateKey,
      alipayPublicKey: sb.alipayPublicKey,
      gateway: sb.url,
      fetch: (...a) => {
        calls++
        return fetch(...a)
      },
    })
    await assert.rejects(c.query({ outTradeNo: 'x' }), { code: 'ERR_GATEWAY' })
    assert.equal(calls, 1)
    await assert.rejects(c.execute(1, {}), TypeError)
    await assert.rejects(c.execute('alipay.trade.query', 'x'), TypeError)
  })

  test('forwarded deployment: a verify-only client with a custom transport; the backend cannot fake results', async () => {
    const backend = new AlipayClient({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, gateway: sb.url })
    const seen = []
    const frontend = new AlipayClient({
      appId: sb.demoApp.appId,
      alipayPublicKey: sb.alipayPublicKey,
      transport: async (call, signal) => {
        seen.push(call.method)
        return backend.forward(call, { signal })
      },
    })
    const outcome = await frontend.barcodePay(
      { outTradeNo: tradeNo('FW'), authCode: authCode('280'), totalAmount: '2.00', subject: 'x' },
      { pollIntervalMs: 100 },
    )
    assert.equal(outcome.status, 'paid')
    assert.deepEqual(seen, ['alipay.trade.pay'])
    // a lying backend: a forged success without a valid signature is never "paid"
    const liar = new AlipayClient({
      appId: sb.demoApp.appId,
      alipayPublicKey: sb.alipayPublicKey,
      transport: async (call) =>
        call.method === 'alipay.trade.cancel'
          ? backend.forward(call)
          : '{"alipay_trade_pay_response":{"code":"10000","msg":"Success","trade_no":"1","out_trade_no":"x","total_amount":"2.00"},"sign":"Zm9yZ2Vk"}',
    })
    const forged = await liar.barcodePay(
      { outTradeNo: tradeNo('LY'), authCode: authCode('280'), totalAmount: '2.00', subject: 'x' },
      { pollIntervalMs: 100, maxWaitMs: 300, cancelRetryIntervalMs: 10 },
    )
    assert.notEqual(forged.status, 'paid')
  })
})

describe('certificate mode and GBK against the sandbox', () => {
  const sandboxKeys = new URL('../../sandbox/keys/', import.meta.url)
  const read = (f) => readFileSync(new URL(f, sandboxKeys), 'utf8')

  test('certificate mode: app_cert_sn/alipay_root_cert_sn sent, answers verified by alipay_cert_sn', async () => {
    const c = new AlipayClient({
      appId: sb.demoApp.appId,
      privateKey: sb.demoApp.privateKey,
      appCert: fixture('keys/appCertPublicKey_2021001161683774.crt'),
      alipayCert: read('sandbox-alipay-cert.crt'),
      alipayRootCert: read('sandbox-root-ca.crt'),
      gateway: sb.url,
    })
    const outcome = await c.barcodePay(
      { outTradeNo: tradeNo('CM'), authCode: authCode('28102'), totalAmount: '3.00', subject: 'cert' },
      { pollIntervalMs: 100 },
    )
    assert.equal(outcome.status, 'paid', JSON.stringify(outcome))
    // a client holding another Alipay certificate cannot verify the sandbox's answers
    const wrong = new AlipayClient({
      appId: sb.demoApp.appId,
      privateKey: sb.demoApp.privateKey,
      appCert: fixture('keys/appCertPublicKey_2021001161683774.crt'),
      alipayCert: fixture('keys/alipayCertPublicKey_RSA2.crt'),
      alipayRootCert: read('sandbox-root-ca.crt'),
      gateway: sb.url,
    })
    await assert.rejects(wrong.query({ outTradeNo: 'x' }), (e) => ['ERR_CERT', 'ERR_SIGNATURE'].includes(e.code))
  })

  test('GBK requests and answers (Chinese subject)', async () => {
    const c = new AlipayClient({
      appId: sb.demoApp.appId,
      privateKey: sb.demoApp.privateKey,
      alipayPublicKey: sb.alipayPublicKey,
      gateway: sb.url,
      charset: 'gbk',
    })
    const out = tradeNo('GB')
    const outcome = await c.barcodePay({ outTradeNo: out, authCode: authCode('280'), totalAmount: '6.60', subject: '咖啡两杯' }, { pollIntervalMs: 100 })
    assert.equal(outcome.status, 'paid', JSON.stringify(outcome))
    await assert.rejects(c.query({ outTradeNo: tradeNo('NX') }), (e) => e.code === 'ERR_GATEWAY' && /[\u4e00-\u9fff]/.test(e.subMsg))
    // text GBK cannot represent is refused before sending
    await assert.rejects(
      c.barcodePay({ outTradeNo: tradeNo('GE'), authCode: authCode('280'), totalAmount: '1.00', subject: 'emoji 😀' }),
      { code: 'ERR_CHARSET' },
    )
  })
})
