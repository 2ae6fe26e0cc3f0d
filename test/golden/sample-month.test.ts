/**
 * Golden run of the committed synthetic sample month (input/sample, 2026-10) through the whole pipeline:
 * row accounting (SPEC §6), the expected findings, golden text dumps of every workbook, and determinism
 * (two runs → identical bytes).
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { runPipeline, type RunOutcome } from '../../pipeline/run.js'
import { dumpWorkbook } from './dump.js'
import { expectRowAccounting } from '../row-accounting.js'
import BetterSqlite3 from 'better-sqlite3'

const REPO = resolve(import.meta.dirname, '..', '..')
const PERIOD = '2026-10'

async function runSample(outputRoot: string): Promise<RunOutcome> {
  return runPipeline({
    period: PERIOD,
    inputRoot: join(REPO, 'input', 'sample'),
    outputRoot,
    configPath: join(REPO, 'no-config-here.json'),
    configExplicit: false,
  })
}

function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name), `${prefix}${e.name}/`) : [`${prefix}${e.name}`]))
    .sort()
}

interface RunJson {
  inputs: { file: string; kind: string; rows: number; accepted: number; rejected: number }[]
  rows: { read: number; accepted: number; rejected: number; duplicates: number; invoiced: number; held: number; retained: number }
  resellers: { resellerId: string; subtotal: string; support: string; tax: string; total: string; cost: string; margin: string }[]
  controlTotals: { currency: string; cost: string; invoicedCost: string; heldCost: string; retainedCost: string }[]
  exceptions: Record<string, number>
  exitCode: number
}

describe('sample month 2026-10 (golden)', () => {
  const first = mkdtempSync(join(tmpdir(), 'csp-golden-a-'))
  const second = mkdtempSync(join(tmpdir(), 'csp-golden-b-'))
  let outcome: RunOutcome
  let runJson: RunJson

  beforeAll(async () => {
    outcome = await runSample(first)
    runJson = JSON.parse(readFileSync(join(first, PERIOD, 'run.json'), 'utf8')) as RunJson
  })

  it('completes with exit 0 (warnings only)', () => {
    expect(outcome.message).toBeUndefined()
    expect(outcome.exitCode).toBe(0)
    expect(runJson.exitCode).toBe(0)
  })

  it('accounts for every row: rows = accepted + rejected per file; recon accepted = invoiced + held + retained + duplicates', () => {
    expectRowAccounting(runJson, join(first, PERIOD, 'staging.sqlite'))
  })

  it('control totals balance per currency: cost = invoiced + held + retained', () => {
    for (const c of runJson.controlTotals) {
      const parts = [c.invoicedCost, c.heldCost, c.retainedCost].reduce((s, v) => s + Math.round(Number(v) * 100), 0)
      expect(Math.round(Number(c.cost) * 100), c.currency).toBe(parts)
    }
  })

  it('each reseller total = subtotal + support + tax, margin = subtotal − cost (to the cent)', () => {
    expect(runJson.resellers.length).toBeGreaterThanOrEqual(4)
    const cents = (v: string) => BigInt(v.replace('.', ''))
    for (const r of runJson.resellers) {
      expect(cents(r.total), r.resellerId).toBe(cents(r.subtotal) + cents(r.support) + cents(r.tax))
      expect(cents(r.margin), r.resellerId).toBe(cents(r.subtotal) - cents(r.cost))
    }
  })

  it('shows the realistic warning mix the sample was built for', () => {
    expect(runJson.exceptions).toMatchObject({
      DUPLICATE_LINE: 2,
      AMOUNT_MISMATCH: 1,
      SEAT_REDUCTION_OUTSIDE_WINDOW: 2,
      NEGATIVE_MARGIN: 1,
      OUT_OF_PERIOD: 1,
      PRICE_DERIVED: 1,
      MCA_NOT_CONFIRMED: 1,
    })
  })

  it('links every finding about a reconciliation row to its line id in the staging DB', () => {
    const db = new BetterSqlite3(join(first, PERIOD, 'staging.sqlite'), { readonly: true })
    const rows = db.prepare(`
      select f.rule, f.file, f.row, f.line_id, r.line_id as expected
      from findings f join input_files i on i.file = f.file and i.kind = 'reconciliation'
      left join recon_lines r on r.source_file = f.file and r.source_row = f.row`).all() as { line_id: number | null; expected: number | null }[]
    db.close()
    expect(rows.length).toBeGreaterThan(0)
    for (const r of rows) expect(r.line_id).toBe(r.expected)
  })

  it('matches the golden dumps of every workbook, exceptions.csv and run.json', async () => {
    const dir = join(first, PERIOD)
    for (const file of listFiles(dir).filter((f) => f.endsWith('.xlsx'))) {
      await expect(await dumpWorkbook(join(dir, file))).toMatchFileSnapshot(join('expected', `${file.replace(/\//g, '__')}.txt`))
    }
    await expect(readFileSync(join(dir, 'exceptions.csv'), 'utf8')).toMatchFileSnapshot(join('expected', 'exceptions.csv'))
    await expect(readFileSync(join(dir, 'run.json'), 'utf8')).toMatchFileSnapshot(join('expected', 'run.json'))
  })

  it('is deterministic: a second run gives byte-identical files', async () => {
    await new Promise((r) => setTimeout(r, 1100)) // a different wall-clock second must not leak into any file
    const again = await runSample(second)
    expect(again.exitCode).toBe(0)
    const a = listFiles(join(first, PERIOD))
    expect(listFiles(join(second, PERIOD))).toEqual(a)
    for (const file of a) {
      const same = readFileSync(join(first, PERIOD, file)).equals(readFileSync(join(second, PERIOD, file)))
      expect(same, file).toBe(true)
    }
  })
})
