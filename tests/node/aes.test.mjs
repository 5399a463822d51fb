// AES content encryption through the addon (Signer encrypts biz_content, Verifier decrypts
// encrypted answers) with the shared AES vectors' keys, against a scripted fetch; and no
// key material in inspect output.
import assert from 'node:assert/strict'
import crypto from 'node:crypto'
import { inspect } from 'node:util'
import { test } from 'node:test'

import { fixture, fixtureJson, lib } from './helpers.mjs'

const APP_PRIV = fixture('keys/privateKey_ProdCert_pkcs8.pem')
const ALIPAY_PRIV = crypto.createPrivateKey(fixture('keys/app-private-key.pem'))
const ALIPAY_PUB = fixture('keys/app-public-key.pem')
const vectors = fixtureJson('aes_vectors.json').filter((v) => v.alg.startsWith('AES-128-CBC'))

const aes = (key, data, dir) => {
  const c = (dir === 'enc' ? crypto.createCipheriv : crypto.createDecipheriv)('aes-128-cbc', Buffer.from(key, 'base64'), Buffer.alloc(16))
  return Buffer.concat([c.update(data), c.final()])
}

test('AES vectors match node:crypto (the test oracle)', () => {
  for (const v of vectors) assert.equal(aes(v.key_b64, Buffer.from(v.plaintext), 'enc').toString('base64'), v.ciphertext_b64)
})

test('encrypted request and encrypted, signed answer round trip through AlipayClient', async () => {
  const key = vectors[1].key_b64
  let seen
  const answer = { code: '10000', msg: 'Success', out_trade_no: 'AES1', trade_no: '2026', trade_status: 'TRADE_SUCCESS', total_amount: '1.00', store_name: '南京店' }
  const client = new lib.AlipayClient({
    appId: '2021000000000001',
    privateKey: APP_PRIV,
    alipayPublicKey: ALIPAY_PUB,
    encryptKey: key,
    fetch: async (url, init) => {
      const form = new URLSearchParams(Buffer.from(init.body).toString('utf8'))
      const query = new URL(url).searchParams
      seen = { encryptType: form.get('encrypt_type') ?? query.get('encrypt_type'), bizContent: form.get('biz_content') }
      return encryptedFetch(key, answer)()
    },
  })
  const r = await client.query({ outTradeNo: 'AES1' })
  assert.deepEqual(r, answer)
  assert.equal(seen.encryptType, 'AES')
  assert.deepEqual(JSON.parse(aes(key, Buffer.from(seen.bizContent, 'base64'), 'dec').toString('utf8')), { out_trade_no: 'AES1' })

  // an encrypted answer without the key cannot be read: ERR_DECRYPT, never a success
  const noKey = new lib.AlipayClient({ appId: '2021000000000001', privateKey: APP_PRIV, alipayPublicKey: ALIPAY_PUB, fetch: encryptedFetch(key, answer) })
  await assert.rejects(noKey.query({ outTradeNo: 'AES1' }), { code: 'ERR_DECRYPT' })
  assert.throws(() => new lib.AlipayClient({ appId: 'a', privateKey: APP_PRIV, encryptKey: 'short' }), { code: 'ERR_KEY_FORMAT', field: 'encryptKey' })
})

/** A fetch answering with `answer` AES-encrypted with `key` and signed like the gateway does (over the quoted ciphertext). */
function encryptedFetch(key, answer) {
  return async () => {
    const quoted = JSON.stringify(aes(key, Buffer.from(JSON.stringify(answer)), 'enc').toString('base64'))
    const sign = crypto.sign('sha256', Buffer.from(quoted), ALIPAY_PRIV).toString('base64')
    return new Response(`{"alipay_trade_query_response":${quoted},"sign":"${sign}"}`)
  }
}

test('keys and clients never show key material when inspected or serialized', () => {
  const k = lib.importPrivateKey(APP_PRIV)
  const p = lib.importPublicKey(ALIPAY_PUB)
  for (const v of [k, p, new lib.AlipayClient({ appId: 'a', privateKey: k, alipayPublicKey: p })]) {
    const text = `${inspect(v, { depth: 5, showHidden: true })} ${JSON.stringify(v) ?? ''}`
    assert.ok(!/MII|BEGIN|PRIVATE/.test(text), text)
  }
})
