/**
 * Helpers shared by the CLI commands (not a command itself: the dispatcher
 * only registers modules exporting `command`): argument parsing with
 * `--help`/`--json`, exit codes (0 ok, 1 operation failed, 2 usage), error
 * formatting, input files / stdin, atomic writes, the gateway config, and
 * the cashier-style progress printer of the payment flows.
 *
 * @module
 */

import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync, existsSync, statSync } from 'node:fs'
import { basename, dirname, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { randomBytes } from 'node:crypto'

import { AlipayClient, AlipayError } from '../../index.js'
import type { AlipayClientConfig, BarcodeOrder, FlowEvent, PayOutcome, RefundOutcome } from '../../index.js'
import type { Command } from '../index.js'

/** Exit codes. */
export const EXIT_OK = 0
export const EXIT_FAILED = 1
export const EXIT_USAGE = 2

/** Bad command line: printed with the usage, exit 2. */
export class UsageError extends Error {}

/** An operation failed with a clear message (exit 1); `code` shows up in `--json` output. */
export class CliError extends Error {
  /** Stable code (`ERR_FILE`, `ERR_KEY_KIND`, ...). */
  readonly code: string
  /** Extra lines of advice. */
  readonly hints: string[]
  constructor(code: string, message: string, hints: string[] = []) {
    super(message)
    this.code = code
    this.hints = hints
  }
}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: string | boolean }

/** Declaration of a command. */
export interface CommandSpec {
  /** Name (as typed). */
  name: string
  /** One line for `alipay-f2f --help`. */
  summary: string
  /** Synopsis lines after `usage:`. */
  usage: string[]
  /** Text after the synopsis (options, examples). */
  help: string
  /** Options (besides `--help` and `--json`, which every command has). */
  options?: Record<string, OptionSpec>
  /** Allowed number of positional arguments. */
  positionals?: { min?: number; max?: number }
}

/** What a command body receives. */
export interface Ctx {
  /** Option values. */
  values: Record<string, string | boolean | string[] | undefined>
  /** Positional arguments. */
  positionals: string[]
  /** `--json` given: print one JSON document on stdout, no human text. */
  json: boolean
  /** Prints a human line (suppressed with `--json`). */
  say(line?: string): void
  /** A string option, or undefined. */
  str(name: string): string | undefined
}

/** Result of a command body: exit code and, for `--json`, the document to print. */
export interface Result {
  code: number
  data?: unknown
}

function usageText(spec: CommandSpec): string {
  const lines = spec.usage.map((u, i) => `${i === 0 ? 'usage: ' : '       '}alipay-f2f ${u}`)
  return `${lines.join('\n')}\n\n${spec.summary}\n\n${spec.help.trim()}\n\n  -h, --help     this help\n  --json         machine-readable output (one JSON document on stdout)\n\nexit codes: 0 ok, 1 operation failed, 2 usage error\n`
}

/** Human message of any error, with AlipayError details and hints. */
export function describeError(e: unknown): { code: string; message: string; hints: string[]; details: Record<string, unknown> } {
  if (e instanceof CliError) return { code: e.code, message: e.message, hints: e.hints, details: {} }
  if (e instanceof AlipayError) {
    const details: Record<string, unknown> = {}
    for (const k of ['field', 'gatewayCode', 'gatewayMsg', 'subCode', 'subMsg', 'verified', 'httpStatus'] as const) {
      if (e[k] !== undefined) details[k] = e[k]
    }
    if (e.response !== undefined) details.response = e.response
    return { code: e.code, message: e.message, hints: hintsFor(e), details }
  }
  if (e instanceof TypeError) return { code: 'ERR_INVALID_ARGUMENT', message: e.message, hints: [], details: {} }
  return { code: 'ERR_INTERNAL', message: e instanceof Error ? e.message : String(e), hints: [], details: {} }
}

function hintsFor(e: AlipayError): string[] {
  switch (e.code) {
    case 'ERR_KEY_MISMATCH':
      return ['the "Alipay public key" is your own app public key: copy the 支付宝公钥 (Alipay public key) from the open platform console instead']
    case 'ERR_KEY_KIND':
      return ['check which file is which: `alipay-f2f keys check <files>` names each key']
    case 'ERR_KEY_FORMAT':
      return ['`alipay-f2f keys check <file>` tells what the file contains']
    case 'ERR_SIGNATURE':
      return ['the answer did not verify with the configured Alipay public key: is it the 支付宝公钥 of this app (not the app public key)?']
    case 'ERR_UNSIGNED_RESPONSE':
      if (e.subCode === 'isv.invalid-app-id') return ['the gateway does not know this app id (wrong appId, or production app id against the sandbox / vice versa)']
      return ['the gateway refused the request without signing its answer']
    case 'ERR_GATEWAY':
      if (e.subCode === 'isv.invalid-signature') return ['save the full response and run `alipay-f2f diagnose <response> --request <params>` to see where the sign contents differ']
      return []
    case 'ERR_NETWORK':
    case 'ERR_TIMEOUT':
      return ['outcome unknown for a pay: query the trade (`alipay-f2f query`) and cancel it if it is not paid']
    default:
      return []
  }
}

/** Writes `text` to stdout. */
export function out(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Writes `text` to stderr. */
export function err(text: string): void {
  process.stderr.write(text.endsWith('\n') ? text : `${text}\n`)
}

/** Builds a {@link Command} from a spec and a body. */
export function defineCommand(spec: CommandSpec, body: (ctx: Ctx) => Promise<Result> | Result): Command {
  return {
    name: spec.name,
    summary: spec.summary,
    async run(argv: string[]): Promise<number> {
      const json = argv.includes('--json')
      let parsed: { values: Record<string, unknown>; positionals: string[] }
      try {
        parsed = parseArgs({
          args: argv,
          options: { ...(spec.options ?? {}), help: { type: 'boolean', short: 'h' }, json: { type: 'boolean' } },
          allowPositionals: (spec.positionals?.max ?? 0) > 0,
          strict: true,
        }) as typeof parsed
        if (parsed.values.help) {
          out(usageText(spec))
          return EXIT_OK
        }
        const n = parsed.positionals.length
        if (n < (spec.positionals?.min ?? 0)) throw new UsageError('missing argument')
        if (n > (spec.positionals?.max ?? 0)) throw new UsageError(`unexpected argument ${JSON.stringify(parsed.positionals[spec.positionals?.max ?? 0])}`)
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e)
        err(`alipay-f2f ${spec.name}: ${msg}\n\n${spec.usage.map((u) => `usage: alipay-f2f ${u}`).join('\n')}\n(alipay-f2f ${spec.name} --help for details)`)
        return EXIT_USAGE
      }
      const values = parsed.values as Ctx['values']
      const ctx: Ctx = {
        values,
        positionals: parsed.positionals,
        json,
        say: (line = '') => {
          if (!json) out(line)
        },
        str: (name) => {
          const v = values[name]
          return typeof v === 'string' ? v : undefined
        },
      }
      try {
        const r = await body(ctx)
        if (json && r.data !== undefined) out(JSON.stringify(r.data, null, 2))
        return r.code
      } catch (e) {
        if (e instanceof UsageError) {
          err(`alipay-f2f ${spec.name}: ${e.message}\n(alipay-f2f ${spec.name} --help for details)`)
          return EXIT_USAGE
        }
        const d = describeError(e)
        if (json) out(JSON.stringify({ ok: false, error: { code: d.code, message: d.message, ...d.details, hints: d.hints } }, null, 2))
        err(`alipay-f2f ${spec.name}: ${d.code}: ${d.message}`)
        for (const h of d.hints) err(`  hint: ${h}`)
        return EXIT_FAILED
      }
    },
  }
}

/** Reads a text file (or stdin for `-`), with a clear error for missing/unreadable files. */
export function readText(path: string, what = 'file'): string {
  if (path === '-') {
    if (process.stdin.isTTY) throw new UsageError(`reading the ${what} from stdin, but stdin is a terminal (pipe it in or give a file)`)
    return readFileSync(0, 'utf8')
  }
  try {
    if (statSync(path).isDirectory()) throw new CliError('ERR_FILE', `${what} ${path} is a directory`)
    return readFileSync(path, 'utf8')
  } catch (e) {
    if (e instanceof CliError) throw e
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new CliError('ERR_FILE', `${what} ${path}: no such file`)
    if (code === 'EACCES') throw new CliError('ERR_FILE', `${what} ${path}: permission denied`)
    throw new CliError('ERR_FILE', `${what} ${path}: ${(e as Error).message}`)
  }
}

/**
 * Writes `data` to `path` atomically: a temp file in the same directory,
 * fsync, then rename over the target. The target never holds a partial
 * write; the temp file is removed on failure. Refuses to overwrite an
 * existing file unless `force`.
 */
export function writeFileAtomic(path: string, data: string, opts: { mode?: number; force?: boolean } = {}): void {
  const target = resolve(path)
  if (!opts.force && existsSync(target)) throw new CliError('ERR_FILE', `${path} exists (use --force to overwrite it)`)
  const dir = dirname(target)
  if (!existsSync(dir)) throw new CliError('ERR_FILE', `cannot write ${path}: directory ${dir} does not exist`)
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  let fd: number | undefined
  try {
    fd = openSync(tmp, 'wx', opts.mode ?? 0o644)
    writeSync(fd, data)
    fsyncSync(fd)
    closeSync(fd)
    fd = undefined
    renameSync(tmp, target)
  } catch (e) {
    if (fd !== undefined) {
      try {
        closeSync(fd)
      } catch {
        // already failing
      }
    }
    try {
      unlinkSync(tmp)
    } catch {
      // not created
    }
    throw new CliError('ERR_FILE', `cannot write ${path}: ${(e as Error).message}`)
  }
}

/**
 * Parses request/notification parameters given as a JSON object, an
 * `x-www-form-urlencoded` body, or a URL with a query string (optionally
 * followed, after whitespace, by the form body).
 */
export function parseParams(text: string, what = 'parameters'): Record<string, string> {
  const t = text.replace(/^\uFEFF/, '').trim()
  if (t === '') throw new CliError('ERR_INPUT', `${what}: empty input`)
  if (t.startsWith('{')) {
    let obj: unknown
    try {
      obj = JSON.parse(t)
    } catch (e) {
      throw new CliError('ERR_INPUT', `${what}: not valid JSON (${(e as Error).message})`)
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new CliError('ERR_INPUT', `${what}: expected a JSON object`)
    const out: Record<string, string> = {}
    for (const [k, v] of Object.entries(obj)) {
      if (v === null || v === undefined) continue
      out[k] = typeof v === 'string' ? v : JSON.stringify(v)
    }
    return out
  }
  // the charset parameter says how the percent-encoded bytes decode (gbk bodies are GBK bytes)
  const charsetMatch = /(?:^|[?&\s])charset=([A-Za-z0-9-]+)/i.exec(t)
  const charset = charsetMatch && /^(gbk|gb2312|gb18030)$/i.test(charsetMatch[1]!) ? 'gbk' : 'utf-8'
  const params: Record<string, string> = {}
  const add = (qs: string) => {
    for (const [k, v] of decodeForm(qs, charset)) {
      if (k in params && params[k] !== v) throw new CliError('ERR_INPUT', `${what}: parameter ${k} appears twice with different values`)
      params[k] = v
    }
  }
  if (/^https?:\/\//i.test(t)) {
    const [url, ...rest] = t.split(/\s+/)
    let u: URL
    try {
      u = new URL(url!)
    } catch {
      throw new CliError('ERR_INPUT', `${what}: not a valid URL`)
    }
    add(u.search)
    if (rest.length) add(rest.join(''))
  } else {
    if (!t.includes('=')) throw new CliError('ERR_INPUT', `${what}: expected a JSON object, a form body (a=1&b=2) or a URL`)
    add(t)
  }
  return params
}

/**
 * Decodes an `x-www-form-urlencoded` string whose percent-escapes are bytes
 * in `charset` (`+` is a space). Invalid escapes are kept literally.
 */
export function decodeForm(qs: string, charset: 'utf-8' | 'gbk'): [string, string][] {
  const decoder = new TextDecoder(charset)
  const dec = (s: string): string => {
    // runs of %XX are bytes in `charset`; other characters are taken literally
    return s.replace(/\+/g, ' ').replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      const bytes = new Uint8Array(run.length / 3)
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16)
      return decoder.decode(bytes)
    })
  }
  const out: [string, string][] = []
  for (const part of qs.replace(/^\?/, '').split('&')) {
    if (part === '') continue
    const eq = part.indexOf('=')
    out.push(eq < 0 ? [dec(part), ''] : [dec(part.slice(0, eq)), dec(part.slice(eq + 1))])
  }
  return out
}

/** Gateway config file (JSON). Paths are relative to the file. */
export interface ConfigFile {
  appId?: string
  /** Path of the app private key file (or the PEM text itself). */
  privateKey?: string
  /** Path of the Alipay public key file (or the PEM text itself). */
  alipayPublicKey?: string
  gateway?: string
  signType?: 'RSA2' | 'RSA'
  charset?: 'utf-8' | 'gbk'
  appAuthToken?: string
  timeoutMs?: number
}

/** Options every gateway command accepts. */
export const GATEWAY_OPTIONS: Record<string, OptionSpec> = {
  config: { type: 'string', short: 'c' },
  'app-id': { type: 'string' },
  'private-key': { type: 'string' },
  'alipay-public-key': { type: 'string' },
  gateway: { type: 'string' },
  'sign-type': { type: 'string' },
  charset: { type: 'string' },
  'app-auth-token': { type: 'string' },
  'timeout-ms': { type: 'string' },
}

/** Help text of {@link GATEWAY_OPTIONS}. */
export const GATEWAY_HELP = `gateway and keys (flags override the config file):
  -c, --config FILE          JSON: {"appId", "privateKey": "app-private-key.pem", "alipayPublicKey":
                             "alipay-public-key.pem", "gateway", "signType", "charset", "appAuthToken",
                             "timeoutMs"} (key paths relative to the config file)
  --app-id ID
  --private-key FILE         app private key (PKCS#1/PKCS#8, PEM or bare base64)
  --alipay-public-key FILE   Alipay public key (支付宝公钥) or certificate
  --gateway URL              default https://openapi.alipay.com/gateway.do
  --sign-type RSA2|RSA       default RSA2
  --charset utf-8|gbk        default utf-8
  --app-auth-token TOKEN     ISV acting for a merchant
  --timeout-ms MS            per-call timeout (default 15000)`

function keyFromConfig(value: string, base: string, what: string): string {
  if (value.includes('-----BEGIN')) return value
  return readText(resolve(base, value), what)
}

/** Loads `--config` and the gateway flags into a client configuration. */
export function gatewayConfig(ctx: Ctx, need: { privateKey?: boolean; alipayPublicKey?: boolean } = { privateKey: true, alipayPublicKey: true }): AlipayClientConfig {
  let file: ConfigFile = {}
  let base = process.cwd()
  const cfgPath = ctx.str('config')
  if (cfgPath) {
    const text = readText(cfgPath, 'config file')
    try {
      file = JSON.parse(text) as ConfigFile
    } catch (e) {
      throw new CliError('ERR_INPUT', `config file ${cfgPath}: not valid JSON (${(e as Error).message})`)
    }
    if (typeof file !== 'object' || file === null || Array.isArray(file)) throw new CliError('ERR_INPUT', `config file ${cfgPath}: expected a JSON object`)
    base = dirname(resolve(cfgPath))
  }
  const pick = (flag: string, key: keyof ConfigFile): unknown => ctx.str(flag) ?? file[key]
  const appId = pick('app-id', 'appId')
  if (typeof appId !== 'string' || appId === '') throw new UsageError('no app id: give --app-id or "appId" in --config')
  const cfg: AlipayClientConfig = { appId }
  const pk = ctx.str('private-key')
  if (pk) cfg.privateKey = readText(pk, 'private key file')
  else if (typeof file.privateKey === 'string') cfg.privateKey = keyFromConfig(file.privateKey, base, 'private key file')
  const apk = ctx.str('alipay-public-key')
  if (apk) cfg.alipayPublicKey = readText(apk, 'Alipay public key file')
  else if (typeof file.alipayPublicKey === 'string') cfg.alipayPublicKey = keyFromConfig(file.alipayPublicKey, base, 'Alipay public key file')
  if (need.privateKey && cfg.privateKey === undefined) throw new UsageError('no app private key: give --private-key FILE or "privateKey" in --config')
  if (need.alipayPublicKey && cfg.alipayPublicKey === undefined) {
    throw new UsageError('no Alipay public key: give --alipay-public-key FILE or "alipayPublicKey" in --config (answers are always verified)')
  }
  const gw = pick('gateway', 'gateway')
  if (gw !== undefined) cfg.gateway = String(gw)
  const st = pick('sign-type', 'signType')
  if (st !== undefined) {
    if (st !== 'RSA2' && st !== 'RSA') throw new UsageError(`--sign-type must be RSA2 or RSA, got ${JSON.stringify(st)}`)
    cfg.signType = st
  }
  const cs = pick('charset', 'charset')
  if (cs !== undefined) {
    const c = String(cs).toLowerCase()
    if (c !== 'utf-8' && c !== 'gbk') throw new UsageError(`--charset must be utf-8 or gbk, got ${JSON.stringify(cs)}`)
    cfg.charset = c
  }
  const tok = pick('app-auth-token', 'appAuthToken')
  if (tok !== undefined) cfg.appAuthToken = String(tok)
  const to = ctx.str('timeout-ms') ?? file.timeoutMs
  if (to !== undefined) cfg.timeoutMs = positiveInt('--timeout-ms', String(to))
  return cfg
}

/** Builds the client of a gateway command. */
export function gatewayClient(ctx: Ctx): AlipayClient {
  return new AlipayClient(gatewayConfig(ctx))
}

/** Parses a positive integer flag. */
export function positiveInt(name: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} must be a positive integer, got ${JSON.stringify(v)}`)
  return Number(v)
}

/** Parses a money amount flag (yuan, up to 2 decimals). */
export function amount(name: string, v: string | undefined): string {
  if (v === undefined) throw new UsageError(`${name} is required`)
  if (!/^\d+(\.\d{1,2})?$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} must be an amount like 88.88, got ${JSON.stringify(v)}`)
  return v
}

/** The order flags of `pay` and `barcode-pay`. */
export const ORDER_OPTIONS: Record<string, OptionSpec> = {
  'out-trade-no': { type: 'string' },
  'auth-code': { type: 'string' },
  amount: { type: 'string' },
  subject: { type: 'string' },
  'store-id': { type: 'string' },
  'operator-id': { type: 'string' },
  'terminal-id': { type: 'string' },
  'timeout-express': { type: 'string' },
}

/** The barcode order given by the {@link ORDER_OPTIONS} flags (`UsageError` for a missing one). */
export function barcodeOrder(ctx: Ctx): BarcodeOrder {
  const need = (n: string): string => {
    const v = ctx.str(n)
    if (!v) throw new UsageError(`--${n} is required`)
    return v
  }
  const order: BarcodeOrder = {
    outTradeNo: need('out-trade-no'),
    authCode: need('auth-code'),
    totalAmount: amount('--amount', ctx.str('amount')),
    subject: need('subject'),
  }
  for (const [flag, key] of [['store-id', 'storeId'], ['operator-id', 'operatorId'], ['terminal-id', 'terminalId'], ['timeout-express', 'timeoutExpress']] as const) {
    const v = ctx.str(flag)
    if (v) order[key] = v
  }
  return order
}

/** `¥88.88`. */
export const yuan = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? `¥${v}` : '¥?')

/** Options of {@link progressPrinter}. */
export interface ProgressOptions {
  /** Line prefix (indent). */
  indent?: string
  /** Clock origin for the elapsed column. */
  t0?: number
  /** Where lines go (default stdout). */
  write?: (line: string) => void
}

const CANCEL_REASONS: Record<string, string> = {
  timeout: 'the buyer did not confirm in time',
  unknown: 'the result could not be established',
  aborted: 'the cashier aborted',
}

function describeTransport(e: unknown): string {
  if (typeof e !== 'object' || e === null) return String(e)
  const t = e as { type?: string; message?: string; status?: number }
  if (t.type === 'http') return `HTTP ${t.status}`
  if (t.type === 'network') return `network error: ${t.message}`
  return t.type ?? 'failed'
}

/**
 * Cashier-style progress lines for the flow events (elapsed time, what is
 * sent, what came back). Returns the `onEvent` callback.
 */
export function progressPrinter(opts: ProgressOptions = {}): (e: FlowEvent) => void {
  const t0 = opts.t0 ?? Date.now()
  const indent = opts.indent ?? '  '
  const write = opts.write ?? ((l: string) => out(l))
  const line = (s: string) => write(`${indent}[${((Date.now() - t0) / 1000).toFixed(1).padStart(5)}s] ${s}`)
  return (e) => {
    const v = e as Record<string, unknown>
    switch (e.type) {
      case 'paySent':
        line(`→ alipay.trade.pay    ${yuan(v.totalAmount)}  order ${v.outTradeNo}  payment code ${v.authCode}`)
        break
      case 'waitingForBuyer': {
        const until = typeof v.untilMs === 'number' ? Math.max(0, Math.round((v.untilMs - Date.now()) / 1000)) : undefined
        line(`… waiting for the buyer to confirm on the phone${until !== undefined ? ` (up to ${until} s more)` : ''}`)
        break
      }
      case 'query':
        line(`→ alipay.trade.query  #${v.attempt}`)
        break
      case 'cancel':
        line(`→ alipay.trade.cancel #${v.attempt} (${CANCEL_REASONS[String(v.reason)] ?? v.reason})`)
        break
      case 'refund':
        line(`→ alipay.trade.refund #${v.attempt}  ${yuan(v.refundAmount)}  request ${v.outRequestNo}`)
        break
      case 'refundQuery':
        line(`→ alipay.trade.fastpay.refund.query #${v.attempt}  request ${v.outRequestNo}`)
        break
      case 'answer': {
        const what =
          v.tradeStatus !== undefined
            ? String(v.tradeStatus)
            : v.code === '10003'
              ? '10003 buyer is confirming (entering the password)'
              : v.code === '10000'
                ? '10000 ok'
                : `${v.code}${v.subCode ? ` ${v.subCode}` : ''}${v.subMsg ? ` (${v.subMsg})` : ''}`
        line(`← ${v.method}: ${what}  [signature verified]`)
        break
      }
      case 'rejected':
        line(`✗ ${v.method}: answer REJECTED (${v.errorCode}: ${v.message}) — treated as unknown`)
        break
      case 'transportFailed':
        line(`✗ ${v.method}: no answer (${describeTransport(v.error)}) — treated as unknown`)
        break
      case 'retry':
        line(`↻ ${v.method} will be retried (attempt ${v.attempt})`)
        break
      case 'warning':
        line(`! ${v.code}: ${v.message}`)
        break
      case 'aborted':
        line('! aborted by the cashier: reversing the trade')
        break
      case 'resumed':
        line(`↺ resumed from a snapshot${v.lostCallId !== undefined ? ` (call ${v.lostCallId} was in flight: unknown)` : ''}`)
        break
      default:
        line(`${e.type} ${JSON.stringify(e)}`)
    }
  }
}

/** Human lines for a payment outcome (what the cashier's screen shows at the end). */
export function describePayOutcome(o: PayOutcome): string[] {
  switch (o.status) {
    case 'paid': {
      const bills = (o.fundBillList ?? []).map((b) => `${b.fundChannel} ${b.amount}`).join(', ')
      return [
        `✔ PAID ${yuan(o.totalAmount)}   trade_no ${o.tradeNo ?? '?'}   order ${o.outTradeNo}`,
        `  buyer ${o.buyerLogonId ?? '?'}${o.gmtPayment ? ` · paid at ${o.gmtPayment} (UTC+8)` : ''}${bills ? ` · ${bills}` : ''}`,
        `  proven by a signature-verified ${o.confirmedBy} answer`,
      ]
    }
    case 'failed':
      return [
        `✖ FAILED — nothing charged: ${o.subMsg ?? o.msg ?? o.code}${o.subCode ? ` (${o.subCode})` : ''}`,
        o.reason === 'businessFailed' ? '  ask the buyer for another payment method or a new payment code' : `  reason: ${o.reason}`,
      ]
    case 'cancelled':
      return [
        `✔ CANCELLED — ${CANCEL_REASONS[o.reason] ?? o.reason}; ${o.action === 'close' ? 'the unpaid trade was closed, nothing charged' : 'the payment was refunded to the buyer'}`,
        `  order ${o.outTradeNo}${o.tradeNo ? `   trade_no ${o.tradeNo}` : ''}`,
      ]
    case 'unknown':
      return [
        `⚠ UNKNOWN — ${o.message}`,
        `  ${o.paid ? 'the buyer WAS charged and the reversal failed' : 'the reversal could not be confirmed'}: reconcile order ${o.outTradeNo ?? '?'} manually (${o.calls.length} calls recorded)`,
      ]
  }
}

/** Human lines for a refund outcome. */
export function describeRefundOutcome(o: RefundOutcome): string[] {
  switch (o.status) {
    case 'refunded':
      return [
        `✔ REFUNDED ${yuan(o.refundAmount)}   request ${o.outRequestNo}${o.refundFee ? `   refunded so far ${yuan(o.refundFee)}` : ''}`,
        `  proven by a signature-verified ${o.confirmedBy} answer`,
      ]
    case 'failed':
      return [`✖ REFUND FAILED — no money moved: ${o.subMsg ?? o.msg ?? o.code}${o.subCode ? ` (${o.subCode})` : ''}`]
    case 'unknown':
      return [`⚠ REFUND UNKNOWN — ${o.message}`, `  retry with the same request number ${o.outRequestNo ?? '?'} (idempotent) or reconcile`]
  }
}
