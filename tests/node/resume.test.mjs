// Snapshot/resume across a killed process: a child runs barcodePay and persists its snapshots;
// it is killed with SIGKILL mid-payment; this process resumes from the file and must reach the
// correct outcome (the pay is never sent twice; a lost in-flight call is resolved by a query).
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'

import { authCode, control, PKG_DIR, sandboxClient, tradeNo } from './helpers.mjs'

let sb, client, dir
before(async () => {
  // speed 10: an 8 s password takes 800 ms; slow answers (3 s after scaling) outlast nothing (timeout 10 s)
  ;({ sb, client } = await sandboxClient({ speed: 10, args: ['--slow-delay-ms', '30000'] }, { timeoutMs: 10000 }))
  dir = mkdtempSync(join(tmpdir(), 'alipay-f2f-resume-'))
  writeFileSync(join(dir, 'alipay.pem'), sb.alipayPublicKey)
})
after(async () => {
  await sb?.close()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

/** Runs the child until `killWhen(event)` is true, then SIGKILLs it. Returns the persisted snapshot. */
async function runAndKill(order, policy, killWhen) {
  const snap = join(dir, `${order.outTradeNo}.json`)
  const child = spawn(
    process.execPath,
    [fileURLToPath(new URL('./child-pay.mjs', import.meta.url)), PKG_DIR, sb.url, join(dir, 'alipay.pem'), snap, JSON.stringify(order), JSON.stringify(policy)],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })))
  const events = []
  for await (const line of createInterface({ input: child.stdout })) {
    const msg = JSON.parse(line)
    if (msg.outcome) assert.fail(`child finished before it was killed: ${line}`)
    events.push(msg.event)
    if (killWhen(msg.event, events)) {
      child.kill('SIGKILL')
      break
    }
  }
  const { signal } = await exited
  assert.equal(signal, 'SIGKILL')
  return { snapshot: readFileSync(snap, 'utf8'), events }
}

test('killed while the buyer confirms (password): resumed in another process, paid', async () => {
  const order = { outTradeNo: tradeNo('RS'), authCode: authCode('28108'), totalAmount: '12.34', subject: 'resume' }
  const { snapshot } = await runAndKill(order, { pollIntervalMs: 200, maxWaitMs: 20000 }, (e) => e.type === 'waitingForBuyer')
  assert.ok(!snapshot.includes(order.authCode), 'the payment code is not persisted')
  const events = []
  const outcome = await client.resumeBarcodePay(snapshot, { onEvent: (e) => events.push(e) })
  assert.equal(outcome.status, 'paid', JSON.stringify(outcome))
  assert.equal(outcome.outTradeNo, order.outTradeNo)
  assert.equal(outcome.totalAmount, '12.34')
  assert.ok(events.some((e) => e.type === 'resumed'))
  assert.ok(!events.some((e) => e.type === 'paySent'), 'the pay is never sent again')
})

test('killed with the pay call in flight: the lost answer is resolved by a query (paid)', async () => {
  const order = { outTradeNo: tradeNo('RI'), authCode: authCode('286'), totalAmount: '5.00', subject: 'in flight' }
  const { snapshot } = await runAndKill(order, { pollIntervalMs: 200 }, (e) => e.type === 'fetch' && e.method === 'alipay.trade.pay')
  assert.match(snapshot, /"inFlight":\{"id":1,"kind":"pay"/, "persisted with the pay in flight")
  // the child may die before the gateway even got the pay; give the slow answer time to settle
  await new Promise((r) => setTimeout(r, 300))
  const events = []
  const outcome = await client.resumeBarcodePay(snapshot, { pollIntervalMs: 200, onEvent: (e) => events.push(e) })
  assert.ok(['paid', 'cancelled'].includes(outcome.status), JSON.stringify(outcome))
  const resumed = events.find((e) => e.type === 'resumed')
  assert.ok(resumed && resumed.lostCallId === 1, JSON.stringify(resumed))
  const trade = await client.query({ outTradeNo: order.outTradeNo }).catch((e) => e)
  if (outcome.status === 'paid') assert.equal(trade.trade_status, 'TRADE_SUCCESS')
  else assert.notEqual(trade.trade_status, 'TRADE_SUCCESS')
})

test('killed while polling a never-confirming buyer: resumed, cancelled at the deadline', async () => {
  const order = { outTradeNo: tradeNo('RC'), authCode: authCode('282'), totalAmount: '7.00', subject: 'never' }
  const { snapshot } = await runAndKill(order, { pollIntervalMs: 150, maxWaitMs: 1500, cancelRetryIntervalMs: 50 }, (e, all) => all.filter((x) => x.type === 'query').length >= 2)
  const outcome = await client.resumeBarcodePay(snapshot)
  assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome))
  assert.equal(outcome.action, 'close')
  const trade = await client.query({ outTradeNo: order.outTradeNo })
  assert.equal(trade.trade_status, 'TRADE_CLOSED')
  await control(sb, '/__sandbox/faults', undefined, 'DELETE')
})
