#!/usr/bin/env node
// Packaging gates on a packed tarball (default: `npm pack` now): publint --strict, and
// @arethetypeswrong/cli where every problem fails except the ones that are by design:
//   - `./sandbox` is Node-only (it spawns a binary): no browser/bundler resolution;
//   - `.wasm` asset entry points have no JavaScript or types to resolve;
//   - subpaths under `node10` (no `exports` support there).
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const pkg = resolve(dirname(fileURLToPath(import.meta.url)), '..')
let tgz = process.argv[2]
if (!tgz) {
  const r = spawnSync('npm', ['pack', '--silent', '--ignore-scripts'], { cwd: pkg, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(r.stderr)
  tgz = join(pkg, r.stdout.trim().split('\n').pop())
}
const bin = (n) => join(pkg, 'node_modules', '.bin', n)

const pub = spawnSync(bin('publint'), ['run', tgz, '--strict'], { stdio: 'inherit' })
if (pub.status !== 0) process.exit(pub.status ?? 1)

const dir = mkdtempSync(join(tmpdir(), 'attw-'))
const out = join(dir, 'attw.json')
// attw truncates JSON written to a pipe: redirect into a file through the shell
spawnSync('sh', ['-c', `"${bin('attw')}" "${tgz}" --format json > "${out}"`], { stdio: ['ignore', 'ignore', 'inherit'] })
const report = JSON.parse(readFileSync(out, 'utf8'))
rmSync(dir, { recursive: true, force: true })
const allowed = (p) =>
  p.kind === 'NoResolution' &&
  (p.entrypoint.endsWith('.wasm') ||
    (p.entrypoint === './sandbox' && p.resolutionKind === 'bundler') ||
    (p.resolutionKind === 'node10' && p.entrypoint !== '.'))
const problems = report.analysis?.problems ?? report.problems ?? []
const bad = problems.filter((p) => !allowed(p))
for (const p of problems) console.error(`attw: ${allowed(p) ? 'allowed' : 'PROBLEM'} ${JSON.stringify(p)}`)
if (bad.length) {
  console.error(`attw: ${bad.length} packaging problem(s)`)
  process.exit(1)
}
console.error('attw: ok (every JS entry point resolves to matching types under node16 CJS/ESM and bundler)')
