/**
 * The one error class of the SDK.
 *
 * Every failure the SDK reports is an {@link AlipayError} with a stable
 * machine-readable {@link AlipayError.code | code} (`ERR_*`), except misuse of
 * the JavaScript API itself (an argument of the wrong type), which throws a
 * `TypeError` with a clear message, like `jose` does; that `TypeError` also
 * carries `code: 'ERR_INVALID_ARGUMENT'` (see {@link invalidType}).
 *
 * @module
 */

/** Stable error codes. Never renamed, only added to. */
export type AlipayErrorCode =
  | 'ERR_KEY_FORMAT'
  | 'ERR_KEY_KIND'
  | 'ERR_KEY_MISMATCH'
  | 'ERR_KEY_SIZE'
  | 'ERR_SIGNATURE'
  | 'ERR_UNSIGNED_RESPONSE'
  | 'ERR_RESPONSE_FORMAT'
  | 'ERR_DUPLICATE_NODE'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_CHARSET'
  | 'ERR_CERT'
  | 'ERR_DECRYPT'
  | 'ERR_SNAPSHOT'
  | 'ERR_FLOW_STATE'
  | 'ERR_GATEWAY'
  | 'ERR_HTTP'
  | 'ERR_NETWORK'
  | 'ERR_TIMEOUT'
  | 'ERR_ABORTED'
  | 'ERR_INTERNAL'

/** Optional details carried by an {@link AlipayError}. */
export interface AlipayErrorDetails {
  /** The argument or field the error is about (`totalAmount`, `privateKey`, ...). */
  field?: string
  /** The gateway `code` (`40004`, `20000`, ...) when the error comes from a gateway answer. */
  gatewayCode?: string
  /** The gateway `msg`. */
  gatewayMsg?: string
  /** The business `sub_code` (`ACQ.TRADE_HAS_SUCCESS`, `isv.invalid-app-id`, ...). */
  subCode?: string
  /** The business `sub_msg`, meant for the cashier's screen. */
  subMsg?: string
  /** Whether the gateway answer the details come from had a verified signature. */
  verified?: boolean
  /** The HTTP status, for `ERR_HTTP`. */
  httpStatus?: number
  /** The raw response text, when there was one. */
  responseBody?: string
  /** The verified `<method>_response` object, for `ERR_GATEWAY`. */
  response?: Record<string, unknown>
  /** The underlying error. */
  cause?: unknown
}

/**
 * An error with a stable `code`. Thrown by every function of the package
 * (and by the native / WebAssembly core underneath, whose errors are
 * converted to this one class).
 *
 * @example
 * ```ts
 * try { await client.execute('alipay.trade.query', { out_trade_no: 'T1' }) }
 * catch (e) {
 *   if (e instanceof AlipayError && e.code === 'ERR_GATEWAY') console.log(e.subCode, e.subMsg)
 * }
 * ```
 */
export class AlipayError extends Error {
  static {
    // on the prototype, so the stack trace (captured in `super`) already says AlipayError
    Object.defineProperty(this.prototype, 'name', { value: 'AlipayError', writable: true, configurable: true })
  }

  /** Stable error code, e.g. `ERR_SIGNATURE`. */
  readonly code: AlipayErrorCode | (string & {})
  /** The argument or field the error is about. */
  declare readonly field?: string
  /** The gateway `code`, when the error comes from a gateway answer. */
  declare readonly gatewayCode?: string
  /** The gateway `msg`. */
  declare readonly gatewayMsg?: string
  /** The business `sub_code`. */
  declare readonly subCode?: string
  /** The business `sub_msg`. */
  declare readonly subMsg?: string
  /** Whether the gateway answer was signature-verified. */
  declare readonly verified?: boolean
  /** HTTP status of a failed exchange (`ERR_HTTP`). */
  declare readonly httpStatus?: number
  /** Raw response text, when there was one. */
  declare readonly responseBody?: string
  /** The verified response object (`ERR_GATEWAY`). */
  declare readonly response?: Record<string, unknown>

  /**
   * @param code - stable `ERR_*` code
   * @param message - human-readable message (never contains key material)
   * @param details - optional structured details
   */
  constructor(code: AlipayErrorCode | (string & {}), message: string, details: AlipayErrorDetails = {}) {
    const { cause, ...rest } = details
    super(message, cause === undefined ? undefined : { cause })
    this.code = code
    for (const [k, v] of Object.entries(rest)) {
      if (v !== undefined) (this as Record<string, unknown>)[k] = v
    }
  }
}

const DETAIL_KEYS = ['field', 'gatewayCode', 'gatewayMsg', 'subCode', 'subMsg', 'verified'] as const

/**
 * Converts an error thrown by the native or wasm core into the public error
 * type: an `ERR_*` error becomes an {@link AlipayError} with the same code and
 * details; an argument-conversion failure of the binding becomes a
 * `TypeError`; anything else is returned unchanged.
 *
 * @internal
 */
export function fromCore(e: unknown): unknown {
  if (e instanceof AlipayError) return e
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code
    if (typeof code === 'string' && code.startsWith('ERR_')) {
      const details: AlipayErrorDetails = {}
      for (const k of DETAIL_KEYS) {
        const v = (e as unknown as Record<string, unknown>)[k]
        if (v !== undefined) (details as Record<string, unknown>)[k] = v
      }
      return new AlipayError(code, e.message, details)
    }
    if (typeof code === 'string' && /^(InvalidArg|.*Expected)$/.test(code)) {
      return invalidType(e.message)
    }
  }
  return e
}

/**
 * The `TypeError` thrown for misuse of the JavaScript API (an argument of the
 * wrong type). It carries `code: 'ERR_INVALID_ARGUMENT'` (as Node's own
 * argument errors carry `ERR_INVALID_ARG_TYPE`), so code-based error handling
 * covers it too; `instanceof TypeError` holds.
 */
export function invalidType(message: string): TypeError & { code: 'ERR_INVALID_ARGUMENT' } {
  const e = new TypeError(message) as TypeError & { code: 'ERR_INVALID_ARGUMENT' }
  e.code = 'ERR_INVALID_ARGUMENT'
  return e
}

/**
 * Runs a synchronous core call, converting its errors with {@link fromCore}.
 *
 * @internal
 */
export function core<T>(fn: () => T): T {
  try {
    return fn()
  } catch (e) {
    throw fromCore(e)
  }
}
