// Display and product helpers added to pipeline/dialect.ts for the pricing rules (SPEC §4.5 rounding mode).
import { sql } from '../../pipeline/kysely.js'
import { describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { decFixed, decProduct, decShow } from '../../pipeline/dialect.js'

describe('dialect helpers for pricing', () => {
  it.each([
    { a: '36', lo: 2, hi: 4, show: '36.00', fixed2: '36.00' },
    { a: '83.33333333', lo: 2, hi: 4, show: '83.3333', fixed2: '83.33' },
    { a: '-2.345', lo: 2, hi: 6, show: '-2.345', fixed2: '-2.35' },
    { a: '-0.001', lo: 2, hi: 2, show: '0.00', fixed2: '0.00' },
    { a: '1001', lo: 0, hi: 0, show: '1001', fixed2: '1001.00' },
  ])('$a → show($lo,$hi) $show, fixed(2) $fixed2', async ({ a, lo, hi, show, fixed2 }) => {
    const db = openDb(':memory:')
    const { rows } = await sql<{ s: string; f: string }>`select ${decShow(sql.val(a), sql.lit(lo), sql.lit(hi))} as s, ${decFixed(sql.val(a), sql.lit(2))} as f`.execute(db.kysely)
    expect(rows[0]).toEqual({ s: show, f: fixed2 })
    await db.close()
  })

  it('dec_product multiplies exactly and is null when any factor is null', async () => {
    const db = openDb(':memory:')
    const { rows } = await sql<{ p: string; n: string | null }>`select ${decProduct(sql.val('1.536'), sql.val('100'), sql.val('1.2115'), sql.val('85'))} as p,
      ${decProduct(sql.val('2'), sql.lit(null))} as n`.execute(db.kysely)
    expect(rows[0]).toEqual({ p: '15817.344', n: null })
    await db.close()
  })
})
