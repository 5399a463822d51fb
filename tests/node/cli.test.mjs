// The `alipay-f2f` CLI, run as a child process exactly like users run it: every command,
// `--help` everywhere, exit codes (0 ok, 1 failed, 2 usage), `--json`, bad input (missing
// files, wrong key kinds, truncated keys, malformed responses) and atomic `--out` writes.
// Gateway commands run against a sandbox over real HTTP.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'

import { FIXTURES, PKG_DIR, authCode, fixture, fixtureJson, lib, sandboxLib, tradeNo } from './helpers.mjs'

const BIN = join(PKG_DIR, 'dist', 'cli', 'index.js')
const K = (f) => join(FIXTURES, 'keys', f)
const tmp = mkdtempSync(join(tmpdir(), 'alipay-f2f-cli-'))
after(() => rmSync(tmp, { recursive: true, force: true }))
const T = (f) => join(tmp, f)

/** Runs the CLI; resolves to { code, stdout, stderr }. */
function cli(args, { input, cwd = tmp, timeoutMs = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
    child.stdin.end(input ?? '')
  })
}
const json = (r) => JSON.parse(r.stdout)

describe('dispatcher and help', () => {
  const COMMANDS = ['sandbox', 'keys', 'sign-content', 'diagnose', 'pay', 'query', 'cancel', 'refund', 'barcode-pay', 'verify-notify', 'demo']

  test('no command: usage, exit 2; --help: exit 0 listing every command', async () => {
    const none = await cli([])
    assert.equal(none.code, 2)
    const help = await cli(['--help'])
    assert.equal(help.code, 0)
    for (const c of COMMANDS) assert.match(help.stdout, new RegExp(`\\n  ${c} `), c)
  })

  test('unknown command: exit 2', async () => {
    const r = await cli(['frobnicate'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /unknown command "frobnicate"/)
  })

  for (const c of COMMANDS.filter((c) => c !== 'sandbox')) {
    test(`${c} --help: exit 0, usage and exit codes`, async () => {
      const r = await cli([c, '--help'])
      assert.equal(r.code, 0, r.stderr)
      assert.match(r.stdout, new RegExp(`usage: alipay-f2f ${c}`))
      assert.match(r.stdout, /exit codes: 0 ok, 1 operation failed, 2 usage error/)
    })
    test(`${c} with an unknown flag: exit 2 with the usage on stderr`, async () => {
      const r = await cli([c, '--no-such-flag'])
      assert.equal(r.code, 2)
      assert.match(r.stderr, /no-such-flag/)
      assert.match(r.stderr, /usage: alipay-f2f/)
      assert.equal(r.stdout, '')
    })
  }

  test('sandbox --help: exit 0', async () => {
    const r = await cli(['sandbox', '--help'])
    assert.equal(r.code, 0)
  })
})

describe('keys check', () => {
  test('names kind, format, encoding and size of each fixture key', async () => {
    const files = ['app-private-key.pem', 'app-private-key-pkcs8.pem', 'app-private-key-no-wrapper.pem', 'privateKey_ProdCert_pkcs8.b64', 'alipay-public-key.pem', 'alipay-public-key-no-wrapper.pem', 'appCertPublicKey_2021003126695331.crt']
    const r = await cli(['keys', 'check', '--json', ...files.map(K)])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    const byName = Object.fromEntries(json(r).keys.map((k) => [k.file.split('/').pop(), k]))
    const expect = {
      'app-private-key.pem': ['private', 'PKCS#1', 'PEM'],
      'app-private-key-pkcs8.pem': ['private', 'PKCS#8', 'PEM'],
      'app-private-key-no-wrapper.pem': ['private', 'PKCS#1', 'base64'],
      'privateKey_ProdCert_pkcs8.b64': ['private', 'PKCS#8', 'base64'],
      'alipay-public-key.pem': ['public', 'SPKI', 'PEM'],
      'alipay-public-key-no-wrapper.pem': ['public', 'SPKI', 'base64'],
      'appCertPublicKey_2021003126695331.crt': ['certificate', 'X.509', 'PEM'],
    }
    for (const [f, [kind, format, encoding]] of Object.entries(expect)) {
      assert.equal(byName[f].kind, kind, f)
      assert.equal(byName[f].format, format, f)
      assert.equal(byName[f].encoding, encoding, f)
      assert.equal(byName[f].bits, 2048, f)
      assert.equal(byName[f].sdk.ok, true, f)
    }
    // the PKCS#1 and PKCS#8 copies are the same key
    assert.equal(byName['app-private-key.pem'].publicKeyFingerprint, byName['app-private-key-pkcs8.pem'].publicKeyFingerprint)
  })

  test('a public key matching a private key is named the APP public key', async () => {
    const r = await cli(['keys', 'check', K('app-private-key.pem'), K('app-public-key.pem'), K('alipay-public-key.pem')])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /app-public-key\.pem is the public key of .*app-private-key\.pem: the APP public key/)
    assert.doesNotMatch(r.stdout, /alipay-public-key\.pem is the public key/)
  })

  test('the app public key configured as the Alipay public key: exit 1, ERR_KEY_MISMATCH', async () => {
    const r = await cli(['keys', 'check', '--json', '--private-key', K('app-private-key.pem'), '--alipay-public-key', K('app-public-key.pem')])
    assert.equal(r.code, 1)
    assert.match(json(r).problems.join('\n'), /ERR_KEY_MISMATCH: this "Alipay public key" is the app's OWN public key/)
  })

  test('a correct configuration passes the role checks', async () => {
    const r = await cli(['keys', 'check', '--private-key', K('app-private-key.pem'), '--app-public-key', K('app-public-key.pem'), '--alipay-public-key', K('alipay-public-key.pem')])
    assert.equal(r.code, 0, r.stdout)
  })

  test('an app public key that does not match the private key: exit 1', async () => {
    const r = await cli(['keys', 'check', '--private-key', K('app-private-key.pem'), '--app-public-key', K('app_2021003126695331_pub.pem')])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /does NOT match the app private key/)
  })

  test('wrong kinds in roles: a private key as the Alipay public key, a public key as the private key', async () => {
    const r = await cli(['keys', 'check', '--private-key', K('alipay-public-key.pem'), '--alipay-public-key', K('app-private-key.pem')])
    assert.equal(r.code, 1)
    assert.match(r.stdout, /given as the app private key, but it is a public key/)
    assert.match(r.stdout, /given as the Alipay public key, but it is a PRIVATE key/)
  })

  test('truncated, mislabelled, empty, non-key and missing files: clear problems, exit 1', async () => {
    const pem = fixture('keys/app-private-key.pem')
    writeFileSync(T('truncated.pem'), pem.slice(0, Math.floor(pem.length / 2)))
    writeFileSync(T('truncated-body.pem'), pem.slice(0, 200) + pem.slice(300)) // 100 base64 characters lost in copy-paste
    writeFileSync(T('mislabelled.pem'), fixture('keys/app-private-key-pkcs8.pem').replace(/PRIVATE KEY/g, 'RSA PRIVATE KEY'))
    writeFileSync(T('empty.pem'), '')
    writeFileSync(T('notes.txt'), 'remember to buy milk\n')
    writeFileSync(T('notes2.txt'), 'remember to buy milk, eggs and 2 loaves of bread; then call the bank about the POS terminal rental fee!\n')
    const r = await cli(['keys', 'check', '--json', T('truncated.pem'), T('truncated-body.pem'), T('mislabelled.pem'), T('empty.pem'), T('notes.txt'), T('notes2.txt'), T('missing.pem')])
    assert.equal(r.code, 1)
    const by = Object.fromEntries(json(r).keys.map((k) => [k.file.split('/').pop(), k.problems.join(' | ')]))
    assert.match(by['truncated.pem'], /truncated/)
    assert.match(by['truncated-body.pem'], /truncated or corrupted|not a multiple of 4/)
    assert.match(by['mislabelled.pem'], /label says PKCS#1 .* but the content is PKCS#8/)
    assert.match(by['empty.pem'], /empty/)
    assert.match(by['notes.txt'], /too short to be an RSA key/)
    assert.match(by['notes2.txt'], /not base64/)
    assert.match(by['missing.pem'], /no such file/)
  })

  test('--config: checks the keys a gateway config names (paths relative to it, inline PEM too)', async () => {
    writeFileSync(T('cfg-bad.json'), JSON.stringify({ appId: '1', privateKey: K('app-private-key.pem'), alipayPublicKey: fixture('keys/app-public-key.pem') }))
    const bad = await cli(['keys', 'check', '--config', T('cfg-bad.json'), '--json'])
    assert.equal(bad.code, 1)
    assert.match(json(bad).problems.join('\n'), /cfg-bad\.json#alipayPublicKey: ERR_KEY_MISMATCH/)
    writeFileSync(T('cfg-good.json'), JSON.stringify({ appId: '1', privateKey: K('app-private-key.pem'), alipayPublicKey: K('alipay-public-key.pem') }))
    assert.equal((await cli(['keys', 'check', '-c', T('cfg-good.json')])).code, 0)
    writeFileSync(T('cfg-none.json'), '{"appId":"1"}')
    assert.equal((await cli(['keys', 'check', '-c', T('cfg-none.json')])).code, 1)
  })

  test('no files: exit 2; unknown subcommand: exit 2', async () => {
    assert.equal((await cli(['keys', 'check'])).code, 2)
    assert.equal((await cli(['keys', 'frob'])).code, 2)
    assert.equal((await cli(['keys'])).code, 2)
  })
})

describe('keys convert', () => {
  const fp = (pem) => lib.importPrivateKey(pem).publicKey().toPem()

  test('PKCS#1 -> PKCS#8 -> PKCS#1, same key; bare base64 accepted by the SDK', async () => {
    const p8 = await cli(['keys', 'convert', K('app-private-key.pem'), '--to', 'pkcs8'])
    assert.equal(p8.code, 0)
    assert.match(p8.stdout, /^-----BEGIN PRIVATE KEY-----\n/)
    writeFileSync(T('p8.pem'), p8.stdout)
    const p1 = await cli(['keys', 'convert', T('p8.pem'), '--to', 'pkcs1'])
    assert.match(p1.stdout, /^-----BEGIN RSA PRIVATE KEY-----\n/)
    assert.equal(fp(p1.stdout), fp(fixture('keys/app-private-key.pem')))
    const b64 = await cli(['keys', 'convert', K('app-private-key.pem'), '--to', 'pkcs8', '--format', 'base64'])
    assert.match(b64.stdout, /^[A-Za-z0-9+/]+=*\n$/)
    assert.equal(fp(b64.stdout), fp(fixture('keys/app-private-key.pem')))
    assert.equal(b64.stdout.trim(), fixture('keys/app-private-key-pkcs8-no-wrapper.pem').replace(/\s+/g, ''))
  })

  test('--public derives the app public key (SPKI), PEM or base64', async () => {
    const r = await cli(['keys', 'convert', K('app-private-key.pem'), '--public'])
    assert.equal(r.code, 0)
    assert.equal(r.stdout.trim(), lib.importPublicKey(fixture('keys/app-public-key.pem')).toPem().trim())
    const b = await cli(['keys', 'convert', K('app-private-key.pem'), '--public', '--format', 'base64'])
    assert.equal(b.stdout.trim(), fixture('keys/app-public-key-no-wrapper.pem').replace(/\s+/g, ''))
  })

  test('public keys: SPKI <-> PKCS#1', async () => {
    const r = await cli(['keys', 'convert', K('alipay-public-key.pem'), '--to', 'pkcs1'])
    assert.match(r.stdout, /^-----BEGIN RSA PUBLIC KEY-----/)
    writeFileSync(T('pub1.pem'), r.stdout)
    const back = await cli(['keys', 'convert', T('pub1.pem')])
    assert.equal(back.stdout.trim(), lib.importPublicKey(fixture('keys/alipay-public-key.pem')).toPem().trim())
  })

  test('--out writes atomically with mode 600, refuses to overwrite without --force', async () => {
    const out = T('out-key.pem')
    const r = await cli(['keys', 'convert', K('app-private-key.pem'), '--to', 'pkcs8', '--out', out, '--json'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(json(r).out, out)
    assert.equal(statSync(out).mode & 0o777, 0o600)
    const first = readFileSync(out, 'utf8')
    assert.match(first, /BEGIN PRIVATE KEY/)
    const again = await cli(['keys', 'convert', K('app-private-key.pem'), '--to', 'pkcs1', '--out', out])
    assert.equal(again.code, 1)
    assert.match(again.stderr, /exists \(use --force/)
    assert.equal(readFileSync(out, 'utf8'), first, 'untouched')
    const forced = await cli(['keys', 'convert', K('app-private-key.pem'), '--to', 'pkcs1', '--out', out, '--force'])
    assert.equal(forced.code, 0)
    assert.match(readFileSync(out, 'utf8'), /BEGIN RSA PRIVATE KEY/)
    assert.deepEqual(readdirSync(tmp).filter((f) => f.endsWith('.tmp')), [], 'no temp files left')
  })

  test('failures write nothing: bad key, missing dir, unwritable dir', async () => {
    const pem = fixture('keys/app-private-key.pem')
    writeFileSync(T('half.pem'), pem.slice(0, 300))
    const bad = await cli(['keys', 'convert', T('half.pem'), '--out', T('never.pem')])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /cannot convert/)
    assert.equal(existsSync(T('never.pem')), false)
    const nodir = await cli(['keys', 'convert', K('app-private-key.pem'), '--out', T('no/such/dir/k.pem')])
    assert.equal(nodir.code, 1)
    assert.match(nodir.stderr, /does not exist/)
    if (process.getuid?.() !== 0) {
      const ro = T('ro')
      rmSync(ro, { recursive: true, force: true })
      writeFileSync(T('placeholder'), '')
      const { mkdirSync } = await import('node:fs')
      mkdirSync(ro)
      chmodSync(ro, 0o500)
      const r = await cli(['keys', 'convert', K('app-private-key.pem'), '--out', join(ro, 'k.pem')])
      assert.equal(r.code, 1)
      assert.deepEqual(readdirSync(ro), [])
      chmodSync(ro, 0o700)
    }
  })

  test('usage errors: exit 2', async () => {
    assert.equal((await cli(['keys', 'convert', K('alipay-public-key.pem'), '--to', 'pkcs8'])).code, 2)
    assert.equal((await cli(['keys', 'convert', K('app-private-key.pem'), '--to', 'spki'])).code, 2)
    assert.equal((await cli(['keys', 'convert', K('app-private-key.pem'), '--format', 'der'])).code, 2)
    assert.equal((await cli(['keys', 'convert'])).code, 2)
    assert.equal((await cli(['keys', 'convert', K('app-private-key.pem'), K('app-public-key.pem')])).code, 2)
    assert.equal((await cli(['keys', 'check', K('app-private-key.pem'), '--out', T('x')])).code, 2)
  })

  test('missing input file: exit 1, clear message', async () => {
    const r = await cli(['keys', 'convert', T('nope.pem')])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /nope\.pem: no such file/)
  })
})

describe('sign-content', () => {
  const vectors = fixtureJson('request_sign_vectors.json')

  test('matches every request vector (JSON input, --key signs like the vector)', async () => {
    for (const [i, v] of vectors.entries()) {
      writeFileSync(T(`v${i}.json`), JSON.stringify(v.params))
      const r = await cli(['sign-content', T(`v${i}.json`), '--key', K(v.private_key_file.split(' ')[0].replace('keys/', '')), '--sign-type', v.sign_type, '--json'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(json(r).signContent, v.expected_sign_content, `vector ${i}`)
      assert.equal(json(r).sign, v.expected_sign, `vector ${i}`)
    }
  })

  test('form body from stdin; URL + body; sign dropped', async () => {
    const r = await cli(['sign-content'], { input: 'b=2&a=1&sign=xyz&empty=' })
    assert.equal(r.code, 0)
    assert.equal(r.stdout.trim(), 'a=1&b=2')
    const u = await cli(['sign-content', '-'], { input: 'https://gw.example/gateway.do?method=m&app_id=1&timestamp=2024-01-02+15%3A04%3A05\nbiz_content=%7B%22a%22%3A%22x%26y%22%7D' })
    assert.equal(u.stdout.trim(), 'app_id=1&biz_content={"a":"x&y"}&method=m&timestamp=2024-01-02 15:04:05')
  })

  test('a GBK form body decodes its percent-escapes as GBK (charset=gbk), literal text as is', async () => {
    const r = await cli(['sign-content'], { input: 'charset=gbk&subject=%B2%E2%CA%D4+A%26B&note=中' })
    assert.equal(r.stdout.trim(), 'charset=gbk&note=中&subject=测试 A&B')
  })

  test('bad input: malformed JSON, empty, not params: exit 1; --sign-type without --key: exit 2; wrong key kind: exit 1', async () => {
    writeFileSync(T('bad.json'), '{"a":')
    assert.equal((await cli(['sign-content', T('bad.json')])).code, 1)
    assert.equal((await cli(['sign-content'], { input: '' })).code, 1)
    assert.equal((await cli(['sign-content'], { input: 'hello' })).code, 1)
    assert.equal((await cli(['sign-content', '--sign-type', 'RSA'], { input: 'a=1' })).code, 2)
    const wrong = await cli(['sign-content', '--key', K('alipay-public-key.pem')], { input: 'a=1' })
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, /ERR_KEY_KIND/)
  })
})

describe('verify-notify', () => {
  const vectors = fixtureJson('notify_vectors.json')
  const v0 = vectors[0]
  const neg = vectors.find((v) => v.expected_verify === 'False' || v.expected_verify === false)
  before(() => {
    writeFileSync(T('notify-key.txt'), v0.alipay_public_key_base64)
    writeFileSync(T('notify.txt'), v0.example_form_body_utf8)
  })

  test('a real notification verifies (form body from a file and from stdin)', async () => {
    const r = await cli(['verify-notify', T('notify.txt'), '--alipay-public-key', T('notify-key.txt')])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /verified/)
    assert.match(r.stdout, /trade_status\s+TRADE_SUCCESS/)
    const s = await cli(['verify-notify', '--alipay-public-key', T('notify-key.txt'), '--json'], { input: v0.example_form_body_utf8 })
    assert.equal(s.code, 0)
    assert.equal(json(s).params.trade_status, 'TRADE_SUCCESS')
  })

  test('a tampered notification or the wrong key: exit 1 with the reason', async () => {
    const tampered = v0.example_form_body_utf8.replace(/total_amount=[\d.]+/, 'total_amount=999.00')
    const r = await cli(['verify-notify', '--alipay-public-key', T('notify-key.txt'), '--json'], { input: tampered })
    assert.equal(r.code, 1)
    assert.equal(json(r).verified, false)
    assert.equal(json(r).error.code, 'ERR_SIGNATURE')
    const wrongKey = await cli(['verify-notify', T('notify.txt'), '--alipay-public-key', K('app-public-key.pem')])
    assert.equal(wrongKey.code, 1)
    if (neg?.params_decoded) {
      writeFileSync(T('neg.json'), JSON.stringify(neg.params_decoded))
      writeFileSync(T('neg-key.txt'), neg.alipay_public_key_base64)
      assert.equal((await cli(['verify-notify', T('neg.json'), '--alipay-public-key', T('neg-key.txt')])).code, 1)
    }
  })

  test('bad input: no key flag (2), missing key file (1), a private key as the key (1), garbage (1)', async () => {
    assert.equal((await cli(['verify-notify', T('notify.txt')])).code, 2)
    const mk = await cli(['verify-notify', T('notify.txt'), '--alipay-public-key', T('missing.pem')])
    assert.equal(mk.code, 1)
    assert.match(mk.stderr, /missing\.pem: no such file/)
    const pk = await cli(['verify-notify', T('notify.txt'), '--alipay-public-key', K('app-private-key.pem')])
    assert.equal(pk.code, 1)
    assert.match(pk.stderr, /ERR_KEY_KIND/)
    assert.equal((await cli(['verify-notify', '--alipay-public-key', T('notify-key.txt')], { input: 'garbage' })).code, 1)
    assert.equal((await cli(['verify-notify', '--alipay-public-key', T('notify-key.txt')], { input: '{"a":' })).code, 1)
  })
})

describe('diagnose', () => {
  const v40002 = fixtureJson('response_verify_vectors.json').find((v) => v.response_body.includes('isv.invalid-signature'))

  test('the real 40002 vector: the gateway sign content, &amp; decoded, split into parameters', async () => {
    writeFileSync(T('40002.json'), v40002.response_body)
    const r = await cli(['diagnose', T('40002.json'), '--json'])
    assert.equal(r.code, 0, r.stderr)
    const d = json(r)
    assert.equal(d.signatureError, true)
    assert.equal(d.gatewaySignContent, 'app_id=2021000122671080&charset=utf-8&method=alipay.security.risk.content.analyze&sign_type=RSA2&timestamp=2024-05-13 17:49:20&version=1.0')
    assert.deepEqual(d.gatewayParams.map((p) => p.key), ['app_id', 'charset', 'method', 'sign_type', 'timestamp', 'version'])
  })

  test('param-by-param diff against the request: a parameter the gateway never got, a changed value', async () => {
    writeFileSync(T('40002.json'), v40002.response_body)
    const req = { app_id: '2021000122671080', charset: 'utf-8', method: 'alipay.security.risk.content.analyze', sign_type: 'RSA2', timestamp: '2024-05-13 17:49:21', version: '1.0', biz_content: '{"a":"b&c=d"}' }
    writeFileSync(T('req.json'), JSON.stringify(req))
    const r = await cli(['diagnose', T('40002.json'), '--request', T('req.json'), '--json'])
    assert.equal(r.code, 0)
    const diffs = Object.fromEntries(json(r).diffs.map((d) => [d.key, d]))
    assert.equal(diffs.biz_content.status, 'onlyOurs')
    assert.equal(diffs.timestamp.status, 'different')
    assert.equal(diffs.timestamp.at, 18)
    assert.equal(diffs.app_id.status, 'same')
    const human = await cli(['diagnose', T('40002.json'), '--request', T('req.json')])
    assert.match(human.stdout, /- biz_content: only in OUR content/)
    assert.match(human.stdout, /≠ timestamp: differs at character 18/)
  })

  describe('against the sandbox', () => {
    let sb
    before(async () => {
      sb = await sandboxLib.startSandbox({ speed: 100 })
    })
    after(() => sb?.close())

    /** Sends a query signed with `key`, capturing the request (URL + body) and the raw answer; `alter` edits the body after signing. */
    async function send(key, bizContent, alter = (b) => b) {
      let sent
      const c = new lib.AlipayClient({
        appId: sb.demoApp.appId,
        privateKey: key,
        gateway: sb.url,
        fetch: async (url, init) => {
          const body = alter(Buffer.from(init.body).toString('utf8'))
          sent = `${url}\n${body}`
          return fetch(url, { ...init, body })
        },
      })
      const text = await c.forward({ method: 'alipay.trade.query', bizContent })
      return { sent, text }
    }

    test('signed with the wrong key: identical contents; --app-public-key / --private-key pin the key', async () => {
      const { sent, text } = await send(fixture('keys/app-private-key.pem'), JSON.stringify({ out_trade_no: 'T1', note: '测试 A&B=1' }))
      assert.match(text, /isv\.invalid-signature/)
      writeFileSync(T('resp-key.json'), text)
      writeFileSync(T('req-key.txt'), sent)
      const r = await cli(['diagnose', T('resp-key.json'), '--request', T('req-key.txt'), '--app-public-key', K('app-public-key.pem'), '--private-key', K('app-private-key.pem'), '--json'])
      assert.equal(r.code, 0, r.stderr)
      const d = json(r)
      assert.equal(d.identical, true)
      assert.equal(d.signatureMatchesAppPublicKey, true)
      assert.equal(d.signMatchesPrivateKey, true)
      assert.match(d.hints.join('\n'), /does not belong to the app public key configured/)
      const other = await cli(['diagnose', T('resp-key.json'), '--request', T('req-key.txt'), '--app-public-key', K('alipay-public-key.pem'), '--json'])
      assert.equal(json(other).signatureMatchesAppPublicKey, false)
    })

    test('body altered after signing (charset trouble): the differing parameter, where, and a charset hint', async () => {
      const { sent, text } = await send(sb.demoApp.privateKey, JSON.stringify({ out_trade_no: 'T1', note: '测试 A&B=1' }), (b) => b.replace('%E6%B5%8B', '%E6%B5%8C'))
      writeFileSync(T('resp-alt.json'), text)
      // the request as signed (before the alteration)
      writeFileSync(T('req-alt.txt'), sent.replace('%E6%B5%8C', '%E6%B5%8B'))
      const r = await cli(['diagnose', T('resp-alt.json'), '--request', T('req-alt.txt'), '--json'])
      const d = json(r)
      assert.equal(d.identical, false)
      const diff = d.diffs.find((x) => x.status !== 'same')
      assert.equal(diff.key, 'biz_content')
      assert.equal(diff.status, 'different')
      assert.match(diff.hints.join(' '), /charset/)
      assert.equal(d.diffs.filter((x) => x.status === 'same').length, 7)
    })

    test('a parameter added after signing shows as only in the gateway content', async () => {
      const { sent, text } = await send(sb.demoApp.privateKey, JSON.stringify({ out_trade_no: 'T1' }), (b) => `${b}&alipay_sdk=mine`)
      writeFileSync(T('resp-add.json'), text)
      writeFileSync(T('req-add.txt'), sent.replace('&alipay_sdk=mine', ''))
      const d = json(await cli(['diagnose', T('resp-add.json'), '--request', T('req-add.txt'), '--json']))
      const add = d.diffs.find((x) => x.key === 'alipay_sdk')
      assert.equal(add.status, 'onlyGateway')
    })
  })

  test('not a signature error: says so, exit 0; malformed answers: exit 1; missing file: exit 1; no argument: exit 2', async () => {
    writeFileSync(T('appid.json'), '{"alipay_trade_query_response":{"code":"40002","msg":"Invalid Arguments","sub_code":"isv.invalid-app-id","sub_msg":"无效的AppID参数"}}')
    const r = await cli(['diagnose', T('appid.json')])
    assert.equal(r.code, 0)
    assert.match(r.stdout, /not an isv\.invalid-signature answer/)
    assert.match(r.stdout, /does not know this app id/)
    for (const [body, re] of [['<html>502</html>', /not JSON/], ['[1,2]', /not a JSON object/], ['{"sign":"x"}', /no "<method>_response" node/], ['{"a_response":{"code":"40002","sub_code":"isv.invalid-signature","sub_msg":"验签出错"}}', /carries no gateway sign content/]]) {
      writeFileSync(T('bad-resp.json'), body)
      const b = await cli(['diagnose', T('bad-resp.json')])
      assert.equal(b.code, 1, body)
      assert.match(b.stderr, re, body)
    }
    assert.equal((await cli(['diagnose', T('nope.json')])).code, 1)
    assert.equal((await cli(['diagnose'])).code, 2)
  })
})

describe('gateway commands against the sandbox', () => {
  let sb, cfg
  before(async () => {
    sb = await sandboxLib.startSandbox({ speed: 100 })
    writeFileSync(T('sandbox-alipay.pem'), sb.alipayPublicKey)
    writeFileSync(T('demo-app.pem'), sb.demoApp.privateKey)
    cfg = T('alipay-f2f.json')
    writeFileSync(cfg, JSON.stringify({ appId: sb.demoApp.appId, privateKey: 'demo-app.pem', alipayPublicKey: 'sandbox-alipay.pem', gateway: sb.url, timeoutMs: 5000 }))
  })
  after(() => sb?.close())

  test('barcode-pay: password scenario, live progress, paid (exit 0)', async () => {
    const no = tradeNo('CLI')
    const r = await cli(['barcode-pay', '-c', cfg, '--out-trade-no', no, '--auth-code', authCode('28105'), '--amount', '12.34', '--subject', 'Tea', '--poll-interval-ms', '100'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /→ alipay\.trade\.pay/)
    assert.match(r.stdout, /10003 buyer is confirming/)
    assert.match(r.stdout, /→ alipay\.trade\.query/)
    assert.match(r.stdout, /✔ PAID ¥12\.34/)
    // then query, refund, and the query shows it
    const q = await cli(['query', '-c', cfg, '--out-trade-no', no, '--json'])
    assert.equal(q.code, 0)
    assert.equal(json(q).response.trade_status, 'TRADE_SUCCESS')
    const rf = await cli(['refund', '-c', cfg, '--out-trade-no', no, '--amount', '2.34', '--out-request-no', `${no}R1`])
    assert.equal(rf.code, 0, rf.stdout + rf.stderr)
    assert.match(rf.stdout, /✔ REFUNDED ¥2\.34/)
    const again = await cli(['refund', '-c', cfg, '--out-trade-no', no, '--amount', '2.34', '--out-request-no', `${no}R1`, '--json'])
    assert.equal(again.code, 0, 'idempotent')
    assert.equal(json(again).outcome.status, 'refunded')
    const over = await cli(['refund', '-c', cfg, '--out-trade-no', no, '--amount', '100.00', '--json'])
    assert.equal(over.code, 1)
    assert.equal(json(over).outcome.status, 'failed')
  })

  test('barcode-pay: never confirmed -> cancelled (exit 1); insufficient balance -> failed (exit 1); --json', async () => {
    const c = await cli(['barcode-pay', '-c', cfg, '--out-trade-no', tradeNo('CLI'), '--auth-code', authCode('282'), '--amount', '1.00', '--subject', 'x', '--poll-interval-ms', '100', '--max-wait-ms', '300', '--json'])
    assert.equal(c.code, 1)
    assert.equal(json(c).outcome.status, 'cancelled')
    assert.ok(json(c).events.some((e) => e.type === 'cancel'))
    const f = await cli(['barcode-pay', '-c', cfg, '--out-trade-no', tradeNo('CLI'), '--auth-code', authCode('283'), '--amount', '1.00', '--subject', 'x'])
    assert.equal(f.code, 1)
    assert.match(f.stdout, /✖ FAILED — nothing charged/)
  })

  test('barcode-pay: Ctrl-C while the buyer confirms reverses the trade (cancelled, reason aborted)', async () => {
    const no = tradeNo('INT')
    const child = spawn(process.execPath, [BIN, 'barcode-pay', '-c', cfg, '--out-trade-no', no, '--auth-code', authCode('282'), '--amount', '3.00', '--subject', 'x', '--poll-interval-ms', '200', '--max-wait-ms', '60000', '--json'], { cwd: tmp })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (d) => (stdout += d))
    child.stderr.setEncoding('utf8').on('data', (d) => (stderr += d))
    const q = ['query', '-c', cfg, '--out-trade-no', no, '--json']
    for (let i = 0; i < 100; i++) {
      await new Promise((r) => setTimeout(r, 100))
      const s = await cli(q)
      if (s.code === 0 && json(s).response.trade_status === 'WAIT_BUYER_PAY') break
    }
    child.kill('SIGINT')
    const code = await new Promise((r) => child.on('close', r))
    assert.equal(code, 1, stderr)
    assert.match(stderr, /aborting — reversing the trade/)
    const d = JSON.parse(stdout)
    assert.equal(d.outcome.status, 'cancelled')
    assert.equal(d.outcome.reason, 'aborted')
    assert.equal(json(await cli(q)).response.trade_status, 'TRADE_CLOSED')
  })

  test('pay / query / cancel one-shot calls with flags instead of a config file', async () => {
    const flags = ['--app-id', sb.demoApp.appId, '--private-key', T('demo-app.pem'), '--alipay-public-key', T('sandbox-alipay.pem'), '--gateway', sb.url]
    const no = tradeNo('ONE')
    const p = await cli(['pay', ...flags, '--out-trade-no', no, '--auth-code', authCode('282'), '--amount', '5.00', '--subject', 'x', '--json'])
    assert.equal(p.code, 1, '10003 is not a completed payment')
    assert.equal(json(p).response.code, '10003')
    assert.match(json(p).error.hints.join(' '), /OPEN/)
    const c = await cli(['cancel', ...flags, '--out-trade-no', no])
    assert.equal(c.code, 0, c.stderr)
    assert.match(c.stdout, /unpaid trade was closed/)
    const q = await cli(['query', ...flags, '--out-trade-no', no])
    assert.match(q.stdout, /TRADE_CLOSED/)
    const paid = await cli(['pay', ...flags, '--out-trade-no', tradeNo('ONE'), '--auth-code', authCode('280'), '--amount', '5.00', '--subject', 'x'])
    assert.equal(paid.code, 0)
    const nx = await cli(['query', ...flags, '--out-trade-no', tradeNo('NX')])
    assert.equal(nx.code, 1)
    assert.match(nx.stderr, /ACQ\.TRADE_NOT_EXIST/)
  })

  test('cancel retries while retry_flag=Y', async () => {
    const no = tradeNo('RT')
    await cli(['pay', '-c', cfg, '--out-trade-no', no, '--auth-code', authCode('2871'), '--amount', '5.00', '--subject', 'x'])
    const r = await cli(['cancel', '-c', cfg, '--out-trade-no', no, '--retries', '2'])
    assert.equal(r.code, 0, r.stdout + r.stderr)
    assert.match(r.stdout, /retry_flag=Y — retrying/)
  })

  test('usage errors: missing flags, bad amount, no app id/key: exit 2', async () => {
    const base = ['-c', cfg]
    assert.equal((await cli(['barcode-pay', ...base, '--auth-code', '280000000000000001', '--amount', '1', '--subject', 'x'])).code, 2)
    assert.equal((await cli(['barcode-pay', ...base, '--out-trade-no', 'A', '--auth-code', '280000000000000001', '--amount', '1.234', '--subject', 'x'])).code, 2)
    assert.equal((await cli(['barcode-pay', ...base, '--out-trade-no', 'A', '--auth-code', '280000000000000001', '--amount', 'ten', '--subject', 'x'])).code, 2)
    assert.equal((await cli(['query', '--out-trade-no', 'A'])).code, 2)
    assert.equal((await cli(['query', '--app-id', 'x', '--out-trade-no', 'A'])).code, 2)
    assert.equal((await cli(['query', ...base])).code, 2)
    assert.equal((await cli(['query', ...base, '--out-trade-no', 'A', '--sign-type', 'MD5'])).code, 2)
    assert.equal((await cli(['refund', ...base, '--out-trade-no', 'A'])).code, 2)
  })

  test('configuration mistakes: missing key file, app key as Alipay key, a public key as private key, bad config JSON: exit 1', async () => {
    const r1 = await cli(['query', '--app-id', 'x', '--private-key', T('missing.pem'), '--alipay-public-key', T('sandbox-alipay.pem'), '--out-trade-no', 'A'])
    assert.equal(r1.code, 1)
    assert.match(r1.stderr, /missing\.pem: no such file/)
    writeFileSync(T('demo-app-pub.pem'), lib.importPrivateKey(sb.demoApp.privateKey).publicKey().toPem())
    const r2 = await cli(['query', '--app-id', sb.demoApp.appId, '--private-key', T('demo-app.pem'), '--alipay-public-key', T('demo-app-pub.pem'), '--gateway', sb.url, '--out-trade-no', 'A', '--json'])
    assert.equal(r2.code, 1)
    assert.equal(json(r2).error.code, 'ERR_KEY_MISMATCH')
    assert.match(r2.stderr, /hint: .*支付宝公钥/)
    const r3 = await cli(['query', '--app-id', 'x', '--private-key', T('sandbox-alipay.pem'), '--alipay-public-key', T('sandbox-alipay.pem'), '--out-trade-no', 'A'])
    assert.equal(r3.code, 1)
    assert.match(r3.stderr, /ERR_KEY_KIND/)
    writeFileSync(T('broken.json'), '{"appId": ')
    const r4 = await cli(['query', '-c', T('broken.json'), '--out-trade-no', 'A'])
    assert.equal(r4.code, 1)
    assert.match(r4.stderr, /not valid JSON/)
  })

  test('wrong Alipay public key: the answer is rejected (ERR_SIGNATURE), exit 1', async () => {
    const r = await cli(['query', '-c', cfg, '--alipay-public-key', K('alipay-public-key.pem'), '--out-trade-no', 'A', '--json'])
    assert.equal(r.code, 1)
    assert.equal(json(r).error.code, 'ERR_SIGNATURE')
  })

  test('unreachable gateway: ERR_NETWORK, exit 1, with the query/cancel hint', async () => {
    const r = await cli(['query', '-c', cfg, '--gateway', 'http://127.0.0.1:9/gateway.do', '--out-trade-no', 'A'])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /ERR_NETWORK/)
  })
})

describe('demo', () => {
  test('demo --fast: paid, refunded, cancelled; verified final states', async () => {
    const r = await cli(['demo', '--fast', '--json'], { timeoutMs: 120000 })
    assert.equal(r.code, 0, r.stderr)
    const d = json(r)
    assert.equal(d.ok, true)
    assert.deepEqual(d.steps.map((s) => s.outcome.status), ['paid', 'refunded', 'cancelled'])
    assert.equal(d.steps[0].outcome.confirmedBy, 'alipay.trade.query')
    assert.ok(d.steps[0].events.some((e) => e.type === 'waitingForBuyer'))
    assert.ok(d.steps[2].events.filter((e) => e.type === 'query').length >= 2)
    const states = Object.values(d.trades).map((t) => t.trade_status)
    assert.deepEqual(states, ['TRADE_SUCCESS', 'TRADE_CLOSED'])
  })

  test('demo (human output): what the cashier sees', async () => {
    const r = await cli(['demo', '--fast'], { timeoutMs: 120000 })
    assert.equal(r.code, 0, r.stderr)
    for (const re of [/① Sale/, /10003 buyer is confirming/, /✔ PAID ¥88\.88/, /② Partial refund of ¥20\.00/, /✔ REFUNDED ¥20\.00/, /③ Sale/, /alipay\.trade\.cancel #1/, /✔ CANCELLED/, /TRADE_CLOSED/, /as expected/]) {
      assert.match(r.stdout, re)
    }
  })

  test('demo: bad flag value: exit 2', async () => {
    assert.equal((await cli(['demo', '--poll-interval-ms', 'fast'])).code, 2)
  })
})
