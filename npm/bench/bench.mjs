#!/usr/bin/env node
// npm run bench — throughput of alipay-f2f (Node-API addon) vs node:crypto with a parsed
// KeyObject vs Alipay's own Node SDK (alipay-sdk 4.x), measured in one run, interleaved
// rounds, medians; then the SDK's CPU time for one barcode payment with two polls
// (build + sign + verify + parse + state machine; responses pre-signed, no network).
// Not a test: numbers depend on the (shared, noisy) machine.
// Env: BENCH_ROUNDS, BENCH_ROUND_MS, BENCH_ONLY=payment (skip the sign/verify groups), BENCH_BASELINE,
// BENCH_LANES, BENCH_PER_LANE, BENCH_HOT_ROUNDS, BENCH_PAYMENTS (see the payment section).
import crypto from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import v8 from 'node:v8'
import vm from 'node:vm'

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
for (const g of process.env.BENCH_ONLY === 'payment' ? [] : groups) {
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
// Target (issue #5): the SDK's CPU for one barcode payment with two polls ≤ 4 ms.
//
// Clocks. "main thread": process.threadCpuUsage (Node ≥ 23.9), else on Linux the main thread's
// /proc/self/task/<pid>/schedstat (its tid is the pid). "all threads": process.cpuUsage (adds V8's
// GC helper threads and anything else in the process). Both advance at scheduler events (ticks,
// sleeps), so every reading below is taken right after a short sleep (`settle`), which makes the
// kernel account the thread's time exactly up to that point, and windows are long.
const mainThreadClock = (() => {
  if (typeof process.threadCpuUsage === 'function') {
    return { name: 'process.threadCpuUsage', read: () => { const u = process.threadCpuUsage(); return u.user + u.system } }
  }
  const path = `/proc/self/task/${process.pid}/schedstat`
  try {
    readFileSync(path)
    return { name: '/proc/self/task/<pid>/schedstat', read: () => Number(readFileSync(path, 'latin1').split(' ', 1)[0]) / 1000 }
  } catch {
    return undefined
  }
})()
const allThreads = () => { const u = process.cpuUsage(); return u.user + u.system }
const settle = () => new Promise((resolve) => setTimeout(resolve, 2))
// a full GC (and pending finalizers) between phases, so one phase's garbage is not collected on another's clock
v8.setFlagsFromString('--expose-gc')
const fullGc = vm.runInNewContext('gc')
async function settleHeap() {
  for (let i = 0; i < 3; i++) { fullGc(); await new Promise((resolve) => setTimeout(resolve, 20)) }
}
/** µs of CPU (main thread, all threads) spent by `fn()` (async), read after settling. */
async function cpuOf(fn) {
  await settle()
  const m0 = mainThreadClock?.read(), a0 = allThreads(), w0 = performance.now()
  const n = await fn()
  const wall = performance.now() - w0
  await settle()
  const m1 = mainThreadClock?.read(), a1 = allThreads()
  return { n, main: mainThreadClock ? m1 - m0 : NaN, all: a1 - a0, wall: wall * 1000 }
}
/** Runs async `fn` back to back for about `ms`; CPU per call. */
async function cpuPerCall(fn, ms) {
  for (let i = 0; i < 50; i++) await fn()
  const r = await cpuOf(async () => {
    let n = 0
    const end = performance.now() + ms
    while (performance.now() < end) { for (let i = 0; i < 10; i++) await fn(); n += 10 }
    return n
  })
  return { main: r.main / r.n, all: r.all / r.n, wall: r.wall / r.n }
}

const TRADE_NO = payOk.trade_no
const queryAnswer = (out, status) => ({
  code: '10000', msg: 'Success', out_trade_no: out, trade_no: TRADE_NO, trade_status: status, total_amount: '88.88',
  ...(status === 'TRADE_SUCCESS' ? { buyer_pay_amount: '88.88', receipt_amount: '88.88', send_pay_date: '2026-01-01 12:00:09', buyer_logon_id: 'abc***@x.com' } : {}),
})
/** The gateway's answers for trade `out`, in call order: pay → 10003, query → WAIT_BUYER_PAY, query → TRADE_SUCCESS. */
const scriptCache = new Map()
function scriptFor(out) {
  let s = scriptCache.get(out)
  if (!s) {
    s = [
      signedBody('alipay.trade.pay', { code: '10003', msg: 'order success pay inprocess', out_trade_no: out, trade_no: TRADE_NO, total_amount: '88.88' }),
      signedBody('alipay.trade.query', queryAnswer(out, 'WAIT_BUYER_PAY')),
      signedBody('alipay.trade.query', queryAnswer(out, 'TRADE_SUCCESS')),
    ]
    scriptCache.set(out, s)
  }
  return s
}
const METHODS = ['alipay.trade.pay', 'alipay.trade.query', 'alipay.trade.query']
const orderFor = (out) => ({ outTradeNo: out, authCode: '280000000000000001', totalAmount: '88.88', subject: biz.subject })

// The core flow straight through the binding, no JS driver: the floor of the SDK's cost.
const verifier = new native.Verifier(addonPub, null)
function flowOnce(out = OUT) {
  let t = 1767240000000
  let k = 0
  const answers = scriptFor(out)
  const flow = new native.BarcodePayFlow(orderFor(out), { pollIntervalMs: 100 }, verifier, t)
  for (;;) {
    const a = flow.poll(t)
    if (a.type === 'call') {
      signer.buildRequest(a.method, a.bizContent, t)
      flow.handleResponse(a.id, answers[k++], t + 5)
    } else if (a.type === 'wait') t = a.untilMs
    else if (a.type === 'done') {
      if (a.outcome.status !== 'paid') throw new Error(JSON.stringify(a.outcome))
      return
    }
  }
}
// the same, but sleeping for real between the polls like a live payment (caches go cold meanwhile)
async function flowOnceSleeping(out = OUT) {
  let k = 0
  const answers = scriptFor(out)
  const flow = new native.BarcodePayFlow(orderFor(out), { pollIntervalMs: 100 }, verifier, Date.now())
  for (;;) {
    const a = flow.poll(Date.now())
    if (a.type === 'call') {
      signer.buildRequest(a.method, a.bizContent, Date.now())
      flow.handleResponse(a.id, answers[k++], Date.now())
    } else if (a.type === 'wait') await new Promise((resolve) => setTimeout(resolve, Math.max(0, a.untilMs - Date.now())))
    else if (a.type === 'done') {
      if (a.outcome.status !== 'paid') throw new Error(JSON.stringify(a.outcome))
      return
    }
  }
}

// The whole public path: AlipayClient.barcodePay with its real driver, timers and signals. The
// injected fetch answers instantly with a real `Response` (what a real fetch resolves to); every
// lane is one cashier (its own client, trade number and answers), paying one payment at a time.
function lane(pkg, n) {
  const out = `BENCH20260101${String(n).padStart(6, '0')}`
  const answers = scriptFor(out)
  const order = orderFor(out)
  let next = 0
  const client = new pkg.AlipayClient({
    appId: APP_ID, privateKey: APP_PRIV, alipayPublicKey: ALIPAY_PUB,
    fetch: async () => new Response(answers[next++], { status: 200 }),
  })
  return async () => {
    next = 0
    // with a cashier's abort signal (never aborted here), as a till would pass one
    const o = await client.barcodePay(order, { pollIntervalMs: 100, signal: new AbortController().signal })
    if (o.status !== 'paid' || next !== 3) throw new Error(`unexpected: ${JSON.stringify(o)} after ${next} calls`)
  }
}
// Harness costs, measured alone: what the mock fetch does (`new Response`), and reading the body
// (`arrayBuffer()`, undici's web-stream machinery; a real fetch's body is read the same way).
const sampleAnswer = scriptFor(OUT)[1]
const mockFetchOnce = async () => new Response(sampleAnswer, { status: 200 })
const mockFetchAndReadOnce = async () => (await mockFetchOnce()).arrayBuffer()

// BENCH_BASELINE=/path/to/another/npm/dist compares that build of the package (e.g. a copy of dist
// from before a change, next to a `native` link) against this one, interleaved, in the same process.
const builds = [['this build', lib]]
if (process.env.BENCH_BASELINE) builds.unshift(['baseline', require(join(process.env.BENCH_BASELINE, 'index.js'))])
const LANES = Number(process.env.BENCH_LANES ?? 256) // enough in flight that the main thread never idles
const PER_LANE = Number(process.env.BENCH_PER_LANE ?? 2)
const HOT_ROUNDS = Number(process.env.BENCH_HOT_ROUNDS ?? 3)
const N = Number(process.env.BENCH_PAYMENTS ?? 20)

// One at a time first, on a clean heap: the back-to-back loops below leave garbage (undici's
// Responses are finalized later; the old driver also left a 15 s timer per call) that would be
// collected, and fire, during whatever runs next. `settleHeap()` runs between the phases too.
await settleHeap()
const seq = builds.map(() => [])
const seqFlow = []
const lone = builds.map(([, pkg]) => lane(pkg, 0))
for (let i = 0; i < 3; i++) { for (const run of lone) await run(); await flowOnceSleeping() } // warm-up (JIT)
// the harness alone in the same rhythm (3 × [sleep, mock fetch + body read]) minus the sleeps alone
const nap = () => new Promise((resolve) => setTimeout(resolve, 66))
const seqHarness = [], seqMock = [], seqNaps = []
for (let i = 0; i < N; i++) {
  for (const [b, run] of lone.entries()) seq[b].push(await cpuOf(async () => { await run(); return 1 }))
  seqFlow.push(await cpuOf(async () => { await flowOnceSleeping(); return 1 }))
  seqHarness.push(await cpuOf(async () => { for (let k = 0; k < 3; k++) { await nap(); await mockFetchAndReadOnce() } return 1 }))
  seqMock.push(await cpuOf(async () => { for (let k = 0; k < 3; k++) { await nap(); await mockFetchOnce() } return 1 }))
  seqNaps.push(await cpuOf(async () => { for (let k = 0; k < 3; k++) await nap(); return 1 }))
}

await settleHeap()
const flowHot = []
for (let r = 0; r < ROUNDS; r++) {
  for (let i = 0; i < 20; i++) flowOnce()
  flowHot.push(await cpuOf(async () => { const end = performance.now() + ROUND_MS; let n = 0; while (performance.now() < end) { flowOnce(); n++ } return n }))
}
const harness = [], bodyRead = []
for (let r = 0; r < ROUNDS; r++) {
  harness.push(await cpuPerCall(mockFetchOnce, ROUND_MS / 2))
  bodyRead.push(await cpuPerCall(mockFetchAndReadOnce, ROUND_MS / 2))
}
// Calibration of the machine, not the SDK: the same fixed register-only arithmetic (no memory, no
// calls) hot, and right after a 100 ms sleep. On an idle or shared VM the core comes back slow
// (frequency, C-states, a busy SMT sibling), so everything done right after a sleep costs more CPU.
let calibSink = 0
const fixedWork = () => { let x = 0; for (let i = 0; i < 60_000; i++) x = (x * 1103515245 + 12345) | 0; calibSink ^= x }
for (let i = 0; i < 50; i++) fixedWork()
const calibHot = [], calibCold = []
for (let r = 0; r < 15; r++) {
  calibHot.push(await cpuOf(async () => { fixedWork(); return 1 }))
  await new Promise((resolve) => setTimeout(resolve, 100))
  calibCold.push(await cpuOf(async () => { fixedWork(); return 1 }))
}

await settleHeap()
const lanes = builds.map(([, pkg]) => Array.from({ length: LANES }, (_, n) => lane(pkg, n + 1)))
for (const ls of lanes) await Promise.all(ls.map((run) => run())) // warm-up (JIT)
const hot = builds.map(() => [])
const hotElu = builds.map(() => [])
for (let r = 0; r < HOT_ROUNDS; r++) {
  for (const [b, ls] of lanes.entries()) {
    hot[b].push(await cpuOf(async () => {
      const e0 = performance.eventLoopUtilization()
      await Promise.all(ls.map(async (run) => { for (let i = 0; i < PER_LANE; i++) await run() }))
      hotElu[b].push(performance.eventLoopUtilization(e0).utilization)
      return LANES * PER_LANE
    }))
  }
}
const perOp = (rs, k) => median(rs.map((r) => r[k] / r.n))
// one at a time: the median payment (a burst of other load on the shared machine inflates a few)
const mid = (rs, k) => median(rs.map((r) => r[k] / r.n))
const mean = (rs, k) => rs.reduce((a, r) => a + r[k], 0) / rs.reduce((a, r) => a + r.n, 0)
const us = (x) => `${x.toFixed(0).padStart(5)} µs`
const TARGET = 4000
const verdict = (x) => `${x <= TARGET ? 'meets' : 'MISSES'} ≤ ${TARGET} µs (${((100 * x) / TARGET).toFixed(0)}%)`
const mainName = mainThreadClock ? mainThreadClock.name : 'unavailable here (process.cpuUsage only)'
const flowMain = perOp(flowHot, mainThreadClock ? 'main' : 'all')
const harnessMain = 3 * median(harness.map((h) => (mainThreadClock ? h.main : h.all)))
const readMain = 3 * median(bodyRead.map((h) => (mainThreadClock ? h.main : h.all))) - harnessMain

console.log('\none barcode payment with two polls (pay 10003 → query WAIT_BUYER_PAY → query TRADE_SUCCESS), no network;')
console.log(`CPU per payment against the ${TARGET} µs target; main thread = ${mainName}, all threads = process.cpuUsage`)
console.log(`  core flow via the binding (3 requests built+signed, 3 responses verified+parsed, state machine):  ${us(flowMain)} main thread  ${verdict(flowMain)}`)
for (const [b, [name]] of builds.entries()) {
  const main = perOp(hot[b], mainThreadClock ? 'main' : 'all')
  const all = perOp(hot[b], 'all')
  const wall = perOp(hot[b], 'wall')
  console.log(`  AlipayClient.barcodePay end to end [${name}], ${LANES} payments in flight (JS driver, timers, abort signal, mock fetch):`)
  console.log(`      ${us(main)} main thread  ${verdict(main)};  ${us(all)} all threads;  ${us(wall)} wall per payment (event loop ${(100 * median(hotElu[b])).toFixed(0)}% busy)`)
  console.log(`      = ${us(main - harnessMain)} SDK (binding ${us(flowMain)} + JS driver/client ${us(main - harnessMain - readMain - flowMain)} + undici body read ${us(readMain)}, 3× Response.arrayBuffer)`)
  console.log(`      + ${us(harnessMain)} harness (3× mock fetch → new Response, measured alone)`)
}
for (const [b, [name]] of builds.entries()) {
  const main = mid(seq[b], mainThreadClock ? 'main' : 'all')
  const all = mid(seq[b], 'all')
  console.log(`  AlipayClient.barcodePay [${name}], one at a time with the real 2×100 ms poll sleeps (${N} payments; caches cold after each sleep):`)
  console.log(`      ${us(main)} main thread;  ${us(all)} all threads;  ${(mid(seq[b], 'wall') / 1000).toFixed(0)} ms wall each (medians; mean ${us(mean(seq[b], mainThreadClock ? 'main' : 'all'))} main thread)`)
}
const seqFlowMain = mid(seqFlow, mainThreadClock ? 'main' : 'all')
const seqNapsMain = mid(seqNaps, mainThreadClock ? 'main' : 'all')
const seqMockMain = mid(seqMock, mainThreadClock ? 'main' : 'all') - seqNapsMain
const seqReadMain = mid(seqHarness, mainThreadClock ? 'main' : 'all') - seqNapsMain - seqMockMain
console.log(`  for comparison, one at a time with the same real sleeps (caches as cold), each part alone:`)
console.log(`      core flow via the binding:                                        ${us(seqFlowMain)} main thread;  ${us(mid(seqFlow, 'all'))} all threads`)
console.log(`      harness: 3× mock fetch → new Response (after a sleep each):       ${us(seqMockMain)} main thread`)
console.log(`      undici body read, 3× Response.arrayBuffer (a real fetch's too):   ${us(seqReadMain)} main thread`)
{
  // the verdict for this build: the SDK's share (the harness's `new Response` taken out; the body read stays in)
  const b = builds.length - 1
  const hotSdk = perOp(hot[b], mainThreadClock ? 'main' : 'all') - harnessMain
  const seqSdk = mid(seq[b], mainThreadClock ? 'main' : 'all') - seqMockMain
  const k = mainThreadClock ? 'main' : 'all'
  const calHot = median(calibHot.map((r) => r[k])), calCold = median(calibCold.map((r) => r[k]))
  console.log(`\nissue #5 target, SDK CPU per payment ≤ ${TARGET} µs (main thread, the mock's new Response taken out):`)
  console.log(`  the SDK's work, measured with payments in flight (the CPU kept busy):  ${us(hotSdk)}  ${verdict(hotSdk)}`)
  console.log(`  not a verdict, the machine after idling: one payment at a time with real 100 ms poll sleeps costs ${us(seqSdk)};`)
  console.log(`    this VM runs the same code slower right after each sleep: the bare core flow ${us(seqFlowMain)} (hot ${us(flowMain)}, ×${(seqFlowMain / flowMain).toFixed(1)}),`)
  console.log(`    a fixed register-only arithmetic loop ${us(calCold)} (hot ${us(calHot)}, ×${(calCold / calHot).toFixed(1)})`)
}
