/**
 * `alipay-f2f sign-content [FILE|-]`: the sign content ("待签名字符串") of
 * request parameters given as JSON, a form body or a URL, and optionally
 * the signature with an app private key.
 *
 * @module
 */

import { sign, signContent } from '../../index.js'
import { EXIT_OK, UsageError, defineCommand, parseParams, readText } from './_shared.js'

/** The `sign-content` command. */
export const command = defineCommand(
  {
    name: 'sign-content',
    summary: 'print the sign content (待签名字符串) of request parameters, and the signature with --key',
    usage: ['sign-content [FILE|-] [--key PRIVATE_KEY_FILE] [--sign-type RSA2|RSA] [--charset utf-8|gbk] [--json]'],
    help: `Reads parameters from FILE (or stdin with - or no FILE) as
  a JSON object          {"app_id":"2021...","method":"alipay.trade.pay","biz_content":"{...}",...}
  a form body            app_id=2021...&method=alipay.trade.pay&biz_content=%7B...   (URL-decoded)
  a URL [+ form body]    https://openapi.alipay.com/gateway.do?app_id=...&sign=... biz_content=...
and prints the sign content: every parameter except sign, empty values dropped, sorted by key,
key=value joined by &, values raw (not URL-encoded).

options:
  --key FILE             also sign it with this app private key (prints sign=...)
  --sign-type RSA2|RSA   with --key (default: the sign_type parameter, else RSA2)
  --charset utf-8|gbk    with --key: bytes that are signed (default: the charset parameter, else utf-8)

examples:
  alipay-f2f sign-content request.json
  echo 'b=2&a=1' | alipay-f2f sign-content -`,
    options: {
      key: { type: 'string', short: 'k' },
      'sign-type': { type: 'string' },
      charset: { type: 'string' },
    },
    positionals: { max: 1 },
  },
  (ctx) => {
    const params = parseParams(readText(ctx.positionals[0] ?? '-', 'parameters file'))
    const content = signContent(params)
    const dropped = Object.entries(params)
      .filter(([k, v]) => k === 'sign' || k === '' || v === '')
      .map(([k]) => k)
    const keyFile = ctx.str('key')
    if (!keyFile && (ctx.str('sign-type') || ctx.str('charset'))) throw new UsageError('--sign-type and --charset need --key')
    let signature: string | undefined
    let signType: string | undefined
    let charset: string | undefined
    if (keyFile) {
      signType = ctx.str('sign-type') ?? params.sign_type ?? 'RSA2'
      if (signType !== 'RSA2' && signType !== 'RSA') throw new UsageError(`--sign-type must be RSA2 or RSA, got ${JSON.stringify(signType)}`)
      charset = (ctx.str('charset') ?? params.charset ?? 'utf-8').toLowerCase()
      if (charset !== 'utf-8' && charset !== 'gbk') throw new UsageError(`--charset must be utf-8 or gbk, got ${JSON.stringify(charset)}`)
      signature = sign(params, readText(keyFile, 'private key file'), { signType, charset })
    }
    ctx.say(content)
    if (signature) ctx.say(`sign=${signature}`)
    if (signature && params.sign !== undefined) {
      ctx.say(params.sign === signature ? '(matches the sign parameter of the input)' : '(differs from the sign parameter of the input)')
    }
    return {
      code: EXIT_OK,
      data: { signContent: content, dropped, ...(signature ? { sign: signature, signType, charset, matchesInput: params.sign === undefined ? null : params.sign === signature } : {}) },
    }
  },
)
