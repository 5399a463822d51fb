// A POS process for crash.test.mjs: runs barcodePay or refundFlow against the sandbox, persisting
// every snapshot atomically (write + rename) through onSnapshot, and kills ITSELF with SIGKILL at
// the requested point: right after the k-th snapshot is persisted (before the call it precedes is
// sent), or right after the gateway answered the j-th call (the answer is lost with the process).
// stdout: JSON lines {"snap":k} / {"fetch":j,"method":m} / {"outcome":{...}}.
// argv: PKG_DIR GATEWAY ALIPAY_PUBLIC_KEY_FILE SNAPSHOT_FILE MODE(pay|refund) ORDER_JSON POLICY_JSON KILL_SNAP KILL_FETCH
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const [pkgDir, gateway, pubFile, snapFile, mode, orderJson, policyJson, killSnapArg, killFetchArg] = process.argv.slice(2)
const killSnap = Number(killSnapArg)
const killFetch = Number(killFetchArg)
const require = createRequire(join(pkgDir, 'package.json'))
const { AlipayClient } = require(join(pkgDir, 'dist', 'index.js'))
const sandbox = require(join(pkgDir, 'dist', 'sandbox.js'))
const demoKey = readFileSync(join(pkgDir, 'native', 'sandbox-demo-app-private-key.pem'), 'utf8')

const say = (o) => writeFileSync(1, `${JSON.stringify(o)}\n`) // synchronous: survives the SIGKILL that follows
const die = () => process.kill(process.pid, 'SIGKILL')

let fetches = 0
const client = new AlipayClient({
  appId: sandbox.DEMO_APP_ID,
  privateKey: demoKey,
  alipayPublicKey: readFileSync(pubFile, 'utf8'),
  gateway,
  timeoutMs: 3000,
  fetch: async (url, init) => {
    const n = ++fetches
    say({ fetch: n, method: new URL(url).searchParams.get('method') })
    const res = await fetch(url, init)
    await res.clone().arrayBuffer() // the gateway has answered in full
    if (n === killFetch) die()
    return res
  },
})
let snaps = 0
const opts = {
  ...JSON.parse(policyJson),
  onSnapshot: (s) => {
    writeFileSync(`${snapFile}.tmp`, s)
    renameSync(`${snapFile}.tmp`, snapFile)
    const k = ++snaps
    say({ snap: k })
    if (k === killSnap) die()
  },
}
const order = JSON.parse(orderJson)
const outcome = mode === 'refund' ? await client.refundFlow(order, opts) : await client.barcodePay(order, opts)
say({ outcome })
