// Keys, signing, verification, certificate SNs and errors through the addon, with the shared vectors.
import assert from 'node:assert/strict'
import { test } from 'node:test'

import { fixture, fixtureJson, keyFile, lib } from './helpers.mjs'

const { AlipayError } = lib

test('request sign vectors: sign content and signature byte for byte', () => {
  for (const v of fixtureJson('request_sign_vectors.json')) {
    const key = lib.importPrivateKey(keyFile(v.private_key_file))
    assert.equal(lib.signContent(v.params), v.expected_sign_content)
    const opts = { signType: v.sign_type, charset: v.charset }
    assert.equal(lib.sign(v.params, key, opts), v.expected_sign)
    // a PEM string is accepted wherever a key is
    assert.equal(lib.sign(v.params, keyFile(v.private_key_file), opts), v.expected_sign)
  }
})

test('every private key format of the same key signs identically', () => {
  const params = { app_id: '1', method: 'alipay.trade.query', biz_content: '{"out_trade_no":"x"}' }
  const files = ['app-private-key.pem', 'app-private-key-no-wrapper.pem', 'app-private-key-pkcs8.pem', 'app-private-key-pkcs8-no-wrapper.pem']
  const sigs = files.map((f) => lib.sign(params, lib.importPrivateKey(fixture(`keys/${f}`))))
  assert.equal(new Set(sigs).size, 1)
  const k = lib.importPrivateKey(fixture('keys/app-private-key.pem'))
  assert.equal(k.bits, 2048)
  assert.equal(k.publicKey().toPem().trim(), lib.importPublicKey(fixture('keys/app-public-key.pem')).toPem().trim())
})

test('response verify vectors', () => {
  for (const v of fixtureJson('response_verify_vectors.json')) {
    if (v.expected_verify === true) {
      let keyText = keyFile(v.alipay_public_key_file)
      const obj = lib.verifyResponse(v.response_body, v.method, keyText, { signType: v.sign_type })
      assert.deepEqual(obj, JSON.parse(v.expected_sign_content))
    } else {
      // unsigned answer shape: never a success
      assert.throws(
        () => lib.verifyResponse(v.response_body, v.method, fixture('keys/alipay-public-key.pem')),
        (e) => e instanceof AlipayError && e.code === 'ERR_UNSIGNED_RESPONSE' && e.subCode === 'isv.invalid-app-id',
      )
    }
  }
})

test('tampered response fails with ERR_SIGNATURE, duplicate node with ERR_DUPLICATE_NODE', () => {
  const v = fixtureJson('response_verify_vectors.json')[0]
  const key = lib.importPublicKey(fixture(v.alipay_public_key_file))
  const tampered = v.response_body.replace('"10000"', '"10001"')
  assert.throws(() => lib.verifyResponse(tampered, v.method, key), { name: 'AlipayError', code: 'ERR_SIGNATURE' })
  const node = `"alipay_open_file_upload_response":`
  const dup = v.response_body.replace(/}$/, `,${node}{"code":"10000","msg":"Success","file_id":"forged"}}`)
  assert.throws(() => lib.verifyResponse(dup, v.method, key), { code: 'ERR_DUPLICATE_NODE' })
  assert.throws(() => lib.verifyResponse('<html>502</html>', v.method, key), { code: 'ERR_RESPONSE_FORMAT' })
})

test('notify vectors: verifyNotify is true/false, OrThrow gives the params or the reason', () => {
  for (const v of fixtureJson('notify_vectors.json')) {
    const key = v.alipay_public_key_base64 ?? fixture(v.alipay_public_key_file)
    if (v.kind.startsWith('gateway message')) continue // V2 rule, not used by 当面付
    const expected = v.expected_verify === true
    assert.equal(lib.verifyNotify(v.params_decoded, key), expected, v.kind)
    if (v.example_form_body_utf8) assert.equal(lib.verifyNotify(v.example_form_body_utf8, key), expected)
    if (expected) {
      assert.equal(lib.verifyNotifyOrThrow(v.params_decoded, key).trade_status, v.params_decoded.trade_status)
    } else {
      assert.throws(() => lib.verifyNotifyOrThrow(v.params_decoded, key), { code: 'ERR_SIGNATURE' })
    }
  }
})

test('certificate SNs', () => {
  for (const v of fixtureJson('cert_sn_vectors.json')) {
    if (v.expected_sn) assert.equal(lib.certSn(fixture(v.cert_file)), v.expected_sn)
    if (v.expected_root_sn) assert.equal(lib.rootCertSn(fixture(v.cert_file)), v.expected_root_sn)
  }
  assert.throws(() => lib.certSn('not a cert'), { code: 'ERR_CERT' })
})

test('validateAuthCode is advisory', () => {
  assert.deepEqual(lib.validateAuthCode('284436318492512345'), { valid: true })
  const bad = lib.validateAuthCode('12')
  assert.equal(bad.valid, false)
  assert.equal(typeof bad.reason, 'string')
})

test('bad keys: AlipayError with a stable code, no key material in the message', () => {
  const priv = fixture('keys/app-private-key.pem')
  const truncated = priv.slice(0, priv.length / 2) + '\n-----END RSA PRIVATE KEY-----\n'
  for (const [input, codes] of [
    ['garbage', ['ERR_KEY_FORMAT']],
    [truncated, ['ERR_KEY_FORMAT']],
    [fixture('keys/app-public-key.pem'), ['ERR_KEY_KIND']],
  ]) {
    assert.throws(
      () => lib.importPrivateKey(input),
      (e) => {
        assert.ok(e instanceof AlipayError, `AlipayError expected, got ${e}`)
        assert.ok(e instanceof Error)
        assert.ok(codes.includes(e.code), `${e.code} not in ${codes}`)
        assert.ok(!e.message.includes('MII'), 'key material in message')
        return true
      },
    )
  }
  assert.throws(() => lib.importPublicKey(priv), { code: 'ERR_KEY_KIND' })
})

test('wrong types from JS: TypeError with a clear message, never a crash', () => {
  const key = fixture('keys/app-private-key.pem')
  const cases = [
    () => lib.importPrivateKey(42),
    () => lib.importPrivateKey(undefined),
    () => lib.importPublicKey({}),
    () => lib.signContent('a=b'),
    () => lib.signContent({ a: 1 }),
    () => lib.sign({ a: 'b' }, 42),
    () => lib.sign({ a: 'b' }, {}),
    () => lib.sign({ a: 'b' }, key, 'RSA2'),
    () => lib.verifyResponse(42, 'm', key),
    () => lib.verifyNotify(null, key),
    () => lib.certSn(Buffer.from('x')),
    () => lib.validateAuthCode(123),
  ]
  for (const fn of cases) assert.throws(fn, TypeError)
  assert.throws(() => lib.sign({ a: 'b' }, key, { signType: 'HS256' }), { code: 'ERR_INVALID_ARGUMENT', field: 'signType' })
})

test('AlipayError shape', () => {
  const e = new AlipayError('ERR_GATEWAY', 'x', { subCode: 'ACQ.X', httpStatus: 502 })
  assert.equal(e.name, 'AlipayError')
  assert.equal(e.code, 'ERR_GATEWAY')
  assert.equal(e.subCode, 'ACQ.X')
  assert.equal(e.httpStatus, 502)
  assert.ok(!('field' in e))
  assert.ok(e.stack.includes('AlipayError'))
})

test('extract-sign-content vectors: the addon verifies exactly the expected substring', async () => {
  const crypto = await import('node:crypto')
  const priv = crypto.createPrivateKey(fixture('keys/app-private-key.pem'))
  const pub = lib.importPublicKey(fixture('keys/app-public-key.pem'))
  const { cases } = fixtureJson('extract_sign_content_vectors.json')
  for (const v of cases) {
    const dummy = /"sign"\s*:\s*"([^"]*)"/.exec(v.response_body)?.[1]
    assert.ok(dummy, v.response_body)
    const resign = (content) => v.response_body.replace(dummy, crypto.sign('sha256', Buffer.from(content), priv).toString('base64'))
    const encrypted = v.expected_sign_content.startsWith('"')
    const check = (body) => {
      try {
        lib.verifyResponse(body, v.method, pub)
        return 'ok'
      } catch (e) {
        return e.code
      }
    }
    // signed over the expected substring: verifies (an encrypted node then needs the AES key)
    assert.equal(check(resign(v.expected_sign_content)), encrypted ? 'ERR_DECRYPT' : 'ok', v.expected_sign_content)
    // signed over anything else: refused
    assert.equal(check(resign(`${v.expected_sign_content} `)), 'ERR_SIGNATURE')
  }
})
