/**
 * `alipay-f2f cancel`: `alipay.trade.cancel` (reverses an unpaid trade by
 * closing it, a paid one by refunding it), retried while the gateway says
 * `retry_flag=Y`.
 *
 * @module
 */

import { AlipayError } from '../../index.js'
import { GATEWAY_HELP, GATEWAY_OPTIONS, UsageError, defineCommand, gatewayClient, positiveInt } from './_shared.js'
import { TRADE_REF_OPTIONS, oneShot, tradeRef } from './_gateway.js'

/** The `cancel` command. */
export const command = defineCommand(
  {
    name: 'cancel',
    summary: 'cancel (reverse) a trade (alipay.trade.cancel), retrying while retry_flag=Y',
    usage: ['cancel (--out-trade-no NO | --trade-no NO) [--retries N] [gateway options] [--json]'],
    help: `Reverses a trade: unpaid → closed (action=close), paid → refunded (action=refund). Retries while
the gateway answers retry_flag=Y (default 3 retries, 2 s apart). Exit 0 when a verified 10000 came back.

  --retries N            retries while retry_flag=Y (default 3)

${GATEWAY_HELP}`,
    options: { ...GATEWAY_OPTIONS, ...TRADE_REF_OPTIONS, retries: { type: 'string' } },
  },
  async (ctx) => {
    const ref = tradeRef(ctx)
    const retries = ctx.str('retries') === undefined ? 3 : ctx.str('retries') === '0' ? 0 : positiveInt('--retries', ctx.str('retries')!)
    if (retries > 20) throw new UsageError('--retries: at most 20')
    const client = gatewayClient(ctx)
    let attempt = 0
    const call = async (): Promise<Record<string, unknown>> => {
      for (;;) {
        attempt++
        try {
          return await client.cancel(ref)
        } catch (e) {
          if (e instanceof AlipayError && e.code === 'ERR_GATEWAY' && e.response?.retry_flag === 'Y' && attempt <= retries) {
            ctx.say(`alipay.trade.cancel #${attempt}: ${e.subCode ?? e.gatewayCode} retry_flag=Y — retrying in 2 s`)
            await new Promise((r) => setTimeout(r, 2000))
            continue
          }
          throw e
        }
      }
    }
    return oneShot(ctx, 'alipay.trade.cancel', call, (obj) => {
      if (obj.action === 'close') return ['=> the unpaid trade was closed: nothing charged']
      if (obj.action === 'refund') return ['=> the trade had been paid: it was refunded to the buyer']
      if (obj.code === '10000') return ['=> cancelled (the trade did not exist yet; the order number can no longer be paid)']
      if (obj.retry_flag === 'Y') return ['=> not cancelled yet (retry_flag=Y): run cancel again']
      return []
    })
  },
)
