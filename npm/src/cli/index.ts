#!/usr/bin/env node
/**
 * `alipay-f2f <command> [args]` — a small dispatcher. Each command is a file
 * in `cli/commands/` exporting a {@link Command}; adding a command means
 * adding a file.
 *
 * @module
 */

import { readdirSync } from 'node:fs'
import { join } from 'node:path'

/** A CLI command module (`cli/commands/<name>.ts`). */
export interface Command {
  /** Name typed after `alipay-f2f`. */
  name: string
  /** One-line description for `alipay-f2f --help`. */
  summary: string
  /** Runs the command; resolves to the process exit code. */
  run(argv: string[]): Promise<number> | number
}

/** Loads every command module shipped next to this file. */
export function loadCommands(): Map<string, Command> {
  const dir = join(__dirname, 'commands')
  const commands = new Map<string, Command>()
  for (const f of readdirSync(dir).sort()) {
    if (!f.endsWith('.js')) continue
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(join(dir, f)) as { command?: Command }
    if (mod.command) commands.set(mod.command.name, mod.command)
  }
  return commands
}

function usage(commands: Map<string, Command>): string {
  const lines = [...commands.values()].map((c) => `  ${c.name.padEnd(12)} ${c.summary}`)
  return `usage: alipay-f2f <command> [args]\n\ncommands:\n${lines.join('\n')}\n\nalipay-f2f <command> --help for details\n`
}

async function main(argv: string[]): Promise<number> {
  const commands = loadCommands()
  const [name, ...rest] = argv
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage(commands))
    return name ? 0 : 2
  }
  const cmd = commands.get(name)
  if (!cmd) {
    process.stderr.write(`alipay-f2f: unknown command ${JSON.stringify(name)}\n\n${usage(commands)}`)
    return 2
  }
  return cmd.run(rest)
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      process.stderr.write(`alipay-f2f: ${e instanceof Error ? e.message : String(e)}\n`)
      process.exitCode = 1
    },
  )
}
