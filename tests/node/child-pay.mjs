// Child process of resume.test.mjs: runs one barcodePay against a sandbox and persists every
// snapshot to a file (atomically: write + rename), printing events as JSON lines. The parent
// kills it with SIGKILL mid-payment and resumes from the file in another process.
// argv: PKG_DIR GATEWAY ALIPAY_PUBLIC_KEY_FILE SNAPSHOT_FILE ORDER_JSON POLICY_JSON
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join } from 'node:path'

const [pkgDir, gateway, pubFile, snapFile, orderJson, policyJson] = process.argv.slice(2)
const require = createRequire(join(pkgDir, 'package.json'))
const { AlipayClient } = require(join(pkgDir, 'dist', 'index.js'))
const sandbox = require(join(pkgDir, 'dist', 'sandbox.js'))
const demoKey = readFileSync(join(pkgDir, 'native', 'sandbox-demo-app-private-key.pem'), 'utf8')

const client = new AlipayClient({
  appId: sandbox.DEMO_APP_ID,
  privateKey: demoKey,
  alipayPublicKey: readFileSync(pubFile, 'utf8'),
  gateway,
  // announce each HTTP exchange: by then the driver has persisted the snapshot with the call in flight
  fetch: (url, init) => {
    process.stdout.write(`${JSON.stringify({ event: { type: 'fetch', method: new URL(url).searchParams.get('method') } })}\n`)
    return fetch(url, init)
  },
})
const outcome = await client.barcodePay(JSON.parse(orderJson), {
  ...JSON.parse(policyJson),
  onSnapshot: (s) => {
    writeFileSync(`${snapFile}.tmp`, s)
    renameSync(`${snapFile}.tmp`, snapFile)
  },
  onEvent: (e) => process.stdout.write(`${JSON.stringify({ event: e })}\n`),
})
process.stdout.write(`${JSON.stringify({ outcome })}\n`)
