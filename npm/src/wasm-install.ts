/**
 * Plugs the wasm binding into this copy of the TypeScript layer (each wasm
 * entry is a separate bundle with its own copy).
 *
 * @module
 */

import { setBinding } from './binding.js'
import { createWasmBinding, WasmRuntime } from './wasm-binding.js'
import type { Glue, WasmLocator } from './wasm-binding.js'

/** Installs the wasm binding and returns the runtime that loads it. */
export function installWasm(glue: unknown, locator: WasmLocator): WasmRuntime {
  const rt = new WasmRuntime(glue as Glue, locator)
  setBinding(createWasmBinding(glue as Glue, rt))
  return rt
}
