/**
 * `alipay-f2f barcode-pay`: the full, safe barcode payment with live
 * progress — pay; while the buyer confirms, poll; on timeout / unknown
 * results, query and cancel what is not proven paid. Ctrl-C is the
 * cashier's abort: the trade is reversed, not forgotten.
 *
 * @module
 */

import {
  EXIT_FAILED, EXIT_OK, GATEWAY_HELP, GATEWAY_OPTIONS, ORDER_OPTIONS, barcodeOrder, defineCommand, describePayOutcome, err,
  gatewayClient, positiveInt, progressPrinter,
} from './_shared.js'

/** The `barcode-pay` command. */
export const command = defineCommand(
  {
    name: 'barcode-pay',
    summary: 'charge a payment code with the full safe flow (pay, poll, query, cancel) and live progress',
    usage: ['barcode-pay --out-trade-no NO --auth-code CODE --amount YUAN --subject TEXT [--poll-interval-ms MS] [--max-wait-ms MS] [gateway options] [--json]'],
    help: `Charges the buyer's payment code and drives the payment to a verified outcome:
  10000 → paid; 10003 → polls alipay.trade.query until paid / closed / the deadline, then cancels;
  20000, network errors, timeouts, unverifiable answers → query, and cancel what is not proven paid.
Ctrl-C aborts like a cashier: the trade is reversed (cancelled), then the outcome is printed.
Exit 0 only when paid; 1 for failed (nothing charged), cancelled (reversed) or unknown (reconcile!).

order:
  --out-trade-no NO      merchant trade number (unique per sale)
  --auth-code CODE       the buyer's payment code (付款码)
  --amount YUAN          total_amount, e.g. 88.88
  --subject TEXT         order title
  --store-id ID, --operator-id ID, --terminal-id ID, --timeout-express 5m
flow:
  --poll-interval-ms MS  query interval while the buyer confirms (default 5000, min 100)
  --max-wait-ms MS       give up waiting for the buyer after this (default 30000, max 60000)

${GATEWAY_HELP}`,
    options: {
      ...GATEWAY_OPTIONS,
      ...ORDER_OPTIONS,
      'poll-interval-ms': { type: 'string' },
      'max-wait-ms': { type: 'string' },
    },
  },
  async (ctx) => {
    const order = barcodeOrder(ctx)
    const opts: { pollIntervalMs?: number; maxWaitMs?: number } = {}
    if (ctx.str('poll-interval-ms')) opts.pollIntervalMs = positiveInt('--poll-interval-ms', ctx.str('poll-interval-ms')!)
    if (ctx.str('max-wait-ms')) opts.maxWaitMs = positiveInt('--max-wait-ms', ctx.str('max-wait-ms')!)
    const client = gatewayClient(ctx)
    const abort = new AbortController()
    const onSig = () => {
      if (abort.signal.aborted) return
      err('alipay-f2f barcode-pay: aborting — reversing the trade (wait for the outcome)')
      abort.abort()
    }
    process.on('SIGINT', onSig)
    process.on('SIGTERM', onSig)
    const print = progressPrinter()
    const events: unknown[] = []
    try {
      const outcome = await client.barcodePay(order, {
        ...opts,
        signal: abort.signal,
        onEvent: (e) => {
          events.push(e)
          if (!ctx.json) print(e)
        },
      })
      for (const l of describePayOutcome(outcome)) ctx.say(l)
      return { code: outcome.status === 'paid' ? EXIT_OK : EXIT_FAILED, data: { ok: outcome.status === 'paid', outcome, events } }
    } finally {
      process.removeListener('SIGINT', onSig)
      process.removeListener('SIGTERM', onSig)
    }
  },
)
