// Smoke test of the wasm pipeline: loads the wasm-bindgen `--target nodejs`
// output of scripts/build-wasm.sh and checks signContent against the shared
// request-signing vectors. Run: node --test scripts/smoke/wasm-node.test.cjs
// Env: WASM_OUT (default npm/wasm), ALIPAY_F2F_FIXTURES (default ../shared/fixtures).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const out = path.resolve(root, process.env.WASM_OUT || 'npm/wasm');
const fixtures = process.env.ALIPAY_F2F_FIXTURES || path.resolve(root, '..', 'shared', 'fixtures');

const wasm = require(path.join(out, 'node', 'alipay_f2f_wasm.js'));
const vectors = JSON.parse(fs.readFileSync(path.join(fixtures, 'request_sign_vectors.json'), 'utf8'));

test('vectors are present', () => {
  assert.ok(vectors.length > 0);
});

for (const [i, v] of vectors.entries()) {
  test(`signContent matches request_sign_vectors[${i}] (${v.sign_type}, ${v.charset})`, () => {
    assert.equal(wasm.signContent(v.params), v.expected_sign_content);
  });
}

test('signContent drops sign and empty values, sorts keys', () => {
  assert.equal(wasm.signContent({ b: '2', sign: 'x', a: '1', c: '' }), 'a=1&b=2');
});

test('signContent rejects non-string values with AlipayError ERR_INVALID_ARGUMENT', () => {
  for (const bad of [{ a: 1 }, null, 'a=1', [['a', 1]]]) {
    assert.throws(() => wasm.signContent(bad), (e) => {
      assert.ok(e instanceof Error);
      assert.equal(e.name, 'AlipayError');
      assert.equal(e.code, 'ERR_INVALID_ARGUMENT');
      return true;
    });
  }
});
