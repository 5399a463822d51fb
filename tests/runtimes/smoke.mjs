// Smoke test of the alipay-f2f WebAssembly entries, runtime-agnostic: the same file runs
// under Node, Deno and Bun (see run.sh). It imports the package by name, so the
// `exports` conditions are part of what is tested:
//   node  alipay-f2f/wasm  -> `node` condition: dist/wasm.mjs (CommonJS bundle, sync load)
//   deno  alipay-f2f       -> `deno` condition: dist/browser.mjs (ESM, sync load via Deno.readFileSync)
//   bun   alipay-f2f       -> `bun` condition:  dist/browser.mjs
//
//   <runtime> smoke.mjs SPECIFIER
// Env: ALIPAY_F2F_REPO (the repository, default ../..), ALIPAY_F2F_FIXTURES (default REPO/../shared/fixtures),
// ALIPAY_F2F_SANDBOX (sandbox binary, default REPO/npm/native/alipay-f2f-sandbox). Prints TAP-like lines; exit code 1 on any failure.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(process.env.ALIPAY_F2F_REPO ?? join(here, '..', '..'))
const FIXTURES = process.env.ALIPAY_F2F_FIXTURES ?? resolve(root, '..', 'shared', 'fixtures')
const SANDBOX = process.env.ALIPAY_F2F_SANDBOX ?? join(root, 'npm', 'native', 'alipay-f2f-sandbox')
const spec = process.argv[2] ?? 'alipay-f2f/wasm'
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`

const fixture = (p) => readFileSync(join(FIXTURES, p.split(' ')[0]), 'utf8')
const json = (p) => JSON.parse(fixture(p))

const lib = await import(spec)
const { AlipayClient, AlipayError } = lib

let n = 0
let failed = 0
async function test(name, fn) {
  n++
  try {
    await fn()
    console.log(`ok ${n} - ${name}`)
  } catch (e) {
    failed++
    console.log(`not ok ${n} - ${name}\n  ${String(e?.stack ?? e).split('\n').join('\n  ')}`)
  }
}

console.log(`# ${runtime}: import('${spec}')`)

await test('implementation is wasm; sync API works without init()', () => {
  assert.equal(lib.implementation, 'wasm')
  assert.equal(typeof lib.init, 'function')
  assert.equal(lib.signContent({ b: '2', sign: 'x', a: '1', c: '' }), 'a=1&b=2')
})

await test('request sign vectors byte for byte', () => {
  for (const v of json('request_sign_vectors.json')) {
    const key = lib.importPrivateKey(fixture(v.private_key_file))
    assert.equal(lib.signContent(v.params), v.expected_sign_content)
    assert.equal(lib.sign(v.params, key, { signType: v.sign_type, charset: v.charset }), v.expected_sign)
  }
})

await test('response verify vectors; tampered -> ERR_SIGNATURE; unsigned -> ERR_UNSIGNED_RESPONSE', () => {
  for (const v of json('response_verify_vectors.json')) {
    if (v.expected_verify === true) {
      const key = lib.importPublicKey(fixture(v.alipay_public_key_file))
      assert.deepEqual(lib.verifyResponse(v.response_body, v.method, key, { signType: v.sign_type }), JSON.parse(v.expected_sign_content))
      const tampered = v.response_body.replace(/"msg":"/, '"msg":"X')
      assert.throws(() => lib.verifyResponse(tampered, v.method, key), (e) => e instanceof AlipayError && e.code === 'ERR_SIGNATURE')
    } else {
      assert.throws(
        () => lib.verifyResponse(v.response_body, v.method, fixture('keys/alipay-public-key.pem')),
        (e) => e instanceof AlipayError && e.code === 'ERR_UNSIGNED_RESPONSE' && typeof e.subCode === 'string',
      )
    }
  }
})

await test('notify vectors and certificate SNs', () => {
  for (const v of json('notify_vectors.json')) {
    if (v.kind.startsWith('gateway message')) continue
    const key = v.alipay_public_key_base64 ?? fixture(v.alipay_public_key_file)
    assert.equal(lib.verifyNotify(v.params_decoded, key), v.expected_verify === true, v.kind)
  }
  for (const v of json('cert_sn_vectors.json')) {
    if (v.expected_sn) assert.equal(lib.certSn(fixture(v.cert_file)), v.expected_sn)
    if (v.expected_root_sn) assert.equal(lib.rootCertSn(fixture(v.cert_file)), v.expected_root_sn)
  }
})

await test('a trap becomes ERR_INTERNAL; the instance is replaced; old objects are refused', () => {
  const rt = lib.init[Symbol.for('alipay-f2f.wasm-runtime')]
  assert.ok(rt, 'runtime handle')
  const key = lib.importPublicKey(fixture('keys/alipay-public-key.pem'))
  const before = rt.traps
  assert.throws(() => rt.trapForTesting(), (e) => e instanceof AlipayError && e.code === 'ERR_INTERNAL')
  assert.equal(rt.traps, before + 1)
  // the old key belongs to the dead instance
  assert.throws(() => key.bits, (e) => e instanceof AlipayError && e.code === 'ERR_INTERNAL')
  key.free() // a no-op for objects of a dead instance (never frees into the new one)
  // a fresh instance serves new calls
  const again = lib.importPublicKey(fixture('keys/alipay-public-key.pem'))
  assert.equal(again.bits, 2048)
  const v = json('response_verify_vectors.json')[0]
  assert.equal(lib.verifyResponse(v.response_body, v.method, again).code, '10000')
})

function startSandbox() {
  return new Promise((resolveReady, reject) => {
    const child = spawn(SANDBOX, ['--speed', '100'], { stdio: ['ignore', 'pipe', 'inherit'] })
    let buf = ''
    child.on('error', reject)
    child.stdout.on('data', (d) => {
      buf += d
      const nl = buf.indexOf('\n')
      if (nl >= 0) resolveReady({ child, ...JSON.parse(buf.slice(0, nl)) })
    })
  })
}

const code = (prefix) => {
  let s = prefix
  while (s.length < 18) s += Math.floor(Math.random() * 10)
  return s
}
const tradeNo = (tag) => `${tag}${Date.now()}${Math.floor(Math.random() * 1e6)}`

const sb = await startSandbox()
try {
  const client = new AlipayClient({
    appId: '2021000000000001',
    privateKey: readFileSync(join(root, 'sandbox', 'keys', 'demo-app-private-key.pem'), 'utf8'),
    alipayPublicKey: sb.alipayPublicKey,
    gateway: sb.url,
    timeoutMs: 5000,
  })

  await test('barcodePay against the sandbox (fetch): paid, with events', async () => {
    const events = []
    const r = await client.barcodePay(
      { outTradeNo: tradeNo('RT'), authCode: code('28100'), totalAmount: '9.90', subject: 'smoke' },
      { pollIntervalMs: 100, onEvent: (e) => events.push(e.type) },
    )
    assert.equal(r.status, 'paid', JSON.stringify(r))
    assert.ok(events.length > 0)
  })

  await test('barcodePay aborted with an AbortSignal: cancelled', async () => {
    const ac = new AbortController()
    const r = await client.barcodePay(
      { outTradeNo: tradeNo('RA'), authCode: code('282'), totalAmount: '1.00', subject: 'abort' },
      {
        pollIntervalMs: 100,
        signal: ac.signal,
        onEvent: (e) => {
          if (e.type === 'waitingForBuyer') ac.abort()
        },
      },
    )
    assert.equal(r.status, 'cancelled', JSON.stringify(r))
  })
} finally {
  sb.child.kill('SIGTERM')
}

console.log(`1..${n}\n# ${runtime}: ${n - failed} passed, ${failed} failed`)
if (failed) process.exit(1)
