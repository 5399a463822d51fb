/**
 * Where the Node entries find the `.wasm` module shipped in the package: the
 * `alipay-f2f/wasm` entry (`wasm.ts`) and the main entry's fallback
 * (`wasm-fallback.ts`). Both are bundles in `dist/`, so the module is
 * `../wasm/web/` from there, read synchronously.
 *
 * @module
 */

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { WasmLocator } from './wasm-binding.js'

/** Path of the `.wasm` module shipped with the package. */
export const wasmPath: string = join(__dirname, '..', 'wasm', 'web', 'alipay_f2f_wasm_bg.wasm')

/** The shipped module, read synchronously (the default input and the synchronous first load alike). */
export const nodeWasmLocator: WasmLocator = {
  defaultInput: () => readFileSync(wasmPath),
  readSync: () => readFileSync(wasmPath),
}
