// Crash tests: a POS process (node child) is killed with SIGKILL at every step of a payment and of
// a refund — after each persisted snapshot (k = 1..N) and after each answered call (the answer is
// lost) — then a new process resumes from its last snapshot. Every resumed outcome is judged
// against the sandbox's real trade state: 100% correct, never two pays, no double charge, no
// double refund, nothing left open. Writes tests/artifacts/hardening/crash.json.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { authCode, cents, judgePay, judgeRefund, lib, paidTrade, PKG_DIR, pool, sandboxLib, trade, tradeNo, writeFigures } from './lib.mjs'

const CHILD = fileURLToPath(new URL('./crash-child.mjs', import.meta.url))
const PARALLEL = Number(process.env.HARDENING_WORKERS ?? 4)
const PAY_POLICY = { pollIntervalMs: 200, maxWaitMs: 800, cancelRetryIntervalMs: 50, queryRetries: 3 }
const REFUND_POLICY = { refundRetries: 2, queryDelayMs: 50, retryIntervalMs: 50 }
const PAY_SCENARIOS = { '280': 'pays at once', '28140': 'buyer confirms after 0.4 s', '282': 'never confirms (cancelled)', '285': '20000 but paid', '283': 'insufficient balance' }

let sb, dir, pubFile
before(async () => {
  sb = await sandboxLib.startSandbox({ speed: 100 })
  dir = mkdtempSync(join(tmpdir(), 'alipay-f2f-crash-'))
  pubFile = join(dir, 'alipay.pem')
  writeFileSync(pubFile, sb.alipayPublicKey)
})
after(async () => {
  await sb?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** A client counting its pay / refund calls. */
function countingClient() {
  const calls = []
  const client = new lib.AlipayClient({
    appId: sb.demoApp.appId,
    privateKey: sb.demoApp.privateKey,
    alipayPublicKey: sb.alipayPublicKey,
    gateway: sb.url,
    timeoutMs: 3000,
    fetch: (url, init) => {
      calls.push(new URL(url).searchParams.get('method'))
      return fetch(url, init)
    },
  })
  return { client, calls }
}

/** Runs the child; resolves with its JSON lines and how it ended. */
function runChild(mode, order, policy, killSnap, killFetch) {
  const snapFile = join(dir, `${order.outTradeNo ?? order.outRequestNo}-${killSnap}-${killFetch}.json`)
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, PKG_DIR, sb.url, pubFile, snapFile, mode, JSON.stringify(order), JSON.stringify(policy), String(killSnap), String(killFetch)], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { err += d })
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      const lines = out.split('\n').filter(Boolean).map((l) => JSON.parse(l))
      if (signal !== 'SIGKILL' && code !== 0) return reject(new Error(`child exited ${code}: ${err}`))
      resolve({
        killed: signal === 'SIGKILL',
        lines,
        snapshot: existsSync(snapFile) ? readFileSync(snapFile, 'utf8') : null,
        outcome: lines.find((l) => l.outcome)?.outcome,
      })
    })
  })
}

const figures = {}

async function crashScenario(mode, name, makeOrder, judge) {
  // Dry run: how many snapshots and calls does this scenario have?
  const dry = await runChild(mode, await makeOrder(), mode === 'pay' ? PAY_POLICY : REFUND_POLICY, 0, 0)
  assert.ok(dry.outcome, 'the dry run finishes')
  const nSnap = dry.lines.filter((l) => l.snap).length
  const nFetch = dry.lines.filter((l) => l.fetch).length
  const points = [
    ...Array.from({ length: nSnap }, (_, i) => ({ killSnap: i + 1, killFetch: 0 })),
    ...Array.from({ length: nFetch }, (_, i) => ({ killSnap: 0, killFetch: i + 1 })),
  ]
  const rows = await pool(points, Array.from({ length: PARALLEL }), async (p) => {
    const order = await makeOrder()
    const r = await runChild(mode, order, mode === 'pay' ? PAY_POLICY : REFUND_POLICY, p.killSnap, p.killFetch)
    const sentBeforeCrash = r.lines.filter((l) => l.fetch).map((l) => l.method)
    let outcome = r.outcome
    const resume = countingClient()
    if (r.killed) {
      if (r.snapshot === null) {
        // killed before anything was persisted: nothing was sent either (a snapshot precedes every call)
        assert.equal(sentBeforeCrash.length, 0, 'a call was sent before the first snapshot')
        outcome = mode === 'pay' ? { status: 'failed', reason: 'neverStarted' } : { status: 'failed' }
      } else {
        outcome = mode === 'pay'
          ? await resume.client.resumeBarcodePay(r.snapshot, {})
          : await resume.client.resumeRefund(r.snapshot, {})
      }
    }
    const all = [...sentBeforeCrash, ...resume.calls]
    const verdict = await judge(order, outcome, all)
    return { scenario: name, ...p, killed: r.killed, status: outcome.status, reason: outcome.reason, calls: all.join(' '), ...verdict }
  })
  const killed = rows.filter((r) => r.killed)
  const wrong = rows.filter((r) => r.verdict === 'wrong')
  figures[`${mode} ${name}`] = {
    killPoints: rows.length, killed: killed.length, correct: rows.filter((r) => r.verdict === 'correct').length,
    unknown: rows.filter((r) => r.verdict === 'unknown').length, wrong: wrong.length,
    outcomes: rows.reduce((m, r) => ({ ...m, [r.status]: (m[r.status] ?? 0) + 1 }), {}),
    runs: rows,
  }
  const { runs, ...counts } = figures[`${mode} ${name}`]
  console.log(`crash ${mode} ${name}: ${rows.length} kill points (${killed.length} killed), ${JSON.stringify(counts)}`)
  assert.deepEqual(wrong, [], `wrong outcomes after resume:\n${wrong.map((r) => JSON.stringify(r)).join('\n')}`)
  // The number of polls (hence snapshots) of a run varies a little with timing: a kill point past
  // the end of a shorter run is not reached (that run finishes and is judged like the others).
  assert.ok(killed.length >= rows.length / 2, `only ${killed.length}/${rows.length} kill points were reached`)
  return rows
}

for (const [prefix, what] of Object.entries(PAY_SCENARIOS)) {
  test(`barcodePay killed at every step, resumed by a new process: ${prefix} (${what})`, { timeout: 300_000 }, async () => {
    await crashScenario('pay', prefix, () => ({ outTradeNo: tradeNo('CP'), authCode: authCode(prefix), totalAmount: '7.70', subject: 'crash' }),
      async (order, outcome, calls) => {
        const t = await trade(sb, order.outTradeNo)
        const pays = calls.filter((m) => m === 'alipay.trade.pay').length
        if (pays > 1) return { verdict: 'wrong', why: `${pays} pays` }
        if (t?.trade_status === 'WAIT_BUYER_PAY') return { verdict: 'wrong', why: 'left open' }
        return judgePay(outcome, t)
      })
  })
}

test('refundFlow killed at every step, resumed by a new process: never doubled', { timeout: 300_000 }, async () => {
  const { client } = countingClient()
  await crashScenario('refund', 'partial refund', async () => {
    const paid = await paidTrade(client, '9.00')
    return { outTradeNo: paid.outTradeNo, refundAmount: '3.00', outRequestNo: tradeNo('CR') }
  }, async (order, outcome) => {
    const t = await trade(sb, order.outTradeNo)
    return judgeRefund(outcome, t, order.outRequestNo, cents(order.refundAmount))
  })
})

after(() => {
  if (Object.keys(figures).length) writeFigures('crash', figures)
})
