/**
 * Keys and protocol primitives (synchronous). Strings are accepted wherever a
 * key is (parsed on each call); parse once with {@link importPrivateKey} /
 * {@link importPublicKey} to sign and verify many times.
 *
 * @module
 */

import { binding } from './binding.js'
import type { PrivateKey, PublicKey, SignOptions, VerifyOptions } from './binding.js'
import { AlipayError, core, invalidType } from './errors.js'

export type { PrivateKey, PublicKey, SignOptions, VerifyOptions }

/** @internal */
export function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`
}

/** @internal */
export function assertString(name: string, v: unknown, what = 'a string'): asserts v is string {
  if (typeof v !== 'string') throw invalidType(`"${name}" must be ${what}, got ${describe(v)}`)
}

/** @internal */
export function assertPlainObject(name: string, v: unknown): void {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw invalidType(`"${name}" must be an object, got ${describe(v)}`)
  }
}

/** @internal */
export function assertStringRecord(name: string, v: unknown): asserts v is Record<string, string> {
  assertPlainObject(name, v)
  for (const [k, val] of Object.entries(v as object)) {
    if (typeof val !== 'string' && val !== undefined && val !== null) {
      throw invalidType(`"${name}.${k}" must be a string, got ${describe(val)}`)
    }
  }
}

function assertOptions(name: string, v: unknown): void {
  if (v !== undefined && v !== null) assertPlainObject(name, v)
}

/**
 * Parses an app private key: PKCS#1 or PKCS#8, PEM or bare base64; stray
 * whitespace and CRLF are tolerated.
 *
 * @throws {AlipayError} `ERR_KEY_FORMAT` (corrupt or truncated), `ERR_KEY_KIND` (a public key or certificate)
 * @throws {TypeError} when `pem` is not a string
 * @example
 * ```ts
 * const key = importPrivateKey(fs.readFileSync('app-private-key.pem', 'utf8'))
 * ```
 */
export function importPrivateKey(pem: string): PrivateKey {
  assertString('pem', pem, 'a PKCS#1/PKCS#8 PEM or base64 string')
  return core(() => binding().importPrivateKey(pem))
}

/**
 * Parses an Alipay public key: SPKI PEM or bare base64 (as copied from the
 * open platform console), PKCS#1 `RSA PUBLIC KEY`, or an X.509 certificate.
 *
 * @throws {AlipayError} `ERR_KEY_FORMAT`, `ERR_KEY_KIND` (a private key)
 * @throws {TypeError} when `pemOrCert` is not a string
 */
export function importPublicKey(pemOrCert: string): PublicKey {
  assertString('pemOrCert', pemOrCert, 'a public key PEM/base64 or certificate string')
  return core(() => binding().importPublicKey(pemOrCert))
}

/** @internal */
export function toPrivateKey(name: string, k: unknown): PrivateKey {
  if (typeof k === 'string') return importPrivateKey(k)
  if (k instanceof binding().PrivateKey) return k as PrivateKey
  throw invalidType(`"${name}" must be a PEM string or a PrivateKey from importPrivateKey(), got ${describe(k)}`)
}

/** @internal */
export function toPublicKey(name: string, k: unknown): PublicKey {
  if (typeof k === 'string') return importPublicKey(k)
  if (k instanceof binding().PublicKey) return k as PublicKey
  throw invalidType(`"${name}" must be a PEM string or a PublicKey from importPublicKey(), got ${describe(k)}`)
}

/**
 * The sign content of `params`: every parameter except `sign`, empty values
 * dropped, sorted by key, `k=v` joined by `&`, not URL-encoded.
 *
 * @example
 * ```ts
 * signContent({ b: '2', a: '1', sign: 'x' }) // 'a=1&b=2'
 * ```
 */
export function signContent(params: Record<string, string>): string {
  assertStringRecord('params', params)
  return core(() => binding().signContent(params))
}

/**
 * Signs `params` (their {@link signContent}) with the app private key.
 * Returns the standard-base64 signature (the `sign` parameter).
 *
 * @throws {AlipayError} `ERR_KEY_*`, `ERR_CHARSET` (text not representable in GBK), `ERR_INVALID_ARGUMENT`
 */
export function sign(
  params: Record<string, string>,
  privateKey: string | PrivateKey,
  opts?: SignOptions,
): string {
  assertStringRecord('params', params)
  assertOptions('opts', opts)
  const key = toPrivateKey('privateKey', privateKey)
  return core(() => binding().sign(params, key, opts ?? null))
}

/**
 * Verifies a gateway response over the exact signed substring and returns
 * the verified `<method>_response` object (whatever its `code`: check
 * `code === '10000'` yourself, or use {@link AlipayClient.execute}).
 *
 * @throws {AlipayError} `ERR_SIGNATURE`, `ERR_UNSIGNED_RESPONSE` (never a success), `ERR_RESPONSE_FORMAT`, `ERR_DUPLICATE_NODE`
 */
export function verifyResponse(
  body: string,
  method: string,
  alipayPublicKey: string | PublicKey,
  opts?: VerifyOptions,
): Record<string, unknown> {
  assertString('body', body)
  assertString('method', method)
  assertOptions('opts', opts)
  const key = toPublicKey('alipayPublicKey', alipayPublicKey)
  return core(() => binding().verifyResponse(body, method, key, opts ?? null))
}

const NOT_VERIFIED = new Set(['ERR_SIGNATURE', 'ERR_UNSIGNED_RESPONSE', 'ERR_RESPONSE_FORMAT', 'ERR_CHARSET'])

/**
 * Verifies an asynchronous notification (`trade_status_sync`), given as the
 * raw `x-www-form-urlencoded` body or as decoded parameters. `true` when the
 * signature verifies; `false` when it does not (or the body is malformed).
 *
 * @throws {AlipayError} `ERR_KEY_*` for an unusable key; `TypeError` for wrong argument types
 */
export function verifyNotify(
  params: Record<string, string> | string,
  alipayPublicKey: string | PublicKey,
  opts?: VerifyOptions,
): boolean {
  try {
    verifyNotifyOrThrow(params, alipayPublicKey, opts)
    return true
  } catch (e) {
    if (e instanceof AlipayError && NOT_VERIFIED.has(e.code)) return false
    // a form body that cannot even be decoded (bad percent-escape) is not a verified notification
    if (typeof params === 'string' && e instanceof AlipayError && e.code === 'ERR_INVALID_ARGUMENT' && e.field === 'form') return false
    throw e
  }
}

/**
 * Like {@link verifyNotify}, but returns the verified parameters and throws
 * the reason (`ERR_SIGNATURE`, ...) when verification fails.
 */
export function verifyNotifyOrThrow(
  params: Record<string, string> | string,
  alipayPublicKey: string | PublicKey,
  opts?: VerifyOptions,
): Record<string, string> {
  if (typeof params !== 'string') assertStringRecord('params', params)
  assertOptions('opts', opts)
  const key = toPublicKey('alipayPublicKey', alipayPublicKey)
  return core(() => binding().verifyNotify(params, key, opts ?? null))
}

/**
 * `app_cert_sn` / `alipay_cert_sn` of a PEM certificate: MD5 hex of the
 * issuer DN and the decimal serial number.
 *
 * @throws {AlipayError} `ERR_CERT`
 */
export function certSn(certPem: string): string {
  assertString('certPem', certPem, 'a PEM certificate string')
  return core(() => binding().certSn(certPem))
}

/**
 * `alipay_root_cert_sn` of the Alipay root certificate bundle (the SNs of
 * its RSA-signed certificates joined by `_`).
 *
 * @throws {AlipayError} `ERR_CERT`
 */
export function rootCertSn(bundlePem: string): string {
  assertString('bundlePem', bundlePem, 'a PEM bundle string')
  return core(() => binding().rootCertSn(bundlePem))
}

/**
 * Advisory check of a scanned payment code (`auth_code`): 25–30 prefix and
 * 16–24 digits, or a face-payment code. Never blocks a payment by itself: the
 * gateway is the judge.
 */
export function validateAuthCode(code: string): { valid: boolean; reason?: string } {
  assertString('code', code)
  return core(() => binding().validateAuthCode(code))
}
