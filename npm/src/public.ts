/**
 * The public API every entry shares (the Node-API entry `alipay-f2f` and the
 * WebAssembly entries): one list, so the runtimes cannot drift apart.
 *
 * @module
 */

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
