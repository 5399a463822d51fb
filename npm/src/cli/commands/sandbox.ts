/**
 * `alipay-f2f sandbox [--port N] [--app APP_ID=APP_PUBLIC_KEY_FILE]... [--speed F] ...`:
 * runs the offline gateway in the foreground (all flags go to the
 * `alipay-f2f-sandbox` binary; `--help` lists scenarios and faults).
 *
 * @module
 */

import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

import { sandboxBinaryPath } from '../../sandbox.js'
import type { Command } from '../index.js'

/** The `sandbox` command. */
export const command: Command = {
  name: 'sandbox',
  summary: 'run the offline Alipay sandbox gateway (prints a JSON ready line)',
  run(argv) {
    const bin = sandboxBinaryPath()
    if (!existsSync(bin)) {
      process.stderr.write(`alipay-f2f: sandbox binary not found at ${bin}\n`)
      return 1
    }
    const child = spawn(bin, argv, { stdio: 'inherit' })
    const forward = (sig: NodeJS.Signals) => () => {
      child.kill(sig)
    }
    const onInt = forward('SIGINT')
    const onTerm = forward('SIGTERM')
    process.on('SIGINT', onInt)
    process.on('SIGTERM', onTerm)
    return new Promise<number>((resolve) => {
      child.once('error', (e) => {
        process.stderr.write(`alipay-f2f: cannot start the sandbox: ${e.message}\n`)
        resolve(1)
      })
      child.once('exit', (code, signal) => {
        process.removeListener('SIGINT', onInt)
        process.removeListener('SIGTERM', onTerm)
        resolve(code ?? (signal === 'SIGTERM' || signal === 'SIGINT' ? 0 : 1))
      })
    })
  },
}
