/**
 * The ISO-date helpers (engine date functions) give the same results as the general JS-backed helpers on
 * every valid ISO date, so the rules may use either on columns that hold parseDate output (SPEC §3.2–§3.3:
 * end-of-month clamping included: Jan 31 + 1 month → Feb 28/29).
 */
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { sql } from '../../pipeline/kysely.js'
import { openDb } from '../../pipeline/db.js'
import {
  addDaysSql, addMonthsSql, daysBetweenSql, isoAddDaysSql, isoAddMonthsSql, isoDaysBetweenSql,
} from '../../pipeline/dialect.js'

const isoDate = fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10))

describe('ISO-date helpers agree with the general date helpers', () => {
  it('days between, add days, add months (both signs, month ends, leap days)', async () => {
    const db = openDb(':memory:')
    try {
      const a = sql.ref('a'), b = sql.ref('b'), n = sql.ref('n'), m = sql.ref('m')
      // Plain `?` placeholders: one prepared statement, bound per generated case.
      const compare = sql`
        select ${addMonthsSql(a, m)} as d1, ${isoAddMonthsSql(a, m)} as i1,
          ${addDaysSql(a, n)} as d2, ${isoAddDaysSql(a, n)} as i2,
          ${daysBetweenSql(a, b)} as d3, ${isoDaysBetweenSql(a, b)} as i3
        from (select ? as a, ? as b, ? as n, ? as m)`
      const fixed: [string, string, number, number][] = [
        ['2025-01-31', '2025-02-28', -1, 1], ['2024-01-31', '2024-02-29', 1, 1], ['2024-02-29', '2025-02-28', 365, 12],
        ['2023-05-31', '2023-06-30', 30, -3], ['2025-12-31', '2026-01-01', 1, 2],
      ]
      const statement = db.sqlite.prepare(compare.compile(db.kysely).sql)
      const check = ([da, db_, dn, dm]: [string, string, number, number]): void => {
        const row = statement.get(da, db_, dn, dm) as Record<string, unknown>
        expect(row.i1).toBe(row.d1)
        expect(row.i2).toBe(row.d2)
        expect(row.i3).toBe(row.d3)
      }
      for (const f of fixed) check(f)
      fc.assert(fc.property(isoDate, isoDate, fc.integer({ min: -400, max: 400 }), fc.integer({ min: -120, max: 120 }),
        (da, db_, dn, dm) => check([da, db_, dn, dm])), { numRuns: 2000 })
    } finally {
      await db.close()
    }
  })
})
