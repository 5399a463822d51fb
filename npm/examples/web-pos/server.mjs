#!/usr/bin/env node
// Web POS example server (forwarded deployment), one node:http server that hosts:
//   GET  /                        the POS page (index.html, app.js, style.css)
//   GET  /pkg/...                 the alipay-f2f package files the page imports (dist/browser.mjs, the .wasm)
//   GET  /config.json             what the page needs: appId and the Alipay PUBLIC key (never a private key)
//   POST /alipay/forward          the forward backend (createForwardBackend): checks the call, signs it with the
//                                 app private key, sends it to the gateway, returns Alipay's raw answer
// and starts the offline sandbox gateway as "Alipay" (alipay-f2f/sandbox). The page runs the payment flow
// in WebAssembly and verifies every answer with the Alipay public key: the backend cannot fake a payment.
//
//   node examples/web-pos/server.mjs [--port 8080] [--speed 10]
// Prints one JSON line when ready: {"url":"http://127.0.0.1:PORT/","gateway":"..."}.
// A real deployment: replace the sandbox with the gateway URL and your app's keys (from a secret store),
// serve the page over HTTPS, and authenticate the cashier on /alipay/forward (rules, headers).
import { readFile } from 'node:fs/promises'
import { createServer } from 'node:http'
import { dirname, extname, join, normalize, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

import { createForwardBackend } from 'alipay-f2f'
import { startSandbox } from 'alipay-f2f/sandbox'

const here = dirname(fileURLToPath(import.meta.url))
const pkgDir = resolve(here, '..', '..')
const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '0' }, speed: { type: 'string', default: '10' }, host: { type: 'string', default: '127.0.0.1' } },
})

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
}
/** Page files, and the only package files the page may load. */
const PAGE = new Set(['/index.html', '/app.js', '/style.css'])
const PKG = new Set(['/pkg/dist/browser.mjs', '/pkg/wasm/web/alipay_f2f_wasm_bg.wasm'])

const sandbox = await startSandbox({ speed: Number(args.speed) })
const backend = createForwardBackend({
  appId: sandbox.demoApp.appId,
  privateKey: sandbox.demoApp.privateKey, // backend only: it never reaches the page
  gateway: sandbox.url,
  rules: (call) => {
    // the merchant's own limits, enforced where the key is
    if (call.method === 'alipay.trade.pay' && Number(call.biz.total_amount) > 5000) throw new Error('amount over the till limit (5000)')
  },
  onForward: (e) => process.env.WEB_POS_LOG && console.error(`[forward] ${e.method} ${e.outTradeNo ?? ''} -> ${e.status} ${e.errorCode ?? ''} ${e.ms}ms`),
})
const config = JSON.stringify({ appId: sandbox.demoApp.appId, alipayPublicKey: sandbox.alipayPublicKey, forwardUrl: '/alipay/forward' })

async function serveFile(res, file) {
  try {
    const body = await readFile(file)
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' })
    res.end(body)
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found')
  }
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost')
  let path = normalize(decodeURIComponent(url.pathname))
  if (path === '/') path = '/index.html'
  if (path === '/alipay/forward') return backend.httpHandler(req, res)
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { allow: 'GET, HEAD' })
    return res.end()
  }
  if (path === '/config.json') {
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
    return res.end(config)
  }
  if (PAGE.has(path)) return serveFile(res, join(here, ...path.split('/')))
  if (PKG.has(path)) return serveFile(res, join(pkgDir, ...path.slice('/pkg/'.length).split('/')))
  if (path.includes(`..${sep}`)) res.writeHead(400)
  else res.writeHead(404, { 'content-type': 'text/plain' })
  res.end('not found')
})

server.listen(Number(args.port), args.host, () => {
  const { port } = server.address()
  console.log(JSON.stringify({ url: `http://${args.host}:${port}/`, gateway: sandbox.url }))
})

async function stop() {
  server.close()
  await sandbox.close()
  process.exit(0)
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
