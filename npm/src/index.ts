/**
 * alipay-f2f — Alipay face-to-face (当面付) barcode payments for Node.js and
 * Electron main processes, over a Rust core loaded as a Node-API addon.
 *
 * - Keys and primitives: {@link importPrivateKey}, {@link importPublicKey},
 *   {@link signContent}, {@link sign}, {@link verifyResponse},
 *   {@link verifyNotify}, {@link certSn}, {@link rootCertSn},
 *   {@link validateAuthCode}.
 * - {@link AlipayClient}: one-shot calls (`execute`, `pay`, `query`, `cancel`,
 *   `refund`, `close`, `refundQuery`) and the safe driven flows
 *   (`barcodePay`, `refundFlow`, with snapshot/resume).
 * - {@link AlipayError}: every failure, with a stable `code`.
 * - The offline sandbox gateway: `import { startSandbox } from 'alipay-f2f/sandbox'`.
 *
 * @packageDocumentation
 */

import { setBinding } from './binding.js'
import { native } from './native.js'

setBinding(native)

export * from './public.js'

/** Which implementation is loaded: `'native'` (Node-API addon) here, `'wasm'` in the WebAssembly build. */
export const implementation: 'native' | 'wasm' = 'native'
