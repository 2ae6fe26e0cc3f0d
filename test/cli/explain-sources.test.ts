/**
 * explain names the source rows behind a price (SPEC §2.3, §4.1–§4.3): the price-list row (file:row and what it
 * holds) of an ERP cycle price, the P1Y/Annual row a derived price came from, the customer's segment when the row
 * has a Segment, what was looked for when nothing matched, and the price book searched when no rule matched.
 *
 * Fixture: a copy of the sample month where Margie's Travel (customers sheet row 7) is an Education customer, a
 * second price list in the period folder holds two Education rows, the P1Y/Monthly premium starts 2026-04-01, and
 * Proseware's price book is one with no rules. Worked examples (all USD):
 * - row 16, CFQ7TTC0S1D7/0001 P1Y/Monthly, term start 2026-09-24: no Education P1Y/Monthly row → derived from the
 *   Education P1Y/Annual row (ERP 100): 100 × 12/12 × 1.05 × 1 ÷ 12 = 8.75 per cycle;
 * - row 19, CFQ7TTC0S3M8/0001 P1Y/Monthly: the Education P1Y/Monthly row, ERP 6 per term ÷ 12 = 0.5 per cycle;
 * - row 61, CFQ7TTC0S2H3/0001 P1Y/Monthly, term start 2026-03-31: only the Education P1Y/Annual row, and no
 *   P1Y/Monthly premium before 2026-04-01 → PRICE_NOT_FOUND;
 * - row 59, CFQ7TTC0S2K5/0001: the price list has that row only for Commercial (and an Education row for SKU
 *   `1`, which differs only in leading zeros and is named, not matched) → PRICE_NOT_FOUND;
 * - row 28, Proseware (price book PLATINUM, no rules) → NO_PRICE_RULE.
 * The sample's own lines (commercial customers, the sample price list) are in explain.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { runPipeline } from '../../pipeline/run.js'
import { explain } from '../../pipeline/explain.js'
import { sampleCopy } from './helpers.js'

const PERIOD = '2026-10'
const RECON = 'InvoiceReconciliation_G052610001.csv'
const EDUCATION_LIST = `${PERIOD}/PriceList_Education_2026-10.csv`
let output: string

function explainRow(row: number): string {
  const r = explain(join(output, PERIOD, 'staging.sqlite'), { file: RECON, row })
  if (!r.ok) throw new Error(r.message)
  return r.text
}

/** The lines of the text from the first one starting with `from` (trimmed) to the one before `until`. */
function section(text: string, from: string, until: string): string[] {
  const lines = text.split('\n').map((l) => l.trim())
  const start = lines.findIndex((l) => l.startsWith(from))
  const end = lines.findIndex((l, i) => i > start && l.startsWith(until))
  return lines.slice(start, end)
}

beforeAll(async () => {
  const copy = sampleCopy()
  output = copy.output
  const reference = join(copy.input, 'reference')
  const customers = readFileSync(join(reference, 'customers.csv'), 'utf8').trimEnd().split(/\r?\n/)
  writeFileSync(join(reference, 'customers.csv'), customers.map((line, i) =>
    i === 0 ? `${line},Segment` : line.startsWith('87308867-') ? `${line},Education` : `${line},`).join('\r\n') + '\r\n')
  const resellers = readFileSync(join(reference, 'resellers.csv'), 'utf8')
  writeFileSync(join(reference, 'resellers.csv'), resellers.replace('6890072,Proseware Networks,USD,GOLD,', '6890072,Proseware Networks,USD,PLATINUM,'))
  writeFileSync(join(copy.input, EDUCATION_LIST), [
    'ProductId,SkuId,TermDuration,BillingPlan,Currency,UnitPrice,ERP Price,EffectiveStartDate,EffectiveEndDate,ProductTitle,SkuTitle,Market,Segment',
    'CFQ7TTC0S1D7,0001,P1Y,Annual,USD,90,100,2024-01-01,,Microsoft 365 Business Standard,Microsoft 365 Business Standard,US,Education',
    'CFQ7TTC0S3M8,0001,P1Y,Monthly,USD,4.8,6,2025-04-01,2027-03-31,,,,Education',
    'CFQ7TTC0S2H3,0001,P1Y,Annual,USD,40,50,2024-01-01,,,,US,Education',
    'CFQ7TTC0S2K5,1,P1Y,Monthly,USD,40,50,2024-01-01,,,,US,Education', // SKU 0001 saved as a number: not matched
  ].join('\n') + '\n')
  const config = join(copy.root, 'config.json')
  writeFileSync(config, JSON.stringify({
    premiums: [
      { termDuration: 'P1M', billingPlan: 'Monthly', percent: 20, from: '2022-03-01' },
      { termDuration: 'P1Y', billingPlan: 'Monthly', percent: 5, from: '2026-04-01' },
    ],
  }))
  const outcome = await runPipeline({ period: PERIOD, inputRoot: copy.input, outputRoot: output, configPath: config, configExplicit: true })
  expect(outcome.exitCode).toBe(1) // the held lines below
}, 120_000)

describe('explain names the source rows of a price', () => {
  it('a derived price: the P1Y/Annual row it came from, the premium, and the customer segment that made the row apply', () => {
    expect(section(explainRow(16), 'ERP cycle price', 'credit: −(ERP 8.75/cycle')).toEqual([
      'ERP cycle price 8.75 USD (derived from the P1Y/Annual price with a 5% premium)',
      'the price list has no P1Y/Monthly row for CFQ7TTC0S1D7/0001 in USD effective on the term start 2026-09-24; derived from its P1Y/Annual row:',
      `price-list row ${EDUCATION_LIST}:2: CFQ7TTC0S1D7/0001 Microsoft 365 Business Standard, P1Y/Annual, USD, Segment Education, Market US; UnitPrice 90, ERP Price 100 (whole-term prices); effective 2024-01-01 to open`,
      'ERP Price 100 per P1Y term × 12/12 × (1 + 5%) premium (settings.premiums, P1Y/Monthly, in force since 2026-04-01) × 1 ÷ 12 months (Monthly cycle) = 8.75 per cycle',
      'customer segment education (customers sheet reference/customers.csv:7): so the row with Segment Education applies (a row with a Segment is only for customers of that segment)',
    ])
  })

  it('a price from the price list: its row (no Market shown when the row has none), term price ÷ cycles, segment', () => {
    const text = explainRow(19)
    expect(text).toContain('went to: INVOICED to reseller 5120448')
    expect(section(text, 'ERP cycle price', 'ERP 0.50/cycle')).toEqual([
      'ERP cycle price 0.5 USD (from the price list on the term start)',
      `price-list row ${EDUCATION_LIST}:3: CFQ7TTC0S3M8/0001, P1Y/Monthly, USD, Segment Education; UnitPrice 4.8, ERP Price 6 (whole-term prices); effective 2025-04-01 to 2027-03-31`,
      'ERP Price 6 per P1Y term × 1 ÷ 12 months (Monthly cycle) = 0.5 per cycle',
      'customer segment education (customers sheet reference/customers.csv:7): so the row with Segment Education applies (a row with a Segment is only for customers of that segment)',
    ])
  })

  it('held PRICE_NOT_FOUND with a P1Y/Annual row but no premium in force: names that row and why it is not used', () => {
    const text = explainRow(61)
    expect(text).toContain('went to: HELD (PRICE_NOT_FOUND)')
    expect(text).toMatch(/price book STANDARD: category rule \(reference\/pricebooks\.csv:4, effective 2026-07-01 to open\)/)
    expect(section(text, 'method erp-discount', 'held: PRICE_NOT_FOUND')).toEqual([
      'method erp-discount 10%',
      'ERP cycle price: none found (PRICE_NOT_FOUND)',
      'the price list has no P1Y/Monthly row for CFQ7TTC0S2H3/0001 in USD effective on the term start 2026-03-31 for this customer\'s segment',
      `its P1Y/Annual row ${EDUCATION_LIST}:4: CFQ7TTC0S2H3/0001, P1Y/Annual, USD, Segment Education, Market US; UnitPrice 40, ERP Price 50 (whole-term prices); effective 2024-01-01 to open`,
      'is not used: no P1Y/Monthly premium is in force on 2026-03-31 (settings.premiums) to derive the price from it',
      'the price list has that row only for segment Commercial',
      "customer segment education (customers sheet reference/customers.csv:7): the row with Segment Education is for this customer's segment, but not used (see above)",
    ])
  })

  it('held PRICE_NOT_FOUND because the only rows are for another segment', () => {
    const text = explainRow(59)
    expect(section(text, 'method erp-discount', 'held: PRICE_NOT_FOUND')).toEqual([
      'method erp-discount 10%',
      'ERP cycle price: none found (PRICE_NOT_FOUND)',
      'the price list has no P1Y/Monthly row for CFQ7TTC0S2K5/0001 in USD effective on the term start 2025-11-19 for this customer\'s segment',
      'nor a P1Y/Annual row to derive it from',
      'the price list has that row only for segment Commercial',
      "it lists this product's SKU as 1, which differs only in leading zeros (a SkuId saved as a number drops them; ids are matched as written)",
      'customer segment education (customers sheet reference/customers.csv:7): a price-list row with another Segment does not apply',
    ])
  })

  it('held NO_PRICE_RULE: the price book searched, from the reseller\'s row', () => {
    const text = explainRow(28)
    expect(text).toContain('went to: HELD (NO_PRICE_RULE)')
    expect(text).toContain('price book PLATINUM (reseller 6890072, resellers sheet reference/resellers.csv:5): no price-book rule — sku CFQ7TTC0S1F9/0002, product CFQ7TTC0S1F9, category license or default — in force on the event date')
  })
})
