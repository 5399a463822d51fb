/**
 * Starts the offline sandbox gateway (the `alipay-f2f-sandbox` binary shipped
 * in this package) for tests and demos.
 *
 * @example
 * ```ts
 * import { startSandbox } from 'alipay-f2f/sandbox'
 * const sb = await startSandbox({ speed: 100 })
 * const client = new AlipayClient({ appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey,
 *                                   alipayPublicKey: sb.alipayPublicKey, gateway: sb.url })
 * // ... auth codes 280... pay at once, 281SS... need the password, see `alipay-f2f sandbox --help`
 * await sb.close()
 * ```
 *
 * @module
 */

import { spawn } from 'node:child_process'
import type { ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { AlipayError, invalidType } from './errors.js'

/** App id of the sandbox's built-in demo app (accepted when no `apps` are given). */
export const DEMO_APP_ID = '2021000000000001'

/** An app registered with the sandbox. */
export interface SandboxApp {
  /** The APPID. */
  appId: string
  /** Its public key (SPKI PEM/base64) or app certificate, as text. */
  publicKey: string
}

/** Options of {@link startSandbox}. */
export interface SandboxOptions {
  /** Port on 127.0.0.1 (default 0: a free port). */
  port?: number
  /** Apps to register (default: the built-in demo app only). */
  apps?: SandboxApp[]
  /** Divide every scenario delay by this factor (e.g. 100 for fast tests). */
  speed?: number
  /** Further flags for the binary (`--password-delay-ms`, `--slow-delay-ms`, ...). */
  args?: string[]
  /** Forward the sandbox's stderr log to this process's stderr (default false). */
  verbose?: boolean
  /** Startup timeout in ms (default 15000). */
  timeoutMs?: number
}

/** A running sandbox. */
export interface Sandbox {
  /** Gateway URL, e.g. `http://127.0.0.1:PORT/gateway.do`. */
  url: string
  /** The sandbox "Alipay" public key (SPKI PEM) that verifies its answers. */
  alipayPublicKey: string
  /** The built-in demo app (public test key pair; only works with the sandbox). */
  demoApp: { appId: string; privateKey: string }
  /** The child process. */
  process: ChildProcess
  /** Stops the sandbox (SIGTERM, then SIGKILL after 5 s) and removes temp files. */
  close(): Promise<void>
}

/** Path of the sandbox binary shipped in this package. */
export function sandboxBinaryPath(): string {
  const name = process.platform === 'win32' ? 'alipay-f2f-sandbox.exe' : 'alipay-f2f-sandbox'
  return join(__dirname, '..', 'native', name)
}

function demoPrivateKey(): string {
  const p = join(__dirname, '..', 'native', 'sandbox-demo-app-private-key.pem')
  return existsSync(p) ? readFileSync(p, 'utf8') : ''
}

/**
 * Spawns the sandbox and resolves once it printed its ready line.
 *
 * @throws {AlipayError} `ERR_INTERNAL` when the binary is missing, exits early or is not ready in time
 */
export function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  if (typeof opts !== 'object' || opts === null) throw invalidType('"opts" must be an object')
  const bin = sandboxBinaryPath()
  if (!existsSync(bin)) {
    return Promise.reject(
      new AlipayError('ERR_INTERNAL', `alipay-f2f sandbox binary not found at ${bin} (not built for ${process.platform}-${process.arch})`),
    )
  }
  const args: string[] = []
  if (opts.port !== undefined) {
    if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) throw invalidType('"opts.port" must be a port number')
    args.push('--port', String(opts.port))
  }
  if (opts.speed !== undefined) {
    if (typeof opts.speed !== 'number' || !(opts.speed > 0)) throw invalidType('"opts.speed" must be a positive number')
    args.push('--speed', String(opts.speed))
  }
  let tmp: string | undefined
  for (const app of opts.apps ?? []) {
    if (typeof app?.appId !== 'string' || typeof app?.publicKey !== 'string') {
      throw invalidType('"opts.apps" entries must be { appId: string, publicKey: string }')
    }
    tmp ??= mkdtempSync(join(tmpdir(), 'alipay-f2f-sandbox-'))
    const file = join(tmp, `${app.appId.replace(/[^\w-]/g, '_')}.pem`)
    writeFileSync(file, app.publicKey)
    args.push('--app', `${app.appId}=${file}`)
  }
  if (opts.args !== undefined) {
    if (!Array.isArray(opts.args) || opts.args.some((a) => typeof a !== 'string')) throw invalidType('"opts.args" must be an array of strings')
    args.push(...opts.args)
  }
  const cleanupTmp = () => {
    if (tmp) rmSync(tmp, { recursive: true, force: true })
    tmp = undefined
  }

  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  let stderr = ''
  child.stderr!.setEncoding('utf8')
  child.stderr!.on('data', (d: string) => {
    if (opts.verbose) process.stderr.write(d)
    else stderr = (stderr + d).slice(-4096)
  })

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const close = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const t = setTimeout(() => child.kill('SIGKILL'), 5000)
      await exited
      clearTimeout(t)
    }
    process.removeListener('exit', killOnExit)
    cleanupTmp()
  }

  return new Promise<Sandbox>((resolve, reject) => {
    let out = ''
    let settled = false
    const fail = (msg: string, cause?: unknown) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      void close().finally(() =>
        reject(new AlipayError('ERR_INTERNAL', `${msg}${stderr ? `\n${stderr.trim()}` : ''}`, { cause })),
      )
    }
    const timer = setTimeout(() => fail(`sandbox not ready after ${opts.timeoutMs ?? 15000} ms`), opts.timeoutMs ?? 15000)
    child.once('error', (e) => fail(`cannot start the sandbox: ${e.message}`, e))
    child.once('exit', (code, signal) => fail(`sandbox exited before it was ready (code ${code}, signal ${signal})`))
    child.stdout!.setEncoding('utf8')
    child.stdout!.on('data', (d: string) => {
      if (settled) return
      out += d
      const nl = out.indexOf('\n')
      if (nl < 0) return
      let ready: { url?: unknown; alipayPublicKey?: unknown }
      try {
        ready = JSON.parse(out.slice(0, nl))
      } catch (e) {
        fail(`sandbox printed an unexpected ready line: ${out.slice(0, Math.min(nl, 200))}`, e)
        return
      }
      if (typeof ready.url !== 'string' || typeof ready.alipayPublicKey !== 'string') {
        fail('sandbox ready line lacks url/alipayPublicKey')
        return
      }
      settled = true
      clearTimeout(timer)
      child.stdout!.resume()
      resolve({
        url: ready.url,
        alipayPublicKey: ready.alipayPublicKey,
        demoApp: { appId: DEMO_APP_ID, privateKey: demoPrivateKey() },
        process: child,
        close,
      })
    })
  })
}
