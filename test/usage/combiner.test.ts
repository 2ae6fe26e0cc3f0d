/**
 * The usage combiner (stages/usage-totals.ts): however often it flushes, the partials aggregated in SQL give the
 * same exact totals, every row is counted once, and no more than MAX groups are ever held.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { partialsWriter, summariseUsage } from '../../stages/usage-totals.js'
import { TOTAL_KEY, UsageCombiner } from '../../stages/usage-combiner.js'

const START = '2026-10-01'
const END = '2026-10-31'

interface UsageCell {
  customer: string
  meter: string
  date: string
  quantity: string
  amount: string
}

const cell = fc.record({
  customer: fc.constantFrom('c1', 'c2', 'c3'),
  meter: fc.constantFrom('m1', 'm2', 'm\u0000odd', 'm\u0001'),
  date: fc.constantFrom('2026-09-30', '2026-10-01', '2026-10-31', '2026-11-01'),
  quantity: fc.constantFrom('0', '1', '0.000001', '2.5', '12.345678901234567'),
  amount: fc.constantFrom('0', '-1.25', '0.01', '3.16', '0.818498056067117'),
})

function totals(rows: UsageCell[], maxGroups: number): { totals: unknown[]; partials: number; held: number } {
  const db = openDb(':memory:')
  let held = 0
  const write = partialsWriter(db, 'usage.csv')
  const combiner = new UsageCombiner(START, END, (rows) => {
    held = Math.max(held, rows.length)
    write(rows)
  }, maxGroups)
  rows.forEach((r, i) => {
    const key = TOTAL_KEY.map((c) => (c === 'customer_id' ? r.customer : c === 'meter_id' ? r.meter : c === 'customer_name' ? null : 'x'))
    combiner.add(key, i + 2, combiner.inPeriod(r.date), r.quantity, r.amount)
  })
  combiner.flush()
  summariseUsage(db)
  const out = {
    totals: db.sqlite.prepare('select customer_id, meter_id, in_period, rows, quantity, billing_pre_tax_total from usage_totals').all(),
    partials: (db.sqlite.prepare('select coalesce(sum(rows), 0) n from usage_partials').get() as { n: number }).n,
    held,
  }
  db.sqlite.close()
  return out
}

describe('usage combiner', () => {
  it('flushing every 1, 2 or 3 groups gives the totals of never flushing', () => {
    fc.assert(
      fc.property(fc.array(cell, { maxLength: 60 }), fc.constantFrom(1, 2, 3), (rows, max) => {
        const once = totals(rows, 1_000_000)
        const often = totals(rows, max)
        expect(often.totals).toEqual(once.totals)
        expect(often.partials).toBe(rows.length)
        expect(often.held).toBeLessThanOrEqual(max)
      }),
      { numRuns: 150 },
    )
  })

  it('a worked example: exact sums, out-of-period rows kept apart', () => {
    const rows: UsageCell[] = [
      { customer: 'c1', meter: 'm1', date: '2026-10-01', quantity: '0.1', amount: '0.818498056067117' },
      { customer: 'c1', meter: 'm1', date: '2026-10-31', quantity: '0.2', amount: '0.181501943932883' },
      { customer: 'c1', meter: 'm1', date: '2026-11-01', quantity: '5', amount: '7' },
    ]
    expect(totals(rows, 1).totals).toEqual([
      { customer_id: 'c1', meter_id: 'm1', in_period: 0, rows: 1, quantity: '5', billing_pre_tax_total: '7' },
      { customer_id: 'c1', meter_id: 'm1', in_period: 1, rows: 2, quantity: '0.3', billing_pre_tax_total: '1' },
    ])
  })
})

describe('usage combiner group ids', () => {
  it('keeps apart keys that a joined id could confuse, and hands back each key as given', () => {
    const flushed: unknown[][] = []
    const combiner = new UsageCombiner(START, END, (rows) => flushed.push(...rows))
    const base = TOTAL_KEY.map(() => 'x') as (string | null)[]
    const keys: (string | null)[][] = [
      base,
      base.map((c, k) => (k === 1 ? null : c)), // a null cell
      base.map((c, k) => (k === 1 ? '\u0001' : c)), // a cell that is the null mark
      base.map((c, k) => (k === 0 ? 'x\u0000x' : k === 1 ? '' : c)), // a separator inside a cell…
      base.map((c, k) => (k === 0 ? 'x' : k === 1 ? 'x\u0000' : c)), // …moved to the next cell
    ]
    keys.forEach((key, i) => {
      // Each twice, not in a row, so the second finds its group in the map rather than as the previous row's.
      combiner.add([...key], 2 + i, true, '1', '1')
      combiner.add([...keys[(i + 1) % keys.length]!], 100 + i, true, '1', '1')
      combiner.add([...key], 200 + i, false, '1', '1')
    })
    combiner.flush()
    const groups = flushed.map((r) => JSON.stringify([r.slice(2, 2 + TOTAL_KEY.length), r[2 + TOTAL_KEY.length], r[3 + TOTAL_KEY.length]]))
    const expected = keys.flatMap((key) => [JSON.stringify([key, 1, 2]), JSON.stringify([key, 0, 1])])
    expect(groups.sort()).toEqual(expected.sort())
  })
})
