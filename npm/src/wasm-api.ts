/**
 * The public API shared by the WebAssembly entries (`alipay-f2f/wasm` in
 * Node, and the `browser` / `worker` / `deno` / `bun` / `default` conditions
 * of `alipay-f2f`): the same functions and classes as the native entry, plus
 * `init` / `initSync` to load the module.
 *
 * @module
 */

export type { WasmInput, WasmSyncInput } from './wasm-binding.js'

export * from './public.js'

/** Which implementation is loaded: always `'wasm'` here (`'native'` in the Node-API entry). */
export const implementation: 'native' | 'wasm' = 'wasm'
