/**
 * Forwarded deployment (后台转发), frontend half and wire protocol.
 *
 * The POS frontend (browser page, Electron renderer, a worker) runs the
 * payment flow and verifies every Alipay answer itself with only the Alipay
 * public key; each gateway call is posted to the merchant backend, which
 * checks it, signs it, sends it to the gateway and returns Alipay's raw
 * response text untouched ({@link createForwardBackend}).
 *
 * ```ts
 * // frontend: no private key anywhere
 * const client = new AlipayClient({ appId, alipayPublicKey, transport: forwardTransport({ url: '/alipay/forward' }) })
 * const r = await client.barcodePay({ outTradeNo, authCode, totalAmount: '88.88', subject: 'Coffee' })
 * ```
 *
 * Wire protocol (one HTTP exchange per gateway call):
 * - request: `POST <url>`, `content-type: application/json`, body
 *   `{"method":"alipay.trade.pay","bizContent":"{...JSON object text...}"}`;
 * - the gateway answered HTTP 200: backend status `200`, header
 *   `x-alipay-f2f-forward: gateway`, body = Alipay's raw response text;
 * - anything else: a backend status ≥ 400, header `x-alipay-f2f-forward: error`
 *   and a JSON body `{"error":{"code":"ERR_…","message":"…","httpStatus"?:N}}`
 *   ({@link ForwardErrorBody}). `ERR_FORWARD_REFUSED` (403): the backend's
 *   allow-list or the merchant's rules refused the call, so it was not sent;
 *   `ERR_HTTP` (502, `httpStatus` = the gateway's status), `ERR_NETWORK` (502),
 *   `ERR_TIMEOUT` (504): the gateway exchange failed; `ERR_INVALID_ARGUMENT`
 *   (400/405/413/415): a malformed forward request.
 *
 * This module has no Node-specific imports: it runs in browsers, Deno, Bun
 * and workers (with the WebAssembly build) as well as in Node.
 *
 * @module
 */

import { AlipayError, invalidType } from './errors.js'
import type { Transport, TransportCall } from './types.js'

export { createForwardBackend, DEFAULT_FORWARD_METHODS } from './forward-backend.js'
export type { ForwardBackend, ForwardBackendOptions, ForwardCall, ForwardCorsOptions, ForwardLogEntry, ForwardRequestContext } from './forward-backend.js'

/** Header that tells a gateway answer (`gateway`) from a backend error (`error`). */
export const FORWARD_HEADER = 'x-alipay-f2f-forward'

/** Error code of a call the backend refused (method not allowed, or the merchant's rules). Nothing was sent to Alipay. */
export const ERR_FORWARD_REFUSED = 'ERR_FORWARD_REFUSED'

/** JSON body of a forward request. */
export interface ForwardRequestBody {
  /** API method, e.g. `alipay.trade.pay`. */
  method: string
  /** `biz_content` as JSON object text (signed and sent exactly as given). */
  bizContent: string
}

/** JSON body of a backend error answer (status ≥ 400). */
export interface ForwardErrorBody {
  error: {
    /** Stable code: `ERR_FORWARD_REFUSED`, `ERR_HTTP`, `ERR_NETWORK`, `ERR_TIMEOUT`, `ERR_INVALID_ARGUMENT`, `ERR_INTERNAL`. */
    code: string
    /** Human message (the merchant rule's message for a refusal). */
    message: string
    /** The gateway's HTTP status, for `ERR_HTTP`. */
    httpStatus?: number
  }
}

/** Options of {@link forwardTransport}. */
export interface ForwardTransportOptions {
  /** URL of the backend's forward endpoint (absolute, or relative to the page in a browser). */
  url: string
  /** `fetch` implementation (default `globalThis.fetch`). */
  fetch?: typeof fetch
  /**
   * Extra request headers (e.g. the POS session's `authorization`), or a
   * function returning them per call (e.g. a fresh token).
   */
  headers?: Record<string, string> | (() => Record<string, string> | Promise<Record<string, string>>)
  /** `fetch` credentials mode (e.g. `'include'` to send cookies to a backend on another origin). */
  credentials?: 'omit' | 'same-origin' | 'include'
}

const CODES_FROM_BACKEND = new Set([
  ERR_FORWARD_REFUSED,
  'ERR_NETWORK',
  'ERR_TIMEOUT',
  'ERR_INVALID_ARGUMENT',
  'ERR_INTERNAL',
])

function describeValue(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/**
 * Frontend half of the forwarded deployment: a {@link Transport} that posts
 * each call to the merchant backend and resolves to Alipay's raw response
 * text, which the flow then verifies itself (a backend that alters an answer
 * is caught: `ERR_SIGNATURE`, and the flow treats the result as unknown →
 * query → cancel).
 *
 * Rejections (`AlipayError`): `ERR_FORWARD_REFUSED` (the backend refused the
 * call: it was not sent), `ERR_HTTP` with `httpStatus` (the gateway's
 * non-200 status, or the backend's own unexpected status), `ERR_NETWORK`,
 * `ERR_TIMEOUT`, `ERR_INVALID_ARGUMENT`, `ERR_INTERNAL` (reported by the
 * backend), `ERR_ABORTED`. The payment flow counts every one of them as
 * "outcome unknown" — a refused pay is then proven unpaid by Alipay's own
 * verified answers (query, cancel), not by the backend's word.
 *
 * @example
 * ```ts
 * const client = new AlipayClient({
 *   appId: '2021...', alipayPublicKey,       // no privateKey: the backend signs
 *   transport: forwardTransport({ url: 'https://pos-backend.example.com/alipay/forward',
 *                                 headers: () => ({ authorization: `Bearer ${session.token}` }) }),
 * })
 * ```
 */
export function forwardTransport(opts: ForwardTransportOptions): Transport {
  if (typeof opts !== 'object' || opts === null) throw invalidType(`"opts" must be an object, got ${describeValue(opts)}`)
  if (typeof opts.url !== 'string' || opts.url === '') throw invalidType(`"opts.url" must be a non-empty string, got ${describeValue(opts.url)}`)
  if (opts.fetch !== undefined && typeof opts.fetch !== 'function') throw invalidType('"opts.fetch" must be a fetch function')
  const h = opts.headers
  if (h !== undefined && typeof h !== 'function' && (typeof h !== 'object' || h === null)) {
    throw invalidType('"opts.headers" must be an object or a function returning one')
  }
  const url = opts.url
  const credentials = opts.credentials

  return async (call: TransportCall, signal: AbortSignal): Promise<string> => {
    const fetchFn = opts.fetch ?? globalThis.fetch
    if (typeof fetchFn !== 'function') {
      throw new AlipayError('ERR_INVALID_ARGUMENT', 'no fetch available: pass opts.fetch to forwardTransport', { field: 'fetch' })
    }
    const extra = typeof h === 'function' ? await h() : (h ?? {})
    const body: ForwardRequestBody = { method: call.method, bizContent: call.bizContent }
    let res: Response
    let text: string
    try {
      res = await fetchFn(url, {
        method: 'POST',
        headers: { ...extra, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal,
        ...(credentials ? { credentials } : {}),
      })
      text = await res.text()
    } catch (e) {
      if (signal.aborted) throw e // the driver classifies timeouts and aborts itself
      const msg = e instanceof Error ? e.message : String(e)
      throw new AlipayError('ERR_NETWORK', `${call.method}: cannot reach the forward backend: ${msg}`, { cause: e })
    }
    if (res.status === 200) return text

    let err: ForwardErrorBody['error'] | undefined
    try {
      const parsed = JSON.parse(text) as Partial<ForwardErrorBody>
      if (parsed && typeof parsed.error === 'object' && parsed.error && typeof parsed.error.code === 'string') err = parsed.error
    } catch {
      // not a backend error body (a proxy page, ...): reported as HTTP below
    }
    if (err && err.code === 'ERR_HTTP') {
      const status = typeof err.httpStatus === 'number' ? err.httpStatus : res.status
      throw new AlipayError('ERR_HTTP', `${call.method}: the gateway answered HTTP ${status} (via the backend)`, {
        httpStatus: status,
        responseBody: text,
      })
    }
    if (err && CODES_FROM_BACKEND.has(err.code)) {
      const what = err.code === ERR_FORWARD_REFUSED ? 'the backend refused' : 'the backend failed on'
      const message = typeof err.message === 'string' ? err.message : ''
      throw new AlipayError(err.code, `${what} ${call.method}: ${message}`, { responseBody: text })
    }
    throw new AlipayError('ERR_HTTP', `${call.method}: the forward backend answered HTTP ${res.status}`, {
      httpStatus: res.status,
      responseBody: text.slice(0, 2000),
    })
  }
}
