/**
 * `alipay-f2f verify-notify [FILE|-]`: verifies a captured asynchronous
 * notification (the `x-www-form-urlencoded` body Alipay POSTs to
 * `notify_url`) with the Alipay public key.
 *
 * @module
 */

import { AlipayError, verifyNotifyOrThrow } from '../../index.js'
import { CliError, EXIT_FAILED, EXIT_OK, UsageError, defineCommand, err, readText } from './_shared.js'

/** The `verify-notify` command. */
export const command = defineCommand(
  {
    name: 'verify-notify',
    summary: 'verify a captured notify_url notification (form body from a file or stdin)',
    usage: ['verify-notify [FILE|-] --alipay-public-key FILE [--sign-type RSA2|RSA] [--json]'],
    help: `Reads the raw notification body (x-www-form-urlencoded, exactly as POSTed to your notify_url; or a JSON
object of the decoded parameters) from FILE or stdin, and verifies its signature with the Alipay public key.
Exit 0 when it verifies (prints the trade fields), 1 when it does not.

  --alipay-public-key FILE   the Alipay public key (支付宝公钥) or certificate (required)
  --sign-type RSA2|RSA       default: the notification's sign_type, else RSA2

Tip: capture the body before any framework decodes it (decoding twice breaks % and + in values).`,
    options: { 'alipay-public-key': { type: 'string' }, 'sign-type': { type: 'string' } },
    positionals: { max: 1 },
  },
  (ctx) => {
    const keyFile = ctx.str('alipay-public-key')
    if (!keyFile) throw new UsageError('--alipay-public-key FILE is required')
    const key = readText(keyFile, 'Alipay public key file')
    const raw = readText(ctx.positionals[0] ?? '-', 'notification file').replace(/^\uFEFF/, '').trim()
    if (raw === '') throw new CliError('ERR_INPUT', 'the notification is empty')
    let input: string | Record<string, string> = raw
    if (raw.startsWith('{')) {
      try {
        input = JSON.parse(raw) as Record<string, string>
      } catch (e) {
        throw new CliError('ERR_INPUT', `the notification looks like JSON but does not parse: ${(e as Error).message}`)
      }
    } else if (!raw.includes('=')) {
      throw new CliError('ERR_INPUT', 'the notification is not a form body (a=1&b=2) nor a JSON object')
    }
    const signType = ctx.str('sign-type')
    if (signType !== undefined && signType !== 'RSA2' && signType !== 'RSA') throw new UsageError(`--sign-type must be RSA2 or RSA, got ${JSON.stringify(signType)}`)
    try {
      const params = verifyNotifyOrThrow(input, key, signType ? { signType } : undefined)
      ctx.say('✔ notification signature verified')
      for (const k of ['notify_type', 'notify_id', 'app_id', 'out_trade_no', 'trade_no', 'trade_status', 'total_amount', 'receipt_amount', 'refund_fee', 'gmt_payment', 'gmt_refund']) {
        if (params[k] !== undefined) ctx.say(`  ${k.padEnd(16)} ${params[k]}`)
      }
      ctx.say('(also check app_id, out_trade_no and total_amount against your order before acting on it; answer "success")')
      return { code: EXIT_OK, data: { ok: true, verified: true, params } }
    } catch (e) {
      if (e instanceof AlipayError && ['ERR_SIGNATURE', 'ERR_UNSIGNED_RESPONSE', 'ERR_RESPONSE_FORMAT', 'ERR_CHARSET', 'ERR_INVALID_ARGUMENT'].includes(e.code)) {
        const hints = [
          'is the key the Alipay public key (支付宝公钥) of this app, not the app public key?',
          'was the body decoded twice (e.g. a framework decoded it, then it was re-encoded)? verify the raw body',
          'sign_type must match the notification (RSA2 for 2048-bit keys)',
        ]
        ctx.say(`✖ NOT verified: ${e.code}: ${e.message}`)
        if (!ctx.json) for (const h of hints) err(`  hint: ${h}`)
        return { code: EXIT_FAILED, data: { ok: false, verified: false, error: { code: e.code, message: e.message, hints } } }
      }
      throw e
    }
  },
)
