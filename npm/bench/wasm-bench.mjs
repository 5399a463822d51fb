#!/usr/bin/env node
// node bench/wasm-bench.mjs — size and speed of the WebAssembly build, side by side in one run:
//   - .wasm size: raw, gzip -9, brotli
//   - verify ops/s: alipay-f2f wasm `verifyResponse` (extract + RSA2 verify of a real gateway answer)
//     vs WebCrypto `crypto.subtle.verify` over the same signed bytes, ONE CALL AWAITED AT A TIME
//     (sequential: what a POS does), in Node and in headless Chromium; ratio = wasm / WebCrypto
//   - sign ops/s: wasm `sign` (RSA2, constant-time `rsa`) vs WebCrypto `crypto.subtle.sign`
// Rounds are interleaved and the medians quoted (the machine is shared and noisy).
// Not a test. Needs the npm build (dist/wasm.js, dist/browser.mjs) and, for the Chromium column,
// /usr/bin/chromium + playwright-core (tests/browser/node_modules; `bash tests/browser/setup.sh`).
// Env: BENCH_ROUNDS (default 5), BENCH_ROUND_MS (default 400), CHROMIUM, BENCH_NO_BROWSER=1.
import { readFileSync } from 'node:fs'
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const pkg = resolve(here, '..')
const repo = resolve(pkg, '..')
const require = createRequire(import.meta.url)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400)
const WASM = join(pkg, 'wasm', 'web', 'alipay_f2f_wasm_bg.wasm')

const keys = join(repo, 'tests', 'node', 'fixtures', 'keys')
const fixtures = join(repo, 'tests', 'node', 'fixtures')
const vector = JSON.parse(readFileSync(join(fixtures, 'response_verify_vectors.json'), 'utf8'))[0]
const input = {
  body: vector.response_body,
  method: vector.method,
  signedContent: vector.expected_sign_content,
  sign: JSON.parse(vector.response_body).sign,
  alipayPublicKey: readFileSync(join(keys, 'alipay-public-key.pem'), 'utf8'),
  appPrivateKeyPkcs8: readFileSync(join(keys, 'app-private-key-pkcs8.pem'), 'utf8'),
  params: {
    app_id: '2021000000000001', method: 'alipay.trade.pay', charset: 'utf-8', sign_type: 'RSA2', version: '1.0',
    timestamp: '2026-01-01 12:00:00',
    biz_content: JSON.stringify({ out_trade_no: 'BENCH1', scene: 'bar_code', auth_code: '280000000000000001', total_amount: '88.88', subject: 'bench' }),
  },
  rounds: ROUNDS,
  roundMs: ROUND_MS,
}

/**
 * The measurement, run as-is in Node and (serialized) in the page: interleaved rounds of
 * wasm verify / WebCrypto verify / wasm sign / WebCrypto sign; medians of ops/s.
 */
async function measure(lib, input) {
  const pemBody = (pem) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '')
  const der = (pem) => Uint8Array.from(atob(pemBody(pem)), (c) => c.charCodeAt(0))
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
  const pub = await crypto.subtle.importKey('spki', der(input.alipayPublicKey), alg, false, ['verify'])
  const priv = await crypto.subtle.importKey('pkcs8', der(input.appPrivateKeyPkcs8), alg, false, ['sign'])
  const data = new TextEncoder().encode(input.signedContent)
  const sig = Uint8Array.from(atob(input.sign), (c) => c.charCodeAt(0))
  const wasmPub = lib.importPublicKey(input.alipayPublicKey)
  const wasmPriv = lib.importPrivateKey(input.appPrivateKeyPkcs8)
  const signContent = new TextEncoder().encode(lib.signContent(input.params))
  // sanity: both sides agree
  if (lib.verifyResponse(input.body, input.method, wasmPub).code !== '10000') throw new Error('wasm verify failed')
  if (!(await crypto.subtle.verify(alg, pub, sig, data))) throw new Error('WebCrypto verify failed')
  const wasmSig = lib.sign(input.params, wasmPriv)
  const wcSig = btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign(alg, priv, signContent))))
  if (wasmSig !== wcSig) throw new Error('wasm and WebCrypto signatures differ (PKCS#1 v1.5 is deterministic)')

  const cases = {
    wasmVerify: async () => { lib.verifyResponse(input.body, input.method, wasmPub) },
    webCryptoVerify: async () => { await crypto.subtle.verify(alg, pub, sig, data) },
    wasmSign: async () => { lib.sign(input.params, wasmPriv) },
    webCryptoSign: async () => { await crypto.subtle.sign(alg, priv, signContent) },
  }
  const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]))
  for (const fn of Object.values(cases)) for (let i = 0; i < 20; i++) await fn() // warm-up
  for (let r = 0; r < input.rounds; r++) {
    for (const [name, fn] of Object.entries(cases)) {
      let n = 0
      const t0 = performance.now()
      let t = t0
      while (t - t0 < input.roundMs) {
        await fn()
        n++
        t = performance.now()
      }
      results[name].push((n * 1000) / (t - t0))
    }
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  return Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
}

async function inNode() {
  const lib = require('../dist/wasm.js')
  if (lib.implementation !== 'wasm') throw new Error('expected the wasm entry')
  return measure(lib, input)
}

async function inChromium() {
  let chromium
  try {
    chromium = createRequire(join(repo, 'tests', 'browser', 'package.json'))('playwright-core').chromium
  } catch {
    return { skipped: 'playwright-core not installed (bash tests/browser/setup.sh)' }
  }
  const files = {
    '/': ['text/html', '<!doctype html><meta charset="utf-8"><title>bench</title>'],
    '/pkg/dist/browser.mjs': ['text/javascript', readFileSync(join(pkg, 'dist', 'browser.mjs'))],
    '/pkg/wasm/web/alipay_f2f_wasm_bg.wasm': ['application/wasm', readFileSync(WASM)],
  }
  const server = createServer((req, res) => {
    const f = files[new URL(req.url, 'http://x').pathname]
    res.writeHead(f ? 200 : 404, f ? { 'content-type': f[0] } : {})
    res.end(f ? f[1] : '')
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  })
  try {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    const version = browser.version()
    const r = await page.evaluate(
      async ({ input, measureSrc }) => {
        const lib = await import('/pkg/dist/browser.mjs')
        await lib.init()
        // eslint-disable-next-line no-new-func
        const measure = new Function(`return (${measureSrc})`)()
        return measure(lib, input)
      },
      { input, measureSrc: measure.toString() },
    )
    return { ...r, version }
  } finally {
    await browser.close()
    server.close()
  }
}

const raw = readFileSync(WASM)
const gz = gzipSync(raw, { level: 9 }).length
const br = brotliCompressSync(raw, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length
const kib = (n) => `${(n / 1024).toFixed(1)} KiB`

console.log(`alipay-f2f WebAssembly build — ${ROUNDS} interleaved rounds of ${ROUND_MS} ms, medians\n`)
console.log(`size  alipay_f2f_wasm_bg.wasm: ${kib(raw.length)} raw, ${kib(gz)} gzip -9, ${kib(br)} brotli   (target ≤ 80 KiB gzip)`)

const node = await inNode()
const browser = process.env.BENCH_NO_BROWSER ? { skipped: 'BENCH_NO_BROWSER' } : await inChromium()
const ops = (x) => (x === undefined ? '-' : `${Math.round(x).toLocaleString('en-US')}/s`)
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}x` : '-')
const rows = [
  ['verify: wasm verifyResponse', node.wasmVerify, browser.wasmVerify],
  ['verify: WebCrypto (sequential)', node.webCryptoVerify, browser.webCryptoVerify],
  ['verify ratio wasm / WebCrypto', null, null, ratio(node.wasmVerify, node.webCryptoVerify), ratio(browser.wasmVerify, browser.webCryptoVerify)],
  ['sign: wasm sign (RSA2)', node.wasmSign, browser.wasmSign],
  ['sign: WebCrypto (sequential)', node.webCryptoSign, browser.webCryptoSign],
  ['sign ratio wasm / WebCrypto', null, null, ratio(node.wasmSign, node.webCryptoSign), ratio(browser.wasmSign, browser.webCryptoSign)],
]
const col2 = `node ${process.version}`
const col3 = browser.skipped ? `chromium (skipped: ${browser.skipped})` : `chromium ${browser.version}`
console.log(`\n${''.padEnd(34)}${col2.padStart(16)}  ${col3}`)
for (const [name, a, b, ra, rb] of rows) {
  console.log(`${name.padEnd(34)}${(ra ?? ops(a)).padStart(16)}  ${(rb ?? ops(b)).padStart(12)}`)
}
console.log('\nverify target: ≥ 1.0x WebCrypto sequential; anchor: rsa 0.10 on wasm ≈ 0.5x (~1,650/s)')
