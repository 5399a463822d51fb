/**
 * The binding surface: the synchronous, logic-free interface that both the
 * Node-API addon (`native/`) and the WebAssembly build implement identically.
 * Documented in `.team/BINDING_API.md`. The TypeScript layer (client,
 * driver, helpers) is written only against this interface.
 *
 * @module
 */

import type { Action, TransportFailure } from './types.js'

/** A parsed app private key (opaque; holds no JS-visible key material). */
export interface PrivateKey {
  /** Modulus size in bits. */
  readonly bits: number
  /** The matching public key. */
  publicKey(): PublicKey
}

/** A parsed RSA public key (opaque). */
export interface PublicKey {
  /** Modulus size in bits. */
  readonly bits: number
  /** The key as SPKI PEM. */
  toPem(): string
}

/** Signing options. */
export interface SignOptions {
  /** `RSA2` (SHA256withRSA, default) or `RSA` (SHA1withRSA). */
  signType?: 'RSA2' | 'RSA'
  /** Charset of the signed bytes (default `utf-8`). */
  charset?: 'utf-8' | 'gbk'
}

/** Verification options. */
export interface VerifyOptions {
  /** `RSA2` (default) or `RSA`. */
  signType?: 'RSA2' | 'RSA'
  /** Charset of the request the response answers (default `utf-8`): the gateway signs its answer in it. */
  charset?: 'utf-8' | 'gbk'
}

/** Configuration of a binding {@link Signer}. */
export interface SignerConfig {
  /** The APPID. */
  appId: string
  /** Gateway URL (default: production). */
  gateway?: string
  /** `RSA2` (default) or `RSA`. */
  signType?: 'RSA2' | 'RSA'
  /** Request charset (default `utf-8`). */
  charset?: 'utf-8' | 'gbk'
  /** `app_auth_token` (ISV acting for a merchant). */
  appAuthToken?: string
  /** `notify_url`. */
  notifyUrl?: string
  /** Certificate mode: `app_cert_sn`. */
  appCertSn?: string
  /** Certificate mode: `alipay_root_cert_sn`. */
  alipayRootCertSn?: string
  /** AES content-encryption key (base64). */
  encryptKey?: string
}

/** A signed gateway request, ready for `fetch`. */
export interface SignedRequest {
  /** Full URL (common parameters, `sign`, `charset` in the query string). */
  url: string
  /** Always `POST`. */
  method: string
  /** Headers to send. */
  headers: Record<string, string>
  /** Form body, encoded in the request charset. */
  body: Uint8Array
  /** The exact sign content that was signed. */
  signContent: string
}

/** Builds signed requests (holds the app private key). */
export interface Signer {
  /** Builds and signs a request for `method` with `bizContent` (JSON text) at `nowMs`. */
  buildRequest(method: string, bizContent: string, nowMs: number): SignedRequest
}

/** Verifies gateway answers (holds the Alipay public key / certificates). */
export interface Verifier {
  /** Certificate mode: registers an Alipay certificate, returns its SN. */
  addCert(certPem: string): string
  /** Verifies `body` for `method`; returns the verified `<method>_response` object. */
  verify(body: string, method: string): Record<string, unknown>
}

/** A sans-IO flow machine (barcode payment or refund). */
export interface Flow {
  /** The next action: queued events first, then a call, a wait, or done. */
  poll(nowMs: number): Action
  /** Feeds the raw response text of call `id` (verified inside). */
  handleResponse(id: number, body: string, nowMs: number): void
  /** Feeds the failure of call `id`. */
  handleTransportError(id: number, error: TransportFailure, nowMs: number): void
  /** Cashier abort: stop waiting and reverse the trade. */
  abort(nowMs: number): void
  /** JSON snapshot of the state (no keys). */
  snapshot(): string
}

/** Constructor + resume of a flow class. */
export interface FlowClass<A extends unknown[]> {
  new (order: object, policy: object | null | undefined, verifier: Verifier, nowMs: number, ...rest: A): Flow
  /** Resumes from a snapshot (a lost in-flight call is treated as unknown). */
  resume(snapshot: string, verifier: Verifier, nowMs: number): Flow
}

/** The whole binding surface. */
export interface Binding {
  /** The private key class, for `instanceof` checks (not constructible from JS). */
  PrivateKey: abstract new (...args: never[]) => PrivateKey
  /** See {@link Binding.PrivateKey}. */
  PublicKey: abstract new (...args: never[]) => PublicKey
  /** Parses an app private key. */
  importPrivateKey(pem: string): PrivateKey
  /** Parses an Alipay public key or certificate. */
  importPublicKey(pemOrCert: string): PublicKey
  /** Throws `ERR_KEY_MISMATCH` when `alipayPublicKey` is the app's own public key. */
  checkNotAppKey(appPrivateKey: PrivateKey, alipayPublicKey: PublicKey): void
  /** The sign content of `params`. */
  signContent(params: Record<string, string>): string
  /** Base64 signature of `params`. */
  sign(params: Record<string, string>, privateKey: PrivateKey, opts?: SignOptions | null): string
  /** Verified `<method>_response` object of `body`. */
  verifyResponse(
    body: string,
    method: string,
    alipayPublicKey: PublicKey,
    opts?: VerifyOptions | null,
  ): Record<string, unknown>
  /** Verified notification parameters (throws when not verified). */
  verifyNotify(
    params: Record<string, string> | string,
    alipayPublicKey: PublicKey,
    opts?: VerifyOptions | null,
  ): Record<string, string>
  /** `app_cert_sn` / `alipay_cert_sn` of a certificate. */
  certSn(certPem: string): string
  /** `alipay_root_cert_sn` of a root bundle. */
  rootCertSn(bundlePem: string): string
  /** Advisory payment-code check. */
  validateAuthCode(code: string): { valid: boolean; reason?: string }
  /** Request signer class. */
  Signer: new (config: SignerConfig, privateKey: PrivateKey) => Signer
  /** Response verifier class. */
  Verifier: new (
    alipayPublicKey: PublicKey,
    opts?: { signType?: 'RSA2' | 'RSA'; encryptKey?: string; charset?: 'utf-8' | 'gbk' } | null,
  ) => Verifier
  /** Barcode payment flow class. */
  BarcodePayFlow: FlowClass<[]>
  /** Refund flow class (`entropy`: 16 random bytes for a generated `outRequestNo`). */
  RefundFlow: FlowClass<[entropy: Uint8Array]>
}

let current: Binding | undefined

/**
 * Installs the implementation (native or wasm). Called once by the entry module.
 *
 * @internal
 */
export function setBinding(b: Binding): void {
  current = b
}

/**
 * The installed implementation.
 *
 * @internal
 */
export function binding(): Binding {
  if (!current) throw new Error('alipay-f2f: no binding loaded (import the package entry, not internal modules)')
  return current
}
