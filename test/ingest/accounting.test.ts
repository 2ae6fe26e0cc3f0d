/**
 * Row accounting (SPEC §6) as a property: whatever mix of good rows, bad rows and blank lines a file holds,
 * rows = accepted + rejected, every good row is loaded at its Excel row, and every bad row has one REJECTED_ROW
 * finding at its Excel row.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { makeInput, runIngest } from './context.js'
import { RECON_HEADER, reconRow } from '../fixtures/ingest/builders.js'

type Line = 'good' | 'badNumber' | 'badDate' | 'emptyRequired' | 'shortRow' | 'blank'

function render(line: Line, i: number): string {
  const sub = { SubscriptionId: `sub-${i}` }
  switch (line) {
    case 'good': return reconRow(sub).join(',')
    case 'badNumber': return reconRow({ ...sub, Subtotal: '1.2.3' }).join(',')
    case 'badDate': return reconRow({ ...sub, ChargeStartDate: '02/30/2026' }).join(',')
    case 'emptyRequired': return reconRow({ ...sub, Currency: '' }).join(',')
    case 'shortRow': return reconRow(sub).slice(1).join(',')
    case 'blank': return ''
  }
}

describe('row accounting', () => {
  it('rows = accepted + rejected, at the right Excel rows, for any mix of lines', async () => {
    const line = fc.constantFrom<Line>('good', 'badNumber', 'badDate', 'emptyRequired', 'shortRow', 'blank')
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 30 }), fc.boolean(), async (lines, crlf) => {
        const input = makeInput()
        try {
          const eol = crlf ? '\r\n' : '\n'
          input.write('recon.csv', [RECON_HEADER.join(','), ...lines.map(render)].join(eol) + eol)
          const { findings } = await runIngest(input.ctx)
          const excelRow = (k: number) => k + 2 // header is row 1; blank lines keep their row numbers
          const good = lines.flatMap((l, k) => (l === 'good' ? [excelRow(k)] : []))
          const bad = lines.flatMap((l, k) => (l !== 'good' && l !== 'blank' ? [excelRow(k)] : []))
          const [file] = input.ctx.db.sqlite.prepare('select rows, accepted, rejected from input_files').all() as { rows: number; accepted: number; rejected: number }[]
          expect(file).toEqual({ rows: good.length + bad.length, accepted: good.length, rejected: bad.length })
          const loaded = input.ctx.db.sqlite.prepare('select source_row from recon_lines order by line_id').all().map((r) => (r as { source_row: number }).source_row)
          expect(loaded).toEqual(good)
          const rejected = findings.filter((f) => f.rule === 'REJECTED_ROW').map((f) => f.row)
          expect(rejected).toEqual(bad)
        } finally {
          await input.cleanup()
        }
      }),
      { numRuns: 40 },
    )
  })
})
