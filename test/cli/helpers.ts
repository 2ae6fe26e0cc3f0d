import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { cpSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

export const REPO = resolve(import.meta.dirname, '..', '..')
export const BIN = join(REPO, 'bin', 'csp-billing.js')

/** Runs the real binary (bin/csp-billing.js → tsx → pipeline/cli.ts) in `cwd`. */
export function cli(args: string[], cwd: string = REPO): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, CI: 'true' } })
}

export function cliAsync(args: string[], cwd: string = REPO) {
  return spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, CI: 'true' } })
}

export function tempDir(prefix = 'csp-cli-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

/** A scratch copy of the committed synthetic sample (input/sample) to run against. */
export function sampleCopy(): { root: string; input: string; output: string } {
  const root = tempDir()
  cpSync(join(REPO, 'input', 'sample'), join(root, 'input'), { recursive: true })
  return { root, input: join(root, 'input'), output: join(root, 'output') }
}
