/**
 * `alipay-f2f query`: one `alipay.trade.query` call, verified.
 *
 * @module
 */

import { GATEWAY_HELP, GATEWAY_OPTIONS, defineCommand, gatewayClient } from './_shared.js'
import { TRADE_REF_OPTIONS, oneShot, tradeRef } from './_gateway.js'

const STATUS: Record<string, string> = {
  WAIT_BUYER_PAY: 'waiting for the buyer (not paid yet)',
  TRADE_SUCCESS: 'PAID (refundable)',
  TRADE_FINISHED: 'PAID (finished, no longer refundable)',
  TRADE_CLOSED: 'closed: unpaid, cancelled, or fully refunded',
}

/** The `query` command. */
export const command = defineCommand(
  {
    name: 'query',
    summary: 'query a trade (alipay.trade.query), verified',
    usage: ['query (--out-trade-no NO | --trade-no NO) [gateway options] [--json]'],
    help: `Prints the verified trade: trade_status, amounts, buyer. Exit 0 when the gateway answered 10000,
1 otherwise (e.g. ACQ.TRADE_NOT_EXIST).

${GATEWAY_HELP}`,
    options: { ...GATEWAY_OPTIONS, ...TRADE_REF_OPTIONS },
  },
  async (ctx) => {
    const ref = tradeRef(ctx)
    const client = gatewayClient(ctx)
    return oneShot(ctx, 'alipay.trade.query', () => client.query(ref), (obj) => {
      const s = typeof obj.trade_status === 'string' ? STATUS[obj.trade_status] : undefined
      return s ? [`=> ${obj.trade_status}: ${s}`] : []
    })
  },
)
