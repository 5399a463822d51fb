// Shared by the hardening suites: sandboxes with a fault-arming transport, the sandbox's real
// trade state, and the judge that decides whether an SDK outcome is correct for that state.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { authCode, control, lib, PKG_DIR, sandboxLib, tradeNo } from '../node/helpers.mjs'

export { authCode, control, lib, PKG_DIR, sandboxLib, tradeNo }

const here = dirname(fileURLToPath(import.meta.url))
/** Where suites write their figures (git-ignored). */
export const ARTIFACTS = join(here, '..', 'artifacts', 'hardening')

/** Writes a suite's figures as JSON for the README table. */
export function writeFigures(name, figures) {
  mkdirSync(ARTIFACTS, { recursive: true })
  writeFileSync(join(ARTIFACTS, `${name}.json`), `${JSON.stringify(figures, null, 2)}\n`)
}

/** Every sandbox fault (sandbox/README.md "Faults"). */
export const FAULTS = [
  'http_5xx', 'drop_connection', 'truncated_body', 'non_json', 'bad_signature', 'duplicate_node',
  'unsigned_error', 'slow', 'unsigned', 'close_mid_body', 'system_error', 'lost_request',
]

/** Client call timeout in the suites; the `slow` fault answers after SLOW_MS > CALL_TIMEOUT_MS. */
export const CALL_TIMEOUT_MS = 1000
export const SLOW_MS = 1600

/**
 * A sandbox plus a client whose transport can arm one fault right before the n-th call of a
 * method (`POST /__sandbox/faults`, awaited, then the call is sent): deterministic per step.
 */
export async function faultWorker(sbOpts = { speed: 100 }) {
  const sb = await sandboxLib.startSandbox(sbOpts)
  // armed: [{ method, nth, injected }] and the fault applied to each
  const plan = { targets: [], fault: null }
  const counts = new Map()
  const calls = []
  const transport = async (url, init) => {
    const m = new URL(url).searchParams.get('method')
    const n = (counts.get(m) ?? 0) + 1
    counts.set(m, n)
    calls.push(m)
    const target = plan.fault && plan.targets.find((t) => t.method === m && t.nth === n)
    if (target) {
      target.injected = true
      await control(sb, '/__sandbox/faults', {
        method: m, fault: plan.fault, times: 1, delay_ms: plan.fault === 'slow' ? SLOW_MS : null,
      })
    }
    return fetch(url, init)
  }
  const client = new lib.AlipayClient({
    appId: sb.demoApp.appId,
    privateKey: sb.demoApp.privateKey,
    alipayPublicKey: sb.alipayPublicKey,
    gateway: sb.url,
    timeoutMs: CALL_TIMEOUT_MS,
    fetch: transport,
  })
  return {
    sb,
    client,
    calls,
    /** Arms `fault` for each [method, nth] call (1-based per method); resets the counters. */
    arm(targets, fault) {
      plan.targets = targets.map(([method, nth]) => ({ method, nth, injected: false }))
      plan.fault = fault
      counts.clear()
      calls.length = 0
    },
    /** Whether every armed fault was injected and consumed; clears whatever is left. */
    async disarm() {
      const pending = await control(sb, '/__sandbox/faults', undefined, 'GET')
      await control(sb, '/__sandbox/faults', undefined, 'DELETE')
      const fired = plan.targets.every((t) => t.injected) && pending.pending.length === 0
      plan.fault = null
      return fired
    },
    close: () => sb.close(),
  }
}

/** The sandbox's trade for `outTradeNo`, or null (404). */
export async function trade(sb, outTradeNo) {
  const base = sb.url.replace(/\/gateway\.do$/, '')
  const res = await fetch(`${base}/__sandbox/trades/${encodeURIComponent(outTradeNo)}`)
  if (res.status === 404) return null
  if (!res.ok) throw new Error(`trade ${outTradeNo}: HTTP ${res.status}`)
  return res.json()
}

export const cents = (s) => {
  const [i, f = ''] = String(s ?? '0').split('.')
  return Number(i) * 100 + Number(f.padEnd(2, '0'))
}

/**
 * Judges a barcodePay outcome against the sandbox's real trade.
 * Returns { verdict: 'correct' | 'wrong' | 'unknown', why }:
 * - paid ⇔ the trade is TRADE_SUCCESS (same trade_no, nothing refunded);
 * - failed / cancelled ⇒ the buyer is not charged: no trade, or TRADE_CLOSED (closed or refunded in full);
 * - unknown is acceptable only when the cancel could not be confirmed (reason cancelNotConfirmed /
 *   cancelRefused); it is reported separately;
 * - after any outcome but unknown, no trade is left WAIT_BUYER_PAY.
 */
export function judgePay(outcome, t) {
  const st = t?.trade_status ?? 'NONE'
  const charged = st === 'TRADE_SUCCESS' || st === 'TRADE_FINISHED'
  switch (outcome.status) {
    case 'paid':
      if (!charged) return { verdict: 'wrong', why: `paid but the trade is ${st}` }
      if (outcome.tradeNo && outcome.tradeNo !== t.trade_no) return { verdict: 'wrong', why: `paid ${outcome.tradeNo} ≠ ${t.trade_no}` }
      if (outcome.outTradeNo !== t.out_trade_no) return { verdict: 'wrong', why: 'crossed trade' }
      if (cents(t.refunded_amount) !== 0) return { verdict: 'wrong', why: 'paid but refunded' }
      return { verdict: 'correct' }
    case 'failed':
    case 'cancelled':
      if (st === 'NONE') return { verdict: 'correct' }
      if (st === 'TRADE_CLOSED') {
        // closed unpaid, or paid and refunded in full by the cancel
        const refunded = cents(t.refunded_amount) + cents(t.cancel_refunded_amount)
        if (!t.gmt_payment || refunded >= cents(t.total_amount)) return { verdict: 'correct' }
        return { verdict: 'wrong', why: `${outcome.status} but closed with only ${refunded} cents refunded` }
      }
      return { verdict: 'wrong', why: `${outcome.status} but the trade is ${st}` }
    case 'unknown':
      if (!['cancelNotConfirmed', 'cancelRefused'].includes(outcome.reason)) {
        return { verdict: 'wrong', why: `unknown for reason ${outcome.reason}` }
      }
      return { verdict: 'unknown', why: `${outcome.reason}; trade ${st}` }
    default:
      return { verdict: 'wrong', why: `status ${outcome.status}` }
  }
}

/**
 * Judges a refund outcome: never doubled (at most one refund per out_request_no; the trade's
 * refunded total ≤ the amounts requested), refunded ⇔ the sandbox has our refund, failed ⇒ it has none.
 */
export function judgeRefund(outcome, t, outRequestNo, requestedCents) {
  const mine = (t?.refunds ?? []).filter((r) => r.out_request_no === outRequestNo)
  if (mine.length > 1) return { verdict: 'wrong', why: 'refund doubled' }
  if (cents(t?.refunded_amount) > requestedCents) return { verdict: 'wrong', why: `refunded ${t.refunded_amount} > requested` }
  switch (outcome.status) {
    case 'refunded':
      return mine.length === 1 ? { verdict: 'correct' } : { verdict: 'wrong', why: 'refunded but no refund in the sandbox' }
    case 'failed':
      return mine.length === 0 ? { verdict: 'correct' } : { verdict: 'wrong', why: 'failed but refunded' }
    case 'unknown':
      return { verdict: 'unknown', why: `${outcome.reason}; sandbox refunds: ${mine.length}` }
    default:
      return { verdict: 'wrong', why: `status ${outcome.status}` }
  }
}

/** Runs `fn(item, worker)` over items with one worker each, in parallel. */
export async function pool(items, workers, fn) {
  const queue = [...items]
  const out = []
  await Promise.all(workers.map(async (w) => {
    while (queue.length) {
      const item = queue.shift()
      out.push(await fn(item, w))
    }
  }))
  return out
}

/** Pays a trade cleanly (code 280…): the starting point of refund cases. */
export async function paidTrade(client, amount = '10.00') {
  const order = { outTradeNo: tradeNo('HP'), authCode: authCode('280'), totalAmount: amount, subject: 'hardening' }
  const r = await client.barcodePay(order, { pollIntervalMs: 100, maxWaitMs: 1500 })
  if (r.status !== 'paid') throw new Error(`setup payment not paid: ${JSON.stringify(r)}`)
  return order
}
