// The wasm build's RSA verification (crates/rsa-vartime-verify: the radix-2^28 SIMD128 kernel
// for moduli up to 3526 bits, the limb kernel above) against WebCrypto's verdict in Node, on
// thousands of signatures: valid ones, one bit flipped, random bytes, values at and above n,
// wrong lengths, another key's signatures. Keys: 2048 (e = 65537 and e = 3), 2056, 3072, 4096
// bits, made by WebCrypto. Every disagreement fails; every rejection must be ERR_SIGNATURE (a
// trap would surface as ERR_INTERNAL).
//   node --test tests/wasm/rsa-webcrypto.test.mjs     (after the npm build)
import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..')
const wasm = createRequire(import.meta.url)(join(root, 'npm', 'dist', 'wasm.js'))
const { subtle } = globalThis.crypto
const ALG = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }
const METHOD = 'alipay.trade.query'

/** xorshift32: deterministic bytes, so a failure reproduces. */
function rng(seed) {
  let x = seed >>> 0 || 1
  const next = () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x
  }
  const bytes = (n) => Uint8Array.from({ length: n }, () => next() & 0xff)
  return { next, bytes }
}

const b64 = (u8) => Buffer.from(u8).toString('base64')
const pem = (der) => `-----BEGIN PUBLIC KEY-----\n${b64(new Uint8Array(der)).match(/.{1,64}/g).join('\n')}\n-----END PUBLIC KEY-----\n`
const body = (inner, sig) => `{"${METHOD.replaceAll('.', '_')}_response":${inner},"sign":"${b64(sig)}"}`

/** wasm's verdict: true, or false with ERR_SIGNATURE (anything else fails the test). */
function wasmVerdict(key, inner, sig) {
  try {
    wasm.verifyResponse(body(inner, sig), METHOD, key)
    return true
  } catch (e) {
    assert.equal(e?.code, 'ERR_SIGNATURE', `unexpected error ${e?.code}: ${e?.message}`)
    return false
  }
}

async function makeKey(bits, e) {
  const pair = await subtle.generateKey({ ...ALG, modulusLength: bits, publicExponent: Uint8Array.from(e) }, true, ['sign', 'verify'])
  const spki = await subtle.exportKey('spki', pair.publicKey)
  const jwk = await subtle.exportKey('jwk', pair.publicKey)
  return { ...pair, n: new Uint8Array(Buffer.from(jwk.n, 'base64url')), wasmKey: wasm.importPublicKey(pem(spki)) }
}

/** `n + d` as big-endian bytes of n's length (`undefined` when it overflows). */
function nPlus(n, d) {
  const out = Uint8Array.from(n)
  let carry = d
  for (let i = out.length - 1; i >= 0 && carry !== 0; i--) {
    const v = out[i] + carry
    out[i] = ((v % 256) + 256) % 256
    carry = Math.floor(v / 256)
  }
  return carry === 0 ? out : undefined
}

const CONFIGS = [
  { bits: 2048, e: [1, 0, 1], messages: 500 },
  { bits: 2048, e: [3], messages: 150 },
  { bits: 2056, e: [1, 0, 1], messages: 100 },
  { bits: 3072, e: [1, 0, 1], messages: 100 },
  { bits: 4096, e: [1, 0, 1], messages: 50 },
]

test('implementation is wasm', () => assert.equal(wasm.implementation, 'wasm'))

for (const { bits, e, messages } of CONFIGS) {
  test(`RSA-${bits} e=${Buffer.from(e).toString('hex')}: wasm verdict equals WebCrypto's`, async () => {
    const r = rng(bits * 31 + e.length)
    const key = await makeKey(bits, e)
    const other = await makeKey(bits, e)
    const k = key.n.length
    let checked = 0
    let valid = 0
    const check = async (inner, sig, label) => {
      const want = await subtle.verify(ALG, key.publicKey, sig, new TextEncoder().encode(inner))
      assert.equal(wasmVerdict(key.wasmKey, inner, sig), want, `${label}: wasm differs from WebCrypto (RSA-${bits})`)
      checked++
      if (want) valid++
    }
    for (let m = 0; m < messages; m++) {
      const inner = JSON.stringify({ code: '10000', msg: 'Success', out_trade_no: `T${m}`, nonce: b64(r.bytes(1 + (r.next() % 40))) })
      const data = new TextEncoder().encode(inner)
      const sig = new Uint8Array(await subtle.sign(ALG, key.privateKey, data))
      await check(inner, sig, `valid #${m}`)
      const flipped = Uint8Array.from(sig)
      const bit = r.next() % (k * 8)
      flipped[bit >> 3] ^= 1 << (bit & 7)
      await check(inner, flipped, `bit ${bit} flipped #${m}`)
      await check(inner, r.bytes(k), `random bytes #${m}`)
      if (m % 5 === 0) {
        await check(inner, new Uint8Array(await subtle.sign(ALG, other.privateKey, data)), `other key #${m}`)
        const high = Uint8Array.from(sig)
        high[0] = 0xff // above n
        await check(inner, high, `top byte 0xff #${m}`)
      }
    }
    const inner = '{"code":"10000","msg":"Success"}'
    const edge = {
      zero: new Uint8Array(k),
      one: nPlus(new Uint8Array(k), 1),
      'n - 1': nPlus(key.n, -1),
      n: key.n,
      'n + 1': nPlus(key.n, 1),
      'all ones': new Uint8Array(k).fill(0xff),
      'one byte short': r.bytes(k - 1),
      'one byte long': r.bytes(k + 1),
      'k zero bytes + 1': Uint8Array.from([0, ...nPlus(new Uint8Array(k), 1)]),
    }
    for (const [label, sig] of Object.entries(edge)) if (sig) await check(inner, sig, label)
    // the key still verifies after all the rejections (no trap, no state left behind)
    const good = new Uint8Array(await subtle.sign(ALG, key.privateKey, new TextEncoder().encode(inner)))
    await check(inner, good, 'valid after the rejections')
    assert.ok(valid >= messages + 1, `${valid} valid signatures`)
    assert.ok(checked >= 3 * messages, `${checked} checked`)
  })
}
