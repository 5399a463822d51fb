/**
 * `alipay-f2f diagnose RESPONSE [--request PARAMS]`: explains a gateway
 * `isv.invalid-signature` answer — the most common integration failure. The
 * gateway puts its own sign content in `sub_msg` (with `&amp;` entities);
 * this command compares it with the sign content of the request that was
 * sent, parameter by parameter, and names the likely cause (charset,
 * URL-encoding, parameters added after signing, key or sign_type mismatch).
 *
 * @module
 */

import { createSign, createVerify } from 'node:crypto'

import { signContent } from '../../index.js'
import { CliError, EXIT_OK, defineCommand, parseParams, readText } from './_shared.js'
import { inspectKey } from './keys.js'

/** One parameter of a sign content. */
interface Param {
  key: string
  value: string
}

/** HTML entities the gateway uses in `sub_msg`. */
export function unescapeEntities(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|apos|#39|#x27);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#x27': "'" })[e]!)
}

/** Is `s` an unfinished JSON value (open braces/brackets or an open string)? */
function jsonOpen(s: string): boolean {
  if (!s.startsWith('{') && !s.startsWith('[')) return false
  let depth = 0
  let inStr = false
  for (let i = 0; i < s.length; i++) {
    const c = s[i]
    if (inStr) {
      if (c === '\\') i++
      else if (c === '"') inStr = false
    } else if (c === '"') inStr = true
    else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
  }
  return inStr || depth > 0
}

/**
 * Splits a sign content into parameters. Values are raw, so a `&` may occur
 * inside one (typically inside `biz_content` JSON): a piece continues the
 * previous value while that value is unfinished JSON, or when it does not
 * start with `key=`.
 */
export function splitSignContent(content: string): Param[] {
  const out: Param[] = []
  for (const piece of content.split('&')) {
    const last = out[out.length - 1]
    const m = /^([A-Za-z0-9_.]+)=/.exec(piece)
    if (last && (jsonOpen(last.value) || !m)) {
      last.value += `&${piece}`
      continue
    }
    if (!m) {
      out.push({ key: piece, value: '' })
      continue
    }
    out.push({ key: m[1]!, value: piece.slice(m[0].length) })
  }
  return out
}

/** Finds the response node and the gateway's sign content in an answer. */
export function gatewaySignContent(body: string): { node: string; fields: Record<string, unknown>; content?: string } {
  let top: unknown
  try {
    top = JSON.parse(body)
  } catch {
    throw new CliError('ERR_RESPONSE_FORMAT', 'the response is not JSON: give the gateway answer text as received (e.g. {"alipay_trade_pay_response":{...},"sign":"..."})')
  }
  if (typeof top !== 'object' || top === null || Array.isArray(top)) throw new CliError('ERR_RESPONSE_FORMAT', 'the response is not a JSON object')
  const node = Object.keys(top).find((k) => k.endsWith('_response'))
  if (!node) throw new CliError('ERR_RESPONSE_FORMAT', 'no "<method>_response" node in the response')
  const fields = (top as Record<string, unknown>)[node]
  if (typeof fields !== 'object' || fields === null) {
    throw new CliError('ERR_RESPONSE_FORMAT', `the "${node}" node is not an object (an AES-encrypted answer? it cannot carry a signature error)`)
  }
  const f = fields as Record<string, unknown>
  const subMsg = typeof f.sub_msg === 'string' ? f.sub_msg : ''
  let content: string | undefined
  const m = /验签字符串为[：:]\s*([\s\S]*)$/.exec(subMsg) ?? /sign (?:content|string)[^:：]*[：:]\s*([\s\S]*)$/i.exec(subMsg)
  if (m) content = m[1]
  else {
    const i = subMsg.search(/[a-z_]+=/)
    if (i >= 0 && subMsg.includes('&amp;')) content = subMsg.slice(i)
  }
  return { node, fields: f, content: content === undefined ? undefined : unescapeEntities(content) }
}

interface Diff {
  key: string
  status: 'same' | 'different' | 'onlyOurs' | 'onlyGateway'
  ours?: string
  gateway?: string
  /** first differing character index */
  at?: number
  hints: string[]
}

function firstDiff(a: string, b: string): number {
  let i = 0
  while (i < a.length && i < b.length && a[i] === b[i]) i++
  return i
}

function around(s: string, i: number): string {
  const start = Math.max(0, i - 20)
  return `${start > 0 ? '…' : ''}${s.slice(start, i)}⟦${s.slice(i, i + 12)}⟧${i + 12 < s.length ? '…' : ''}`
}

function valueHints(key: string, ours: string, gw: string): string[] {
  const hints: string[] = []
  // biome-ignore lint: control characters intended
  const nonAscii = /[^\x00-\x7f]/
  if (gw.includes('\uFFFD')) {
    hints.push('the gateway could not decode your bytes in the charset it used: encode every value in the charset named by the `charset` parameter, and put `charset` in the URL query string')
  } else {
    try {
      const asGbk = new TextDecoder('gbk').decode(new TextEncoder().encode(ours))
      if (asGbk === gw && asGbk !== ours) hints.push('you sent UTF-8 bytes but the gateway read them as GBK: send charset=utf-8 in the URL query string (or encode the body in GBK if charset=gbk)')
    } catch {
      // no GBK decoder in this Node build
    }
    if (!hints.length && (nonAscii.test(ours) || nonAscii.test(gw))) {
      hints.push('non-ASCII text differs: a charset mismatch between the body bytes and the `charset` parameter (which must be in the URL query string)')
    }
  }
  if (ours.replace(/ /g, '+') === gw) hints.push('spaces arrived as "+": the value was sent in a place that is not form-decoded, or encoded with + where %20 was needed')
  if (/%[0-9A-Fa-f]{2}/.test(gw)) {
    try {
      if (decodeURIComponent(gw.replace(/\+/g, ' ')) === ours) hints.push('the gateway received the value still percent-encoded: it was URL-encoded twice')
    } catch {
      // not decodable
    }
  }
  if (ours.startsWith(gw) && /[&=+#]/.test(ours[gw.length] ?? '')) {
    hints.push(`the value was cut at "${ours[gw.length]}": percent-encode parameter values (an unencoded & + = # breaks the form/query)`)
  }
  if (key === 'biz_content' && !hints.length) {
    try {
      if (JSON.stringify(JSON.parse(ours)) === JSON.stringify(JSON.parse(gw))) hints.push('same JSON, different text: sign exactly the biz_content string you send (no re-serialisation after signing)')
    } catch {
      // not JSON
    }
  }
  return hints
}

/** Compares our parameters with the gateway's sign content. */
export function diffParams(ours: Param[], gateway: Param[]): Diff[] {
  const o = new Map(ours.map((p) => [p.key, p.value]))
  const g = new Map(gateway.map((p) => [p.key, p.value]))
  const keys = [...new Set([...o.keys(), ...g.keys()])].sort()
  return keys.map((key): Diff => {
    const a = o.get(key)
    const b = g.get(key)
    if (a === undefined) {
      return { key, status: 'onlyGateway', gateway: b, hints: ['the gateway received a parameter you did not sign (added to the URL or body after signing?)'] }
    }
    if (b === undefined) {
      return { key, status: 'onlyOurs', ours: a, hints: ['signed but not received by the gateway: sent where the gateway does not read it, or lost on the way (proxy, empty value)'] }
    }
    if (a === b) return { key, status: 'same', ours: a, gateway: b, hints: [] }
    return { key, status: 'different', ours: a, gateway: b, at: firstDiff(a, b), hints: valueHints(key, a, b) }
  })
}

/** The `diagnose` command. */
export const command = defineCommand(
  {
    name: 'diagnose',
    summary: 'explain an isv.invalid-signature answer: diff our sign content against the gateway\'s, param by param',
    usage: ['diagnose RESPONSE_FILE|- [--request PARAMS_FILE] [--app-public-key FILE] [--private-key FILE] [--json]'],
    help: `RESPONSE_FILE is the gateway's answer text, e.g.
  {"alipay_trade_pay_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-signature",
   "sub_msg":"验签出错，…网关生成的验签字符串为：app_id=…&amp;biz_content=…"},"sign":"…"}
The gateway's sign content is taken from sub_msg (&amp; entities decoded) and split into parameters.

options:
  --request FILE         the parameters you sent (JSON object, form body, or URL [+ body]: see sign-content):
                         their sign content is compared with the gateway's, parameter by parameter
  --app-public-key FILE  the app public key uploaded to the console: checks the request's sign against it
  --private-key FILE     the private key you sign with: re-signs the request to see which content it signed

Reports: identical contents (then the key pair or sign_type is wrong), parameters only on one side,
and for each differing value where it differs with charset / URL-encoding / truncation hints.`,
    options: {
      request: { type: 'string', short: 'r' },
      'app-public-key': { type: 'string' },
      'private-key': { type: 'string' },
    },
    positionals: { min: 1, max: 1 },
  },
  (ctx) => {
    const { node, fields, content } = gatewaySignContent(readText(ctx.positionals[0]!, 'response file'))
    const subCode = typeof fields.sub_code === 'string' ? fields.sub_code : undefined
    const say = ctx.say
    const hints: string[] = []
    if (subCode !== 'isv.invalid-signature') {
      const known: Record<string, string> = {
        'isv.invalid-app-id': 'the gateway does not know this app id: wrong appId, or a production app id against the sandbox gateway (or the reverse)',
        'isv.missing-signature-config': 'no key is configured for this app in the console (开发设置 → 接口加签方式)',
        'isv.invalid-signature-type': 'sign_type must be RSA2 or RSA and match the console setting',
        'isv.invalid-timestamp': 'timestamp must be "yyyy-MM-dd HH:mm:ss" in UTC+8 (China time), close to the real time',
        'isv.invalid-charset': 'charset must be utf-8 or gbk, in the URL query string',
      }
      const msg = `${node}: ${fields.code ?? '?'} ${subCode ?? '(no sub_code)'}${fields.sub_msg ? ` ${fields.sub_msg}` : ''}`
      say(`${msg}\nthis is not an isv.invalid-signature answer.`)
      if (subCode && known[subCode]) {
        say(`hint: ${known[subCode]}`)
        hints.push(known[subCode])
      }
      return { code: EXIT_OK, data: { node, subCode, signatureError: false, hints } }
    }
    if (content === undefined) {
      throw new CliError('ERR_RESPONSE_FORMAT', 'the sub_msg carries no gateway sign content ("…验签字符串为：…"): was the answer shortened?')
    }
    const gwParams = splitSignContent(content)
    say(`gateway sign content (from sub_msg, &amp; decoded):\n  ${content}`)
    const data: Record<string, unknown> = { node, subCode, signatureError: true, gatewaySignContent: content, gatewayParams: gwParams }

    const reqFile = ctx.str('request')
    let reqParams: Record<string, string> | undefined
    if (reqFile) {
      reqParams = parseParams(readText(reqFile, 'request file'), 'request')
      const ours = signContent(reqParams)
      data.ourSignContent = ours
      say(`our sign content:\n  ${ours}`)
      const diffs = diffParams(splitSignContent(ours), gwParams)
      data.diffs = diffs
      data.identical = ours === content
      if (ours === content) {
        say('\n✔ the sign contents are IDENTICAL: the parameters arrived intact; the signature itself does not verify.')
        hints.push(
          'the private key that signed does not belong to the app public key configured in the console (check with --app-public-key / --private-key, or `alipay-f2f keys check`)',
          `sign_type=${reqParams.sign_type ?? '?'} must match the console's 加签方式 (RSA2 = SHA256withRSA with a 2048-bit key)`,
        )
        if (/[^\x00-\x7f]/.test(ours)) hints.push(`non-ASCII text is signed as ${reqParams.charset ?? 'utf-8'} bytes: the signature must be computed over the bytes of the charset parameter`)
      } else {
        say('\n✖ the sign contents DIFFER:')
        for (const d of diffs) {
          if (d.status === 'same') continue
          if (d.status === 'onlyOurs') say(`  - ${d.key}: only in OUR content (${JSON.stringify(d.ours)})`)
          else if (d.status === 'onlyGateway') say(`  + ${d.key}: only in the GATEWAY's content (${JSON.stringify(d.gateway)})`)
          else {
            say(`  ≠ ${d.key}: differs at character ${d.at}`)
            say(`      ours:    ${around(d.ours!, d.at!)}`)
            say(`      gateway: ${around(d.gateway!, d.at!)}`)
          }
          for (const h of d.hints) say(`      hint: ${h}`)
        }
        const same = diffs.filter((d) => d.status === 'same').map((d) => d.key)
        if (same.length) say(`  = identical: ${same.join(', ')}`)
        if (reqParams.charset === undefined) hints.push('no charset parameter: send charset=utf-8 in the URL query string')
      }
    } else {
      say('\ngateway parameters:')
      for (const p of gwParams) say(`  ${p.key} = ${p.value}`)
      hints.push('give --request with the parameters you sent to compare them with the gateway\'s, parameter by parameter')
    }

    const apk = ctx.str('app-public-key')
    const pk = ctx.str('private-key')
    const sig = reqParams?.sign
    const algo = (reqParams?.sign_type ?? 'RSA2') === 'RSA' ? 'RSA-SHA1' : 'RSA-SHA256'
    const enc = (reqParams?.charset ?? 'utf-8').toLowerCase() === 'gbk' ? 'gbk' : 'utf-8'
    if ((apk || pk) && !sig) hints.push('--app-public-key / --private-key need the request\'s sign parameter in --request')
    if (apk && sig) {
      const info = inspectKey(apk, readText(apk, 'app public key file'))
      const pub = info.kind === 'private' ? undefined : info.publicKey
      if (!pub) throw new CliError('ERR_KEY_KIND', `${apk}: not a public key (see \`alipay-f2f keys check ${apk}\`)`)
      if (enc === 'utf-8') {
        const ok = createVerify(algo).update(Buffer.from(content, 'utf8')).verify(pub, sig, 'base64')
        data.signatureMatchesAppPublicKey = ok
        if (ok) {
          say(`\nthe request's sign VERIFIES over the gateway's content with ${apk}: so the console holds a different app public key (or another sign_type) for this app`)
          hints.push(`upload ${apk} as the app public key in the console (开发设置 → 接口加签方式), or use the private key that belongs to the configured one`)
        } else {
          say(`\nthe request's sign does NOT verify over the gateway's content with ${apk}`)
          hints.push(`the request was signed with a private key that does not belong to ${apk}, or over other content / another sign_type`)
        }
      } else {
        hints.push('GBK requests: checking the signature needs GBK bytes; use `alipay-f2f sign-content --key ... --charset gbk` instead')
      }
    }
    if (pk && sig && enc === 'utf-8' && reqParams) {
      const key = inspectKey(pk, readText(pk, 'private key file')).privateKey
      if (!key) throw new CliError('ERR_KEY_KIND', `${pk}: not a usable private key (see \`alipay-f2f keys check ${pk}\`)`)
      const ours = createSign(algo).update(Buffer.from(signContent(reqParams), 'utf8')).sign(key, 'base64')
      data.signMatchesPrivateKey = ours === sig
      say(ours === sig ? `the request's sign is ${pk}'s signature of our sign content` : `the request's sign is NOT ${pk}'s signature of our sign content (signed with another key, or over other content)`)
    }
    for (const h of hints) say(`hint: ${h}`)
    data.hints = hints
    return { code: EXIT_OK, data }
  },
)
