/**
 * The WebAssembly binding for the main Node entry, used when the Node-API
 * addon cannot be loaded on this platform (or `ALIPAY_F2F_IMPLEMENTATION=wasm`
 * asks for it): the same binding surface, over the `.wasm` shipped in the
 * package, loaded synchronously on first use.
 *
 * Bundled on its own (`dist/wasm-fallback.js`, with the wasm-bindgen glue) and
 * required only then; `./errors.js` stays external, so its refusals are the
 * main entry's own `AlipayError` class.
 *
 * @module
 */

import * as glue from 'alipay-f2f-wasm-glue'
import type { Binding } from './binding.js'
import { createWasmBinding, WasmRuntime } from './wasm-binding.js'
import type { Glue } from './wasm-binding.js'
import { nodeWasmLocator } from './wasm-node.js'

/** A wasm binding over the shipped module (instantiated on the first call). */
export function createFallbackBinding(): Binding {
  const rt = new WasmRuntime(glue as unknown as Glue, nodeWasmLocator)
  return createWasmBinding(glue as unknown as Glue, rt)
}
