// node check.mjs <probe glue (--target nodejs)> — checks every entry point the probe level
// exports against node:crypto (so a size is only reported for a probe that really does the
// work), using the repository's test keys and certificate.
import { createHash, createCipheriv, createPublicKey, createPrivateKey, randomBytes, verify, X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'

const probe = createRequire(import.meta.url)(process.argv[2])
const keys = new URL('../../tests/node/fixtures/keys/', import.meta.url)
const read = (f) => readFileSync(new URL(f, keys))
const fail = (what) => {
  throw new Error(`size-floor probe (${probe.levels()}): ${what}`)
}
const done = []
const msg = Buffer.from('app_id=2021000000000001&biz_content={"out_trade_no":"x"}&charset=utf-8')

if (probe.rsa_sign) {
  const priv = createPrivateKey(read('app-private-key-pkcs8.pem'))
  const pub = createPublicKey(read('app-public-key.pem'))
  const der = (k, type) => k.export({ format: 'der', type })
  const sig = probe.rsa_sign(der(priv, 'pkcs8'), Buffer.from('seed'), msg)
  if (!sig || !verify('sha256', msg, pub, sig)) fail('rsa_sign: not a valid RSA2 signature')
  if (!probe.rsa_verify(der(pub, 'spki'), msg, sig)) fail('rsa_verify refused a valid signature')
  sig[7] ^= 1
  if (probe.rsa_verify(der(pub, 'spki'), msg, sig)) fail('rsa_verify accepted a tampered signature')
  done.push('rsa')
}
if (probe.cert_parts) {
  const cert = new X509Certificate(read('alipayCertPublicKey_RSA2.crt'))
  const parts = []
  const r = Buffer.from(probe.cert_parts(cert.raw) ?? fail('cert_parts refused the certificate'))
  for (let i = 0; i < r.length; ) {
    const n = r.readUInt16BE(i)
    parts.push(r.subarray(i + 2, i + 2 + n))
    i += 2 + n
  }
  const hex = (b) => b.toString('hex').toUpperCase().replace(/^0+/, '')
  if (hex(parts[0]) !== cert.serialNumber.replace(/^0+/, '')) fail('cert_parts: wrong serial')
  const spki = cert.publicKey.export({ format: 'der', type: 'spki' })
  if (!parts.at(-1).equals(spki)) fail('cert_parts: wrong public key')
  if (parts.length < 3 || (parts.length - 2) % 2) fail('cert_parts: no issuer attributes')
  done.push('x509')
}
if (probe.aes_cbc) {
  const [key, iv, data] = [randomBytes(16), randomBytes(16), randomBytes(37)]
  const c = createCipheriv('aes-128-cbc', key, iv)
  const want = Buffer.concat([c.update(data), c.final()])
  if (!Buffer.from(probe.aes_cbc(key, iv, data, true)).equals(want)) fail('aes_cbc: wrong ciphertext')
  if (!Buffer.from(probe.aes_cbc(key, iv, want, false)).equals(data)) fail('aes_cbc: wrong plaintext')
  done.push('aes-cbc')
}
if (probe.sha1_md5) {
  const data = randomBytes(100)
  const want = Buffer.concat(['sha1', 'md5'].map((h) => createHash(h).update(data).digest()))
  if (!Buffer.from(probe.sha1_md5(data)).equals(want)) fail('sha1_md5: wrong digests')
  if (probe.base64_round_trip(data) !== data.toString('base64')) fail('base64_round_trip')
  done.push('sha1, md5, base64')
}
if (probe.json_round_trip) {
  const got = probe.json_round_trip('{"z":1,"a":[1.5,"\\u00e9",null,true],"m":{"k":"v"}}')
  if (got !== '{"z":1,"a":[1.5,"é",null,true],"m":{"k":"v"}}') fail(`json_round_trip: ${got}`)
  done.push('json')
}
console.log(`[size-floor] probe ${probe.levels()}: checked ${done.join(', ')}`)
