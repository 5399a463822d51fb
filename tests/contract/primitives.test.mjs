// Contract (design.md §4) for the protocol primitives, through the installed package,
// ESM and CJS entries. Vectors: the public fixtures (../shared/fixtures).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import * as esm from 'alipay-f2f'
import * as wasm from 'alipay-f2f/wasm'

const cjs = createRequire(import.meta.url)('alipay-f2f')
const FX = process.env.CONTRACT_FIXTURES
const fx = (p) => readFileSync(join(FX, p), 'utf8')
const json = (p) => JSON.parse(fx(p))
const keyFile = (s) => s.split(' ')[0]
const NAMES = ['importPrivateKey', 'importPublicKey', 'signContent', 'sign', 'verifyResponse', 'verifyNotify',
  'certSn', 'rootCertSn', 'validateAuthCode', 'AlipayClient', 'AlipayError']

function throwsCode(fn, code, AlipayError = esm.AlipayError) {
  let caught
  try { fn() } catch (e) { caught = e }
  assert.ok(caught, `expected a throw with ${code}`)
  assert.ok(caught instanceof AlipayError, `not an AlipayError: ${caught}`)
  assert.ok(caught instanceof Error)
  assert.equal(typeof caught.code, 'string')
  if (code) assert.equal(caught.code, code)
  return caught
}

test('every §4 name is exported, same objects from ESM and CJS (one AlipayError class)', () => {
  for (const n of NAMES) {
    assert.equal(typeof esm[n], 'function', `esm ${n}`)
    assert.equal(cjs[n], esm[n], `cjs ${n} differs from esm`)
  }
  const e = new esm.AlipayError('ERR_SIGNATURE', 'x')
  assert.ok(e instanceof Error)
  assert.ok(e instanceof cjs.AlipayError)
  assert.equal(e.code, 'ERR_SIGNATURE')
})

// §4: the same names and behaviour from the addon and from wasm
for (const [name, mod] of [['esm', esm], ['cjs', cjs], ['wasm', wasm]]) {
  test(`${name}: importPrivateKey accepts every private key format in the fixtures; all sign alike`, () => {
    const files = ['app-private-key.pem', 'app-private-key-no-wrapper.pem', 'app-private-key-pkcs8.pem', 'app-private-key-pkcs8-no-wrapper.pem']
    const sigs = new Set()
    for (const f of files) {
      const text = fx(`keys/${f}`)
      const k = mod.importPrivateKey(text)
      assert.ok(k && typeof k === 'object', f)
      sigs.add(mod.sign({ a: '1' }, k))
      sigs.add(mod.sign({ a: '1' }, text)) // a string works wherever a key does
      sigs.add(mod.sign({ a: '1' }, `\n  ${text.trim()}  \n`)) // stray whitespace tolerated
    }
    assert.equal(sigs.size, 1)
    for (const f of ['privateKey_ProdCert_pkcs8.b64', 'privateKey_ProdCert_pkcs1.pem', 'privateKey_ProdCert_pkcs8.pem', 'app_2014060600164699_rsa2_private_key_no_wrapper.pem']) {
      assert.ok(mod.importPrivateKey(fx(`keys/${f}`)), f)
    }
  })

  test(`${name}: importPublicKey accepts SPKI PEM/base64 and X.509 certificates`, () => {
    for (const f of ['app-public-key.pem', 'app-public-key-no-wrapper.pem', 'alipay-public-key.pem', 'alipay-public-key-no-wrapper.pem',
      'alipay_stable_rsa2_public_key.pem', 'alipay-notify-sign-public-key-v1.pem', 'alipay-notify-sign-public-key-v2.pem',
      'app_2014060600164699_rsa2_public_key_no_wrapper.pem', 'app_2021003126695331_pub.pem',
      'appCertPublicKey_2021001161683774.crt', 'alipayCertPublicKey_RSA2.crt', 'appCertPublicKey_2021003126695331.crt']) {
      assert.ok(mod.importPublicKey(fx(`keys/${f}`)), f)
    }
  })

  test(`${name}: bad keys throw AlipayError with stable codes`, () => {
    for (const bad of ['', 'x', '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----']) {
      throwsCode(() => mod.importPrivateKey(bad), undefined, mod.AlipayError)
      throwsCode(() => mod.importPublicKey(bad), undefined, mod.AlipayError)
    }
    const e = throwsCode(() => mod.importPrivateKey('x'), undefined, mod.AlipayError)
    assert.match(e.code, /^ERR_KEY_/)
    // truncated key
    const pem = fx('keys/app-private-key-pkcs8-no-wrapper.pem').trim()
    assert.match(throwsCode(() => mod.importPrivateKey(pem.slice(0, pem.length / 2)), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    // a private key where a public key belongs, and the reverse
    assert.match(throwsCode(() => mod.importPublicKey(fx('keys/app-private-key.pem')), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    assert.match(throwsCode(() => mod.importPrivateKey(fx('keys/app-public-key.pem')), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    // error messages never carry key material
    const body = fx('keys/app-private-key-pkcs8-no-wrapper.pem').trim().slice(40, 80)
    try { mod.importPublicKey(fx('keys/app-private-key-pkcs8.pem')) } catch (err) { assert.ok(!String(err.message).includes(body)) }
  })

  test(`${name}: every API throws AlipayError (stable code) for unusable keys and arguments`, () => {
    const v = json('response_verify_vectors.json')[0]
    assert.match(throwsCode(() => mod.sign({ a: '1' }, 'not a key'), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    assert.match(throwsCode(() => mod.verifyResponse(v.response_body, v.method, 'not a key'), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    assert.match(throwsCode(() => mod.verifyNotify({ a: '1', sign: 'x' }, 'not a key'), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    assert.match(throwsCode(() => new mod.AlipayClient({ appId: '2021000000000001', privateKey: 'not a key' }), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    assert.match(throwsCode(() => new mod.AlipayClient({ appId: '2021000000000001', alipayPublicKey: 'not a key' }), undefined, mod.AlipayError).code, /^ERR_KEY_/)
    // the app public key configured where the Alipay public key belongs is detected
    throwsCode(() => new mod.AlipayClient({ appId: '2021000000000001', privateKey: fx('keys/app-private-key.pem'), alipayPublicKey: fx('keys/app-public-key.pem') }), 'ERR_KEY_MISMATCH', mod.AlipayError)
  })

  test(`${name}: AlipayClient refuses wrong config values with AlipayError ERR_INVALID_ARGUMENT`, () => {
    const pk = fx('keys/app-private-key.pem')
    for (const cfg of [
      { appId: '', privateKey: pk },
      { appId: '1', privateKey: pk, signType: 'HS256' },
      { appId: '1', privateKey: pk, charset: 'latin1' },
      { appId: '1', privateKey: pk, timeoutMs: -1 },
      { appId: '1' },
      { appId: '1', privateKey: pk, appCert: fx('keys/appCertPublicKey_2021001161683774.crt') },
    ]) {
      throwsCode(() => new mod.AlipayClient(cfg), 'ERR_INVALID_ARGUMENT', mod.AlipayError)
    }
  })

  test(`${name}: wrong JS types throw a TypeError that carries code ERR_INVALID_ARGUMENT (jose-style early TypeErrors, code-based handling still works)`, () => {
    for (const fn of [
      () => mod.sign(null, fx('keys/app-private-key.pem')),
      () => mod.signContent('a=1'),
      () => mod.importPrivateKey(5),
      () => new mod.AlipayClient({ appId: 1 }),
    ]) {
      assert.throws(fn, (e) => e instanceof TypeError && e.code === 'ERR_INVALID_ARGUMENT' && e.message.length > 10)
    }
  })

  test(`${name}: signContent and sign reproduce request_sign_vectors byte for byte`, () => {
    for (const v of json('request_sign_vectors.json')) {
      assert.equal(mod.signContent(v.params), v.expected_sign_content)
      const keyText = fx(keyFile(v.private_key_file))
      const opts = { signType: v.sign_type, charset: v.charset }
      assert.equal(mod.sign(v.params, keyText, opts), v.expected_sign)
      assert.equal(mod.sign(v.params, mod.importPrivateKey(keyText), opts), v.expected_sign)
      if (v.sign_type === 'RSA2') assert.equal(mod.sign(v.params, keyText), v.expected_sign, 'RSA2 is the default')
    }
  })

  test(`${name}: signContent sorts, skips sign and empty values`, () => {
    assert.equal(mod.signContent({ b: '2', a: '1' }), 'a=1&b=2')
    assert.equal(mod.signContent({ b: '2', sign: 'zzz', a: '1', c: '' }), 'a=1&b=2')
  })

  test(`${name}: sign with gbk differs from utf-8 only for non-ASCII`, () => {
    const k = mod.importPrivateKey(fx('keys/app-private-key.pem'))
    assert.equal(mod.sign({ a: 'x' }, k, { charset: 'gbk' }), mod.sign({ a: 'x' }, k, { charset: 'utf-8' }))
    assert.notEqual(mod.sign({ a: '中文' }, k, { charset: 'gbk' }), mod.sign({ a: '中文' }, k, { charset: 'utf-8' }))
  })

  test(`${name}: verifyResponse returns the verified <method>_response object (string and imported keys)`, () => {
    for (const v of json('response_verify_vectors.json')) {
      if (v.expected_verify !== true) continue
      const keyText = fx(keyFile(v.alipay_public_key_file))
      const expected = JSON.parse(v.response_body)[v.method.replaceAll('.', '_') + '_response']
      for (const key of [keyText, mod.importPublicKey(keyText)]) {
        const obj = mod.verifyResponse(v.response_body, v.method, key, { signType: v.sign_type })
        assert.deepEqual({ ...obj }, expected)
        assert.deepEqual({ ...mod.verifyResponse(v.response_body, v.method, key) }, expected)
      }
    }
  })

  test(`${name}: verifyResponse throws ERR_SIGNATURE on tamper, never succeeds unsigned`, () => {
    const v = json('response_verify_vectors.json')[0]
    const key = fx(keyFile(v.alipay_public_key_file))
    const tampered = v.response_body.replace('"10000"', '"10001"')
    throwsCode(() => mod.verifyResponse(tampered, v.method, key), 'ERR_SIGNATURE', mod.AlipayError)
    // the app key where the Alipay key belongs
    throwsCode(() => mod.verifyResponse(v.response_body, v.method, fx('keys/app-public-key.pem')), undefined, mod.AlipayError)
    // unsigned response: never a success
    const unsigned = json('response_verify_vectors.json').find((x) => x.expected_verify === null)
    throwsCode(() => mod.verifyResponse(unsigned.response_body, unsigned.method, key), undefined, mod.AlipayError)
    const unsignedOk = '{"alipay_trade_pay_response":{"code":"10000","msg":"Success","trade_no":"1"}}'
    throwsCode(() => mod.verifyResponse(unsignedOk, 'alipay.trade.pay', key), undefined, mod.AlipayError)
    // wrong method, non-JSON
    throwsCode(() => mod.verifyResponse(v.response_body, 'alipay.trade.pay', key), undefined, mod.AlipayError)
    throwsCode(() => mod.verifyResponse('<html>', v.method, key), undefined, mod.AlipayError)
    // wrong signType
    throwsCode(() => mod.verifyResponse(v.response_body, v.method, key, { signType: 'RSA' }), 'ERR_SIGNATURE', mod.AlipayError)
  })

  test(`${name}: verifyNotify returns booleans for objects and raw form bodies`, () => {
    const [pay, , neg] = json('notify_vectors.json')
    const key = pay.alipay_public_key_base64
    for (const k of [key, mod.importPublicKey(key)]) {
      assert.equal(mod.verifyNotify(pay.params_decoded, k), true)
      assert.equal(mod.verifyNotify(pay.params_decoded, k, { signType: 'RSA2' }), true)
      assert.equal(mod.verifyNotify(pay.example_form_body_utf8, k), true)
      assert.equal(mod.verifyNotify({ ...pay.params_decoded, total_amount: '999.00' }, k), false)
      assert.equal(mod.verifyNotify(pay.example_form_body_utf8.replace('trade_status=TRADE_SUCCESS', 'trade_status=TRADE_FINISHED'), k), false)
      assert.equal(mod.verifyNotify(neg.params_decoded, k), false)
      const { sign: _s, ...unsigned } = pay.params_decoded
      assert.equal(mod.verifyNotify(unsigned, k), false)
      // malformed or empty bodies are not verified notifications: false, not a throw
      for (const junk of ['', 'garbage', 'a=1&sign=zzz', 'sign=%%%', 'a=%E4%B8&sign=x', `${pay.example_form_body_utf8}%`]) {
        assert.equal(mod.verifyNotify(junk, k), false, junk.slice(0, 40))
      }
      assert.equal(mod.verifyNotify({}, k), false)
    }
    assert.equal(mod.verifyNotify(pay.params_decoded, fx('keys/alipay-public-key.pem')), false)
  })

  test(`${name}: certSn and rootCertSn vectors`, () => {
    const [app, ali, root] = json('cert_sn_vectors.json')
    assert.equal(mod.certSn(fx(app.cert_file)), app.expected_sn)
    assert.equal(mod.certSn(fx(ali.cert_file)), ali.expected_sn)
    assert.equal(mod.rootCertSn(fx(root.cert_file)), root.expected_root_sn)
    throwsCode(() => mod.certSn('not a cert'), undefined, mod.AlipayError)
    throwsCode(() => mod.rootCertSn('not a cert'), undefined, mod.AlipayError)
  })

  test(`${name}: validateAuthCode shapes`, () => {
    for (const ok of ['280000000000000001', '251234567890123456']) {
      const r = mod.validateAuthCode(ok)
      assert.equal(r.valid, true, ok)
    }
    for (const bad of ['', '12', 'abcdefabcdefabcdef', '28000000000000000x', '134567890123456789']) {
      const r = mod.validateAuthCode(bad)
      assert.equal(r.valid, false, bad)
      assert.equal(typeof r.reason, 'string', bad)
      assert.ok(r.reason.length > 0)
    }
  })
}
