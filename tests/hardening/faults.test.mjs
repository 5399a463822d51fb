// Fault-injection matrix over real HTTP: every sandbox fault at every step of barcodePay (the pay,
// each query, each cancel) and of refunds, through the built npm package against the real sandbox
// binary. Each case checks the SDK outcome against the sandbox's real trade state (lib.mjs judge):
// zero wrong outcomes, nothing left open, refunds never doubled. Prints the matrix summary and
// writes tests/artifacts/hardening/faults.json.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'

import {
  authCode, CALL_TIMEOUT_MS, FAULTS, faultWorker, judgePay, judgeRefund, paidTrade, pool, trade, tradeNo, cents,
  writeFigures,
} from './lib.mjs'

const WORKERS = Number(process.env.HARDENING_WORKERS ?? 4)
const PAY = 'alipay.trade.pay'
const QUERY = 'alipay.trade.query'
const CANCEL = 'alipay.trade.cancel'
const REFUND = 'alipay.trade.refund'
const RQUERY = 'alipay.trade.fastpay.refund.query'

/** Scenarios (payment-code prefixes, sandbox/README.md) and the steps each one reaches. */
const PAY_SCENARIOS = {
  '280': { what: 'pays at once', steps: [[[PAY, 1]]] },
  '28150': { what: 'buyer confirms after 0.5 s', steps: [[[PAY, 1]], [[QUERY, 1]], [[QUERY, 1], [QUERY, 2]]] },
  '282': {
    what: 'never confirms',
    steps: [[[PAY, 1]], [[QUERY, 1]], [[QUERY, 2]], [[CANCEL, 1]], [[CANCEL, 1], [CANCEL, 2]]],
  },
  '283': { what: 'insufficient balance', steps: [[[PAY, 1]]] },
  '285': { what: '20000 but paid', steps: [[[PAY, 1]], [[QUERY, 1]], [[QUERY, 1], [QUERY, 2]]] },
  '2871': { what: 'first cancel fails (retry_flag=Y)', steps: [[[CANCEL, 1]], [[CANCEL, 1], [CANCEL, 2]]] },
}
const PAY_POLICY = {
  pollIntervalMs: 100, maxWaitMs: 1500, callTimeoutMs: CALL_TIMEOUT_MS, cancelRetries: 3, cancelRetryIntervalMs: 50, queryRetries: 3,
}
// A fault on a later step needs the earlier ones unproven: the sequences fault every step up to it.
const REFUND_STEPS = [
  [[REFUND, 1]],
  [[REFUND, 1], [RQUERY, 1]],
  [[REFUND, 1], [RQUERY, 1], [REFUND, 2]],
  [[REFUND, 1], [RQUERY, 1], [REFUND, 2], [RQUERY, 2]],
]
const stepName = (targets) => targets.map(([m, n]) => `${m.replace('alipay.trade.', '')}#${n}`).join('+')
const REFUND_POLICY = { callTimeoutMs: CALL_TIMEOUT_MS, refundRetries: 2, queryDelayMs: 50, retryIntervalMs: 50 }

let workers = []
before(async () => {
  workers = await Promise.all(Array.from({ length: WORKERS }, () => faultWorker({ speed: 100 })))
})
after(async () => {
  await Promise.all(workers.map((w) => w.close()))
})

const results = []

function summarize(rows) {
  const by = (key) => {
    const m = new Map()
    for (const r of rows) {
      const k = key(r)
      const e = m.get(k) ?? { cases: 0, fired: 0, correct: 0, unknown: 0, wrong: 0 }
      e.cases++
      e.fired += r.fired ? 1 : 0
      e[r.verdict]++
      m.set(k, e)
    }
    return Object.fromEntries(m)
  }
  return { total: by(() => 'all').all, byFlow: by((r) => r.flow), byFault: by((r) => r.fault), byStep: by((r) => r.step) }
}

test('barcodePay: every fault at every step', { timeout: 900_000 }, async () => {
  const cases = []
  for (const [prefix, sc] of Object.entries(PAY_SCENARIOS)) {
    for (const targets of sc.steps) for (const fault of FAULTS) cases.push({ prefix, targets, fault })
  }
  const rows = await pool(cases, workers, async (c, w) => {
    const order = { outTradeNo: tradeNo('FP'), authCode: authCode(c.prefix), totalAmount: '12.30', subject: 'fault matrix' }
    w.arm(c.targets, c.fault)
    const events = []
    const outcome = await w.client.barcodePay(order, { ...PAY_POLICY, onEvent: (e) => events.push(e.type) })
    const fired = await w.disarm()
    const pays = w.calls.filter((m) => m === PAY).length
    const t = await trade(w.sb, order.outTradeNo)
    let { verdict, why } = judgePay(outcome, t)
    if (pays !== 1) ({ verdict, why } = { verdict: 'wrong', why: `${pays} pay calls` })
    if (verdict !== 'unknown' && t?.trade_status === 'WAIT_BUYER_PAY') ({ verdict, why } = { verdict: 'wrong', why: 'left open' })
    return {
      flow: 'barcodePay', scenario: c.prefix, step: stepName(c.targets), fault: c.fault, fired,
      status: outcome.status, reason: outcome.reason, trade: t?.trade_status ?? 'NONE', verdict, why,
    }
  })
  results.push(...rows)
  const wrong = rows.filter((r) => r.verdict === 'wrong')
  const s = summarize(rows).total
  console.log(`barcodePay fault matrix: ${s.cases} cases (${s.fired} with the fault fired), ${s.correct} correct, ${s.unknown} unknown, ${s.wrong} wrong`)
  assert.deepEqual(wrong, [], `wrong outcomes:\n${wrong.map((r) => JSON.stringify(r)).join('\n')}`)
  // The matrix really exercised the faults.
  assert.ok(s.fired >= s.cases * 0.95, `only ${s.fired}/${s.cases} faults fired`)
})

test('refundFlow: every fault at every step; never doubled', { timeout: 600_000 }, async () => {
  const cases = []
  for (const targets of REFUND_STEPS) for (const fault of FAULTS) cases.push({ targets, fault })
  const rows = await pool(cases, workers, async (c, w) => {
    const paid = await paidTrade(w.client, '10.00')
    const outRequestNo = tradeNo('RR')
    w.arm(c.targets, c.fault)
    const outcome = await w.client.refundFlow({ outTradeNo: paid.outTradeNo, refundAmount: '4.00', outRequestNo }, REFUND_POLICY)
    const fired = await w.disarm()
    const t = await trade(w.sb, paid.outTradeNo)
    const { verdict, why } = judgeRefund(outcome, t, outRequestNo, cents('4.00'))
    return {
      flow: 'refund', step: stepName(c.targets), fault: c.fault, fired,
      status: outcome.status, reason: outcome.reason, refunded: t?.refunded_amount, verdict, why,
    }
  })
  results.push(...rows)
  const wrong = rows.filter((r) => r.verdict === 'wrong')
  const s = summarize(rows).total
  console.log(`refund fault matrix: ${s.cases} cases (${s.fired} with the fault fired), ${s.correct} correct, ${s.unknown} unknown, ${s.wrong} wrong`)
  assert.deepEqual(wrong, [], `wrong outcomes:\n${wrong.map((r) => JSON.stringify(r)).join('\n')}`)
  assert.ok(s.fired >= s.cases * 0.95, `only ${s.fired}/${s.cases} faults fired`)
})

after(() => {
  if (!results.length) return
  const summary = summarize(results)
  writeFigures('faults', { summary, cases: results })
  const t = summary.total
  console.log(`fault matrix total: ${t.cases} cases, ${t.correct} correct, ${t.unknown} unknown (cancel not confirmed), ${t.wrong} wrong`)
  for (const [k, v] of Object.entries(summary.byFault)) console.log(`  ${k.padEnd(16)} ${JSON.stringify(v)}`)
  const unknowns = results.filter((r) => r.verdict === 'unknown')
  for (const u of unknowns) console.log(`  unknown: ${u.flow} ${u.scenario ?? ''} ${u.step} ${u.fault}: ${u.why}`)
})

test('the judge flags wrong outcomes (it can fail)', () => {
  const paidTrade = { out_trade_no: 'T', trade_no: 'N1', trade_status: 'TRADE_SUCCESS', total_amount: '1.00', refunded_amount: '0.00', cancel_refunded_amount: '0.00', gmt_payment: 'x' }
  assert.equal(judgePay({ status: 'paid', outTradeNo: 'T', tradeNo: 'N1' }, paidTrade).verdict, 'correct')
  assert.equal(judgePay({ status: 'paid', outTradeNo: 'T', tradeNo: 'N2' }, paidTrade).verdict, 'wrong')
  assert.equal(judgePay({ status: 'paid', outTradeNo: 'T' }, null).verdict, 'wrong')
  assert.equal(judgePay({ status: 'failed' }, paidTrade).verdict, 'wrong')
  assert.equal(judgePay({ status: 'cancelled' }, { ...paidTrade, trade_status: 'WAIT_BUYER_PAY' }).verdict, 'wrong')
  assert.equal(judgePay({ status: 'cancelled' }, { ...paidTrade, trade_status: 'TRADE_CLOSED' }).verdict, 'wrong')
  assert.equal(judgePay({ status: 'cancelled' }, { ...paidTrade, trade_status: 'TRADE_CLOSED', cancel_refunded_amount: '1.00' }).verdict, 'correct')
  assert.equal(judgePay({ status: 'unknown', reason: 'aborted' }, paidTrade).verdict, 'wrong')
  const refunded = { refunded_amount: '4.00', refunds: [{ out_request_no: 'R', refund_amount: '4.00' }] }
  assert.equal(judgeRefund({ status: 'refunded' }, refunded, 'R', 400).verdict, 'correct')
  assert.equal(judgeRefund({ status: 'failed' }, refunded, 'R', 400).verdict, 'wrong')
  assert.equal(judgeRefund({ status: 'refunded' }, refunded, 'R', 300).verdict, 'wrong')
  assert.equal(judgeRefund({ status: 'refunded' }, { refunded_amount: '8.00', refunds: [refunded.refunds[0], refunded.refunds[0]] }, 'R', 800).verdict, 'wrong')
})
