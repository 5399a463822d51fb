#!/usr/bin/env node
// Builds the npm package `alipay-f2f` in place:
//   1. the Node-API addon (napi build --platform) into native/ with its loader native/index.js
//   2. the sandbox binary (cargo build -p alipay-f2f-sandbox) into native/
//   3. TypeScript (tsc) into dist/ (CommonJS + .d.ts)
//   4. ESM entry points dist/*.mjs that re-export the CommonJS build (one copy of every class)
// Flags: --native-only, --ts-only, --wasm-only (the esbuild wasm bundles only). Env: ALIPAY_F2F_PROFILE=debug for a fast unoptimized build.
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repo = resolve(pkg, '..')
const args = new Set(process.argv.slice(2))
const release = (process.env.ALIPAY_F2F_PROFILE ?? 'release') !== 'debug'
const bin = (name) => join(pkg, 'node_modules', '.bin', name)

function run(cmd, argv, opts = {}) {
  const t0 = Date.now()
  console.error(`[build] ${cmd} ${argv.join(' ')}`)
  const r = spawnSync(cmd, argv, { stdio: 'inherit', cwd: pkg, ...opts })
  if (r.error) throw r.error
  if (r.status !== 0) {
    console.error(`[build] failed: ${cmd} exited with ${r.status}`)
    process.exit(r.status ?? 1)
  }
  console.error(`[build] done in ${((Date.now() - t0) / 1000).toFixed(1)}s`)
}

function cargoTargetDir() {
  if (process.env.CARGO_TARGET_DIR) return resolve(repo, process.env.CARGO_TARGET_DIR)
  const r = spawnSync('cargo', ['metadata', '--format-version', '1', '--no-deps'], { cwd: repo, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (r.status !== 0) throw new Error(`cargo metadata failed: ${r.stderr}`)
  return JSON.parse(r.stdout).target_directory
}

function buildNative() {
  mkdirSync(join(pkg, 'native'), { recursive: true })
  run(bin('napi'), [
    'build', '--platform', ...(release ? ['--release'] : []),
    '--manifest-path', '../bindings-node/Cargo.toml',
    '--package-json-path', 'package.json',
    '--output-dir', 'native', '--js', 'index.js', '--dts', 'index.d.ts',
  ])
  // same explicit --target as `napi build`, so the core's release artifacts are shared, not rebuilt
  const host = /^host: (.+)$/m.exec(spawnSync('rustc', ['-vV'], { encoding: 'utf8' }).stdout)?.[1]
  if (!host) throw new Error('cannot read the host triple from `rustc -vV`')
  run('cargo', ['build', ...(release ? ['--release'] : []), '--target', host, '-p', 'alipay-f2f-sandbox', '--bin', 'alipay-f2f-sandbox'], { cwd: repo })
  const exe = process.platform === 'win32' ? 'alipay-f2f-sandbox.exe' : 'alipay-f2f-sandbox'
  const built = join(cargoTargetDir(), host, release ? 'release' : 'debug', exe)
  // copy + rename: replaces the file even while a sandbox from it is running (ETXTBSY otherwise)
  const tmp = join(pkg, 'native', `.${exe}.${process.pid}.tmp`)
  copyFileSync(built, tmp)
  chmodSync(tmp, 0o755)
  renameSync(tmp, join(pkg, 'native', exe))
  copyFileSync(join(repo, 'sandbox', 'keys', 'demo-app-private-key.pem'), join(pkg, 'native', 'sandbox-demo-app-private-key.pem'))
}

function buildTs() {
  rmSync(join(pkg, 'dist'), { recursive: true, force: true })
  run(bin('tsc'), ['-p', 'tsconfig.json'])
  const require = createRequire(import.meta.url)
  for (const entry of ['index', 'sandbox']) {
    const cjs = require(join(pkg, 'dist', `${entry}.js`))
    const names = Object.keys(cjs).filter((n) => n !== '__esModule' && n !== 'default')
    writeFileSync(
      join(pkg, 'dist', `${entry}.mjs`),
      `// ESM entry: re-exports the CommonJS build so both module systems share one copy of every class.\n` +
        `import cjs from './${entry}.js'\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = cjs\n`,
    )
    writeFileSync(join(pkg, 'dist', `${entry}.d.mts`), `export * from './${entry}.js'\n`)
  }
  chmodSync(join(pkg, 'dist', 'cli', 'index.js'), 0o755)
}

// WebAssembly entries (wasm engineer): esbuild bundles each entry with its own copy of the
// TypeScript layer and the wasm-bindgen glue of scripts/build-wasm.sh (npm/wasm/web):
//   dist/wasm.js (+ .mjs)  `alipay-f2f/wasm` in Node (CommonJS, loads the .wasm synchronously)
//   dist/browser.mjs       browser / worker / deno / bun / default (ESM, lazy `init()`)
//   dist/wasm-fallback.js  the main Node entry's binding where no addon loads (src/native.ts)
// Skipped with a warning when the wasm glue has not been built.
function buildWasmEntries() {
  const glue = join(pkg, 'wasm', 'web', 'alipay_f2f_wasm.js')
  if (!existsSync(glue)) {
    console.error('[build] wasm glue missing (run scripts/build-wasm.sh): skipping the wasm entries')
    return
  }
  const common = ['--bundle', '--alias:alipay-f2f-wasm-glue=./wasm/web/alipay_f2f_wasm.js', '--log-level=warning', '--legal-comments=none']
  run(bin('esbuild'), ['src/wasm.ts', ...common, '--platform=node', '--format=cjs', '--target=node20',
    '--log-override:empty-import-meta=silent', '--outfile=dist/wasm.js'])
  run(bin('esbuild'), ['src/browser.mts', ...common, '--platform=neutral', '--format=esm', '--target=es2022',
    '--outfile=dist/browser.mjs'])
  // the main entry's stand-in where no addon loads (src/native.ts): the glue and the wasm binding,
  // with the main entry's own errors module (one AlipayError class)
  run(bin('esbuild'), ['src/wasm-fallback.ts', ...common, '--platform=node', '--format=cjs', '--target=node20',
    '--external:./errors.js', '--outfile=dist/wasm-fallback.js'])
  for (const f of ['wasm-api.js', 'wasm-binding.js', 'wasm-install.js', 'wasm-node.js']) rmSync(join(pkg, 'dist', f), { force: true })
  const require = createRequire(import.meta.url)
  const names = Object.keys(require(join(pkg, 'dist', 'wasm.js'))).filter((n) => n !== '__esModule' && n !== 'default')
  writeFileSync(
    join(pkg, 'dist', 'wasm.mjs'),
    `// ESM entry of alipay-f2f/wasm in Node: re-exports the CommonJS bundle (one copy of every class).\n` +
      `import cjs from './wasm.js'\n\nexport const {\n${names.map((n) => `  ${n},`).join('\n')}\n} = cjs\n`,
  )
  writeFileSync(join(pkg, 'dist', 'wasm.d.mts'), `export * from './wasm.js'\n`)
}

const t0 = Date.now()
if (args.has('--wasm-only')) {
  buildWasmEntries()
  process.exit(0)
}
if (!args.has('--ts-only')) buildNative()
if (!args.has('--native-only')) {
  if (!existsSync(join(pkg, 'native', 'index.js'))) throw new Error('native/index.js missing: build the addon first')
  buildTs()
  buildWasmEntries()
}
console.error(`[build] alipay-f2f built in ${((Date.now() - t0) / 1000).toFixed(1)}s (${release ? 'release' : 'debug'})`)
