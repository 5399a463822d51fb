/**
 * Forwarded deployment (后台转发), backend half: takes a call from the POS
 * frontend, checks it (allow-list of methods, the merchant's rules), signs
 * it with the app private key, sends it to the gateway and returns Alipay's
 * raw response text untouched. The frontend verifies it with the Alipay
 * public key ({@link forwardTransport}), so this backend cannot fake a
 * payment result.
 *
 * Framework-neutral: {@link ForwardBackend.handle} is a plain
 * `(body) => Promise<{ status, headers, body }>` function; {@link
 * ForwardBackend.httpHandler} is a ready `node:http` / Express / Connect
 * handler (with CORS and preflight handling).
 *
 * ```ts
 * const backend = createForwardBackend({
 *   appId, privateKey, gateway,
 *   rules: async (call) => {
 *     if (call.method === 'alipay.trade.pay' && Number(call.biz.total_amount) > 5000) throw new Error('amount over the till limit')
 *   },
 *   cors: { origin: 'https://pos.example.com' },
 * })
 * http.createServer(backend.httpHandler).listen(8080)        // node:http
 * app.post('/alipay/forward', backend.httpHandler)            // Express
 * fastify.post('/alipay/forward', async (req, reply) => {      // Fastify (or Koa: ctx.request.body)
 *   const r = await backend.handle(req.body, { request: req })
 *   reply.code(r.status).headers(r.headers).send(r.body)
 * })
 * ```
 *
 * @module
 */

import { AlipayClient } from './client.js'
import type { AlipayClientConfig } from './client.js'
import { AlipayError, invalidType } from './errors.js'
import type { ForwardErrorBody } from './forward.js'

/** The six trade methods a POS needs; the default allow-list. */
export const DEFAULT_FORWARD_METHODS: readonly string[] = Object.freeze([
  'alipay.trade.pay',
  'alipay.trade.query',
  'alipay.trade.cancel',
  'alipay.trade.refund',
  'alipay.trade.close',
  'alipay.trade.fastpay.refund.query',
])

const HEADER = 'x-alipay-f2f-forward'
const REFUSED = 'ERR_FORWARD_REFUSED'

/** A call as the merchant's rules see it. */
export interface ForwardCall {
  /** API method (already checked against the allow-list). */
  method: string
  /** `biz_content` JSON text, exactly as it will be signed and sent. */
  bizContent: string
  /** `biz_content` parsed (snake_case keys as sent: `total_amount`, `store_id`, ...). Read-only view. */
  biz: Readonly<Record<string, unknown>>
  /** What the caller passed as `ctx.request` (the HTTP request with `httpHandler`): for sessions, auth, client ids. */
  request?: unknown
}

/** Per-request context given to {@link ForwardBackend.handle}. */
export interface ForwardRequestContext {
  /** The framework's request object; handed to `rules` as `call.request`. */
  request?: unknown
}

/** CORS settings of {@link ForwardBackend.httpHandler}. */
export interface ForwardCorsOptions {
  /** Allowed origins: `'*'`, one origin, a list, or a predicate. */
  origin: '*' | string | readonly string[] | ((origin: string) => boolean)
  /** Send `access-control-allow-credentials: true` (cookies); not with `'*'`. */
  credentials?: boolean
  /** Extra allowed request headers (e.g. `authorization`); `content-type` is always allowed. */
  allowHeaders?: readonly string[]
  /** Preflight cache (`access-control-max-age`, seconds; default 600). */
  maxAgeSeconds?: number
}

/** One forwarded (or refused) call, for the merchant's audit log. Never contains keys or the payment code. */
export interface ForwardLogEntry {
  /** API method, when the request was well-formed. */
  method?: string
  /** `out_trade_no` of the call, when present. */
  outTradeNo?: string
  /** Status returned to the frontend. */
  status: number
  /** Error code when not forwarded or not answered (`ERR_FORWARD_REFUSED`, `ERR_TIMEOUT`, ...). */
  errorCode?: string
  /** Error message. */
  message?: string
  /** Milliseconds spent. */
  ms: number
}

/** Options of {@link createForwardBackend}. */
export interface ForwardBackendOptions extends Partial<AlipayClientConfig> {
  /**
   * A client holding the app private key (and gateway settings). Instead of
   * this, pass the client configuration inline (`appId`, `privateKey`,
   * `gateway`, `signType`, `charset`, `appAuthToken`, certificates, ...).
   */
  client?: AlipayClient
  /** Methods the frontend may call (default {@link DEFAULT_FORWARD_METHODS}). */
  allowedMethods?: readonly string[]
  /**
   * The merchant's rules (amount limits, store ids, which terminal may
   * refund, authentication of the POS session ...): throw (or reject) to
   * refuse a call, which is then **not sent**; the thrown error's message
   * is returned to the frontend as the refusal reason. Runs for every
   * allowed call, after the allow-list.
   */
  rules?: (call: ForwardCall) => void | Promise<void>
  /** Gateway timeout per call (default: the client's, 15 s). Keep it below the frontend's call timeout. */
  timeoutMs?: number
  /** Largest accepted request body (default 65536 bytes). */
  maxBodyBytes?: number
  /** CORS for `httpHandler` (default: none, same-origin only). `true` = any origin (`*`). */
  cors?: boolean | ForwardCorsOptions
  /** Audit hook, called once per request (exceptions are ignored). */
  onForward?: (entry: ForwardLogEntry) => void
}

/** A response for the frontend. */
export interface ForwardResponse {
  /** HTTP status: 200 with Alipay's raw text, or ≥ 400 with a {@link ForwardErrorBody}. */
  status: number
  /** Response headers (content type, `x-alipay-f2f-forward`, `cache-control`). */
  headers: Record<string, string>
  /** Body text. */
  body: string
}

/** Minimal `node:http` request shape used by `httpHandler` (also Express/Connect requests). */
interface HttpRequestLike {
  method?: string
  headers: Record<string, string | string[] | undefined>
  body?: unknown
  on(event: string, listener: (...args: any[]) => void): unknown
  resume?: () => unknown
}

/** Minimal `node:http` response shape used by `httpHandler`. */
interface HttpResponseLike {
  headersSent?: boolean
  writeHead(status: number, headers?: Record<string, string>): unknown
  end(body?: string): unknown
}

/** The backend half of the forwarded deployment. */
export interface ForwardBackend {
  /**
   * Handles one forward request body (JSON text, bytes, or an already parsed
   * object, e.g. `req.body` from a JSON body parser). Never rejects.
   */
  handle(body: string | Uint8Array | object, ctx?: ForwardRequestContext): Promise<ForwardResponse>
  /**
   * A `(req, res)` handler for `node:http`, Express, Connect: POST only,
   * `content-type: application/json` required (so that cross-origin pages
   * must pass a CORS preflight), CORS per `cors`, body size limit. Uses
   * `req.body` when a body parser already read it.
   */
  httpHandler(req: HttpRequestLike, res: HttpResponseLike, next?: (err?: unknown) => void): void
  /** The client that signs the calls. */
  readonly client: AlipayClient
}

function errorResponse(status: number, code: string, message: string, httpStatus?: number): ForwardResponse {
  const body: ForwardErrorBody = { error: { code, message, ...(httpStatus !== undefined ? { httpStatus } : {}) } }
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', [HEADER]: 'error' },
    body: JSON.stringify(body),
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array)
}

/** Message of a thrown rule refusal (never a stack). */
function refusalMessage(e: unknown): string {
  if (e instanceof Error && e.message) return e.message
  if (typeof e === 'string' && e) return e
  return 'refused by the merchant rules'
}

const CLIENT_KEYS = [
  'appId', 'privateKey', 'alipayPublicKey', 'gateway', 'signType', 'charset', 'appAuthToken', 'notifyUrl',
  'appCert', 'alipayCert', 'alipayRootCert', 'encryptKey', 'fetch', 'timeoutMs',
] as const

/**
 * Creates the backend half of the forwarded deployment.
 *
 * @throws {TypeError} bad options; {@link AlipayError} (`ERR_KEY_*`) for an unusable private key
 */
export function createForwardBackend(opts: ForwardBackendOptions): ForwardBackend {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw invalidType('"opts" must be an object')
  let client: AlipayClient
  if (opts.client !== undefined) {
    if (!(opts.client instanceof AlipayClient)) throw invalidType('"opts.client" must be an AlipayClient')
    client = opts.client
  } else {
    if (opts.privateKey === undefined) throw invalidType('"opts.privateKey" (or "opts.client") is required: the backend signs the calls')
    const cfg: Record<string, unknown> = {}
    for (const k of CLIENT_KEYS) if (opts[k] !== undefined) cfg[k] = opts[k]
    client = new AlipayClient(cfg as unknown as AlipayClientConfig)
  }
  const allowed = new Set(opts.allowedMethods ?? DEFAULT_FORWARD_METHODS)
  if (opts.allowedMethods !== undefined && (!Array.isArray(opts.allowedMethods) || opts.allowedMethods.some((m) => typeof m !== 'string'))) {
    throw invalidType('"opts.allowedMethods" must be an array of method names')
  }
  if (opts.rules !== undefined && typeof opts.rules !== 'function') throw invalidType('"opts.rules" must be a function')
  if (opts.onForward !== undefined && typeof opts.onForward !== 'function') throw invalidType('"opts.onForward" must be a function')
  const maxBodyBytes = opts.maxBodyBytes ?? 65536
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0) throw invalidType('"opts.maxBodyBytes" must be a positive integer')
  const cors: ForwardCorsOptions | undefined = opts.cors === true ? { origin: '*' } : opts.cors ? opts.cors : undefined
  if (cors && cors.origin === '*' && cors.credentials) throw invalidType('"opts.cors": credentials cannot be used with origin "*"')
  const timeoutMs = opts.timeoutMs

  const log = (entry: ForwardLogEntry) => {
    if (!opts.onForward) return
    try {
      opts.onForward(entry)
    } catch {
      // an audit hook must not break the exchange
    }
  }

  async function forwardParsed(parsed: unknown, ctx: ForwardRequestContext, t0: number): Promise<ForwardResponse> {
    const done = (r: ForwardResponse, method?: string, outTradeNo?: string): ForwardResponse => {
      let errorCode: string | undefined
      let message: string | undefined
      if (r.status !== 200) {
        try {
          const e = (JSON.parse(r.body) as ForwardErrorBody).error
          errorCode = e.code
          message = e.message
        } catch {
          // not reached: error bodies are ours
        }
      }
      log({ method, outTradeNo, status: r.status, errorCode, message, ms: Date.now() - t0 })
      return r
    }
    if (!isPlainObject(parsed)) return done(errorResponse(400, 'ERR_INVALID_ARGUMENT', 'the forward request must be a JSON object {"method","bizContent"}'))
    const { method } = parsed
    let { bizContent } = parsed
    if (typeof method !== 'string' || method === '') return done(errorResponse(400, 'ERR_INVALID_ARGUMENT', '"method" must be a non-empty string'))
    if (isPlainObject(bizContent)) bizContent = JSON.stringify(bizContent)
    if (typeof bizContent !== 'string') return done(errorResponse(400, 'ERR_INVALID_ARGUMENT', '"bizContent" must be JSON object text'), method)
    let biz: unknown
    try {
      biz = JSON.parse(bizContent)
    } catch {
      return done(errorResponse(400, 'ERR_INVALID_ARGUMENT', '"bizContent" is not valid JSON'), method)
    }
    if (!isPlainObject(biz)) return done(errorResponse(400, 'ERR_INVALID_ARGUMENT', '"bizContent" must be a JSON object'), method)
    const outTradeNo = typeof biz.out_trade_no === 'string' ? biz.out_trade_no : undefined
    if (!allowed.has(method)) {
      return done(errorResponse(403, REFUSED, `method ${method} is not allowed by this backend`), method, outTradeNo)
    }
    if (opts.rules) {
      const call: ForwardCall = { method, bizContent, biz: Object.freeze({ ...biz }), request: ctx.request }
      try {
        await opts.rules(call)
      } catch (e) {
        return done(errorResponse(403, REFUSED, refusalMessage(e)), method, outTradeNo)
      }
    }
    let text: string
    try {
      text = await client.forward({ method, bizContent }, timeoutMs === undefined ? {} : { timeoutMs })
    } catch (e) {
      if (e instanceof AlipayError) {
        if (e.code === 'ERR_HTTP') return done(errorResponse(502, 'ERR_HTTP', e.message, e.httpStatus), method, outTradeNo)
        if (e.code === 'ERR_TIMEOUT') return done(errorResponse(504, 'ERR_TIMEOUT', e.message), method, outTradeNo)
        if (e.code === 'ERR_NETWORK' || e.code === 'ERR_ABORTED') return done(errorResponse(502, 'ERR_NETWORK', e.message), method, outTradeNo)
        if (e.code === 'ERR_INVALID_ARGUMENT' || e.code === 'ERR_CHARSET') return done(errorResponse(400, e.code, e.message), method, outTradeNo)
        return done(errorResponse(500, e.code, e.message), method, outTradeNo)
      }
      return done(errorResponse(500, 'ERR_INTERNAL', 'the backend failed to forward the call'), method, outTradeNo)
    }
    return done(
      {
        status: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', [HEADER]: 'gateway' },
        body: text,
      },
      method,
      outTradeNo,
    )
  }

  async function handle(body: string | Uint8Array | object, ctx: ForwardRequestContext = {}): Promise<ForwardResponse> {
    const t0 = Date.now()
    let parsed: unknown = body
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const text = typeof body === 'string' ? body : new TextDecoder('utf-8', { fatal: false }).decode(body)
      try {
        parsed = JSON.parse(text)
      } catch {
        const r = errorResponse(400, 'ERR_INVALID_ARGUMENT', 'the forward request is not valid JSON')
        log({ status: 400, errorCode: 'ERR_INVALID_ARGUMENT', message: 'not valid JSON', ms: Date.now() - t0 })
        return r
      }
    }
    try {
      return await forwardParsed(parsed, ctx, t0)
    } catch {
      return errorResponse(500, 'ERR_INTERNAL', 'the backend failed to forward the call')
    }
  }

  function corsHeaders(origin: string | undefined): Record<string, string> {
    if (!cors || origin === undefined) return {}
    const o = cors.origin
    const ok = o === '*' || (typeof o === 'string' ? o === origin : typeof o === 'function' ? o(origin) : o.includes(origin))
    if (!ok) return {}
    const h: Record<string, string> = { 'access-control-allow-origin': o === '*' ? '*' : origin }
    if (o !== '*') h.vary = 'origin'
    if (cors.credentials) h['access-control-allow-credentials'] = 'true'
    h['access-control-expose-headers'] = HEADER
    return h
  }

  function send(res: HttpResponseLike, r: ForwardResponse, extra: Record<string, string>): void {
    if (res.headersSent) return
    res.writeHead(r.status, { ...r.headers, ...extra })
    res.end(r.body)
  }

  function httpHandler(req: HttpRequestLike, res: HttpResponseLike, next?: (err?: unknown) => void): void {
    const originHeader = req.headers.origin
    const origin = typeof originHeader === 'string' ? originHeader : undefined
    const ch = corsHeaders(origin)
    if (req.method === 'OPTIONS') {
      req.resume?.()
      if (res.headersSent) return
      const h: Record<string, string> = { ...ch }
      if (ch['access-control-allow-origin']) {
        h['access-control-allow-methods'] = 'POST, OPTIONS'
        h['access-control-allow-headers'] = ['content-type', ...(cors?.allowHeaders ?? [])].join(', ')
        h['access-control-max-age'] = String(cors?.maxAgeSeconds ?? 600)
      }
      res.writeHead(204, h)
      res.end()
      return
    }
    if (req.method !== 'POST') {
      req.resume?.()
      send(res, errorResponse(405, 'ERR_INVALID_ARGUMENT', 'use POST'), { ...ch, allow: 'POST, OPTIONS' })
      return
    }
    const ctype = String(req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    if (ctype !== 'application/json') {
      req.resume?.()
      send(res, errorResponse(415, 'ERR_INVALID_ARGUMENT', 'content-type must be application/json'), ch)
      return
    }
    const finish = (p: Promise<ForwardResponse>) =>
      p.then(
        (r) => send(res, r, ch),
        (e) => (next ? next(e) : send(res, errorResponse(500, 'ERR_INTERNAL', 'the backend failed to forward the call'), ch)),
      )
    // a body parser (Express json/text/raw) already consumed the stream
    const pre = req.body
    if (typeof pre === 'string' || pre instanceof Uint8Array || (isPlainObject(pre) && Object.keys(pre).length > 0)) {
      finish(handle(pre as string | Uint8Array | object, { request: req }))
      return
    }
    const chunks: Uint8Array[] = []
    let size = 0
    let tooLarge = false
    req.on('data', (c: Uint8Array | string) => {
      if (tooLarge) return
      const b = typeof c === 'string' ? new TextEncoder().encode(c) : c
      size += b.length
      if (size > maxBodyBytes) {
        tooLarge = true
        chunks.length = 0
        send(res, errorResponse(413, 'ERR_INVALID_ARGUMENT', `request body larger than ${maxBodyBytes} bytes`), { ...ch, connection: 'close' })
        return
      }
      chunks.push(b)
    })
    req.on('error', () => {
      tooLarge = true
    })
    req.on('end', () => {
      if (tooLarge) return
      const all = new Uint8Array(size)
      let off = 0
      for (const c of chunks) {
        all.set(c, off)
        off += c.length
      }
      finish(handle(all, { request: req }))
    })
  }

  return { handle, httpHandler, client }
}
