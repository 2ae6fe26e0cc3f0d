/**
 * Line endings and quote faults through discover → ingest (SPEC §2: CSV with CRLF or LF; an unterminated quote
 * makes the file unreadable, all its data rows rejected): a file mixing CRLF and LF loses no row and keeps its
 * row numbers; a quote left open past its line gives one UNREADABLE_FILE naming the row, and the file's rows are
 * its non-blank data lines; a quote fault within one line rejects that row only. Then the same repairs on a copy
 * of the sample month through the whole pipeline, checked on run.json (SPEC §6 row accounting).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { runPipeline } from '../../pipeline/run.js'
import { expectRowAccounting } from '../row-accounting.js'
import { CUSTOMERS_HEADER, RECON_HEADER, reconRow } from '../fixtures/ingest/builders.js'
import { inputFiles, makeInput, runIngest, type TestInput } from './context.js'

let input: TestInput
afterEach(async () => input.cleanup())

const H = [...RECON_HEADER]
const line = (cells: readonly string[]) => cells.join(',')
/** Recon lines sub-1 … sub-n, as cells. */
const subs = (n: number, overrides: Record<number, Record<string, string>> = {}) =>
  Array.from({ length: n }, (_, i) => reconRow({ SubscriptionId: `sub-${i + 1}`, ...overrides[i + 1] }))

function accounting() {
  for (const f of inputFiles(input.ctx)) expect(f.rows, f.file).toBe(f.accepted + f.rejected)
}

const loaded = () => input.ctx.db.sqlite.prepare('select subscription_id s, source_row r from recon_lines order by line_id').all()

describe('a file mixing CRLF and LF', () => {
  it('reconciliation, CRLF with one lone LF: no row lost, later rows keep their numbers', async () => {
    input = makeInput()
    // Rows 2–7; the LF ends row 4; row 6 has a bad UnitPrice (its finding must say row 6).
    const rows = [H, ...subs(6, { 5: { UnitPrice: 'bad' } })].map(line)
    input.write('recon.csv', rows.slice(0, 4).join('\r\n') + '\n' + rows.slice(4).join('\r\n') + '\r\n')
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.column])).toEqual([['REJECTED_ROW', 6, 'UnitPrice (K)']])
    expect(loaded()).toEqual([
      { s: 'sub-1', r: 2 }, { s: 'sub-2', r: 3 }, { s: 'sub-3', r: 4 }, { s: 'sub-4', r: 5 }, { s: 'sub-6', r: 7 },
    ])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'reconciliation', rows: 6, accepted: 5, rejected: 1 })
    accounting()
  })

  it('reference customers, LF lines appended to a CRLF file: every row read', async () => {
    input = makeInput()
    const crlf = [line(CUSTOMERS_HEADER), 'c1,R1,2024-01-02', 'c2,R1,'].join('\r\n') + '\r\n'
    input.write('reference/customers.csv', crlf + 'c3,R2,2024-03-04\nc4,R2,\n')
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select customer_id c from customers order by c').all()).toEqual([{ c: 'c1' }, { c: 'c2' }, { c: 'c3' }, { c: 'c4' }])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'customers', rows: 4, accepted: 4, rejected: 0 })
    accounting()
  })
})

describe('quote faults', () => {
  /** Minimal quoting, CRLF: a cell is quoted only when it holds a comma. */
  const recon = (cells: string[][]) => cells.map((r) => r.map((c) => (c.includes(',') ? `"${c}"` : c)).join(',')).join('\r\n') + '\r\n'

  it.each([
    {
      // Row 4's CustomerName opens a quote never closed on its line; papaparse closes it at row 5's quoted cell.
      name: 'a quote closed on a later line',
      text: recon([H, ...subs(6, { 3: { CustomerName: '"Contoso Test' }, 4: { SkuName: 'Basic, annual' } })]),
      file: 'recon.csv',
      reason: ['row 4', 'unterminated quote'],
      rows: 6,
    },
    {
      name: 'a quote never closed (blank lines and the final line break are not rows)',
      text: [line(CUSTOMERS_HEADER), 'c1,R1,', 'c2,R1,', 'c3,R1,"2024-06-02', 'c4,R2,', '', 'c5,R2,', ''].join('\r\n') + '\r\n',
      file: 'reference/customers.csv',
      reason: ['row 4', 'never closed'],
      rows: 5,
    },
  ])('$name → one UNREADABLE_FILE, every data line rejected', async ({ text, file, reason, rows }) => {
    input = makeInput()
    input.write(file, text)
    const { findings } = await runIngest(input.ctx)
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({ rule: 'UNREADABLE_FILE', row: 1 })
    for (const r of reason) expect(findings[0]!.message).toContain(r)
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'unreadable', rows, accepted: 0, rejected: rows })
    expect(loaded()).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select count(*) n from customers').get()).toEqual({ n: 0 })
    accounting()
  })

  it('a quote fault within one line rejects that row only', async () => {
    input = makeInput()
    const rows = subs(4).map(line)
    rows[1] = rows[1]!.replace(',Contoso Test,', ',"Contoso" Test",') // row 3: text after a quote, closed on its line
    input.write('recon.csv', [line(H), ...rows].join('\r\n') + '\n')
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row])).toEqual([['REJECTED_ROW', 3]])
    expect(findings[0]!.message).toContain('text after its closing quote')
    expect(loaded()).toEqual([{ s: 'sub-1', r: 2 }, { s: 'sub-3', r: 4 }, { s: 'sub-4', r: 5 }])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ rows: 4, accepted: 3, rejected: 1 })
    accounting()
  })
})

describe('the sample month through the whole pipeline, damaged as end-to-end testing found it', () => {
  const SAMPLE = resolve(import.meta.dirname, '..', '..', 'input', 'sample')
  const RECON = join('2026-10', 'InvoiceReconciliation_G052610001.csv')
  const roots: string[] = []
  afterEach(() => {
    for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true })
  })

  async function run(damage: (root: string) => void) {
    const root = mkdtempSync(join(tmpdir(), 'csp-line-endings-'))
    roots.push(root)
    cpSync(SAMPLE, join(root, 'input'), { recursive: true })
    damage(join(root, 'input'))
    const outcome = await runPipeline({ period: '2026-10', inputRoot: join(root, 'input'), outputRoot: join(root, 'output'), configPath: join(root, 'none.json'), configExplicit: false })
    const dir = join(root, 'output', '2026-10')
    const runJson = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))
    expectRowAccounting(runJson, join(dir, 'staging.sqlite'))
    const of = (file: string) => runJson.inputs.find((i: { file: string }) => i.file === file)
    return { outcome, runJson, of, exceptions: readFileSync(join(dir, 'exceptions.csv'), 'utf8') }
  }

  const edit = (path: string, change: (text: Buffer) => Buffer) => writeFileSync(path, change(readFileSync(path)))

  it('a lone LF ending line 100 of the CRLF reconciliation file: all 179 rows accepted, none rejected', async () => {
    const { runJson, of, exceptions } = await run((root) =>
      edit(join(root, RECON), (b) => {
        const lines = b.toString('latin1').split('\r\n')
        return Buffer.from(lines.slice(0, 100).join('\r\n') + '\n' + lines.slice(100).join('\r\n'), 'latin1')
      }),
    )
    expect(of('2026-10/InvoiceReconciliation_G052610001.csv')).toMatchObject({ kind: 'reconciliation', rows: 179, accepted: 179, rejected: 0 })
    expect(runJson.rows).toMatchObject({ rejected: 0, invoiced: 179 })
    expect(exceptions).not.toContain('REJECTED_ROW')
  })

  it('a quote opened on row 5 of customers.csv and never closed: 16 rows, all rejected', async () => {
    const { of, exceptions } = await run((root) =>
      edit(join(root, 'reference', 'customers.csv'), (b) => {
        const lines = b.toString('utf8').split('\r\n')
        lines[4] = lines[4]!.replace(/,(\d{4}-\d\d-\d\d)$/, ',"$1')
        return Buffer.from(lines.join('\r\n'), 'utf8')
      }),
    )
    expect(of('reference/customers.csv')).toMatchObject({ kind: 'unreadable', rows: 16, accepted: 0, rejected: 16 })
    expect(exceptions).toContain('a quoted cell that starts on row 5 is never closed')
  })
})
