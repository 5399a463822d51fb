/**
 * Shared parts of the one-shot gateway commands (`pay`, `query`, `cancel`):
 * trade-reference flags, printing a verified answer, mapping gateway
 * errors to exit codes.
 *
 * @module
 */

import { AlipayError } from '../../index.js'
import type { Ctx, Result } from './_shared.js'
import { EXIT_FAILED, EXIT_OK, UsageError, describeError, err } from './_shared.js'

/** `--out-trade-no` / `--trade-no` as the snake_case biz_content reference. */
export function tradeRef(ctx: Ctx): { outTradeNo?: string; tradeNo?: string } {
  const outTradeNo = ctx.str('out-trade-no')
  const tradeNo = ctx.str('trade-no')
  if (!outTradeNo && !tradeNo) throw new UsageError('give --out-trade-no NO or --trade-no NO')
  return { ...(outTradeNo ? { outTradeNo } : {}), ...(tradeNo ? { tradeNo } : {}) }
}

/** Prints the verified answer fields, one per line. */
export function printResponse(ctx: Ctx, title: string, obj: Record<string, unknown>): void {
  ctx.say(title)
  for (const [k, v] of Object.entries(obj)) ctx.say(`  ${k.padEnd(22)} ${typeof v === 'string' ? v : JSON.stringify(v)}`)
}

/**
 * Runs a one-shot call: `ok` → exit 0 with the verified answer; a gateway
 * `code` other than 10000 → exit 1 with the verified answer; anything else
 * (network, signature, ...) is rethrown for the generic error printer.
 */
export async function oneShot(
  ctx: Ctx,
  method: string,
  call: () => Promise<Record<string, unknown>>,
  explain: (obj: Record<string, unknown>) => string[] = () => [],
): Promise<Result> {
  try {
    const obj = await call()
    printResponse(ctx, `${method}: 10000 ok (signature verified)`, obj)
    for (const l of explain(obj)) ctx.say(l)
    return { code: EXIT_OK, data: { ok: true, method, response: obj } }
  } catch (e) {
    if (e instanceof AlipayError && e.code === 'ERR_GATEWAY' && e.response) {
      const obj = e.response
      const d = describeError(e)
      printResponse(ctx, `${method}: ${obj.code} ${obj.msg ?? ''} (signature verified)`, obj)
      const extra = explain(obj)
      for (const l of extra) ctx.say(l)
      if (!ctx.json) err(`alipay-f2f: ${method} answered ${obj.code}${obj.sub_code ? ` ${obj.sub_code}` : ''}${obj.sub_msg ? `: ${obj.sub_msg}` : ''}`)
      for (const h of d.hints) ctx.say(`hint: ${h}`)
      return { code: EXIT_FAILED, data: { ok: false, method, response: obj, error: { code: e.code, message: e.message, hints: [...extra, ...d.hints] } } }
    }
    throw e
  }
}

/** Trade-reference options. */
export const TRADE_REF_OPTIONS = {
  'out-trade-no': { type: 'string' as const },
  'trade-no': { type: 'string' as const },
}
