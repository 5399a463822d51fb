// Browser smoke test of the wasm pipeline without extra npm packages: serves
// the wasm-bindgen `--target web` output (npm/wasm/web) on 127.0.0.1, opens a
// page in headless /usr/bin/chromium that awaits init() and runs signContent
// over the shared request-signing vectors, and receives the results by POST.
//   node scripts/smoke/wasm-browser.mjs
// Env: WASM_OUT (default npm/wasm), ALIPAY_F2F_FIXTURES (default ../shared/fixtures),
//      CHROMIUM (default /usr/bin/chromium), SMOKE_TIMEOUT_MS (default 60000).
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const webDir = path.resolve(root, process.env.WASM_OUT || 'npm/wasm', 'web');
const fixtures = process.env.ALIPAY_F2F_FIXTURES || path.resolve(root, '..', 'shared', 'fixtures');
const chromium = process.env.CHROMIUM || '/usr/bin/chromium';
const timeoutMs = Number(process.env.SMOKE_TIMEOUT_MS || 60000);

const vectors = JSON.parse(readFileSync(path.join(fixtures, 'request_sign_vectors.json'), 'utf8'));
if (!existsSync(path.join(webDir, 'alipay_f2f_wasm.js'))) {
  console.error(`no web build in ${webDir}: run scripts/build-wasm.sh`);
  process.exit(1);
}

const page = `<!doctype html><meta charset="utf-8"><title>alipay-f2f wasm smoke</title>
<script type="module">
  const report = (r) => fetch('/result', { method: 'POST', body: JSON.stringify(r) });
  try {
    const m = await import('/wasm/alipay_f2f_wasm.js');
    await m.default();
    const params = await (await fetch('/params.json')).json();
    const got = params.map((p) => m.signContent(p));
    let errorCode = null;
    try { m.signContent({ a: 1 }); } catch (e) { errorCode = e.name + ':' + e.code; }
    report({ ok: true, got, errorCode, userAgent: navigator.userAgent });
  } catch (e) {
    report({ ok: false, error: String(e && e.stack || e) });
  }
</script>`;

const types = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.json': 'application/json' };
let resolveResult;
const result = new Promise((r) => { resolveResult = r; });

const server = createServer((req, res) => {
  const url = new URL(req.url, 'http://x');
  if (req.method === 'POST' && url.pathname === '/result') {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { res.end('ok'); resolveResult(JSON.parse(body)); });
    return;
  }
  if (url.pathname === '/') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    return res.end(page);
  }
  if (url.pathname === '/params.json') {
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(JSON.stringify(vectors.map((v) => v.params)));
  }
  if (url.pathname.startsWith('/wasm/')) {
    const file = path.join(webDir, path.basename(url.pathname));
    if (existsSync(file)) {
      res.writeHead(200, { 'content-type': types[path.extname(file)] || 'application/octet-stream' });
      return res.end(readFileSync(file));
    }
  }
  res.writeHead(404).end();
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const profile = mkdtempSync(path.join(tmpdir(), 'alipay-f2f-chromium-'));
const browser = spawn(chromium, [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage',
  `--user-data-dir=${profile}`, url,
], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });  // own process group: kill all its children
let stderr = '';
browser.stderr.on('data', (c) => { stderr += c; });
const exited = new Promise((r) => browser.on('exit', (code, signal) => r({ exited: true, code, signal })));
const timer = new Promise((r) => setTimeout(() => r({ timeout: true }), timeoutMs));

const r = await Promise.race([result, exited, timer]);
try { process.kill(-browser.pid, 'SIGKILL'); } catch { browser.kill('SIGKILL'); }
await exited;
server.close();
try { rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); } catch { /* tmp; best effort */ }

let failures = 0;
const check = (cond, what) => { console.log(`${cond ? 'ok  ' : 'FAIL'} ${what}`); if (!cond) failures++; };
if (r.timeout || r.exited) {
  console.error(r.timeout ? `no result from chromium within ${timeoutMs} ms` : `chromium exited early (${r.code ?? r.signal})`);
  console.error(stderr.split('\n').slice(-20).join('\n'));
  process.exit(1);
}
if (!r.ok) {
  console.error(`page error: ${r.error}`);
  process.exit(1);
}
console.log(`chromium: ${r.userAgent}`);
vectors.forEach((v, i) => check(r.got[i] === v.expected_sign_content, `signContent request_sign_vectors[${i}]`));
check(r.errorCode === 'AlipayError:ERR_INVALID_ARGUMENT', `bad params throw AlipayError ERR_INVALID_ARGUMENT (${r.errorCode})`);
process.exit(failures ? 1 : 0);
