// The WebAssembly build of alipay-f2f in real headless Chromium (system chromium from apt, driven by
// playwright-core: no browser download), against the web POS example (npm/examples/web-pos), which
// serves the package's browser entry and a forward backend pointed at the offline sandbox.
//
//   node --test tests/browser/        (after the npm build; CHROMIUM=/usr/bin/chromium by default)
// Env: ALIPAY_F2F_FIXTURES (default ../shared/fixtures next to the repo), CHROMIUM, ARTIFACTS (default tests/artifacts).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { chromium } from 'playwright-core'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..', '..')
const FIXTURES = process.env.ALIPAY_F2F_FIXTURES ?? resolve(root, '..', 'shared', 'fixtures')
const ARTIFACTS = resolve(process.env.ARTIFACTS ?? join(root, 'tests', 'artifacts'))
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium'
const fixture = (p) => readFileSync(join(FIXTURES, p.split(' ')[0]), 'utf8')
const json = (p) => JSON.parse(fixture(p))

/** Chromium flags of the project (toolchain.md); playwright adds --headless itself. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run']

let server
let base
let context
let userDataDir
let pageErrors = []

function startPos() {
  return new Promise((resolveReady, reject) => {
    const child = spawn(process.execPath, [join(root, 'npm', 'examples', 'web-pos', 'server.mjs'), '--port', '0', '--speed', '20'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let buf = ''
    const timer = setTimeout(() => reject(new Error('web-pos server did not start')), 30_000)
    child.on('exit', (code) => reject(new Error(`web-pos server exited with ${code}`)))
    child.stdout.on('data', (d) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl >= 0) {
        clearTimeout(timer)
        resolveReady({ child, ...JSON.parse(buf.slice(0, nl)) })
      }
    })
  })
}

before(async () => {
  server = await startPos()
  base = server.url
  userDataDir = mkdtempSync(join(tmpdir(), 'alipay-f2f-chromium-'))
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 720, height: 980 },
  })
  mkdirSync(ARTIFACTS, { recursive: true })
})

after(async () => {
  await context?.close()
  server?.child.removeAllListeners('exit')
  server?.child.kill('SIGTERM')
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true })
})

/** A page of the POS origin with only the import map (no app): the package as a web app would load it. */
async function barePage() {
  const page = await context.newPage()
  page.on('pageerror', (e) => pageErrors.push(e))
  await page.route(`${base}__bare.html`, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: '<!doctype html><meta charset="utf-8"><script type="importmap">{"imports":{"alipay-f2f":"/pkg/dist/browser.mjs"}}</script><p>bare</p>',
    }),
  )
  const wasmRequests = []
  page.on('request', (r) => {
    if (r.url().endsWith('.wasm')) wasmRequests.push(r.url())
  })
  await page.goto(`${base}__bare.html`)
  return { page, wasmRequests }
}

describe('the package in a page (browser condition)', () => {
  test('lazy: importing fetches nothing; sync calls before init() throw ERR_WASM_INIT; init() loads once', async () => {
    const { page, wasmRequests } = await barePage()
    const before = await page.evaluate(async () => {
      const lib = await import('alipay-f2f')
      let err
      try {
        lib.signContent({ a: '1' })
      } catch (e) {
        err = { name: e.name, code: e.code, isAlipayError: e instanceof lib.AlipayError }
      }
      return { implementation: lib.implementation, err }
    })
    assert.equal(before.implementation, 'wasm')
    assert.deepEqual(before.err, { name: 'AlipayError', code: 'ERR_WASM_INIT', isAlipayError: true })
    assert.equal(wasmRequests.length, 0, 'no .wasm request before init()')
    const after = await page.evaluate(async () => {
      const lib = await import('alipay-f2f')
      await Promise.all([lib.init(), lib.init()])
      await lib.init()
      return lib.signContent({ b: '2', a: '1', sign: 'x' })
    })
    assert.equal(after, 'a=1&b=2')
    assert.equal(wasmRequests.length, 1, `one .wasm request: ${wasmRequests}`)
    assert.match(wasmRequests[0], /\/pkg\/wasm\/web\/alipay_f2f_wasm_bg\.wasm$/)
    await page.close()
  })

  test('shared vectors: sign, verify responses (tampered rejected), notifications, certificate SNs', async () => {
    const { page } = await barePage()
    const vectors = {
      sign: json('request_sign_vectors.json').map((v) => ({ ...v, key: fixture(v.private_key_file) })),
      response: json('response_verify_vectors.json').map((v) => ({ ...v, key: v.alipay_public_key_file ? fixture(v.alipay_public_key_file) : fixture('keys/alipay-public-key.pem') })),
      notify: json('notify_vectors.json').filter((v) => !v.kind.startsWith('gateway message')).map((v) => ({ ...v, key: v.alipay_public_key_base64 ?? fixture(v.alipay_public_key_file) })),
      cert: json('cert_sn_vectors.json').map((v) => ({ ...v, pem: fixture(v.cert_file) })),
    }
    const r = await page.evaluate(async (vectors) => {
      const lib = await import('alipay-f2f')
      await lib.init()
      const code = (fn) => {
        try {
          fn()
          return 'no error'
        } catch (e) {
          return `${e instanceof lib.AlipayError ? 'AlipayError' : e.name}:${e.code}`
        }
      }
      return {
        sign: vectors.sign.map((v) => ({
          content: lib.signContent(v.params) === v.expected_sign_content,
          sign: lib.sign(v.params, lib.importPrivateKey(v.key), { signType: v.sign_type, charset: v.charset }) === v.expected_sign,
        })),
        response: vectors.response.map((v) => {
          if (v.expected_verify !== true) return { unsigned: code(() => lib.verifyResponse(v.response_body, v.method, v.key)) }
          const obj = lib.verifyResponse(v.response_body, v.method, lib.importPublicKey(v.key), { signType: v.sign_type })
          return {
            ok: JSON.stringify(obj) === JSON.stringify(JSON.parse(v.expected_sign_content)),
            tampered: code(() => lib.verifyResponse(v.response_body.replace(/"msg":"/, '"msg":"X'), v.method, v.key)),
          }
        }),
        notify: vectors.notify.map((v) => lib.verifyNotify(v.params_decoded, v.key) === (v.expected_verify === true)),
        cert: vectors.cert.map((v) => (v.expected_sn ? lib.certSn(v.pem) === v.expected_sn : true) && (v.expected_root_sn ? lib.rootCertSn(v.pem) === v.expected_root_sn : true)),
        badKey: code(() => lib.importPrivateKey('garbage')),
      }
    }, vectors)
    for (const s of r.sign) assert.deepEqual(s, { content: true, sign: true })
    for (const x of r.response) {
      if ('unsigned' in x) assert.equal(x.unsigned, 'AlipayError:ERR_UNSIGNED_RESPONSE')
      else assert.deepEqual(x, { ok: true, tampered: 'AlipayError:ERR_SIGNATURE' })
    }
    assert.ok(r.notify.length >= 2 && r.notify.every(Boolean), JSON.stringify(r.notify))
    assert.ok(r.cert.every(Boolean))
    assert.equal(r.badKey, 'AlipayError:ERR_KEY_FORMAT')
    await page.close()
  })

  test('init() with custom bytes; a bad module is ERR_WASM_INIT; a trap is ERR_INTERNAL and the page recovers', async () => {
    const { page } = await barePage()
    const r = await page.evaluate(async () => {
      const lib = await import('alipay-f2f')
      let bad
      try {
        await lib.init(new Uint8Array([0, 97, 115, 109, 9, 9, 9, 9]))
      } catch (e) {
        bad = e.code
      }
      const bytes = await (await fetch('/pkg/wasm/web/alipay_f2f_wasm_bg.wasm')).arrayBuffer()
      await lib.init(bytes)
      const rt = lib.init[Symbol.for('alipay-f2f.wasm-runtime')]
      let empty
      try {
        lib.importPrivateKey('')
      } catch (e) {
        empty = e.code
      }
      return { bad, ready: rt.ready, empty }
    })
    assert.deepEqual(r, { bad: 'ERR_WASM_INIT', ready: true, empty: 'ERR_KEY_FORMAT' })
    const r2 = await page.evaluate(async () => {
      const lib = await import('alipay-f2f')
      const rt = lib.init[Symbol.for('alipay-f2f.wasm-runtime')]
      const key = lib.validateAuthCode('284436318492512345')
      let trap
      try {
        rt.trapForTesting()
      } catch (e) {
        trap = `${e instanceof lib.AlipayError}:${e.code}`
      }
      return { key, trap, traps: rt.traps, after: lib.signContent({ z: '1', y: '2' }) }
    })
    assert.deepEqual(r2, { key: { valid: true }, trap: 'true:ERR_INTERNAL', traps: 1, after: 'y=2&z=1' })
    await page.close()
  })

  test('init() with a URL string, a URL object, a Response promise, a compiled WebAssembly.Module', async () => {
    const wasmPath = '/pkg/wasm/web/alipay_f2f_wasm_bg.wasm'
    const kinds = ['string', 'url', 'response', 'module']
    for (const kind of kinds) {
      const { page, wasmRequests } = await barePage()
      const r = await page.evaluate(
        async ({ kind, wasmPath }) => {
          const lib = await import('alipay-f2f')
          const input =
            kind === 'string' ? wasmPath
            : kind === 'url' ? new URL(wasmPath, location.href)
            : kind === 'response' ? fetch(wasmPath)
            : await WebAssembly.compileStreaming(fetch(wasmPath))
          await lib.init(input)
          return lib.validateAuthCode('12').valid
        },
        { kind, wasmPath },
      )
      assert.equal(r, false, kind)
      assert.equal(wasmRequests.length, 1, kind)
      await page.close()
    }
  })

  test('module Web Worker (worker condition): sign and verify off the main thread', async () => {
    const { page } = await barePage()
    const v = json('response_verify_vectors.json')[0]
    const r = await page.evaluate(
      async ({ v, key }) => {
        const src = `import * as lib from '${location.origin}/pkg/dist/browser.mjs'
          self.onmessage = async ({ data }) => {
            await lib.init()
            const obj = lib.verifyResponse(data.body, data.method, data.key)
            postMessage({ implementation: lib.implementation, code: obj.code })
          }`
        const w = new Worker(URL.createObjectURL(new Blob([src], { type: 'text/javascript' })), { type: 'module' })
        const out = new Promise((res, rej) => {
          w.onmessage = (e) => res(e.data)
          w.onerror = (e) => rej(new Error(e.message))
        })
        w.postMessage({ body: v.response_body, method: v.method, key })
        return await out
      },
      { v, key: fixture(v.alipay_public_key_file) },
    )
    assert.deepEqual(r, { implementation: 'wasm', code: '10000' })
    await page.close()
  })
})

describe('bundlers', () => {
  test('esbuild --format=iife --platform=browser bundles the package (browser condition, no top-level await) and it runs', async () => {
    const { spawnSync } = await import('node:child_process')
    const { symlinkSync, writeFileSync } = await import('node:fs')
    const dir = mkdtempSync(join(tmpdir(), 'alipay-f2f-bundle-'))
    try {
      mkdirSync(join(dir, 'node_modules'))
      symlinkSync(join(root, 'npm'), join(dir, 'node_modules', 'alipay-f2f'), 'dir')
      writeFileSync(
        join(dir, 'app.js'),
        `import { init, implementation, signContent, AlipayClient } from 'alipay-f2f'
         window.run = async () => {
           await init() // the bundle's default URL, served below
           return [implementation, signContent({ b: '2', a: '1' }), typeof AlipayClient]
         }`,
      )
      const esbuild = join(root, 'npm', 'node_modules', '.bin', 'esbuild')
      const r = spawnSync(esbuild, ['app.js', '--bundle', '--format=iife', '--platform=browser', '--target=es2022', '--outfile=out.js'], {
        cwd: dir,
        encoding: 'utf8',
      })
      assert.equal(r.status, 0, r.stderr)
      const bundle = readFileSync(join(dir, 'out.js'), 'utf8')
      assert.match(bundle, /alipay_f2f_wasm_bg\.wasm/)
      const page = await context.newPage()
      page.on('pageerror', (e) => pageErrors.push(e))
      // the bundle resolves the .wasm next to itself (import.meta.url is unavailable in an IIFE:
      // the wasm URL falls back to the page's base, so serve it there)
      await page.route(`${base}__bundle/**`, async (route) => {
        const url = new URL(route.request().url())
        if (url.pathname.endsWith('.html')) return route.fulfill({ contentType: 'text/html', body: '<!doctype html><script src="out.js"></script>' })
        if (url.pathname.endsWith('/out.js')) return route.fulfill({ contentType: 'text/javascript', body: bundle })
        if (url.pathname.endsWith('.wasm')) {
          return route.fulfill({ contentType: 'application/wasm', body: readFileSync(join(root, 'npm', 'wasm', 'web', 'alipay_f2f_wasm_bg.wasm')) })
        }
        return route.fulfill({ status: 404, body: '' })
      })
      await page.goto(`${base}__bundle/index.html`)
      assert.deepEqual(await page.evaluate(() => window.run()), ['wasm', 'a=1&b=2', 'function'])
      await page.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

/** Random digits after a sandbox scenario prefix: an 18-digit payment code. */
const authCode = (prefix) => {
  let s = prefix
  while (s.length < 18) s += Math.floor(Math.random() * 10)
  return s
}

async function posPage(query = '?poll=200&wait=4000') {
  const page = await context.newPage()
  page.on('pageerror', (e) => pageErrors.push(e))
  await page.goto(`${base}${query}`)
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15_000 })
  return page
}

const logText = (page) => page.locator('#log').innerText()

describe('web POS page (forwarded deployment)', () => {
  test('full barcode payment: type the code (scanner), Enter, live progress, paid, verified result', async () => {
    const page = await posPage()
    assert.match(await page.locator('#mode').innerText(), /Forwarded deployment · wasm · no private key/)
    await page.fill('#amount', '28.80')
    await page.fill('#subject', '拿铁 Latte ×2')
    await page.click('#code')
    // password scenario: the buyer confirms on the phone after a moment (281 + 01 s, sped up)
    await page.keyboard.type(authCode('28101'), { delay: 5 })
    await page.keyboard.press('Enter')
    await page.waitForSelector('#status[data-status="paid"]', { timeout: 30_000 })
    const log = await logText(page)
    assert.match(log, /Payment sent: ¥28\.80, code 28\*+\d{4}/)
    assert.match(log, /Waiting for the buyer/)
    assert.match(log, /Query 1/)
    assert.match(log, /alipay\.trade\.query: 10000 TRADE_SUCCESS \(signature verified\)/)
    const result = await page.locator('#result-fields').innerText()
    assert.match(result, /trade_no\s+\d{10,}/)
    assert.match(result, /total_amount\s+28\.80/)
    assert.equal(await page.locator('#pay').isEnabled(), true)
    assert.equal(await page.locator('#cancel').isEnabled(), false)
    await page.screenshot({ path: join(ARTIFACTS, 'web-pos-paid.png'), fullPage: true })
    await page.close()
  })

  test('aborted payment: Cancel while waiting for the buyer reverses the trade', async () => {
    const page = await posPage('?poll=200&wait=20000')
    await page.fill('#code', authCode('282')) // never confirms
    await page.click('#pay')
    await page.waitForFunction(() => /Waiting for buyer/.test(document.getElementById('status').textContent), null, { timeout: 15_000 })
    assert.equal(await page.locator('#cancel').isEnabled(), true)
    await page.click('#cancel')
    await page.waitForSelector('#status[data-status="cancelled"]', { timeout: 30_000 })
    const log = await logText(page)
    assert.match(log, /Cashier cancelled/)
    assert.match(log, /alipay\.trade\.cancel: 10000/)
    assert.match(await page.locator('#result-fields').innerText(), /action\s+(cancel|close|refund)/)
    await page.screenshot({ path: join(ARTIFACTS, 'web-pos-cancelled.png'), fullPage: true })
    await page.close()
  })

  test('tampered response: a forged success from the network is rejected, never paid', async () => {
    const page = await posPage()
    let forged = 0
    await page.route('**/alipay/forward', async (route) => {
      const response = await route.fetch()
      let body = await response.text()
      if (route.request().postData()?.includes('alipay.trade.pay')) {
        // insufficient balance (40004) turned into a "success" by a man in the middle (or a bad backend)
        body = body.replace('"code":"40004"', '"code":"10000"').replace('"msg":"Business Failed"', '"msg":"Success"')
        forged++
      }
      await route.fulfill({ response, body })
    })
    await page.fill('#code', authCode('283'))
    await page.click('#pay')
    await page.waitForFunction(() => !['idle', 'working'].includes(document.getElementById('status').dataset.status), null, { timeout: 30_000 })
    const status = await page.locator('#status').getAttribute('data-status')
    assert.equal(forged, 1)
    assert.notEqual(status, 'paid')
    assert.ok(['failed', 'cancelled', 'unknown'].includes(status), status)
    assert.match(await logText(page), /alipay\.trade\.pay: answer REJECTED \(ERR_SIGNATURE\)/)
    await page.screenshot({ path: join(ARTIFACTS, 'web-pos-tampered.png'), fullPage: true })
    await page.close()
  })

  test('no uncaught page errors', () => {
    assert.deepEqual(pageErrors.map(String), [])
  })
})
