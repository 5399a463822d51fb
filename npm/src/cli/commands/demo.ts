/**
 * `alipay-f2f demo`: starts the embedded sandbox gateway and runs what a
 * cashier does, printing what the cashier would see: a barcode payment that
 * needs the buyer's password (pay → polling → paid), a partial refund, and a
 * payment the buyer never confirms (polled, then cancelled).
 *
 * @module
 */

import { AlipayClient } from '../../index.js'
import type { FlowEvent, PayOutcome, RefundOutcome } from '../../index.js'
import { startSandbox } from '../../sandbox.js'
import { EXIT_FAILED, EXIT_OK, defineCommand, describePayOutcome, describeRefundOutcome, positiveInt, progressPrinter, yuan } from './_shared.js'

function code(prefix: string): string {
  let s = prefix
  while (s.length < 18) s += Math.floor(Math.random() * 10)
  return s
}

function stamp(): string {
  const d = new Date(Date.now() + 8 * 3600_000) // UTC+8, like the gateway
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14)
}

/** The `demo` command. */
export const command = defineCommand(
  {
    name: 'demo',
    summary: 'run a cashier demo against the embedded offline sandbox (pay with password, partial refund, unconfirmed payment cancelled)',
    usage: ['demo [--fast] [--poll-interval-ms MS] [--max-wait-ms MS] [--json]'],
    help: `Starts the offline sandbox gateway (no network, public test keys) and runs three steps:
  1. a barcode payment where the buyer must enter the password on the phone:
     alipay.trade.pay answers 10003, the flow polls alipay.trade.query until TRADE_SUCCESS;
  2. a partial refund of that payment (idempotent by out_request_no, confirmed);
  3. a payment the buyer never confirms: polled until the deadline, then cancelled (closed).
Every answer is verified with the sandbox's Alipay public key before it is shown.

options:
  --fast                 sandbox at 20x speed and short polling (for tests; a second or two)
  --poll-interval-ms MS  query interval while the buyer confirms (default 1000; the real default is 5000)
  --max-wait-ms MS       how long step 3 waits for the buyer before cancelling (default 4000)

exit code 0 when the three steps end as expected (paid, refunded, cancelled).`,
    options: {
      fast: { type: 'boolean' },
      'poll-interval-ms': { type: 'string' },
      'max-wait-ms': { type: 'string' },
    },
  },
  async (ctx) => {
    const fast = ctx.values.fast === true
    const pollIntervalMs = ctx.str('poll-interval-ms') ? positiveInt('--poll-interval-ms', ctx.str('poll-interval-ms')!) : fast ? 100 : 1000
    const maxWaitMs = ctx.str('max-wait-ms') ? positiveInt('--max-wait-ms', ctx.str('max-wait-ms')!) : fast ? 600 : 4000
    const speed = fast ? 20 : 1
    const t0 = Date.now()
    const say = ctx.say

    say('alipay-f2f demo — Alipay face-to-face barcode payments against the offline sandbox gateway')
    const sb = await startSandbox({ speed })
    try {
      const client = new AlipayClient({
        appId: sb.demoApp.appId,
        privateKey: sb.demoApp.privateKey,
        alipayPublicKey: sb.alipayPublicKey,
        gateway: sb.url,
        timeoutMs: 5000,
      })
      say(`sandbox gateway ${sb.url} (app ${sb.demoApp.appId}, public test keys; RSA2, answers verified with the sandbox Alipay public key)`)
      const steps: { step: string; outcome: PayOutcome | RefundOutcome; events: FlowEvent[] }[] = []
      const track = () => {
        const events: FlowEvent[] = []
        const print = progressPrinter({ t0, indent: '   ' })
        return {
          events,
          onEvent: (e: FlowEvent) => {
            events.push(e)
            if (!ctx.json) print(e)
          },
        }
      }
      const show = (lines: string[]) => {
        for (const l of lines) say(`   ${l}`)
        say()
      }

      // 1. payment with the buyer's password
      const sale1 = { outTradeNo: `DEMO${stamp()}01`, authCode: code('28103'), totalAmount: '88.88', subject: 'Coffee x2', storeId: 'STORE_001', terminalId: 'POS_01' }
      say()
      say(`① Sale ${sale1.outTradeNo}: ${yuan(sale1.totalAmount)} "${sale1.subject}" — the buyer's app asks for the payment password`)
      say(`   cashier scans payment code ${sale1.authCode.slice(0, 2)}${'*'.repeat(12)}${sale1.authCode.slice(-4)}`)
      const t1 = track()
      const paid = await client.barcodePay(sale1, { pollIntervalMs, onEvent: t1.onEvent })
      steps.push({ step: 'pay with password', outcome: paid, events: t1.events })
      show(describePayOutcome(paid))

      // 2. partial refund
      let refund: RefundOutcome | undefined
      if (paid.status === 'paid') {
        const order = { outTradeNo: sale1.outTradeNo, refundAmount: '20.00', outRequestNo: `${sale1.outTradeNo}R1`, refundReason: 'one coffee returned' }
        say(`② Partial refund of ${yuan(order.refundAmount)} on ${sale1.outTradeNo} ("${order.refundReason}")`)
        const t2 = track()
        refund = await client.refundFlow(order, { onEvent: t2.onEvent, queryDelayMs: 200, retryIntervalMs: 200 })
        steps.push({ step: 'partial refund', outcome: refund, events: t2.events })
        show(describeRefundOutcome(refund))
      } else {
        say('② Partial refund skipped: sale 1 was not paid')
      }

      // 3. the buyer never confirms
      const sale2 = { outTradeNo: `DEMO${stamp()}02`, authCode: code('282'), totalAmount: '15.00', subject: 'Sandwich' }
      say(`③ Sale ${sale2.outTradeNo}: ${yuan(sale2.totalAmount)} "${sale2.subject}" — the buyer never confirms; the POS gives up after ${(maxWaitMs / 1000).toFixed(1)} s`)
      const t3 = track()
      const cancelled = await client.barcodePay(sale2, { pollIntervalMs, maxWaitMs, onEvent: t3.onEvent })
      steps.push({ step: 'unconfirmed payment', outcome: cancelled, events: t3.events })
      show(describePayOutcome(cancelled))

      // final state, from verified queries
      const trades: Record<string, unknown> = {}
      say('Final trade states (signature-verified alipay.trade.query):')
      for (const o of [sale1, sale2]) {
        try {
          const q = await client.query({ outTradeNo: o.outTradeNo })
          trades[o.outTradeNo] = q
          say(`   ${o.outTradeNo}  ${String(q.trade_status).padEnd(14)} total ${yuan(q.total_amount)}`)
        } catch (e) {
          trades[o.outTradeNo] = { error: e instanceof Error ? e.message : String(e) }
          say(`   ${o.outTradeNo}  query failed: ${e instanceof Error ? e.message : String(e)}`)
        }
      }
      const ok = paid.status === 'paid' && refund?.status === 'refunded' && cancelled.status === 'cancelled'
      say()
      say(ok ? `Demo complete in ${((Date.now() - t0) / 1000).toFixed(1)} s: paid, refunded, cancelled — as expected.` : 'Demo did NOT end as expected (see above).')
      return { code: ok ? EXIT_OK : EXIT_FAILED, data: { ok, sandbox: { url: sb.url, appId: sb.demoApp.appId }, steps, trades } }
    } finally {
      await sb.close()
    }
  },
)
