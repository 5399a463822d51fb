// Parity of the two implementations of the binding surface: the same inputs through the native
// entry (`alipay-f2f`, Node-API addon) and the wasm entry (`alipay-f2f/wasm`) must give the same
// results, or the same errors (class, name, code, field, gateway properties, message).
//   node --test tests/wasm/parity.test.mjs     (after the npm build)
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = resolve(here, '..', '..')
const require = createRequire(import.meta.url)
const native = require(join(root, 'npm', 'dist', 'index.js'))
const wasm = require(join(root, 'npm', 'dist', 'wasm.js'))
const FIXTURES = process.env.ALIPAY_F2F_FIXTURES ?? join(root, 'tests', 'node', 'fixtures')
const fixture = (p) => readFileSync(join(FIXTURES, p.split(' ')[0]), 'utf8')
const json = (p) => JSON.parse(fixture(p))

const PROPS = ['name', 'code', 'field', 'gatewayCode', 'gatewayMsg', 'subCode', 'subMsg', 'verified', 'message']

/** Runs `fn(lib)` and describes the outcome in comparable form (keys become their PEM). */
function outcome(lib, fn) {
  try {
    const v = fn(lib)
    if (v && typeof v === 'object' && typeof v.toPem === 'function') return { ok: { key: v.toPem(), bits: v.bits } }
    if (v && typeof v === 'object' && typeof v.publicKey === 'function') return { ok: { privateBits: v.bits, pub: v.publicKey().toPem() } }
    return { ok: v }
  } catch (e) {
    const err = { class: e instanceof lib.AlipayError ? 'AlipayError' : e?.constructor?.name }
    for (const p of PROPS) if (e?.[p] !== undefined) err[p] = e[p]
    return { err }
  }
}

function same(name, fn) {
  const n = outcome(native, fn)
  const w = outcome(wasm, fn)
  assert.deepEqual(w, n, `${name}: wasm differs from native`)
  return n
}

test('implementations', () => {
  assert.equal(native.implementation, 'native')
  assert.equal(wasm.implementation, 'wasm')
})

test('keys: every format, wrong kinds, garbage', () => {
  const priv = fixture('keys/app-private-key.pem')
  const inputs = {
    pkcs1: priv,
    pkcs1Bare: fixture('keys/app-private-key-no-wrapper.pem'),
    pkcs8: fixture('keys/app-private-key-pkcs8.pem'),
    pkcs8Bare: fixture('keys/app-private-key-pkcs8-no-wrapper.pem'),
    publicKey: fixture('keys/app-public-key.pem'),
    cert: fixture('keys/appCertPublicKey_2021001161683774.crt'),
    truncated: priv.slice(0, priv.length / 2) + '\n-----END RSA PRIVATE KEY-----\n',
    garbage: 'garbage',
    empty: '',
    crlf: priv.replace(/\n/g, '\r\n'),
  }
  for (const [k, v] of Object.entries(inputs)) {
    same(`importPrivateKey(${k})`, (l) => l.importPrivateKey(v))
    same(`importPublicKey(${k})`, (l) => l.importPublicKey(v))
  }
  same('checkNotAppKey mismatch', (l) => new l.AlipayClient({ appId: '1', privateKey: priv, alipayPublicKey: inputs.publicKey }))
})

test('sign content, signatures, options', () => {
  for (const v of json('request_sign_vectors.json')) {
    const key = fixture(v.private_key_file)
    same('signContent', (l) => l.signContent(v.params))
    for (const opts of [undefined, { signType: v.sign_type, charset: v.charset }, { signType: 'RSA' }, { charset: 'gbk' }, { signType: 'HS256' }, { charset: 'latin1' }]) {
      same(`sign ${JSON.stringify(opts)}`, (l) => l.sign(v.params, key, opts))
    }
  }
  same('sign GBK unrepresentable', (l) => l.sign({ a: '😀' }, fixture('keys/app-private-key.pem'), { charset: 'gbk' }))
  same('signContent bad', (l) => l.signContent({ a: 1 }))
})

test('responses: valid, tampered, unsigned, duplicate, malformed, charset', () => {
  const vectors = json('response_verify_vectors.json')
  const key = fixture('keys/alipay-public-key.pem')
  for (const v of vectors) {
    const k = v.alipay_public_key_file ? fixture(v.alipay_public_key_file) : key
    same('vector', (l) => l.verifyResponse(v.response_body, v.method, k, { signType: v.sign_type }))
    same('vector gbk', (l) => l.verifyResponse(v.response_body, v.method, k, { charset: 'gbk' }))
    same('tampered', (l) => l.verifyResponse(v.response_body.replace(/"msg":"/, '"msg":"X'), v.method, k))
    same('wrong method', (l) => l.verifyResponse(v.response_body, 'alipay.trade.query', k))
    same('RSA1 type', (l) => l.verifyResponse(v.response_body, v.method, k, { signType: 'RSA' }))
  }
  const v = vectors[0]
  const node = '"alipay_open_file_upload_response":'
  same('duplicate node', (l) => l.verifyResponse(v.response_body.replace(/}$/, `,${node}{"code":"10000"}}`), v.method, key))
  for (const body of ['', '<html>502</html>', '{', '{}', '{"sign":"x"}', v.response_body.slice(0, 50), '[1,2]']) {
    same(`malformed ${JSON.stringify(body.slice(0, 20))}`, (l) => l.verifyResponse(body, v.method, key))
  }
  const deep = `{"alipay_open_file_upload_response":${'['.repeat(5000)}${']'.repeat(5000)},"sign":"x"}`
  same('deeply nested', (l) => l.verifyResponse(deep, v.method, key))
})

test('notifications, certificates, payment codes', () => {
  for (const v of json('notify_vectors.json')) {
    const key = v.alipay_public_key_base64 ?? fixture(v.alipay_public_key_file)
    same('notify params', (l) => l.verifyNotifyOrThrow(v.params_decoded, key))
    if (v.example_form_body_utf8) same('notify form', (l) => l.verifyNotifyOrThrow(v.example_form_body_utf8, key))
    same('notify unsigned', (l) => l.verifyNotifyOrThrow({ ...v.params_decoded, sign: undefined }, key))
  }
  same('notify garbage form', (l) => l.verifyNotifyOrThrow('a=%zz&&=', fixture('keys/alipay-public-key.pem')))
  for (const v of json('cert_sn_vectors.json')) {
    same('certSn', (l) => l.certSn(fixture(v.cert_file)))
    same('rootCertSn', (l) => l.rootCertSn(fixture(v.cert_file)))
  }
  same('certSn garbage', (l) => l.certSn('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'))
  for (const c of ['284436318492512345', '12', '', '28443631849251234x', 'fp' + 'a'.repeat(33), '2'.repeat(40), '250000000000000000', ' 284436318492512345']) {
    same(`validateAuthCode(${c})`, (l) => l.validateAuthCode(c))
  }
})

test('client construction and validation errors', async () => {
  const priv = fixture('keys/app-private-key.pem')
  const pub = fixture('keys/alipay-public-key.pem')
  const configs = [
    { appId: '2021', privateKey: priv, alipayPublicKey: pub },
    { appId: '2021', privateKey: priv, alipayPublicKey: pub, encryptKey: 'not base64!' },
    { appId: '2021', privateKey: priv, alipayPublicKey: pub, encryptKey: 'aa4BtZ4tspm2wnXLb1ThQA==' },
    { appId: '2021', privateKey: fixture('keys/app-private-key.pem'), signType: 'RSA' },
    { appId: '2021', alipayPublicKey: 'MIIB' },
  ]
  for (const c of configs) same(`client ${Object.keys(c)}`, (l) => (new l.AlipayClient(c), 'constructed'))
  const client = (l) => new l.AlipayClient({ appId: '2021', alipayPublicKey: pub, transport: async () => '' })
  for (const order of [
    { outTradeNo: 'T1', authCode: '284436318492512345', totalAmount: '0', subject: 's' },
    { outTradeNo: 'T1', authCode: '284436318492512345', totalAmount: '1.001', subject: 's' },
    { outTradeNo: 'T 1', authCode: '284436318492512345', totalAmount: '1.00', subject: 's' },
    { outTradeNo: 'T1', authCode: '284436318492512345', totalAmount: '1.00', subject: '' },
    { outTradeNo: 'T1', authCode: '284436318492512345', totalAmount: '1.00', subject: 's', extra: { total_amount: '2' } },
  ]) {
    // barcodePay validates the order in the flow constructor and rejects
    const describeErr = (e) => `${e.constructor.name}:${e.code}:${e.field}:${e.message}`
    const n = await client(native).barcodePay(order).then(() => 'resolved', describeErr)
    const w = await client(wasm).barcodePay(order).then(() => 'resolved', describeErr)
    assert.equal(w, n, JSON.stringify(order))
    assert.notEqual(n, 'resolved')
  }
})
