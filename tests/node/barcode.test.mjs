// barcodePay through the one TypeScript driver loop, over real HTTP against the sandbox:
// every scenario, every fault, aborts, and bad input.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'

import { authCode, lib, sandboxClient, tradeNo } from './helpers.mjs'

const { AlipayError } = lib

let sb, client
before(async () => {
  // speed 100: the buyer's 8 s password delay takes 80 ms; slow answers (3000 ms after
  // scaling) outlast a 1 s call timeout.
  ;({ sb, client } = await sandboxClient({ speed: 100, args: ['--slow-delay-ms', '300000'] }, { timeoutMs: 5000 }))
})
after(() => sb?.close())

const FAST = { pollIntervalMs: 100, maxWaitMs: 5000, cancelRetryIntervalMs: 50 }

async function pay(prefix, opts = {}, orderExtra = {}) {
  const events = []
  const order = { outTradeNo: tradeNo('BP'), authCode: authCode(prefix), totalAmount: '88.88', subject: 'Coffee', ...orderExtra }
  const outcome = await client.barcodePay(order, { ...FAST, onEvent: (e) => events.push(e), ...opts })
  return { order, outcome, events, types: events.map((e) => e.type) }
}

describe('scenarios', () => {
  test('pays at once (280): paid by the pay answer', async () => {
    const { order, outcome, types } = await pay('280')
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.pay')
    assert.equal(outcome.outTradeNo, order.outTradeNo)
    assert.equal(outcome.totalAmount, '88.88')
    assert.match(outcome.tradeNo, /^\d+$/)
    assert.ok(types.includes('paySent'))
    const trade = await client.query({ outTradeNo: order.outTradeNo })
    assert.equal(trade.trade_status, 'TRADE_SUCCESS')
  })

  test('buyer enters the password (28105): 10003, polls, then paid', async () => {
    const { outcome, types } = await pay('28105')
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.query')
    assert.ok(types.includes('waitingForBuyer'))
    assert.ok(types.includes('query'))
  })

  test('buyer never confirms (282): cancelled (close) after the polling deadline', async () => {
    const t0 = Date.now()
    const { order, outcome, types } = await pay('282', { maxWaitMs: 800 })
    assert.equal(outcome.status, 'cancelled')
    assert.equal(outcome.action, 'close')
    assert.equal(outcome.reason, 'timeout')
    assert.ok(Date.now() - t0 >= 700, 'waited for the deadline')
    assert.ok(types.includes('cancel'))
    const trade = await client.query({ outTradeNo: order.outTradeNo })
    assert.equal(trade.trade_status, 'TRADE_CLOSED')
  })

  test('insufficient balance (283): failed with the gateway sub_code', async () => {
    const { outcome } = await pay('283')
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.reason, 'businessFailed')
    assert.equal(outcome.code, '40004')
    assert.equal(outcome.subCode, 'ACQ.BUYER_BALANCE_NOT_ENOUGH')
    assert.equal(typeof outcome.subMsg, 'string')
  })

  test('invalid code (284): failed', async () => {
    const { outcome } = await pay('284')
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.subCode, 'ACQ.PAYMENT_AUTH_CODE_INVALID')
  })

  test('20000 but actually paid (285): paid after a query', async () => {
    const { outcome, types } = await pay('285')
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.query')
    assert.ok(types.includes('query'))
  })

  test('slow beyond the call timeout (286): timeout, query, paid', async () => {
    const { outcome, events } = await pay('286', { callTimeoutMs: 1000 })
    assert.equal(outcome.status, 'paid')
    assert.equal(outcome.confirmedBy, 'alipay.trade.query')
    const failed = events.find((e) => e.type === 'transportFailed')
    assert.ok(failed, 'the pay timed out')
    assert.deepEqual(failed.error, { type: 'timeout' })
  })

  test('cancel needs retries (2872): cancelled after retry_flag=Y answers', async () => {
    const { outcome, events } = await pay('2872', { maxWaitMs: 300 })
    assert.equal(outcome.status, 'cancelled')
    assert.equal(outcome.action, 'close')
    const cancels = events.filter((e) => e.type === 'cancel')
    assert.equal(cancels.length, 3, 'two failing cancels, then one that succeeds')
  })

  test('buyer cancels on the phone (28801): failed, trade closed', async () => {
    const { outcome } = await pay('28801')
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.reason, 'tradeClosed')
  })
})

describe('faults on the pay answer: never success on an unverified answer, the query decides', () => {
  const names = ['http_5xx', 'drop_connection', 'truncated_body', 'non_json', 'bad_signature', 'duplicate_node', 'unsigned_error', 'slow', 'unsigned', 'close_mid_body']
  for (let f = 0; f <= 9; f++) {
    test(`fault ${f} (${names[f]}) over an immediate payment`, async () => {
      const { outcome, events } = await pay(`289${f}0`, { callTimeoutMs: 1000 })
      assert.equal(outcome.status, 'paid', JSON.stringify(outcome))
      assert.equal(outcome.confirmedBy, 'alipay.trade.query')
      assert.ok(events.some((e) => e.type === 'rejected' || e.type === 'transportFailed'))
    })
  }
  test('fault over a never-confirming payment ends cancelled', async () => {
    const { outcome } = await pay('28942', { maxWaitMs: 500 })
    assert.equal(outcome.status, 'cancelled')
  })
})

describe('abort', () => {
  test('abort mid-poll reverses the trade (cancelled, reason aborted)', async () => {
    const ac = new AbortController()
    const { order, outcome, types } = await pay('282', {
      maxWaitMs: 30000,
      signal: ac.signal,
      onEvent: (e) => {
        if (e.type === 'query') setTimeout(() => ac.abort(), 50)
      },
    })
    assert.equal(outcome.status, 'cancelled')
    assert.equal(outcome.reason, 'aborted')
    assert.ok(types.length === 0 || true)
    const trade = await client.query({ outTradeNo: order.outTradeNo })
    assert.equal(trade.trade_status, 'TRADE_CLOSED')
  })

  test('abort while the pay call is in flight: still reversed, not forgotten', async () => {
    const ac = new AbortController()
    const events = []
    const order = { outTradeNo: tradeNo('AB'), authCode: authCode('286'), totalAmount: '1.00', subject: 'x' }
    const outcome = await client.barcodePay(order, {
      ...FAST,
      callTimeoutMs: 5000,
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e)
        if (e.type === 'paySent') setTimeout(() => ac.abort(), 100)
      },
    })
    assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome))
    assert.equal(outcome.reason, 'aborted')
    const trade = await client.query({ outTradeNo: order.outTradeNo })
    assert.notEqual(trade.trade_status, 'TRADE_SUCCESS')
  })

  test('signal aborted before anything was sent: failed (aborted), nothing sent', async () => {
    const { outcome, types } = await pay('280', { signal: AbortSignal.abort() })
    assert.equal(outcome.status, 'failed')
    assert.equal(outcome.reason, 'aborted')
    assert.ok(!types.includes('paySent'))
  })
})

describe('bad input', () => {
  const base = () => ({ outTradeNo: tradeNo('BI'), authCode: authCode('280'), totalAmount: '1.00', subject: 's' })
  test('bad amounts and trade numbers: AlipayError ERR_INVALID_ARGUMENT naming the field', async () => {
    for (const [patch, field] of [
      [{ totalAmount: '0.001' }, 'total_amount'],
      [{ totalAmount: '-1' }, 'total_amount'],
      [{ totalAmount: '1e3' }, 'total_amount'],
      [{ outTradeNo: 'has space' }, 'out_trade_no'],
      [{ subject: '' }, 'subject'],
    ]) {
      await assert.rejects(client.barcodePay({ ...base(), ...patch }), (e) => {
        assert.ok(e instanceof AlipayError, String(e))
        assert.equal(e.code, 'ERR_INVALID_ARGUMENT')
        assert.equal(e.field, field, JSON.stringify(patch))
        return true
      })
    }
  })
  test('wrong JS types: TypeError', async () => {
    await assert.rejects(client.barcodePay({ ...base(), totalAmount: 88.88 }), TypeError)
    await assert.rejects(client.barcodePay(null), TypeError)
    await assert.rejects(client.barcodePay(base(), { onEvent: 'x' }), TypeError)
    await assert.rejects(client.barcodePay(base(), { pollIntervalMs: 'fast' }), TypeError)
  })
  test('unknown order field and out-of-range policy: ERR_INVALID_ARGUMENT', async () => {
    await assert.rejects(client.barcodePay({ ...base(), colour: 'red' }), { code: 'ERR_INVALID_ARGUMENT' })
    await assert.rejects(client.barcodePay(base(), { pollIntervalMs: 1 }), { code: 'ERR_INVALID_ARGUMENT', field: 'pollIntervalMs' })
  })
})

describe('snapshots', () => {
  test('an async onSnapshot is awaited: every call is persisted (in flight) before it is sent', async () => {
    const backend = new lib.AlipayClient({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, gateway: sb.url })
    let persisted = null
    const sent = []
    const frontend = new lib.AlipayClient({
      appId: sb.demoApp.appId,
      alipayPublicKey: sb.alipayPublicKey,
      transport: async (call, signal) => {
        const state = JSON.parse(persisted).state
        sent.push({ method: call.method, inFlight: state.inFlight })
        return backend.forward(call, { signal })
      },
    })
    const outcome = await frontend.barcodePay(
      { outTradeNo: tradeNo('SN'), authCode: authCode('28103'), totalAmount: '4.00', subject: 'x' },
      {
        ...FAST,
        onSnapshot: async (s) => {
          await new Promise((r) => setTimeout(r, 20)) // a slow store
          persisted = s
        },
      },
    )
    assert.equal(outcome.status, 'paid')
    assert.ok(sent.length >= 2)
    for (const s of sent) assert.ok(s.inFlight && typeof s.inFlight.id === 'number', JSON.stringify(s))
    assert.equal(JSON.parse(persisted).state.outcome.status, 'paid')
  })

  test('a store that fails before the first call refuses to start (nothing sent); later failures do not stop the flow', async () => {
    let calls = 0
    const counting = new lib.AlipayClient({
      appId: sb.demoApp.appId,
      privateKey: sb.demoApp.privateKey,
      alipayPublicKey: sb.alipayPublicKey,
      gateway: sb.url,
      fetch: (...args) => {
        calls++
        return fetch(...args)
      },
    })
    const out = tradeNo('SF')
    await assert.rejects(
      counting.barcodePay(
        { outTradeNo: out, authCode: authCode('280'), totalAmount: '1.00', subject: 'x' },
        { ...FAST, onSnapshot: () => { throw new Error('disk full') } },
      ),
      (e) => e instanceof lib.AlipayError && e.code === 'ERR_SNAPSHOT' && /nothing was sent/.test(e.message),
    )
    assert.equal(calls, 0, 'no call may go out when its record cannot be saved')
    let saves = 0
    const errors = []
    const origError = console.error
    console.error = (...a) => errors.push(a.join(' '))
    try {
      const outcome = await counting.barcodePay(
        { outTradeNo: tradeNo('SF'), authCode: authCode('280'), totalAmount: '1.00', subject: 'x' },
        {
          ...FAST,
          onSnapshot: () => {
            if (++saves > 2) throw new Error('disk full later')
          },
        },
      )
      assert.equal(outcome.status, 'paid')
    } finally {
      console.error = origError
    }
    assert.ok(errors.some((m) => m.includes('onSnapshot')), 'a later failure is reported, not dropped')
  })
})
