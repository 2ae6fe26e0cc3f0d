// SPEC §4.1 — Tier2MpnId names the reseller unless empty or `0`; the SQL and JavaScript readings agree.
import { describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { sql } from '../../pipeline/kysely.js'
import { tier2Reseller, tier2ResellerSql } from '../../stages/rules/tier2.js'

const cases: [string | null, string | null][] = [
  ['1000001', '1000001'], [' 1000001 ', '1000001'], ['', null], ['   ', null], ['0', null], [' 0 ', null],
  [null, null], ['00', '00'], ['0a', '0a'],
]

describe('tier2 reseller', () => {
  it.each(cases)('%j → %j in JavaScript and in SQL', async (value, reseller) => {
    expect(tier2Reseller(value)).toBe(reseller)
    const db = openDb(':memory:')
    const { rows } = await sql<{ r: string | null }>`select ${tier2ResellerSql(sql`${value}`)} as r`.execute(db.kysely)
    await db.close()
    expect(rows[0]!.r).toBe(reseller)
  })
})
