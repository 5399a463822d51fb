// CommonJS view of `alipay-f2f/wasm` in Node, and isolation from the native entry:
// loading the wasm entry never changes what `alipay-f2f` uses (each has its own binding).
'use strict'
const assert = require('node:assert/strict')
const wasm = require('alipay-f2f/wasm')
assert.equal(wasm.implementation, 'wasm')
assert.equal(wasm.signContent({ b: '2', a: '1' }), 'a=1&b=2')
let native
try {
  native = require('alipay-f2f')
} catch (e) {
  console.log(`# native entry not loadable here (${e.code}); isolation not checked`)
}
if (native) {
  assert.equal(native.implementation, 'native')
  const path = require('node:path')
  const repo = process.env.ALIPAY_F2F_REPO ?? path.resolve(__dirname, '..', '..')
  const nk = native.importPublicKey(require('node:fs').readFileSync(path.join(repo, 'sandbox', 'keys', 'sandbox-alipay-public-key.pem'), 'utf8'))
  const wk = wasm.importPublicKey(nk.toPem())
  assert.ok(!(wk instanceof native.importPublicKey(nk.toPem()).constructor), 'wasm keys are not native keys')
  assert.equal(wk.toPem(), nk.toPem())
  // a native key is refused by the wasm entry (TypeError from the shared TS checks), and vice versa
  assert.throws(() => wasm.verifyResponse('{}', 'alipay.trade.query', nk), TypeError)
  assert.throws(() => native.verifyResponse('{}', 'alipay.trade.query', wk), TypeError)
  assert.equal(native.implementation, 'native')
}
console.log('ok - require("alipay-f2f/wasm") (CommonJS) works; isolated from the native entry')
