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
}

/** Configuration of a binding {@link Signer}. */
export interface SignerConfig {
  appId: string
  gateway?: string
  signType?: 'RSA2' | 'RSA'
  charset?: 'utf-8' | 'gbk'
  appAuthToken?: string
  notifyUrl?: string
  appCertSn?: string
  alipayRootCertSn?: string
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
  /** The key classes, for `instanceof` checks (not constructible from JS). */
  PrivateKey: abstract new (...args: never[]) => PrivateKey
  PublicKey: abstract new (...args: never[]) => PublicKey
  importPrivateKey(pem: string): PrivateKey
  importPublicKey(pemOrCert: string): PublicKey
  checkNotAppKey(appPrivateKey: PrivateKey, alipayPublicKey: PublicKey): void
  signContent(params: Record<string, string>): string
  sign(params: Record<string, string>, privateKey: PrivateKey, opts?: SignOptions | null): string
  verifyResponse(
    body: string,
    method: string,
    alipayPublicKey: PublicKey,
    opts?: VerifyOptions | null,
  ): Record<string, unknown>
  verifyNotify(
    params: Record<string, string> | string,
    alipayPublicKey: PublicKey,
    opts?: VerifyOptions | null,
  ): Record<string, string>
  certSn(certPem: string): string
  rootCertSn(bundlePem: string): string
  validateAuthCode(code: string): { valid: boolean; reason?: string }
  Signer: new (config: SignerConfig, privateKey: PrivateKey) => Signer
  Verifier: new (alipayPublicKey: PublicKey, opts?: { signType?: 'RSA2' | 'RSA'; encryptKey?: string } | null) => Verifier
  BarcodePayFlow: FlowClass<[]>
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
