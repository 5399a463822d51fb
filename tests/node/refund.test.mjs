// refundFlow: idempotent by outRequestNo, confirmed, cumulative limits enforced by the gateway.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import { authCode, lib, sandboxClient, tradeNo } from './helpers.mjs'

let sb, client
before(async () => {
  ;({ sb, client } = await sandboxClient({ speed: 100 }, { timeoutMs: 3000 }))
})
after(() => sb?.close())

async function paidTrade(amount = '50.00') {
  const order = { outTradeNo: tradeNo('RF'), authCode: authCode('280'), totalAmount: amount, subject: 'x' }
  const o = await client.barcodePay(order, { pollIntervalMs: 100 })
  assert.equal(o.status, 'paid')
  return order.outTradeNo
}

test('partial refunds, idempotent retries, over-refund fails', async () => {
  const out = await paidTrade('50.00')
  const events = []
  const r1 = await client.refundFlow({ outTradeNo: out, refundAmount: '20.00', outRequestNo: `${out}_1` }, { onEvent: (e) => events.push(e) })
  assert.equal(r1.status, 'refunded')
  assert.equal(r1.outRequestNo, `${out}_1`)
  assert.equal(r1.refundAmount, '20.00')
  assert.ok(events.some((e) => e.type === 'refund'))
  // the same request again: idempotent, no second refund
  const again = await client.refundFlow({ outTradeNo: out, refundAmount: '20.00', outRequestNo: `${out}_1` })
  assert.equal(again.status, 'refunded')
  const r2 = await client.refundFlow({ outTradeNo: out, refundAmount: '30.00' })
  assert.equal(r2.status, 'refunded')
  assert.match(r2.outRequestNo, /^R[0-9a-f]{32}$/, 'generated idempotency key')
  assert.equal(r2.refundFee, '50.00')
  const over = await client.refundFlow({ outTradeNo: out, refundAmount: '0.01' })
  assert.equal(over.status, 'failed')
  assert.equal(over.code, '40004')
})

test('refund with bad input', async () => {
  await assert.rejects(client.refundFlow({ refundAmount: '1.00' }), TypeError)
  await assert.rejects(client.refundFlow({ outTradeNo: 'x', refundAmount: 1 }), TypeError)
  await assert.rejects(client.refundFlow({ outTradeNo: 'x', refundAmount: '1.001' }), { code: 'ERR_INVALID_ARGUMENT' })
})

test('refund snapshot resumes', async () => {
  const out = await paidTrade('5.00')
  let last
  const r = await client.refundFlow({ outTradeNo: out, refundAmount: '5.00' }, { onSnapshot: (s) => (last = s) })
  assert.equal(r.status, 'refunded')
  const resumed = await client.resumeRefund(last)
  assert.equal(resumed.status, 'refunded')
  await assert.rejects(client.resumeRefund('{"nope":1}'), { code: 'ERR_SNAPSHOT' })
  await assert.rejects(client.resumeBarcodePay(last), { code: 'ERR_SNAPSHOT' })
})
