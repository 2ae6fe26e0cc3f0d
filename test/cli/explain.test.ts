/**
 * explain: for one input row, where it went and the computation of its sell amount (issue 8), on the sample
 * month plus a copy with a held line (unknown reseller) and a rejected row.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import BetterSqlite3 from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runPipeline } from '../../pipeline/run.js'
import { explain, type ExplainTarget } from '../../pipeline/explain.js'
import { cli, quotedCsv, sampleCopy, sampleReconRow } from './helpers.js'
import { Fixture } from '../write/fixture.js'

const PERIOD = '2026-10'
const RECON = 'InvoiceReconciliation_G052610001.csv'
let output: string

function explainText(target: ExplainTarget): string {
  const r = explain(join(output, PERIOD, 'staging.sqlite'), target)
  if (!r.ok) throw new Error(r.message)
  return r.text
}

beforeAll(async () => {
  const copy = sampleCopy()
  output = copy.output
  // One line for a reseller nobody knows (held) and one row with a malformed price (rejected).
  const dir = join(copy.input, PERIOD)
  const { header, variant } = sampleReconRow(dir)
  const held = variant({ Tier2MpnId: '9999999', CustomerId: 'c0ffee00-0000-4000-8000-000000000001' })
  const rejected = variant({ UnitPrice: '1,234.50' })
  const twoLineName = variant({ Tier2MpnId: '9999999', CustomerId: 'c0ffee00-0000-4000-8000-000000000002', CustomerName: 'Contoso\r\n  went to: INVOICED' })
  writeFileSync(join(dir, 'zz-extra.csv'), quotedCsv([header, held, rejected, twoLineName]))
  // A file rejected whole (no Currency column) and one that is not read at all.
  const currency = header.indexOf('Currency')
  writeFileSync(join(dir, 'zz-missing.csv'), quotedCsv([header, held].map((cells) => cells.filter((_, i) => i !== currency))))
  writeFileSync(join(dir, 'zz-empty.csv'), '') // UNREADABLE_FILE, 0 rows
  writeFileSync(join(dir, 'notes.txt'), 'not billing data\n')
  const outcome = await runPipeline({ period: PERIOD, inputRoot: copy.input, outputRoot: output, configPath: join(copy.root, 'none.json'), configExplicit: false })
  expect(outcome.exitCode).toBe(1)
}, 120_000)

describe('explain', () => {
  it('a prorated seat line: cycle, billing days ÷ cycle days, rule, ERP price, rounding', () => {
    const text = explainText({ file: RECON, row: 16 })
    expect(text).toContain('went to: INVOICED to reseller 5120448')
    expect(text).toContain('charge cycle 2026-09-24 → 2026-10-23 (30 days); event date 2026-10-14; billing days 10')
    expect(text).toContain('proration factor 10 ÷ 30 days = 0.33333333…')
    expect(text).toContain('method erp-discount 10%')
    // Where 15.75 comes from: the price-list row by file:row, its whole-term ERP Price ÷ 12 monthly cycles.
    expect(text).toContain([
      '    price book STANDARD: category rule (reference/pricebooks.csv:4, effective 2026-07-01 to open) — the most specific rule in force on 2026-09-24, the date of the charge this refund reverses (SPEC §4.4)',
      '    method erp-discount 10%',
      '    ERP cycle price 15.75 USD (from the price list on the term start)',
      '      price-list row 2026-10/PriceList_NCE_2026-10.xlsx:6: CFQ7TTC0S1D7/0001 Microsoft 365 Business Standard, P1Y/Monthly, USD, Segment Commercial, Market US; UnitPrice 151.2, ERP Price 189 (whole-term prices); effective 2025-04-01 to 9999-11-30',
      '      ERP Price 189 per P1Y term × 1 ÷ 12 months (Monthly cycle) = 15.75 per cycle',
      '      customer segment commercial (customers sheet reference/customers.csv:7, Segment empty: Commercial by default): so the row with Segment Commercial applies (a row with a Segment is only for customers of that segment)',
      '    credit: −(ERP 15.75/cycle × 10/30 × 14 × 1 × (1 − 10%)) = -66.15',
    ].join('\n'))
    expect(text).toContain('sell amount')
    expect(text).toContain('SEAT_REDUCTION_OUTSIDE_WINDOW')
  })

  it('an erp-discount line with a derived premium', () => {
    const text = explainText({ file: `${PERIOD}/${RECON}`, row: 6 })
    expect(text).toContain('derived from the P1Y/Annual price with a 20% premium')
    // Derived: the P1Y/Annual row it came from (no P1M/Monthly row exists), by file:row.
    expect(text).toContain([
      '      the price list has no P1M/Monthly row for CFQ7TTC0S4T6/0002 in USD effective on the term start 2026-10-09; derived from its P1Y/Annual row:',
      '      price-list row 2026-10/PriceList_NCE_2026-10.xlsx:29: CFQ7TTC0S4T6/0002 Microsoft Defender for Business, P1Y/Annual, USD, Segment Commercial, Market US; UnitPrice 28.8, ERP Price 36 (whole-term prices); effective 2024-01-01 to 9999-11-30',
      '      ERP Price 36 per P1Y term × 1/12 × (1 + 20%) premium (settings.premiums, P1M/Monthly, in force since 2022-03-01) = 3.6 per cycle',
      '      customer segment commercial (customers sheet reference/customers.csv:2, Segment empty: Commercial by default): so the row with Segment Commercial applies (a row with a Segment is only for customers of that segment)',
    ].join('\n'))
    expect(text).toContain('PRICE_DERIVED')
    expect(text).toMatch(/rounded half-up \(away from zero\) to the currency unit: 58\.32 USD/)
  })

  it('a markup Azure plan line', () => {
    const text = explainText({ file: RECON, row: 100 })
    expect(text).toContain('category azure-plan')
    expect(text).toContain('method markup')
    expect(text).toContain('went to: INVOICED')
    expect(text).not.toContain('price-list row') // markup prices the cost: no price-list row is involved
  })

  it('an erp-discount Azure plan line: the retail UnitPrice of the line, not a price-list row', () => {
    const text = explainText({ file: RECON, row: 151 })
    expect(text).toContain('    method erp-discount 5%\n    retail price 1.536 USD per unit: the line\'s UnitPrice (Azure consumption prices are retail; no price-list row)\n')
    expect(text).not.toContain('price-list row 2026-10')
  })

  it('a usage row: summed into its usage group (not stored one by one); an out-of-period row: stored whole', () => {
    const summed = explainText({ file: 'DailyRatedUsage_2026-10.csv.gz', row: 4 })
    expect(summed).toContain('daily usage row, accepted and summed')
    expect(summed).toContain('its usage group (all its rows in the period, in every usage file):')
    expect(summed).toMatch(/Standard IPv4 Static Public IP: \d+ rows, Σ [\d.]+ USD/)
    const outside = explainText({ file: 'DailyRatedUsage_2026-10.csv.gz', row: 33 })
    expect(outside).toContain('2026-09-30')
    expect(outside).toContain('left out of the tie-out')
    expect(outside).toContain('OUT_OF_PERIOD')
  })

  // explain said which reseller a line went to, but not why (attribution review).
  it('names where the reseller comes from: the Tier2MpnId, or the customers sheet row when it is 0 or empty', () => {
    expect(explainText({ file: RECON, row: 2 })).toContain("\n  reseller 4410021: the line's Tier2MpnId '4410021'\n")
    expect(explainText({ file: RECON, row: 39 })).toMatch(/\n {2}reseller \d+: customers sheet reference\/customers\.csv:\d+ \(the line's Tier2MpnId is '0'\)\n/)
    expect(explainText({ file: 'zz-extra.csv', row: 2 })).toContain("\n  reseller 9999999: the line's Tier2MpnId '9999999'\n")
  })

  it('a held line names the rule that holds it', () => {
    const text = explainText({ file: 'zz-extra.csv', row: 2 })
    expect(text).toContain('went to: HELD (UNKNOWN_RESELLER)')
    expect(text).toContain('ERROR UNKNOWN_RESELLER')
  })

  // A name typed over two lines broke the layout: its second line read as the explanation's own.
  it('a line break inside a value stays on its line, shown as ↵', () => {
    const text = explainText({ file: 'zz-extra.csv', row: 4 })
    expect(text).toContain('customer Contoso ↵   went to: INVOICED (c0ffee00-0000-4000-8000-000000000002)')
    expect(text.split('\n').filter((line) => line.trim().startsWith('went to:'))).toEqual([expect.stringMatching(/^ {2}went to: HELD \(UNKNOWN_RESELLER\)/)])
  })

  it('a rejected row names column and value', () => {
    const text = explainText({ file: 'zz-extra.csv', row: 3 })
    expect(text).toContain('went to: REJECTED')
    expect(text).toContain("REJECTED_ROW UnitPrice")
    expect(text).toContain('1,234.50')
  })

  it('shows the rounded sell amount with the currency decimals, as the invoice does (4050.00, not 4050)', () => {
    const db = new BetterSqlite3(join(output, PERIOD, 'staging.sqlite'), { readonly: true })
    const line = db.prepare(`select line_id, sell, currency from priced_lines where status = 'invoiced' and currency = 'USD' and sell not like '%.%' limit 1`).get() as { line_id: number; sell: string; currency: string }
    db.close()
    expect(explainText({ lineId: line.line_id })).toContain(`to the currency unit: ${line.sell}.00 USD`)
  })

  // Found by an end-to-end review: both said "has no data row 2", which contradicted run.json.
  it('a row of a file rejected whole names the file-level finding; an ignored file says it was not read', () => {
    const text = explainText({ file: 'zz-missing.csv', row: 2 })
    expect(text).toContain('went to: REJECTED with the whole file (MISSING_COLUMN)')
    expect(text).toContain('Currency')
    // A file rejected whole with no rows at all has no row 9 to explain (review: explain made one up).
    const empty = explain(join(output, PERIOD, 'staging.sqlite'), { file: 'zz-empty.csv', row: 9 })
    expect(empty).toEqual({ ok: false, message: expect.stringContaining('2026-10/zz-empty.csv has no data rows (run.json: 0 rows; the file was rejected whole: ') })
    const ignored = explain(join(output, PERIOD, 'staging.sqlite'), { file: 'notes.txt', row: 1 })
    expect(ignored.ok).toBe(false)
    if (!ignored.ok) expect(ignored.message).toContain('2026-10/notes.txt was not read: run.json lists it as ignored')
  })

  it('a duplicate, by invoice line id, through the real binary', () => {
    const byFile = cli(['explain', '--period', PERIOD, '--output', output, `${PERIOD}/InvoiceReconciliation_G052610001_resend.csv:2`])
    expect(byFile.status).toBe(0)
    expect(byFile.stdout).toContain('DROPPED AS DUPLICATE of 2026-10/InvoiceReconciliation_G052610001.csv:43')
    const lineId = /reconciliation line (\d+)/.exec(explainText({ file: RECON, row: 43 }))?.[1]
    const byLine = cli(['explain', '--period', PERIOD, '--output', output, '--line', String(lineId)])
    expect(byLine.status).toBe(0)
    expect(byLine.stdout).toContain(`${PERIOD}/${RECON}:43`)
    const missing = cli(['explain', '--period', PERIOD, '--output', output, 'nope.csv:2'])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toContain("'nope.csv' is not an input file of this run")
    // A period that walks out of its folder reads another run's DB: refused like run and validate refuse it.
    for (const period of [`${PERIOD}/../${PERIOD}`, `../output/${PERIOD}`]) {
      const odd = cli(['explain', '--period', period, '--output', output, '--line', String(lineId)])
      expect(odd.status).toBe(2)
      expect(odd.stderr).toContain(`--period '${period}' is not a billing period`)
    }
  }, 60_000)

  // It printed the staging table's record (ids, nulls, JSON); a finance user reads the sheet's own columns.
  it('a reference row is shown in its sheet\'s column names, without empty values', () => {
    expect(explainText({ file: 'reference/pricebooks.csv', row: 3 })).toContain(
      'a pricebooks row, used as reference data: PriceBook STANDARD, Scope category, Category license, Method erp-discount, Percent 12, EffectiveFrom 2026-01-01, EffectiveTo 2026-06-30')
  })

  it('a staging DB that is not one (damaged, emptied) is named, with what to do', () => {
    const copy = sampleCopy()
    for (const [content, says] of [['not a database', 'file is not a database'], ['', 'no such table']] as const) {
      const db = join(copy.output, PERIOD, 'staging.sqlite')
      mkdirSync(join(copy.output, PERIOD), { recursive: true })
      writeFileSync(db, content)
      const r = explain(db, { lineId: 1 })
      expect(r).toEqual({ ok: false, message: expect.stringContaining(`${db} cannot be read as a run's staging DB (`) })
      expect(r.ok ? '' : r.message).toContain(says)
      expect(r.ok ? '' : r.message).toContain('run `csp-billing run` for this period again')
    }
  })
})

describe('explain, a usage row of interleaved groups', () => {
  // Usage review: the first three partials covering the row's number were named as if one held it (none did), and a
  // file read by two threads showed half a group's rows and sum.
  it('one group covering the row: that group with its totals; several: said to be unknowable, all listed', async () => {
    const f = new Fixture()
    f.inputFile('2026-10/usage.csv', 'usage', 4)
    f.usageRows([
      { customerId: 'cust-a', quantity: '1', amount: '0.10', category: 'Storage' }, // row 2
      { customerId: 'cust-b', quantity: '2', amount: '0.20', category: 'Network' }, // row 3
      { customerId: 'cust-a', quantity: '3', amount: '0.30', category: 'Storage' }, // row 4
    ])
    const dir = mkdtempSync(join(tmpdir(), 'csp-explain-usage-'))
    const path = join(dir, 'staging.sqlite')
    writeFileSync(path, f.db.sqlite.serialize())
    const text = (row: number) => {
      const r = explain(path, { file: '2026-10/usage.csv', row })
      if (!r.ok) throw new Error(r.message)
      return r.text
    }
    expect(text(2)).toContain('its usage group (all its rows in the period, in every usage file):\n    customer cust-a, Azure subscription ent-1, Storage / D2 v3: 2 rows, Σ 0.4 USD\n')
    const three = text(3)
    expect(three).toContain('it is in one of the 2 usage groups whose rows in this file span it; which one cannot be told from the run')
    expect(three).toContain('customer cust-a, Azure subscription ent-1, Storage / D2 v3: 2 rows, Σ 0.4 USD')
    expect(three).toContain('customer cust-b, Azure subscription ent-1, Network / D2 v3: 1 rows, Σ 0.2 USD')
    rmSync(dir, { recursive: true, force: true })
  })
})
