/**
 * alipay-f2f for browsers, web workers, Deno and Bun (the `browser`,
 * `worker`, `deno`, `bun` and `default` conditions; also `alipay-f2f/wasm`
 * outside Node): the WebAssembly build with the same API as the native entry.
 *
 * Loading is lazy and bundler-friendly (no top-level await): importing does
 * nothing; `await init()` fetches and compiles `alipay_f2f_wasm_bg.wasm`
 * (resolved with `new URL(..., import.meta.url)`, which Vite, webpack 5,
 * Rollup and Parcel understand), or pass a custom URL / `Response` / bytes /
 * `WebAssembly.Module`. Where files can be read synchronously (Deno with
 * `--allow-read`, Bun, Node) the first call loads it without `init()`.
 *
 * Never put the app private key in a browser: in a web page, run the flow and
 * verify Alipay's answers here, and let your backend sign
 * (`AlipayClient.forward`, the forwarded deployment).
 *
 * @packageDocumentation
 */

import * as glue from 'alipay-f2f-wasm-glue'
import { installWasm } from './wasm-install.js'
import type { WasmInput, WasmSyncInput } from './wasm-api.js'

export * from './wasm-api.js'

/**
 * Where the `.wasm` module shipped with the package is: next to this module
 * (`new URL(..., import.meta.url)`, the pattern bundlers turn into an asset).
 * In an IIFE/CommonJS bundle `import.meta.url` is empty: the file name is
 * then resolved against the page (serve it there, or pass `init(url)`).
 */
function wasmLocation(): URL | string {
  try {
    return new URL('../wasm/web/alipay_f2f_wasm_bg.wasm', import.meta.url)
  } catch {
    return 'alipay_f2f_wasm_bg.wasm'
  }
}

interface SyncFs {
  readFileSync(path: URL): Uint8Array
}

function readSync(): Uint8Array | undefined {
  const wasmUrl = wasmLocation()
  if (typeof wasmUrl === 'string' || wasmUrl.protocol !== 'file:') return undefined
  const g = globalThis as unknown as {
    Deno?: { readFileSync(path: URL): Uint8Array }
    process?: { getBuiltinModule?: (id: string) => SyncFs | undefined }
  }
  if (g.Deno) return g.Deno.readFileSync(wasmUrl)
  const fs = g.process?.getBuiltinModule?.('node:fs')
  return fs ? fs.readFileSync(wasmUrl) : undefined
}

const runtime = installWasm(glue, { defaultInput: wasmLocation, readSync })

/**
 * Loads and instantiates the WebAssembly module; call once (e.g. at startup)
 * before the synchronous API in a browser. Idempotent. `input` overrides the
 * module's source: a URL (string or `URL`), a `Request`/`Response`, bytes or
 * a compiled `WebAssembly.Module` (e.g. from a CDN or your own asset pipeline).
 *
 * @throws {AlipayError} `ERR_WASM_INIT` when the module cannot be fetched or compiled
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
