/**
 * rowSchema (schemas/kinds/columns.ts) reuses a cell's parsed value when the same column held the same cell in
 * the row before. Whatever the sequence of rows, each row must parse exactly as it would on its own: values,
 * issues (column, message, input) and success alike.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rowSchema, type ColumnDef, type RawCell } from '../../schemas/kinds/columns.js'
import { USAGE_COLUMNS } from '../../schemas/kinds/usage.js'
import { KIND_ORDER, KINDS } from '../../schemas/kinds/index.js'

/** A small pool per column so that rows repeat cells, as a usage export does; bad values included. */
const cellPool: fc.Arbitrary<RawCell> = fc.constantFrom<RawCell>(
  '', ' ', '0', '1.5', ' 1.5 ', '-3.16', '1,5', 'abc', '10/01/2026', '2026-10-02', '10/32/2026', 'EUR', 'eur',
  'Cedar Legal Inc.', 'x\uFFFD', undefined, null, 0, 1.25, Number.NaN, true, new Date(Date.UTC(2026, 9, 3)),
)

function parseAlone(columns: readonly ColumnDef[], row: RawCell[]) {
  return rowSchema(columns).safeParse(row) // a new schema: nothing seen before
}

const summary = (r: ReturnType<typeof parseAlone>) =>
  r.success ? { ok: r.data } : { issues: r.error.issues.map((i) => ({ path: i.path, message: i.message, input: i.input })) }

describe('rowSchema with repeated cells', () => {
  for (const kind of KIND_ORDER) {
    const columns = KINDS[kind].columns
    it(`parses each ${kind} row as it would alone, whatever came before`, () => {
      const schema = rowSchema(columns)
      fc.assert(
        fc.property(fc.array(fc.array(cellPool, { minLength: columns.length, maxLength: columns.length }), { minLength: 1, maxLength: 12 }), (rows) => {
          for (const row of rows) expect(summary(schema.safeParse(row))).toEqual(summary(parseAlone(columns, row)))
        }),
        { numRuns: 300 },
      )
    })
  }

  it('worked example: a repeated bad cell is reported again, a repeated good one parses the same', () => {
    const schema = rowSchema(USAGE_COLUMNS)
    const quantity = USAGE_COLUMNS.findIndex((c) => c.name === 'Quantity')
    const base: RawCell[] = USAGE_COLUMNS.map((c) => (c.type === 'decimal' ? '1.50' : c.type === 'date' ? '10/01/2026' : c.currency ? 'EUR' : 'x'))
    const good = schema.safeParse(base)
    const again = schema.safeParse([...base])
    expect(good.success && again.success).toBe(true)
    expect(again.data).toEqual(good.data)
    expect(again.data![quantity]).toBe('1.5')
    const bad = [...base]
    bad[quantity] = '1,5'
    for (let i = 0; i < 2; i++) {
      const r = schema.safeParse(bad)
      expect(r.success).toBe(false)
      expect(r.error!.issues.map((x) => x.path)).toEqual([[quantity]])
    }
  })
})
