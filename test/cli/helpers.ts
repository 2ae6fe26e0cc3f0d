import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
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

/**
 * The header and first data row of the sample month's small reconciliation file (all cells quoted, CRLF, BOM), so a
 * test can write variants of a known-good line: `variant({ UnitPrice: 'twelve' })`, and `quotedCsv` to write them.
 */
export function sampleReconRow(periodDir: string): { header: string[]; row: string[]; variant: (changes: Record<string, string>) => string[] } {
  const source = readdirSync(periodDir).find((f) => f.endsWith('_resend.csv')) as string
  const lines = readFileSync(join(periodDir, source), 'utf8').replace(/^\uFEFF/, '').split('\r\n').filter(Boolean)
  const unquote = (line: string) => line.split('","').map((c) => c.replace(/"/g, ''))
  const header = unquote(lines[0] as string)
  const row = unquote(lines[1] as string)
  const variant = (changes: Record<string, string>) => {
    const cells = [...row]
    for (const [column, value] of Object.entries(changes)) cells[header.indexOf(column)] = value
    return cells
  }
  return { header, row, variant }
}

/** Rows as a fully quoted CSV text with CRLF line ends, like a Partner Center export. */
export function quotedCsv(rows: string[][]): string {
  return rows.map((cells) => cells.map((c) => `"${c}"`).join(',')).join('\r\n')
}
