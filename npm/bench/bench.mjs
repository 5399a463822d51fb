#!/usr/bin/env node
// npm run bench — throughput of alipay-f2f (Node-API addon) vs node:crypto with a parsed
// KeyObject vs Alipay's own Node SDK (alipay-sdk 4.x), measured in one run, interleaved
// rounds, medians; then the SDK's CPU time for one barcode payment with two polls
// (build + sign + verify + parse + state machine; responses pre-signed, no network).
// Not a test: numbers depend on the (shared, noisy) machine.
import crypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const lib = require('../dist/index.js')
const native = require('../native/index.js') // the raw binding (for the flow-level measurement)
const { AlipaySdk } = require('alipay-sdk')

const keys = join(here, '..', '..', 'tests', 'node', 'fixtures', 'keys')
const APP_PRIV = readFileSync(join(keys, 'privateKey_ProdCert_pkcs8.pem'), 'utf8')
const ALIPAY_PRIV = readFileSync(join(keys, 'app-private-key.pem'), 'utf8') // plays Alipay's key
const ALIPAY_PUB = readFileSync(join(keys, 'app-public-key.pem'), 'utf8')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 400)

// ------------------------------------------------------------------ workloads
const APP_ID = '2021000000000001'
const OUT = 'BENCH20260101000001'
const biz = {
  out_trade_no: OUT, scene: 'bar_code', auth_code: '280000000000000001', product_code: 'FACE_TO_FACE_PAYMENT',
  subject: '咖啡 Coffee ×2', total_amount: '88.88', store_id: 'NJ_001', operator_id: 'op_7', terminal_id: 'T01',
}
const params = {
  app_id: APP_ID, method: 'alipay.trade.pay', format: 'JSON', charset: 'utf-8', sign_type: 'RSA2',
  timestamp: '2026-01-01 12:00:00', version: '1.0', biz_content: JSON.stringify(biz),
}

const alipayKeyObj = crypto.createPrivateKey(ALIPAY_PRIV)
function signedBody(method, obj) {
  const node = `${method.replace(/\./g, '_')}_response`
  const content = JSON.stringify(obj)
  const sig = crypto.sign('sha256', Buffer.from(content), alipayKeyObj).toString('base64')
  return `{"${node}":${content},"sign":"${sig}"}`
}
const payOk = {
  code: '10000', msg: 'Success', buyer_logon_id: 'abc***@x.com', buyer_pay_amount: '88.88', buyer_user_id: '2088000000000001',
  fund_bill_list: [{ amount: '88.88', fund_channel: 'ALIPAYACCOUNT' }], gmt_payment: '2026-01-01 12:00:01',
  invoice_amount: '88.88', out_trade_no: OUT, point_amount: '0.00', receipt_amount: '88.88', total_amount: '88.88', trade_no: '2026010122001400000000000001',
}
const verifyBody = signedBody('alipay.trade.pay', payOk)

// ------------------------------------------------------------------ implementations
const addonKey = lib.importPrivateKey(APP_PRIV)
const addonPub = lib.importPublicKey(ALIPAY_PUB)
const nodePriv = crypto.createPrivateKey(APP_PRIV)
const nodePub = crypto.createPublicKey(ALIPAY_PUB)
const sdk = new AlipaySdk({ appId: APP_ID, privateKey: APP_PRIV, alipayPublicKey: ALIPAY_PUB, signType: 'RSA2', keyType: 'PKCS8' })
const signer = new native.Signer({ appId: APP_ID, gateway: 'https://openapi.alipay.com/gateway.do' }, addonKey)

function jsSignContent(p) {
  return Object.keys(p).filter((k) => k !== 'sign' && p[k] !== '' && p[k] != null).sort().map((k) => `${k}=${p[k]}`).join('&')
}
function nodeVerify(body, method) {
  const node = `"${method.replace(/\./g, '_')}_response":`
  const start = body.indexOf(node) + node.length
  const signAt = body.lastIndexOf(',"sign":"')
  const content = body.slice(start, signAt)
  const sig = body.slice(signAt + 9, body.lastIndexOf('"'))
  if (!crypto.verify('sha256', Buffer.from(content), nodePub, Buffer.from(sig, 'base64'))) throw new Error('verify')
  return JSON.parse(content)
}

const groups = [
  {
    name: 'sign (RSA2, alipay.trade.pay params)',
    impls: {
      'alipay-f2f addon sign(params, PrivateKey)': () => lib.sign(params, addonKey),
      'alipay-f2f addon Signer.buildRequest (full request)': () => signer.buildRequest('alipay.trade.pay', params.biz_content, 1767240000000),
      'node:crypto KeyObject (+ JS sign content)': () => crypto.sign('sha256', Buffer.from(jsSignContent(params)), nodePriv).toString('base64'),
      'alipay-sdk 4.14 sdkExecute': () => sdk.sdkExecute('alipay.trade.pay', biz),
    },
  },
  {
    name: 'verify (RSA2, alipay.trade.pay response)',
    impls: {
      'alipay-f2f addon verifyResponse(body, method, PublicKey)': () => lib.verifyResponse(verifyBody, 'alipay.trade.pay', addonPub),
      'node:crypto KeyObject (+ substring + JSON.parse)': () => nodeVerify(verifyBody, 'alipay.trade.pay'),
      'alipay-sdk 4.14 checkResponseSign': () => sdk.checkResponseSign(verifyBody, 'alipay_trade_pay_response', JSON.parse(verifyBody).sign, ''),
    },
  },
]

// sanity: every implementation agrees
const ref = crypto.sign('sha256', Buffer.from(jsSignContent(params)), nodePriv).toString('base64')
if (lib.sign(params, addonKey) !== ref) throw new Error('addon and node:crypto signatures differ')
lib.verifyResponse(verifyBody, 'alipay.trade.pay', addonPub)
sdk.checkResponseSign(verifyBody, 'alipay_trade_pay_response', JSON.parse(verifyBody).sign, '')

function opsPerSec(fn, ms) {
  for (let i = 0; i < 20; i++) fn()
  let n = 0
  const t0 = process.hrtime.bigint()
  const end = t0 + BigInt(ms) * 1_000_000n
  let t = t0
  while (t < end) {
    for (let i = 0; i < 10; i++) fn()
    n += 10
    t = process.hrtime.bigint()
  }
  return (n * 1e9) / Number(t - t0)
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
const fmt = (x) => x.toLocaleString('en-US', { maximumFractionDigits: 0 }).padStart(9)

console.log(`alipay-f2f bench — node ${process.version}, ${process.platform}-${process.arch}; ${ROUNDS} interleaved rounds × ${ROUND_MS} ms, medians`)
for (const g of groups) {
  const samples = Object.fromEntries(Object.keys(g.impls).map((k) => [k, []]))
  for (let r = 0; r < ROUNDS; r++) for (const [k, fn] of Object.entries(g.impls)) samples[k].push(opsPerSec(fn, ROUND_MS))
  const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]))
  const first = Object.keys(g.impls)[0]
  console.log(`\n${g.name}`)
  for (const [k, v] of Object.entries(med)) {
    const ratio = k === first ? '' : `   addon is ${(med[first] / v).toFixed(2)}× this`
    console.log(`  ${k.padEnd(58)} ${fmt(v)} ops/s  ${(1e6 / v).toFixed(1).padStart(7)} µs/op${ratio}`)
  }
}

// ------------------------------------------------------------------ one barcode payment, two polls
const query = (status) => ({
  code: '10000', msg: 'Success', out_trade_no: OUT, trade_no: payOk.trade_no, trade_status: status, total_amount: '88.88',
  ...(status === 'TRADE_SUCCESS' ? { buyer_pay_amount: '88.88', receipt_amount: '88.88', send_pay_date: '2026-01-01 12:00:09', buyer_logon_id: 'abc***@x.com' } : {}),
})
const script = {
  'alipay.trade.pay': [signedBody('alipay.trade.pay', { code: '10003', msg: 'order success pay inprocess', out_trade_no: OUT, trade_no: payOk.trade_no, total_amount: '88.88' })],
  'alipay.trade.query': [signedBody('alipay.trade.query', query('WAIT_BUYER_PAY')), signedBody('alipay.trade.query', query('TRADE_SUCCESS'))],
}
const order = { outTradeNo: OUT, authCode: '280000000000000001', totalAmount: '88.88', subject: biz.subject }
const verifier = new native.Verifier(addonPub, null)

function flowOnce() {
  let t = 1767240000000
  const seen = { 'alipay.trade.pay': 0, 'alipay.trade.query': 0 }
  const flow = new native.BarcodePayFlow(order, { pollIntervalMs: 1000 }, verifier, t)
  for (;;) {
    const a = flow.poll(t)
    if (a.type === 'call') {
      signer.buildRequest(a.method, a.bizContent, t)
      flow.handleResponse(a.id, script[a.method][seen[a.method]++], t + 5)
    } else if (a.type === 'wait') t = a.untilMs
    else if (a.type === 'done') {
      if (a.outcome.status !== 'paid') throw new Error(JSON.stringify(a.outcome))
      return
    }
  }
}
const flowSamples = []
for (let r = 0; r < ROUNDS; r++) flowSamples.push(1e6 / opsPerSec(flowOnce, ROUND_MS))

// the whole public path: AlipayClient.barcodePay with an injected fetch answering instantly
// (payments run one at a time, so a per-payment counter picks the 1st/2nd query answer)
let queries = 0
const client = new lib.AlipayClient({
  appId: APP_ID, privateKey: APP_PRIV, alipayPublicKey: ALIPAY_PUB,
  fetch: async (url) => {
    const m = new URL(url).searchParams.get('method')
    const body = m === 'alipay.trade.query' ? script[m][Math.min(queries++, 1)] : script[m][0]
    return new Response(body, { status: 200 })
  },
})
async function clientOnce() {
  queries = 0
  const o = await client.barcodePay(order, { pollIntervalMs: 100 })
  if (o.status !== 'paid') throw new Error(JSON.stringify(o))
}
// sequential (one payment at a time, so the query counter is per payment); CPU time via process.cpuUsage
const N = Number(process.env.BENCH_PAYMENTS ?? 20)
for (let i = 0; i < 3; i++) await clientOnce() // warm-up (JIT)
const cpu0 = process.cpuUsage()
const wall0 = performance.now()
for (let i = 0; i < N; i++) await clientOnce()
const cpu = process.cpuUsage(cpu0)
const wall = performance.now() - wall0
const clientCpuUs = (cpu.user + cpu.system) / N

console.log('\none barcode payment with two polls (pay 10003 → query WAIT_BUYER_PAY → query TRADE_SUCCESS), no network')
console.log(`  core flow via the binding (3 requests built+signed, 3 responses verified+parsed, state machine): ${median(flowSamples).toFixed(0)} µs CPU (median)`)
console.log(`  AlipayClient.barcodePay end to end (+ JS driver, mock fetch/Response, timers):           ${clientCpuUs.toFixed(0)} µs CPU per payment (${N} payments, ${(wall / N).toFixed(0)} ms wall each incl. 2×100 ms poll sleeps)`)
