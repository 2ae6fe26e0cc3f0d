/**
 * README review: `Tax Rate` for TaxRatePercent in the resellers sheet invoiced no tax, with exit 0 and only run.json's
 * unknownColumns to show it (pipeline/unknown-columns-remark.ts). Diff review: a customers sheet's own `Notes` or
 * `CustomerName` column got the remark every month.
 */
import { describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { looksLike, unknownColumnRemarks } from '../../pipeline/unknown-columns-remark.js'

function remarksFor(files: [file: string, kind: string, unknown: string[]][]): string[] {
  const db = openDb(':memory:')
  const insert = db.sqlite.prepare('insert into input_files (file, kind, sha256, unknown_columns) values (?, ?, ?, ?)')
  for (const [file, kind, unknown] of files) insert.run(file, kind, '0'.repeat(64), JSON.stringify(unknown))
  return unknownColumnRemarks(db)
}

describe('columns of the distributor\'s sheets that look like one misspelled', () => {
  it('names each with the column it looks like', () => {
    expect(remarksFor([['reference/resellers.csv', 'resellers', ['Tax Rate', 'Contact', 'Payment Terms', 'Support %']]])).toEqual([
      "Columns not read: reference/resellers.csv has 'Tax Rate' (TaxRatePercent?), 'Payment Terms' (PaymentTermsDays?), 'Support %' (SupportPlanPercent?), which the resellers sheet does not have: " +
        "a column named otherwise is not read, and each row takes that column's default: correct the header and run again if it was meant to be that column",
    ])
  })

  it('one remark per sheet, in file order; none for a sheet\'s own columns or for Microsoft\'s exports', () => {
    const remarks = remarksFor([
      ['reference/pricebooks.csv', 'pricebooks', ['Effective Date', 'Description']],
      ['2026-10/recon.csv', 'reconciliation', ['NewMicrosoftColumn']],
      ['2026-10/prices.xlsx', 'pricelist', ['Notes']],
      ['reference/customers.csv', 'customers', ['CustomerName', 'Notes']],
      ['reference/customers2.csv', 'customers', ['Segmentt', 'MCA accepted']],
      ['reference/resellers.csv', 'resellers', []],
    ])
    expect(remarks.map((r) => r.slice(0, r.indexOf(', which')))).toEqual([
      "Columns not read: reference/customers2.csv has 'Segmentt' (Segment?), 'MCA accepted' (McaAcceptedOn?)",
      "Columns not read: reference/pricebooks.csv has 'Effective Date' (EffectiveFrom?)",
    ])
  })

  it.each([
    ['Tax Rate', 'TaxRatePercent', true], ['E-mail', 'Email', true], ['Effective Date', 'EffectiveFrom', true], ['Fixed Price', 'FixedUnitPrice', true],
    ['Notes', 'Email', false], ['CustomerName', 'McaAcceptedOn', false], ['Term', 'TermDuration', true], ['Plan', 'BillingPlan', true], ['Rate', 'TaxRatePercent', true],
  ])('looksLike(%j, %j) = %j', (header, known, like) => {
    expect(looksLike(header, known)).toBe(like)
  })
})
