/**
 * `alipay-f2f pay`: one `alipay.trade.pay` call (`scene=bar_code`), for
 * integration checks. A cashier uses `barcode-pay`, which also polls,
 * queries and cancels.
 *
 * @module
 */

import { GATEWAY_HELP, GATEWAY_OPTIONS, ORDER_OPTIONS, barcodeOrder, defineCommand, gatewayClient } from './_shared.js'
import { oneShot } from './_gateway.js'

/** The `pay` command. */
export const command = defineCommand(
  {
    name: 'pay',
    summary: 'one alipay.trade.pay call (bar_code); use barcode-pay for the full safe flow',
    usage: ['pay --out-trade-no NO --auth-code CODE --amount 88.88 --subject TEXT [--store-id ID] [--terminal-id ID] [gateway options] [--json]'],
    help: `Sends ONE alipay.trade.pay (scene=bar_code, product_code=FACE_TO_FACE_PAYMENT) and prints the verified answer.
Exit 0 only for 10000 (paid). 10003 (buyer confirming), 20000 or a network error leave the trade open:
follow with \`alipay-f2f query\` and \`alipay-f2f cancel\` — or use \`alipay-f2f barcode-pay\`, which does that.

order:
  --out-trade-no NO      merchant trade number
  --auth-code CODE       the buyer's payment code
  --amount YUAN          total_amount, e.g. 88.88
  --subject TEXT         order title
  --store-id ID, --operator-id ID, --terminal-id ID, --timeout-express 5m

${GATEWAY_HELP}`,
    options: {
      ...GATEWAY_OPTIONS,
      ...ORDER_OPTIONS,
    },
  },
  async (ctx) => {
    const args = barcodeOrder(ctx)
    const client = gatewayClient(ctx)
    return oneShot(ctx, 'alipay.trade.pay', () => client.pay({ ...args }), (obj) => {
      if (obj.code === '10003') return ['the buyer is confirming on the phone: the trade is OPEN. Poll with `alipay-f2f query`, and `alipay-f2f cancel` it if not paid in time']
      if (obj.code === '20000') return ['outcome UNKNOWN: query the trade, and cancel it if it is not paid']
      return []
    })
  },
)
