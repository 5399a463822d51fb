// Load: many concurrent barcodePay flows (default 300, HARDENING_LOAD_FLOWS) through ONE client
// against the sandbox, two rounds. Asserts correctness only: no crossed trades (each outcome's
// outTradeNo / tradeNo matches its order and the sandbox's trade), every outcome right for its
// scenario and the sandbox state. Reports (no timed assertions): RSS before / after each round
// (after a GC), max and p99 event-loop delay (perf_hooks.monitorEventLoopDelay), throughput.
// Writes tests/artifacts/hardening/load.json.
import assert from 'node:assert/strict'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { after, before, test } from 'node:test'
import v8 from 'node:v8'
import vm from 'node:vm'

import { authCode, judgePay, lib, sandboxLib, tradeNo, writeFigures } from './lib.mjs'

const FLOWS = Number(process.env.HARDENING_LOAD_FLOWS ?? 300)
const POLICY = { pollIntervalMs: 200, maxWaitMs: 3000, cancelRetryIntervalMs: 50 }
// prefix -> expected statuses. The buyer confirms 28150 after 0.5 s: paid, or — when 300 flows
// queue at the gateway past the polling deadline — cancelled (reversed); the judge checks either
// against the sandbox.
const MIX = [['280', ['paid']], ['28150', ['paid', 'cancelled']], ['283', ['failed']], ['282', ['cancelled']]]

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc')
const rssMiB = () => {
  gc()
  gc()
  return Math.round((process.memoryUsage().rss / 2 ** 20) * 10) / 10
}

let sb, client
before(async () => {
  sb = await sandboxLib.startSandbox({ speed: 100 })
  client = new lib.AlipayClient({
    appId: sb.demoApp.appId, privateKey: sb.demoApp.privateKey, alipayPublicKey: sb.alipayPublicKey, gateway: sb.url, timeoutMs: 10_000,
  })
})
after(async () => {
  await sb?.close()
})

async function round(n) {
  const orders = Array.from({ length: n }, (_, i) => {
    const [prefix, expect] = MIX[i % MIX.length]
    return { order: { outTradeNo: tradeNo(`L${i}_`), authCode: authCode(prefix), totalAmount: `${1 + (i % 50)}.${String(i % 100).padStart(2, '0')}`, subject: `load ${i}` }, expect }
  })
  const h = monitorEventLoopDelay({ resolution: 5 })
  h.enable()
  const t0 = performance.now()
  const outcomes = await Promise.all(orders.map(({ order }) => client.barcodePay(order, POLICY)))
  const seconds = (performance.now() - t0) / 1000
  h.disable()
  const base = sb.url.replace(/\/gateway\.do$/, '')
  const trades = new Map((await (await fetch(`${base}/__sandbox/trades`)).json()).trades.map((t) => [t.out_trade_no, t]))
  const problems = []
  const tradeNos = new Set()
  orders.forEach(({ order, expect }, i) => {
    const o = outcomes[i]
    const t = trades.get(order.outTradeNo) ?? null
    if (o.outTradeNo !== undefined && o.outTradeNo !== order.outTradeNo) problems.push(`${order.outTradeNo}: outcome names ${o.outTradeNo}`)
    if (!expect.includes(o.status)) problems.push(`${order.outTradeNo}: ${o.status}, expected ${expect.join(' or ')}`)
    const j = judgePay(o, t)
    if (j.verdict !== 'correct') problems.push(`${order.outTradeNo}: ${j.verdict} ${j.why}`)
    if (o.status === 'paid') {
      if (o.totalAmount !== order.totalAmount) problems.push(`${order.outTradeNo}: amount ${o.totalAmount}`)
      if (tradeNos.has(o.tradeNo)) problems.push(`${order.outTradeNo}: trade_no ${o.tradeNo} used twice`)
      tradeNos.add(o.tradeNo)
    }
  })
  return {
    flows: n,
    seconds: Math.round(seconds * 100) / 100,
    flowsPerSecond: Math.round((n / seconds) * 10) / 10,
    eventLoopDelayMs: { max: Math.round(h.max / 1e5) / 10, p99: Math.round(h.percentile(99) / 1e5) / 10, mean: Math.round(h.mean / 1e5) / 10 },
    outcomes: outcomes.reduce((m, o) => ({ ...m, [o.status]: (m[o.status] ?? 0) + 1 }), {}),
    problems,
  }
}

test(`load: ${FLOWS} concurrent barcodePay flows through one client, two rounds`, { timeout: 600_000 }, async () => {
  await round(8) // warm-up: addon, keys, connections
  const rssBefore = rssMiB()
  const r1 = await round(FLOWS)
  const rssAfter1 = rssMiB()
  const r2 = await round(FLOWS)
  const rssAfter2 = rssMiB()
  const figures = { flows: FLOWS, rssMiB: { before: rssBefore, afterRound1: rssAfter1, afterRound2: rssAfter2 }, round1: r1, round2: r2, node: process.version }
  writeFigures('load', figures)
  console.log(`load: ${JSON.stringify(figures)}`)
  assert.deepEqual(r1.problems, [])
  assert.deepEqual(r2.problems, [])
})
