/**
 * `alipay-f2f/wasm` for Node.js (and Bun): the WebAssembly build with the
 * same API as the native entry, for hosts where the addon cannot load or is
 * not wanted. Synchronous: the `.wasm` file shipped in the package is read
 * and instantiated on the first call (no `await init()` needed; `init(input)`
 * / `initSync(input)` load a custom module instead).
 *
 * This entry has its own copy of the TypeScript layer (bundled), so it never
 * changes what `import 'alipay-f2f'` uses, and vice versa.
 *
 * @packageDocumentation
 */

import * as glue from 'alipay-f2f-wasm-glue'
import { installWasm } from './wasm-install.js'
import type { WasmInput, WasmSyncInput } from './wasm-api.js'
import { nodeWasmLocator } from './wasm-node.js'

export * from './wasm-api.js'

// the path of the `.wasm` module shipped with the package
export { wasmPath } from './wasm-node.js'

const runtime = installWasm(glue, nodeWasmLocator)

/**
 * Loads the module (optional in Node: the first call loads the shipped file
 * synchronously). `input`: bytes, a compiled `WebAssembly.Module`, a
 * `Response`, or a URL to `fetch`.
 */
export function init(input?: WasmInput): Promise<void> {
  return runtime.init(input)
}

/** @internal The runtime, for tests of the trap handling (`init[Symbol.for('alipay-f2f.wasm-runtime')]`). */
Object.defineProperty(init, Symbol.for('alipay-f2f.wasm-runtime'), { value: runtime })

/** Instantiates the module synchronously from bytes or a compiled `WebAssembly.Module`. */
export function initSync(input: WasmSyncInput): void {
  runtime.initSync(input)
}
