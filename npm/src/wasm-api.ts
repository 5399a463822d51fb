/**
 * The public API shared by the WebAssembly entries (`alipay-f2f/wasm` in
 * Node, and the `browser` / `worker` / `deno` / `bun` / `default` conditions
 * of `alipay-f2f`): the same functions and classes as the native entry, plus
 * `init` / `initSync` to load the module.
 *
 * @module
 */

export type { WasmInput, WasmSyncInput } from './wasm-binding.js'

export {
  importPrivateKey,
  importPublicKey,
  signContent,
  sign,
  verifyResponse,
  verifyNotify,
  verifyNotifyOrThrow,
  certSn,
  rootCertSn,
  validateAuthCode,
} from './api.js'
export type { PrivateKey, PublicKey, SignOptions, VerifyOptions } from './api.js'
export { AlipayClient, DEFAULT_GATEWAY, DEFAULT_TIMEOUT_MS } from './client.js'
export type { AlipayClientConfig, BarcodeOrder, CallOptions, FlowOptions, RefundFlowOptions, RefundOrder } from './client.js'
export { AlipayError } from './errors.js'
export * from './forward.js'
export type { AlipayErrorCode, AlipayErrorDetails } from './errors.js'
export type {
  Action,
  ApiCall,
  CallRecord,
  CancelledOutcome,
  FailedOutcome,
  FundBill,
  PaidOutcome,
  RefundedOutcome,
  UnknownOutcome,
  FlowEvent,
  PayOutcome,
  RefundOutcome,
  Transport,
  TransportCall,
  TransportFailure,
} from './types.js'

/** Which implementation is loaded: always `'wasm'` here (`'native'` in the Node-API entry). */
export const implementation: 'native' | 'wasm' = 'wasm'
