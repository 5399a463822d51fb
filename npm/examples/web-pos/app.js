// Web POS page: runs the barcode payment flow in the browser (alipay-f2f, WebAssembly) and verifies
// every Alipay answer with the Alipay public key. It holds NO private key: calls are forwarded to the
// backend (/alipay/forward), which signs and sends them and returns Alipay's raw, signed answers.
import { AlipayClient, AlipayError, forwardTransport, implementation, init } from 'alipay-f2f'

const $ = (id) => document.getElementById(id)
const params = new URLSearchParams(location.search)
// test knobs (the sandbox runs fast): ?poll=200&wait=3000
const pollIntervalMs = Number(params.get('poll') ?? 2000)
const maxWaitMs = Number(params.get('wait') ?? 30000)

let client
let running

function setStatus(status, text) {
  const el = $('status')
  el.dataset.status = status
  el.textContent = text
}

function log(text, bad = false) {
  const li = document.createElement('li')
  li.textContent = text
  if (bad) li.className = 'bad'
  $('log').append(li)
  li.scrollIntoView({ block: 'nearest' })
}

/** One progress line per flow event (the payment code is masked by the core). */
function describe(e) {
  switch (e.type) {
    case 'paySent': return [`Payment sent: ¥${e.totalAmount}, code ${e.authCode}`]
    case 'waitingForBuyer': return ['Waiting for the buyer to confirm on their phone…', false, 'Waiting for buyer…']
    case 'query': return [`Query ${e.attempt}…`, false, `Waiting for buyer… (query ${e.attempt})`]
    case 'cancel': return [`Cancelling (${e.reason ?? 'reverse'}), attempt ${e.attempt}…`, false, 'Cancelling…']
    case 'answer': return [`${e.method}: ${e.code}${e.subCode ? ` ${e.subCode}` : ''}${e.tradeStatus ? ` ${e.tradeStatus}` : ''} (signature verified)`]
    case 'rejected': return [`${e.method}: answer REJECTED (${e.errorCode}): ${e.message}`, true]
    case 'transportFailed': return [`${e.method}: no answer (${e.error?.type ?? 'error'})`, true]
    case 'retry': return [`Retrying ${e.method} (attempt ${e.attempt})`]
    case 'aborted': return ['Cashier cancelled: reversing the trade…', false, 'Cancelling…']
    case 'warning': return [`Warning: ${e.message}`, true]
    default: return [e.type]
  }
}

function showResult(outcome) {
  const fields = $('result-fields')
  fields.replaceChildren()
  const add = (k, v) => {
    if (v === undefined || v === null || v === '') return
    const dt = document.createElement('dt')
    dt.textContent = k
    const dd = document.createElement('dd')
    dd.textContent = String(v)
    fields.append(dt, dd)
  }
  add('status', outcome.status)
  add('trade_no', outcome.tradeNo)
  add('out_trade_no', outcome.outTradeNo)
  add('total_amount', outcome.totalAmount)
  add('receipt_amount', outcome.receiptAmount)
  add('buyer', outcome.buyerLogonId)
  add('paid at', outcome.gmtPayment)
  add('reason', outcome.reason ?? outcome.subMsg ?? outcome.msg)
  add('action', outcome.action)
  $('result').hidden = false
}

const FINAL = {
  paid: 'Paid ✓',
  failed: 'Failed: not charged',
  cancelled: 'Cancelled: the trade was reversed',
  unknown: 'Unknown: check in the merchant console (manual reconciliation)',
}

async function pay(ev) {
  ev?.preventDefault()
  if (running || !client) return
  const order = {
    outTradeNo: `POS${Date.now()}${Math.floor(Math.random() * 1000)}`,
    authCode: $('code').value.trim(),
    totalAmount: $('amount').value.trim(),
    subject: $('subject').value.trim(),
    terminalId: 'WEBPOS01',
  }
  $('log').replaceChildren()
  $('result').hidden = true
  setStatus('working', 'Sending payment…')
  const ac = new AbortController()
  running = ac
  $('pay').disabled = true
  $('cancel').disabled = false
  try {
    const outcome = await client.barcodePay(order, {
      signal: ac.signal,
      pollIntervalMs,
      maxWaitMs,
      onEvent: (e) => {
        const [text, bad, status] = describe(e)
        log(text, bad)
        if (status) setStatus('working', status)
      },
    })
    setStatus(outcome.status, FINAL[outcome.status] ?? outcome.status)
    log(`Outcome: ${outcome.status}`, outcome.status !== 'paid')
    showResult(outcome)
  } catch (e) {
    const msg = e instanceof AlipayError ? `${e.code}: ${e.message}` : String(e)
    setStatus('error', `Error — ${msg}`)
    log(msg, true)
  } finally {
    running = undefined
    $('pay').disabled = false
    $('cancel').disabled = true
    $('code').value = ''
    $('code').focus()
  }
}

$('sale').addEventListener('submit', pay)
$('cancel').addEventListener('click', () => running?.abort())

try {
  // Lazy: nothing was fetched until now. Loads /pkg/wasm/web/alipay_f2f_wasm_bg.wasm next to the module.
  await init()
  const config = await (await fetch('/config.json')).json()
  client = new AlipayClient({
    appId: config.appId,
    alipayPublicKey: config.alipayPublicKey, // verify only: no privateKey in the browser
    transport: forwardTransport({ url: config.forwardUrl }),
  })
  $('mode').textContent =
    `Forwarded deployment · ${implementation} · no private key in this page: the backend signs, this page verifies Alipay's signatures`
  $('pay').disabled = false
  document.body.dataset.ready = 'true'
} catch (e) {
  setStatus('error', `Cannot start: ${e instanceof Error ? e.message : e}`)
}
