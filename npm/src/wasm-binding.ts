/**
 * The WebAssembly implementation of the binding surface (`.team/BINDING_API.md`):
 * a thin wrapper over the wasm-bindgen glue of `bindings-wasm` that
 *
 * - loads the module lazily (nothing happens at import time; {@link WasmRuntime.init}
 *   fetches/compiles it, or the first synchronous call loads it synchronously where
 *   the runtime can read files: Node, Deno, Bun);
 * - refuses arguments of the wrong JavaScript type with `ERR_INVALID_ARGUMENT`
 *   before they reach the glue (which would otherwise coerce them);
 * - turns a trap of the module (a Rust panic under `panic = "abort"`, a stack
 *   overflow) into `AlipayError` `ERR_INTERNAL`, marks the instance dead and
 *   re-instantiates a fresh one on the next call. Objects created by the dead
 *   instance (keys, verifiers, flows) are refused with `ERR_INTERNAL` from then
 *   on: create them again, resume flows from their last snapshot.
 *
 * Platform-neutral: the entries (`wasm.ts` for Node, `browser.mts` for browsers,
 * workers, Deno, Bun) supply the glue and how to find the `.wasm` bytes.
 *
 * @module
 */

import type { Binding } from './binding.js'
import { AlipayError } from './errors.js'

/**
 * Where the `.wasm` module comes from: a URL (string or `URL`), a `Request` or
 * `Response`, its bytes (`ArrayBuffer` / typed array), a compiled
 * `WebAssembly.Module`, or a promise of one of these.
 */
export type WasmInput =
  | string
  | URL
  | ArrayBuffer
  | ArrayBufferView
  | Response
  | Request
  | { readonly [Symbol.toStringTag]: string }
  | PromiseLike<unknown>

/** Bytes or a compiled `WebAssembly.Module`, for {@link WasmRuntime.initSync}. */
export type WasmSyncInput = ArrayBuffer | ArrayBufferView | { readonly [Symbol.toStringTag]: string }

type Fn = (...args: unknown[]) => unknown
type Ctor = (new (...args: unknown[]) => object) & Record<string, unknown>

/** The wasm-bindgen `--target web` glue, as far as this wrapper uses it. */
export interface Glue {
  default: (input?: { module_or_path: unknown }) => Promise<unknown>
  initSync: (input: { module: unknown }) => unknown
  __wbg_reset_state: () => void
  PrivateKey: Ctor
  PublicKey: Ctor
  Signer: Ctor
  Verifier: Ctor
  BarcodePayFlow: Ctor
  RefundFlow: Ctor
  [name: string]: unknown
}

/** How an entry locates the module. */
export interface WasmLocator {
  /** The default input of `init()` (a URL, or bytes). */
  defaultInput(): WasmInput
  /** The module's bytes when they can be read synchronously here (Node, Deno, Bun), else `undefined`. */
  readSync?(): WasmSyncInput | undefined
}

const WebAssemblyGlobal = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly

/** Whether `e` means the module trapped (its state can no longer be trusted). */
function isTrap(e: unknown): boolean {
  return e instanceof WebAssemblyGlobal.RuntimeError || e instanceof RangeError
}

const STALE = 'Invalid stale object from previous Wasm instance'

function invalidArgument(field: string, message: string): AlipayError {
  return new AlipayError('ERR_INVALID_ARGUMENT', message, { field })
}

/** The one WebAssembly instance behind a binding, with its lifecycle. */
export class WasmRuntime {
  readonly #glue: Glue
  readonly #locator: WasmLocator
  #state: 'idle' | 'ready' | 'dead' = 'idle'
  #loading: Promise<void> | undefined
  /** Instances created so far (the glue counts the same way: 0 = the first). */
  #generation = 0
  #traps = 0

  constructor(glue: Glue, locator: WasmLocator) {
    this.#glue = glue
    this.#locator = locator
  }

  /** `true` once a module is instantiated (and not dead). */
  get ready(): boolean {
    return this.#state === 'ready'
  }

  /** How many traps were caught (each one re-instantiated the module). */
  get traps(): number {
    return this.#traps
  }

  /**
   * Loads and instantiates the module (once; later calls resolve immediately).
   * `input` overrides where it comes from (default: the `.wasm` file shipped
   * next to the package, resolved from `import.meta.url` in ESM builds).
   *
   * @throws {AlipayError} `ERR_WASM_INIT` when it cannot be fetched or compiled
   */
  init(input?: WasmInput): Promise<void> {
    if (this.#state !== 'idle') return Promise.resolve(this.#ensure())
    if (!this.#loading) {
      const source = input ?? this.#locator.defaultInput()
      this.#loading = this.#glue
        .default({ module_or_path: source })
        .then(() => {
          this.#state = 'ready'
        })
        .catch((e: unknown) => {
          this.#loading = undefined
          throw new AlipayError('ERR_WASM_INIT', `alipay-f2f: cannot load the WebAssembly module: ${message(e)}`, { cause: e })
        })
    }
    return this.#loading
  }

  /**
   * Instantiates the module synchronously from its bytes or a compiled
   * `WebAssembly.Module` (no-op once loaded).
   *
   * @throws {AlipayError} `ERR_WASM_INIT` when the bytes do not compile
   */
  initSync(input: WasmSyncInput): void {
    if (this.#state !== 'idle') {
      this.#ensure()
      return
    }
    try {
      this.#glue.initSync({ module: input })
    } catch (e) {
      throw new AlipayError('ERR_WASM_INIT', `alipay-f2f: cannot instantiate the WebAssembly module: ${message(e)}`, { cause: e })
    }
    this.#state = 'ready'
  }

  /** Makes sure a live instance exists, synchronously. */
  #ensure(): void {
    if (this.#state === 'ready') return
    if (this.#state === 'dead') {
      this.#glue.__wbg_reset_state()
      this.#generation++
      this.#state = 'ready'
      return
    }
    let bytes: WasmSyncInput | undefined
    try {
      bytes = this.#locator.readSync?.()
    } catch (e) {
      throw new AlipayError('ERR_WASM_INIT', `alipay-f2f: cannot read the WebAssembly module: ${message(e)}`, { cause: e })
    }
    if (bytes === undefined) {
      throw new AlipayError(
        'ERR_WASM_INIT',
        'alipay-f2f: the WebAssembly module is not loaded yet: `await init()` once (e.g. at startup) before the first call',
      )
    }
    this.initSync(bytes)
  }

  /**
   * Runs `fn` against a live instance. A trap marks the instance dead and is
   * rethrown as `ERR_INTERNAL`; objects of a dead instance are refused.
   */
  run<T>(fn: () => T): T {
    this.#ensure()
    try {
      return fn()
    } catch (e) {
      if (isTrap(e)) {
        this.#state = 'dead'
        this.#traps++
        throw new AlipayError(
          'ERR_INTERNAL',
          'alipay-f2f: internal error in the WebAssembly module (it trapped; please report). ' +
            'A fresh instance is used from the next call on: keys, verifiers and flows created before must be created again ' +
            '(resume a flow from its last snapshot).',
          { cause: e },
        )
      }
      if (e instanceof Error && e.message === STALE) {
        throw new AlipayError(
          'ERR_INTERNAL',
          'alipay-f2f: this object belongs to a WebAssembly instance that crashed earlier; create it again ' +
            '(resume a flow from its last snapshot)',
          { cause: e },
        )
      }
      const expected = e instanceof Error ? /^expected instance of (\w+)$/.exec(e.message) : null
      if (expected) {
        throw invalidArgument(expected[1] as string, `expected a ${expected[1]} object from this module`)
      }
      throw e
    }
  }

  /**
   * For tests of the trap handling: makes the live instance execute a real
   * `unreachable` (an invalid allocation request aborts inside the module),
   * through {@link WasmRuntime.run}. Always throws `ERR_INTERNAL`.
   *
   * @internal
   */
  trapForTesting(): never {
    this.run(() => {
      const exports = this.#glue.initSync(undefined as unknown as { module: unknown }) as {
        __wbindgen_malloc: (size: number, align: number) => number
      }
      exports.__wbindgen_malloc(8, 3)
    })
    throw new AlipayError('ERR_INTERNAL', 'alipay-f2f: the module did not trap')
  }

  /** Frees a glue object unless it belongs to a dead instance (whose memory is gone). */
  free(obj: { __wbg_ptr?: number; __wbg_inst?: number }, rawFree: Fn): void {
    if (obj.__wbg_inst !== undefined && obj.__wbg_inst !== this.#generation) {
      obj.__wbg_ptr = 0
      return
    }
    if (this.#state === 'dead') {
      // the memory is about to be replaced; nothing to give back
      obj.__wbg_ptr = 0
      return
    }
    this.run(() => rawFree.call(obj))
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Argument kinds checked before a call reaches the glue: `s` string, `*` anything. */
type Sig = string

function checkArgs(name: string, sig: Sig, args: unknown[]): void {
  for (let i = 0; i < sig.length; i++) {
    if (sig[i] === 's' && typeof args[i] !== 'string') {
      const v = args[i]
      const kind = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`
      throw invalidArgument(`${name}[${i}]`, `${name}: argument ${i + 1} must be a string, not ${kind}`)
    }
  }
}

const FUNCTIONS: Record<string, Sig> = {
  importPrivateKey: 's',
  importPublicKey: 's',
  checkNotAppKey: '**',
  signContent: '*',
  sign: '***',
  verifyResponse: 'ss**',
  verifyNotify: '***',
  certSn: 's',
  rootCertSn: 's',
  validateAuthCode: 's',
}

/** String-typed arguments of methods (other arguments are checked by the module). */
const METHODS: Record<string, Sig> = {
  buildRequest: 'ss*',
  addCert: 's',
  verify: 'ss',
  handleResponse: '*s*',
}

/**
 * Wraps the glue into a {@link Binding}: every function, method, getter,
 * constructor and static `resume` goes through {@link WasmRuntime.run}. The
 * glue's own classes are patched in place (so `instanceof` keeps working and
 * objects need no second wrapper).
 */
export function createWasmBinding(glue: Glue, rt: WasmRuntime): Binding {
  const out: Record<string, unknown> = {}
  for (const [name, sig] of Object.entries(FUNCTIONS)) {
    const raw = glue[name] as Fn
    if (typeof raw !== 'function') throw new Error(`alipay-f2f: the wasm glue lacks ${name}`)
    out[name] = (...args: unknown[]) => {
      checkArgs(name, sig, args)
      return rt.run(() => raw(...args))
    }
  }
  const classes = ['PrivateKey', 'PublicKey', 'Signer', 'Verifier', 'BarcodePayFlow', 'RefundFlow'] as const
  for (const cname of classes) {
    const C = glue[cname]
    patchPrototype(C, rt)
    if (cname === 'PrivateKey' || cname === 'PublicKey') {
      out[cname] = C
      continue
    }
    const W = function (this: unknown, ...args: unknown[]) {
      if (new.target === undefined) throw new TypeError(`Class constructor ${cname} cannot be invoked without 'new'`)
      return rt.run(() => new C(...args))
    } as unknown as Ctor
    Object.defineProperty(W, 'name', { value: cname })
    W.prototype = C.prototype
    if (typeof C.resume === 'function') {
      const resume = C.resume as Fn
      W.resume = (...args: unknown[]) => {
        checkArgs(`${cname}.resume`, 's', args)
        return rt.run(() => resume.apply(C, args))
      }
    }
    out[cname] = W
  }
  return out as unknown as Binding
}

const patched = new WeakSet<object>()

function patchPrototype(C: Ctor, rt: WasmRuntime): void {
  const proto = C.prototype as Record<string | symbol, unknown>
  if (patched.has(proto)) return
  patched.add(proto)
  for (const key of Object.getOwnPropertyNames(proto)) {
    if (key === 'constructor' || key === '__destroy_into_raw') continue
    const d = Object.getOwnPropertyDescriptor(proto, key)
    if (!d) continue
    if (key === 'free') {
      const rawFree = d.value as Fn
      const free = function (this: { __wbg_ptr?: number; __wbg_inst?: number }) {
        rt.free(this, rawFree)
      }
      Object.defineProperty(proto, key, { ...d, value: free })
      const dispose = (Symbol as { dispose?: symbol }).dispose
      if (dispose && proto[dispose] === rawFree) proto[dispose] = free
      continue
    }
    if (typeof d.value === 'function') {
      const raw = d.value as Fn
      const sig = METHODS[key] ?? ''
      const name = `${C.name}.${key}`
      Object.defineProperty(proto, key, {
        ...d,
        value: function (this: unknown, ...args: unknown[]) {
          checkArgs(name, sig, args)
          return rt.run(() => raw.apply(this, args))
        },
      })
    } else if (d.get) {
      const get = d.get
      Object.defineProperty(proto, key, {
        ...d,
        get: function (this: unknown) {
          return rt.run(() => get.call(this))
        },
      })
    }
  }
}
