/**
 * README review: `Tax Rate` for TaxRatePercent in the resellers sheet invoiced no tax, with exit 0 and only run.json's
 * unknownColumns to show it (pipeline/unknown-columns-remark.ts).
 */
import { describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { unknownColumnRemarks } from '../../pipeline/unknown-columns-remark.js'

function remarksFor(files: [file: string, kind: string, unknown: string[]][]): string[] {
  const db = openDb(':memory:')
  const insert = db.sqlite.prepare('insert into input_files (file, kind, sha256, unknown_columns) values (?, ?, ?, ?)')
  for (const [file, kind, unknown] of files) insert.run(file, kind, '0'.repeat(64), JSON.stringify(unknown))
  return unknownColumnRemarks(db)
}

describe('columns of the distributor\'s sheets that the run does not read', () => {
  it('names a resellers sheet\'s unknown columns with the sheet\'s optional ones', () => {
    expect(remarksFor([['reference/resellers.csv', 'resellers', ['Tax Rate', 'Payment Terms']]])).toEqual([
      "Columns not read: reference/resellers.csv has 'Tax Rate', 'Payment Terms', which the resellers sheet does not have; its optional columns are " +
        "Email, Address, TaxRatePercent, SupportPlanPercent, PaymentTermsDays. A column named otherwise is not read, and a row then takes that column's default: correct the header and run again if it was meant to be one of them",
    ])
  })

  it('one remark per distributor sheet, in file order; none for Microsoft\'s exports, whose new columns are expected', () => {
    const remarks = remarksFor([
      ['reference/pricebooks.csv', 'pricebooks', ['Effective Date']],
      ['2026-10/recon.csv', 'reconciliation', ['NewMicrosoftColumn']],
      ['2026-10/usage.csv', 'usage', ['AnotherOne']],
      ['2026-10/prices.xlsx', 'pricelist', ['Notes']],
      ['reference/customers.csv', 'customers', ['Segmentt']],
      ['reference/resellers.csv', 'resellers', []],
    ])
    expect(remarks.map((r) => r.slice(0, r.indexOf(','))).sort()).toEqual([
      "Columns not read: reference/customers.csv has 'Segmentt'",
      "Columns not read: reference/pricebooks.csv has 'Effective Date'",
    ])
  })
})
