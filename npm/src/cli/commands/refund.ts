/**
 * `alipay-f2f refund`: the idempotent refund flow (`alipay.trade.refund`
 * with a stable `out_request_no`, confirmed by `fund_change=Y` or a refund
 * query), with live progress.
 *
 * @module
 */

import type { RefundOrder } from '../../index.js'
import {
  EXIT_FAILED, EXIT_OK, GATEWAY_HELP, GATEWAY_OPTIONS, amount, defineCommand, describeRefundOutcome, gatewayClient, progressPrinter,
} from './_shared.js'
import { TRADE_REF_OPTIONS, tradeRef } from './_gateway.js'

/** The `refund` command. */
export const command = defineCommand(
  {
    name: 'refund',
    summary: 'refund (part of) a paid trade, idempotent by --out-request-no, confirmed, with progress',
    usage: ['refund (--out-trade-no NO | --trade-no NO) --amount YUAN [--out-request-no NO] [--reason TEXT] [gateway options] [--json]'],
    help: `Refunds through the safe refund flow: alipay.trade.refund with a stable out_request_no (retried with
the same number when the result is unclear) and confirmed by fund_change=Y or
alipay.trade.fastpay.refund.query. Running it again with the same --out-request-no never refunds twice.
Exit 0 when the refund is proven, 1 when it failed or is unknown.

  --amount YUAN          refund_amount (partial refunds allowed, cumulative up to the total)
  --out-request-no NO    idempotency key of this refund (generated and printed when absent: keep it to retry)
  --reason TEXT          refund_reason

${GATEWAY_HELP}`,
    options: { ...GATEWAY_OPTIONS, ...TRADE_REF_OPTIONS, amount: { type: 'string' }, 'out-request-no': { type: 'string' }, reason: { type: 'string' } },
  },
  async (ctx) => {
    const order: RefundOrder = { ...tradeRef(ctx), refundAmount: amount('--amount', ctx.str('amount')) }
    const req = ctx.str('out-request-no')
    if (req) order.outRequestNo = req
    const reason = ctx.str('reason')
    if (reason) order.refundReason = reason
    const client = gatewayClient(ctx)
    const print = progressPrinter()
    const events: unknown[] = []
    const outcome = await client.refundFlow(order, {
      onEvent: (e) => {
        events.push(e)
        if (!ctx.json) print(e)
      },
    })
    for (const l of describeRefundOutcome(outcome)) ctx.say(l)
    return { code: outcome.status === 'refunded' ? EXIT_OK : EXIT_FAILED, data: { ok: outcome.status === 'refunded', outcome, events } }
  },
)
