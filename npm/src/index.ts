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
import { loadBinding } from './native.js'

const loaded = loadBinding()
setBinding(loaded.binding)

export * from './public.js'

/**
 * Which implementation is loaded: `'native'` (the Node-API addon), or
 * `'wasm'` where no addon loads on this platform (the WebAssembly build
 * shipped in the package stands in, with a process warning of code
 * `ALIPAY_F2F_WASM_FALLBACK`) or when `ALIPAY_F2F_IMPLEMENTATION=wasm`.
 * `ALIPAY_F2F_IMPLEMENTATION=native` refuses the fallback.
 */
export const implementation: 'native' | 'wasm' = loaded.implementation
