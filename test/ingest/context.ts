/**
 * Test helper: a RunContext over a temporary input folder (`<tmp>/input/<period>/`, `<tmp>/input/reference/`)
 * and an in-memory staging DB, plus small writers for inline fixtures. Synthetic data only.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb } from '../../pipeline/db.js'
import { periodBounds, type RunContext } from '../../pipeline/context.js'
import { defaultSettings } from '../../schemas/config.js'
import { discover } from '../../stages/discover.js'
import { ingest } from '../../stages/ingest.js'
import type { Finding } from '../../pipeline/diagnostics.js'

export interface TestInput {
  ctx: RunContext
  root: string
  /** Write a file into the period folder (or `reference/...` into the reference folder). */
  write(name: string, content: string | Buffer): string
  cleanup(): Promise<void>
}

export function makeInput(period = '2026-10'): TestInput {
  const root = mkdtempSync(join(tmpdir(), 'csp-ingest-'))
  const inputRoot = join(root, 'input')
  const periodDir = join(inputRoot, period)
  const referenceDir = join(inputRoot, 'reference')
  mkdirSync(periodDir, { recursive: true })
  mkdirSync(referenceDir, { recursive: true })
  const settings = defaultSettings()
  const bounds = periodBounds(period, settings.periodStartDay)
  const ctx: RunContext = {
    period,
    periodStart: bounds.start,
    periodEnd: bounds.end,
    inputRoot,
    periodDir,
    referenceDir,
    outputRoot: join(root, 'output'),
    workDir: join(root, 'output', `.${period}.tmp`),
    settings,
    db: openDb(':memory:'),
  }
  return {
    ctx,
    root,
    write(name, content) {
      const path = name.startsWith('reference/') ? join(referenceDir, name.slice('reference/'.length)) : join(periodDir, name)
      writeFileSync(path, content)
      return path
    },
    async cleanup() {
      await ctx.db.close()
      rmSync(root, { recursive: true, force: true })
    },
  }
}

/** discover → ingest, as pipeline/run.ts chains them; returns every finding of both. */
export async function runIngest(ctx: RunContext) {
  const found = await discover(undefined, ctx)
  const result = await ingest(found.output, ctx)
  const findings: Finding[] = [...found.findings, ...result.findings]
  return { discovered: found.output, summary: result.output, findings }
}

export interface InputFileRow {
  file: string
  kind: string
  sha256: string
  rows: number
  accepted: number
  rejected: number
  unknown_columns: string
}

export function inputFiles(ctx: RunContext): InputFileRow[] {
  return ctx.db.sqlite.prepare('select file, kind, sha256, rows, accepted, rejected, unknown_columns from input_files order by file_id').all() as InputFileRow[]
}

/** CSV text from rows of cells (no quoting: fixtures keep commas out of cells unless quoted by hand). */
export function csv(rows: string[][], eol = '\n'): string {
  return rows.map((r) => r.join(',')).join(eol) + eol
}
