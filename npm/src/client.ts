/**
 * `AlipayClient`: one-shot gateway calls and the driven barcode payment and
 * refund flows, for the direct deployment (the client holds the app private
 * key) and the forwarded one (a custom {@link Transport} posts calls to the
 * merchant backend; the client only verifies with the Alipay public key).
 *
 * @module
 */

import { binding } from './binding.js'
import type { Flow, PrivateKey, PublicKey, SignedRequest, Signer, Verifier } from './binding.js'
import {
  assertPlainObject,
  assertString,
  certSn,
  describe,
  rootCertSn,
  toPrivateKey,
  toPublicKey,
} from './api.js'
import { callSignal, drive, settleBefore } from './driver.js'
import type { CallSignal } from './driver.js'
import { AlipayError, core, fromCore, invalidType } from './errors.js'
import type { FlowEvent, PayOutcome, RefundOutcome, Transport, TransportCall } from './types.js'

/** The production gateway. */
export const DEFAULT_GATEWAY = 'https://openapi.alipay.com/gateway.do'
/** Default per-call timeout. */
export const DEFAULT_TIMEOUT_MS = 15_000

/** Configuration of {@link AlipayClient}. */
export interface AlipayClientConfig {
  /** The APPID. */
  appId: string
  /** App private key (PKCS#1/PKCS#8 PEM or base64, or a parsed key). Needed to sign (direct deployment). */
  privateKey?: string | PrivateKey
  /** Alipay public key (SPKI PEM/base64 or parsed). Needed to verify answers (always, except certificate mode). */
  alipayPublicKey?: string | PublicKey
  /** Gateway URL; default `https://openapi.alipay.com/gateway.do` (sandbox: the URL `startSandbox()` gives). */
  gateway?: string
  /** `RSA2` (default) or `RSA`. */
  signType?: 'RSA2' | 'RSA'
  /** Request charset: `utf-8` (default) or `gbk`. */
  charset?: 'utf-8' | 'gbk'
  /** `app_auth_token` when acting for a merchant (ISV). */
  appAuthToken?: string
  /** `notify_url` for asynchronous notifications. */
  notifyUrl?: string
  /** Certificate mode: the app public-key certificate (PEM text). */
  appCert?: string
  /** Certificate mode: the Alipay public-key certificate (PEM text). */
  alipayCert?: string
  /** Certificate mode: the Alipay root certificate bundle (PEM text). */
  alipayRootCert?: string
  /** AES content-encryption key (base64), when the app has content encryption on. */
  encryptKey?: string
  /** `fetch` implementation (default `globalThis.fetch`), e.g. undici with a proxy agent. */
  fetch?: typeof fetch
  /** Per-call timeout in ms (default 15000). */
  timeoutMs?: number
  /**
   * Custom transport (forwarded deployment: deliver calls to your backend,
   * which signs, forwards and returns Alipay's raw text). Default: sign with
   * `privateKey` and `fetch` the gateway.
   */
  transport?: Transport
}

/** Per-call options. */
export interface CallOptions {
  /** Abort the call (rejects with `ERR_ABORTED`). */
  signal?: AbortSignal
  /** Override the client's timeout for this call. */
  timeoutMs?: number
}

/** Options of {@link AlipayClient.barcodePay} and {@link AlipayClient.refundFlow}. */
export interface FlowOptions {
  /**
   * Cashier abort. Not "forget it": the trade is reversed (cancelled) and the
   * promise resolves with the outcome once that is done.
   */
  signal?: AbortSignal
  /** Progress events for the cashier's screen and logs. */
  onEvent?: (event: FlowEvent) => void
  /** JSON snapshot after every state change and before every call: persist it to resume after a crash (a returned promise is awaited). */
  onSnapshot?: (snapshot: string) => void | Promise<void>
  /** Interval between `alipay.trade.query` polls while the buyer confirms (default 5000). */
  pollIntervalMs?: number
  /** How long to wait for the buyer before cancelling (default 30000, at most 60000). */
  maxWaitMs?: number
  /** Per-call timeout (default: the client's `timeoutMs`). */
  callTimeoutMs?: number
  /** Cancel retries while `retry_flag=Y` (default 3). */
  cancelRetries?: number
  /** Interval between cancel retries (default 2000). */
  cancelRetryIntervalMs?: number
  /** Queries after an unknown pay result before cancelling (default 3). */
  queryRetries?: number
  /** Further policy fields understood by the core flow (forward-compatible). */
  policy?: Record<string, unknown>
}

/** Options of {@link AlipayClient.refundFlow}. */
export interface RefundFlowOptions {
  /** Abort: stop retrying; an unproven refund then ends `unknown` (reconcile). */
  signal?: AbortSignal
  /** Progress events. */
  onEvent?: (event: FlowEvent) => void
  /** JSON snapshot after every state change and before every call (a returned promise is awaited). */
  onSnapshot?: (snapshot: string) => void | Promise<void>
  /** Per-call timeout (default: the client's `timeoutMs`). */
  callTimeoutMs?: number
  /** Refund retries with the same `outRequestNo` when the result is not proven (default 2). */
  refundRetries?: number
  /** Delay before querying an unproven refund (default 10000). */
  queryDelayMs?: number
  /** Delay between an unproven query and the next refund attempt (default 2000). */
  retryIntervalMs?: number
  /** Further policy fields understood by the core flow. */
  policy?: Record<string, unknown>
}

/** A barcode payment order (`alipay.trade.pay`, `scene=bar_code`). */
export interface BarcodeOrder {
  /** Merchant trade number (letters, digits, `_`; ≤ 64). */
  outTradeNo: string
  /** The buyer's payment code as scanned. */
  authCode: string
  /** Amount in yuan as a decimal string, e.g. `"88.88"`. */
  totalAmount: string
  /** Order title. */
  subject: string
  storeId?: string
  operatorId?: string
  terminalId?: string
  /** Payment timeout, e.g. `"5m"`. */
  timeoutExpress?: string
  body?: string
  goodsDetail?: unknown
  queryOptions?: string[]
  /** Extra `biz_content` fields (snake_case), merged as given; may not repeat the fields above. */
  extra?: Record<string, unknown>
}

/** A refund order for {@link AlipayClient.refundFlow}. */
export interface RefundOrder {
  /** Merchant trade number (or `tradeNo`). */
  outTradeNo?: string
  /** Alipay trade number (or `outTradeNo`). */
  tradeNo?: string
  /** Amount to refund (yuan, decimal string). */
  refundAmount: string
  /** Idempotency key of this refund; generated (and returned in the outcome) when absent. */
  outRequestNo?: string
  refundReason?: string
  operatorId?: string
  storeId?: string
  terminalId?: string
  /** Extra `biz_content` fields (snake_case). */
  extra?: Record<string, unknown>
}

const PAY_POLICY_KEYS = ['pollIntervalMs', 'maxWaitMs', 'callTimeoutMs', 'cancelRetries', 'cancelRetryIntervalMs', 'queryRetries'] as const
const REFUND_POLICY_KEYS = ['callTimeoutMs', 'refundRetries', 'queryDelayMs', 'retryIntervalMs'] as const
/** The required string fields of a {@link BarcodeOrder}: key, argument name, expectation. */
const ORDER_STRINGS = (['outTradeNo', 'authCode', 'totalAmount', 'subject'] as const).map(
  (k) => [k, `order.${k}`, k === 'totalAmount' ? 'a decimal string like "88.88"' : 'a string'] as const,
)

/** camelCase → snake_case keys, recursively through plain objects and arrays. */
function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys)
  if (typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Record<string, unknown> = {}
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) continue
      out[k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = snakeKeys(val)
    }
    return out
  }
  return v
}

function optionalString(cfg: Record<string, unknown>, name: string): string | undefined {
  const v = cfg[name]
  if (v === undefined || v === null) return undefined
  if (typeof v !== 'string') throw invalidType(`"config.${name}" must be a string, got ${describe(v)}`)
  return v
}

function positiveNumber(name: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined
  const message = `"${name}" must be a positive number of milliseconds, got ${describe(v)}`
  if (typeof v !== 'number') throw invalidType(message)
  if (!Number.isFinite(v) || v <= 0) throw new AlipayError('ERR_INVALID_ARGUMENT', message, { field: name })
  return v
}

/** Stateless (non-streaming) decoders, made once. */
let utf8Decoder: InstanceType<typeof TextDecoder> | undefined
let gbkDecoder: InstanceType<typeof TextDecoder> | undefined

function textOf(bytes: ArrayBuffer, charset: string): string {
  const decoder =
    charset === 'gbk' ? (gbkDecoder ??= new TextDecoder('gbk')) : (utf8Decoder ??= new TextDecoder('utf-8'))
  return decoder.decode(bytes)
}

/**
 * The error of a one-shot call whose exchange failed: `ERR_ABORTED` when the
 * caller aborted it, `ERR_TIMEOUT` when its own timeout did, else
 * `ERR_NETWORK` with the failure's message.
 */
function callFailure(
  method: string,
  e: unknown,
  caller: AbortSignal | undefined,
  cs: CallSignal,
  timeoutMs: number | undefined,
): AlipayError {
  if (caller?.aborted) return new AlipayError('ERR_ABORTED', `${method} aborted`, { cause: e })
  if (cs.timedOut()) return new AlipayError('ERR_TIMEOUT', `${method} timed out after ${timeoutMs} ms`, { cause: e })
  return new AlipayError('ERR_NETWORK', `${method} failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })
}

/**
 * The Alipay face-to-face payment client.
 *
 * @example
 * ```ts
 * const client = new AlipayClient({ appId, privateKey, alipayPublicKey })
 * const r = await client.barcodePay({ outTradeNo: 'T1', authCode, totalAmount: '88.88', subject: 'Coffee' },
 *                                   { onEvent: (e) => console.log(e.type), signal })
 * if (r.status === 'paid') printReceipt(r.tradeNo)
 * ```
 */
export class AlipayClient {
  /** The APPID. */
  readonly appId: string
  /** The gateway URL. */
  readonly gateway: string
  /** Default per-call timeout. */
  readonly timeoutMs: number
  readonly #charset: 'utf-8' | 'gbk'
  readonly #signer?: Signer
  readonly #verifier?: Verifier
  readonly #fetch?: typeof fetch
  readonly #transport: Transport
  readonly #customTransport?: Transport

  /**
   * Validates everything eagerly: wrong types throw `TypeError`; wrong values
   * (`signType`, `charset`, an empty `appId`, no key at all, incomplete
   * certificates) `AlipayError` `ERR_INVALID_ARGUMENT`; unusable
   * keys throw `AlipayError` (`ERR_KEY_FORMAT`, `ERR_KEY_KIND`, `ERR_KEY_SIZE`,
   * `ERR_KEY_MISMATCH` when the app public key was pasted as the Alipay one);
   * bad certificates `ERR_CERT`.
   */
  constructor(config: AlipayClientConfig) {
    assertPlainObject('config', config)
    const cfg = config as unknown as Record<string, unknown>
    if (typeof config.appId !== 'string') {
      throw invalidType(`"config.appId" must be a non-empty string, got ${describe(config.appId)}`)
    }
    // wrong values (not wrong types) are AlipayError ERR_INVALID_ARGUMENT, like the core's
    const invalid = (field: string, message: string) => new AlipayError('ERR_INVALID_ARGUMENT', message, { field })
    if (config.appId.trim() === '') throw invalid('appId', '"config.appId" must be a non-empty string, got ""')
    this.appId = config.appId
    this.gateway = optionalString(cfg, 'gateway') ?? DEFAULT_GATEWAY
    const signType = (optionalString(cfg, 'signType') ?? 'RSA2') as 'RSA2' | 'RSA'
    if (signType !== 'RSA2' && signType !== 'RSA') {
      throw invalid('signType', `"config.signType" must be 'RSA2' or 'RSA', got ${JSON.stringify(signType)}`)
    }
    const charset = (optionalString(cfg, 'charset') ?? 'utf-8').toLowerCase() as 'utf-8' | 'gbk'
    if (charset !== 'utf-8' && charset !== 'gbk') {
      throw invalid('charset', `"config.charset" must be 'utf-8' or 'gbk', got ${JSON.stringify(charset)}`)
    }
    this.#charset = charset
    this.timeoutMs = positiveNumber('config.timeoutMs', config.timeoutMs) ?? DEFAULT_TIMEOUT_MS
    const appAuthToken = optionalString(cfg, 'appAuthToken')
    const notifyUrl = optionalString(cfg, 'notifyUrl')
    const appCert = optionalString(cfg, 'appCert')
    const alipayCert = optionalString(cfg, 'alipayCert')
    const alipayRootCert = optionalString(cfg, 'alipayRootCert')
    const encryptKey = optionalString(cfg, 'encryptKey')
    if (config.fetch !== undefined && typeof config.fetch !== 'function') {
      throw invalidType(`"config.fetch" must be a fetch function, got ${describe(config.fetch)}`)
    }
    if (config.transport !== undefined && typeof config.transport !== 'function') {
      throw invalidType(`"config.transport" must be a function (call, signal) => Promise<string>, got ${describe(config.transport)}`)
    }
    const certMode = appCert !== undefined || alipayCert !== undefined || alipayRootCert !== undefined
    if (certMode && (appCert === undefined || alipayCert === undefined || alipayRootCert === undefined)) {
      throw invalid('appCert', 'certificate mode needs all of "config.appCert", "config.alipayCert" and "config.alipayRootCert"')
    }
    if (certMode && config.alipayPublicKey !== undefined) {
      throw invalid('alipayPublicKey', 'use either "config.alipayPublicKey" (public-key mode) or the certificates (certificate mode), not both')
    }

    const b = binding()
    const privateKey = config.privateKey === undefined ? undefined : toPrivateKey('config.privateKey', config.privateKey)
    let publicKey: PublicKey | undefined
    if (certMode) {
      publicKey = toPublicKey('config.alipayCert', alipayCert)
    } else if (config.alipayPublicKey !== undefined) {
      publicKey = toPublicKey('config.alipayPublicKey', config.alipayPublicKey)
    }
    if (!privateKey && !publicKey) {
      throw invalid('privateKey', '"config" needs a "privateKey" (to sign) and/or an "alipayPublicKey" or certificates (to verify)')
    }
    if (privateKey && publicKey) {
      const pk = privateKey
      const pub = publicKey
      core(() => b.checkNotAppKey(pk, pub))
    }
    if (privateKey) {
      const signerConfig = {
        appId: this.appId,
        gateway: this.gateway,
        signType,
        charset,
        appAuthToken,
        notifyUrl,
        appCertSn: certMode ? certSn(appCert as string) : undefined,
        alipayRootCertSn: certMode ? rootCertSn(alipayRootCert as string) : undefined,
        encryptKey,
      }
      this.#signer = core(() => new b.Signer(signerConfig, privateKey))
    }
    if (publicKey) {
      const pub = publicKey
      const verifier = core(() => new b.Verifier(pub, { signType, encryptKey, charset }))
      if (certMode) core(() => verifier.addCert(alipayCert as string))
      this.#verifier = verifier
    }
    this.#fetch = config.fetch
    this.#customTransport = config.transport
    // flows: the driver's signal carries the flow's per-call timeout (policy.callTimeoutMs), and the
    // driver stops waiting as soon as it aborts, so the send need not race it a second time
    this.#transport = config.transport ?? ((call, signal) => this.#send(call, signal, undefined, false))
  }

  /**
   * Backend half of the forwarded deployment (and the default transport):
   * signs the call, sends it to the gateway and resolves to Alipay's raw
   * response text, unverified (the frontend verifies it).
   *
   * @throws {AlipayError} `ERR_HTTP` (non-200, with `httpStatus`/`responseBody`), `ERR_NETWORK`, `ERR_TIMEOUT`, `ERR_ABORTED`
   */
  async forward(call: TransportCall, opts: CallOptions = {}): Promise<string> {
    assertPlainObject('call', call)
    assertString('call.method', call.method)
    assertString('call.bizContent', call.bizContent, 'JSON object text')
    const timeoutMs = positiveNumber('opts.timeoutMs', opts.timeoutMs) ?? this.timeoutMs
    return this.#send(call, opts.signal, timeoutMs)
  }

  /**
   * Signs and sends one call. `timeoutMs` undefined: no timeout of its own (the flow
   * driver's `signal` carries the flow's per-call timeout). `race`: settle as soon as
   * the signal aborts even if `fetch` ignores it (off for the flow driver, which
   * already stops waiting then).
   */
  async #send(
    call: TransportCall,
    callerSignal: AbortSignal | undefined,
    timeoutMs: number | undefined,
    race = true,
  ): Promise<string> {
    const signer = this.#signer
    if (!signer) {
      throw new AlipayError('ERR_INVALID_ARGUMENT', 'this client has no privateKey: it cannot sign calls', { field: 'privateKey' })
    }
    let req: SignedRequest
    try {
      req = signer.buildRequest(call.method, call.bizContent, Date.now())
    } catch (e) {
      throw fromCore(e)
    }
    const fetchFn = this.#fetch ?? globalThis.fetch
    if (typeof fetchFn !== 'function') {
      throw new AlipayError('ERR_INVALID_ARGUMENT', 'no fetch available: pass config.fetch', { field: 'fetch' })
    }
    const cs = callSignal(callerSignal, timeoutMs)
    const signal = cs.signal
    const charset = this.#charset
    let status = 0
    let text: string
    try {
      const exchange = (async () => {
        const r = await fetchFn(req.url, { method: req.method, headers: req.headers, body: req.body, signal })
        status = r.status
        return textOf(await r.arrayBuffer(), charset)
      })()
      // raced against the signal: a fetch that ignores its signal cannot outlive the timeout
      text = await (race ? settleBefore(exchange, signal) : exchange)
    } catch (e) {
      throw callFailure(call.method, e, callerSignal, cs, timeoutMs)
    } finally {
      cs.dispose()
    }
    if (status !== 200) {
      throw new AlipayError('ERR_HTTP', `${call.method}: gateway answered HTTP ${status}`, {
        httpStatus: status,
        responseBody: text,
      })
    }
    return text
  }

  #needVerifier(): Verifier {
    if (!this.#verifier) {
      throw new AlipayError('ERR_INVALID_ARGUMENT', 'this client has no alipayPublicKey (or certificates): it cannot verify answers', {
        field: 'alipayPublicKey',
      })
    }
    return this.#verifier
  }

  /**
   * One gateway call: sign, send, verify, and return the verified
   * `<method>_response` object.
   *
   * @param bizContent - the `biz_content` object (sent as JSON, keys as given)
   * @throws {AlipayError} `ERR_GATEWAY` for any `code` other than `10000` (with
   * `gatewayCode`, `subCode`, `subMsg`, `response`, `responseBody`); `ERR_HTTP`,
   * `ERR_NETWORK`, `ERR_TIMEOUT`, `ERR_ABORTED`; `ERR_SIGNATURE`,
   * `ERR_UNSIGNED_RESPONSE`, `ERR_RESPONSE_FORMAT`, `ERR_DUPLICATE_NODE`
   */
  async execute(method: string, bizContent: object, opts: CallOptions = {}): Promise<Record<string, unknown>> {
    assertString('method', method)
    assertPlainObject('bizContent', bizContent)
    if (opts !== undefined) assertPlainObject('opts', opts)
    const verifier = this.#needVerifier()
    const call = { method, bizContent: JSON.stringify(bizContent) }
    let text: string
    if (this.#customTransport) {
      const timeoutMs = positiveNumber('opts.timeoutMs', opts.timeoutMs) ?? this.timeoutMs
      const cs = callSignal(opts.signal, timeoutMs)
      try {
        text = await settleBefore(this.#customTransport(call, cs.signal), cs.signal)
      } catch (e) {
        if (e instanceof AlipayError) throw e
        throw callFailure(method, e, opts.signal, cs, timeoutMs)
      } finally {
        cs.dispose()
      }
    } else {
      text = await this.forward(call, opts)
    }
    let obj: Record<string, unknown>
    try {
      obj = core(() => verifier.verify(text, method))
    } catch (e) {
      if (e instanceof AlipayError) {
        throw new AlipayError(e.code, e.message, { ...errorDetails(e), responseBody: text })
      }
      throw e
    }
    if (obj.code !== '10000') {
      const str = (k: string) => (typeof obj[k] === 'string' && obj[k] !== '' ? (obj[k] as string) : undefined)
      const subCode = str('sub_code')
      const subMsg = str('sub_msg')
      throw new AlipayError(
        'ERR_GATEWAY',
        `${method}: ${str('code') ?? '?'} ${str('msg') ?? ''}${subCode ? ` (${subCode}${subMsg ? `: ${subMsg}` : ''})` : ''}`,
        { gatewayCode: str('code'), gatewayMsg: str('msg'), subCode, subMsg, verified: true, response: obj, responseBody: text },
      )
    }
    return obj
  }

  /** `alipay.trade.pay` once (`scene=bar_code`, `product_code=FACE_TO_FACE_PAYMENT`). A `10003` (buyer confirming) throws `ERR_GATEWAY`; use {@link barcodePay} for the full, safe flow. */
  pay(args: Record<string, unknown>, opts?: CallOptions): Promise<Record<string, unknown>> {
    assertPlainObject('args', args)
    return this.execute(
      'alipay.trade.pay',
      { scene: 'bar_code', product_code: 'FACE_TO_FACE_PAYMENT', ...(snakeKeys(args) as object) },
      opts,
    )
  }

  /** `alipay.trade.query` (`{ outTradeNo }` or `{ tradeNo }`). */
  query(args: { outTradeNo?: string; tradeNo?: string; [k: string]: unknown }, opts?: CallOptions): Promise<Record<string, unknown>> {
    assertPlainObject('args', args)
    return this.execute('alipay.trade.query', snakeKeys(args) as object, opts)
  }

  /** `alipay.trade.cancel` once (no retries; {@link barcodePay} retries while `retry_flag=Y`). */
  cancel(args: { outTradeNo?: string; tradeNo?: string; [k: string]: unknown }, opts?: CallOptions): Promise<Record<string, unknown>> {
    assertPlainObject('args', args)
    return this.execute('alipay.trade.cancel', snakeKeys(args) as object, opts)
  }

  /** `alipay.trade.close`. */
  close(args: { outTradeNo?: string; tradeNo?: string; [k: string]: unknown }, opts?: CallOptions): Promise<Record<string, unknown>> {
    assertPlainObject('args', args)
    return this.execute('alipay.trade.close', snakeKeys(args) as object, opts)
  }

  /**
   * `alipay.trade.refund` once. Success of the call alone does not prove the
   * money moved: check `fund_change === 'Y'` or use {@link refundFlow}, which
   * confirms with a refund query and is idempotent by `outRequestNo`.
   */
  refund(
    args: { outTradeNo?: string; tradeNo?: string; refundAmount: string; outRequestNo?: string; [k: string]: unknown },
    opts?: CallOptions,
  ): Promise<Record<string, unknown>> {
    assertPlainObject('args', args)
    return this.execute('alipay.trade.refund', snakeKeys(args) as object, opts)
  }

  /** `alipay.trade.fastpay.refund.query` (`{ outTradeNo | tradeNo, outRequestNo }`). */
  refundQuery(
    args: { outTradeNo?: string; tradeNo?: string; outRequestNo: string; [k: string]: unknown },
    opts?: CallOptions,
  ): Promise<Record<string, unknown>> {
    assertPlainObject('args', args)
    return this.execute('alipay.trade.fastpay.refund.query', snakeKeys(args) as object, opts)
  }

  #policy(opts: FlowOptions | RefundFlowOptions, keys: readonly string[]): Record<string, unknown> {
    const policy: Record<string, unknown> = { ...(opts.policy ?? {}) }
    for (const k of keys) {
      const v = (opts as Record<string, unknown>)[k]
      if (v === undefined) continue
      const message = `"opts.${k}" must be a non-negative number, got ${describe(v)}`
      if (typeof v !== 'number') throw invalidType(message)
      if (!Number.isFinite(v) || v < 0) throw new AlipayError('ERR_INVALID_ARGUMENT', message, { field: k })
      policy[k] = v
    }
    // the flow's per-call timeout defaults to the client's (kept within the flow's 1..120 s range)
    if (policy.callTimeoutMs === undefined) policy.callTimeoutMs = Math.min(120_000, Math.max(1_000, this.timeoutMs))
    return policy
  }

  #checkFlowOptions(opts: FlowOptions | RefundFlowOptions): void {
    assertPlainObject('opts', opts)
    if (opts.onEvent !== undefined && typeof opts.onEvent !== 'function') throw invalidType('"opts.onEvent" must be a function')
    if (opts.onSnapshot !== undefined && typeof opts.onSnapshot !== 'function') throw invalidType('"opts.onSnapshot" must be a function')
    if (opts.signal !== undefined && !(opts.signal instanceof AbortSignal)) throw invalidType('"opts.signal" must be an AbortSignal')
    if (opts.policy !== undefined) assertPlainObject('opts.policy', opts.policy)
  }

  #run(flow: Flow, opts: FlowOptions | RefundFlowOptions): Promise<PayOutcome | RefundOutcome> {
    return drive(flow, {
      transport: this.#transport,
      signal: opts.signal,
      onEvent: opts.onEvent,
      onSnapshot: opts.onSnapshot,
    })
  }

  /**
   * Charges a scanned payment code and drives the payment to a final,
   * verified outcome: pays; while the buyer confirms (`10003`) polls
   * `alipay.trade.query`; on timeout, `20000`, network errors or unverifiable
   * answers queries, and cancels whatever is not proven paid (retrying while
   * `retry_flag=Y`).
   *
   * Resolves (never rejects for gateway/network trouble) with
   * `{ status: 'paid' | 'failed' | 'cancelled' | 'unknown', ... }`; `unknown`
   * means the reversal could not be confirmed: reconcile manually.
   *
   * @throws {AlipayError} `ERR_INVALID_ARGUMENT` (bad amount, trade number, ...) before anything is sent
   * @throws {TypeError} wrong argument types
   */
  async barcodePay(order: BarcodeOrder, opts: FlowOptions = {}): Promise<PayOutcome> {
    assertPlainObject('order', order)
    for (const [k, name, what] of ORDER_STRINGS) assertString(name, order[k], what)
    this.#checkFlowOptions(opts)
    const verifier = this.#needVerifier()
    const policy = this.#policy(opts, PAY_POLICY_KEYS)
    const signer = this.#signer
    if (signer && this.#charset === 'gbk' && !this.#customTransport) {
      // refuse text GBK cannot carry before anything is sent (else the pay could not be built,
      // which the flow would have to treat as an unknown result)
      core(() => signer.buildRequest('alipay.trade.pay', JSON.stringify(order), Date.now()))
    }
    const b = binding()
    const flow = core(() => new b.BarcodePayFlow(order, policy, verifier, Date.now()))
    return (await this.#run(flow, opts)) as PayOutcome
  }

  /**
   * Resumes a barcode payment from a snapshot persisted by `onSnapshot`
   * (e.g. after a crash). A call that was in flight counts as unknown: the
   * flow queries and cancels what is not proven paid.
   *
   * @throws {AlipayError} `ERR_SNAPSHOT` for a corrupt or foreign snapshot
   */
  async resumeBarcodePay(snapshot: string, opts: FlowOptions = {}): Promise<PayOutcome> {
    assertString('snapshot', snapshot, 'a JSON snapshot string')
    this.#checkFlowOptions(opts)
    const verifier = this.#needVerifier()
    const b = binding()
    const flow = core(() => b.BarcodePayFlow.resume(snapshot, verifier, Date.now()))
    return (await this.#run(flow, opts)) as PayOutcome
  }

  /**
   * Refunds through the idempotent refund flow: `alipay.trade.refund` with a
   * stable `outRequestNo` (generated when absent), retried and confirmed
   * with `alipay.trade.fastpay.refund.query`. Resolves with
   * `{ status: 'refunded' | 'failed' | 'unknown', ... }`.
   */
  async refundFlow(order: RefundOrder, opts: RefundFlowOptions = {}): Promise<RefundOutcome> {
    assertPlainObject('order', order)
    assertString('order.refundAmount', order.refundAmount, 'a decimal string like "10.00"')
    if (order.outTradeNo === undefined && order.tradeNo === undefined) {
      throw invalidType('"order" needs "outTradeNo" or "tradeNo"')
    }
    this.#checkFlowOptions(opts)
    const verifier = this.#needVerifier()
    const policy = this.#policy(opts, REFUND_POLICY_KEYS)
    const entropy = globalThis.crypto.getRandomValues(new Uint8Array(16))
    const b = binding()
    const flow = core(() => new b.RefundFlow(order, policy, verifier, Date.now(), entropy))
    return (await this.#run(flow, opts)) as RefundOutcome
  }

  /** Resumes a refund flow from a snapshot. */
  async resumeRefund(snapshot: string, opts: RefundFlowOptions = {}): Promise<RefundOutcome> {
    assertString('snapshot', snapshot, 'a JSON snapshot string')
    this.#checkFlowOptions(opts)
    const verifier = this.#needVerifier()
    const b = binding()
    const flow = core(() => b.RefundFlow.resume(snapshot, verifier, Date.now()))
    return (await this.#run(flow, opts)) as RefundOutcome
  }
}

function errorDetails(e: AlipayError): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const k of ['field', 'gatewayCode', 'gatewayMsg', 'subCode', 'subMsg', 'verified', 'httpStatus'] as const) {
    if (e[k] !== undefined) out[k] = e[k]
  }
  return out
}
