// Shared helpers of the Node e2e tests: where the package is, fixtures, a sandbox per file.
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
/** The package under test: the built npm/ dir (ALIPAY_F2F_PKG overrides, e.g. an installed tarball). */
export const PKG_DIR = resolve(process.env.ALIPAY_F2F_PKG ?? join(here, '..', '..', 'npm'))
const require = createRequire(join(PKG_DIR, 'package.json'))
/** CommonJS view of the package (same objects as the ESM entry). */
export const lib = require(join(PKG_DIR, 'dist', 'index.js'))
export const sandboxLib = require(join(PKG_DIR, 'dist', 'sandbox.js'))

export const FIXTURES = join(here, 'fixtures')
export const fixture = (p) => readFileSync(join(FIXTURES, p), 'utf8')
export const fixtureJson = (p) => JSON.parse(fixture(p))
/** A fixture key file name as written in the vectors (`keys/x.pem (PKCS#1)` -> `keys/x.pem`). */
export const keyFile = (p) => fixture(p.split(' ')[0])

/** Unique trade numbers. */
let seq = 0
export const tradeNo = (tag = 'T') => `${tag}${Date.now()}${process.pid}${++seq}`.replace(/[^\w]/g, '_').slice(0, 64)

/** An 18-digit sandbox payment code: prefix + random digits. */
export function authCode(prefix) {
  let s = prefix
  while (s.length < 18) s += Math.floor(Math.random() * 10)
  return s
}

/** Starts a sandbox and a client for its demo app. */
export async function sandboxClient(sbOpts = { speed: 100 }, clientOpts = {}) {
  const sb = await sandboxLib.startSandbox(sbOpts)
  const client = new lib.AlipayClient({
    appId: sb.demoApp.appId,
    privateKey: sb.demoApp.privateKey,
    alipayPublicKey: sb.alipayPublicKey,
    gateway: sb.url,
    timeoutMs: 3000,
    ...clientOpts,
  })
  return { sb, client }
}

/** POSTs JSON to a sandbox control endpoint. */
export async function control(sb, path, body, method = 'POST') {
  const base = sb.url.replace(/\/gateway\.do$/, '')
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`)
  return text ? JSON.parse(text) : undefined
}
