// SPEC §5 PERPETUAL_RETURN_LATE (30 days by default) and PERPETUAL_PARTIAL_RETURN.
import { describe, expect, it } from 'vitest'
import { RECON_FILE, type LineSpec } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const perpetual = (o: { type: string; start: string; order?: string; qty?: string; subtotal: string; sub?: string }): LineSpec => ({
  recon: {
    charge_type: o.type, charge_start_date: o.start, order_date: o.order ?? o.start, charge_end_date: null, term_and_billing_cycle: null,
    billing_frequency: null, subscription_start_date: null, subscription_end_date: null, subscription_id: o.sub ?? 'perp-1',
    billable_quantity: o.qty ?? '2', effective_unit_price: o.subtotal.startsWith('-') ? '-100' : '100', unit_price: '100',
    subtotal: o.subtotal, total: o.subtotal,
  },
  priced: { category: 'perpetual', term_duration: null, billing_plan: null, term_start: null, cycle_start: null, cycle_end: null, billing_days: null, cycle_days: null },
})
const buy = perpetual({ type: 'new', start: '2026-09-10', subtotal: '200' })

const late: Case[] = [
  { name: 'return 31 days after the purchase in the run', given: { lines: [buy, perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-10-11', subtotal: '-200' })] }, expect: [{ rule: 'PERPETUAL_RETURN_LATE', file: RECON_FILE, row: 3, expected: '30', actual: '31' }] },
  { name: 'no purchase in the run: from the return’s ChargeStartDate', given: { lines: [perpetual({ type: 'Refund', start: '2026-08-01', order: '2026-10-02', subtotal: '-200' })] }, expect: [{ rule: 'PERPETUAL_RETURN_LATE', file: RECON_FILE, row: 2, expected: '30', actual: '62' }] },
  // Negative.
  { name: 'return exactly 30 days after purchase', given: { lines: [buy, perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-10-10', subtotal: '-200' })] }, expect: [] },
  { name: 'a purchase alone', given: { lines: [buy] }, expect: [] },
  { name: 'a late negative line that is not perpetual', given: { lines: [{ recon: { charge_type: 'cancelImmediate', charge_start_date: '2026-01-01', order_date: '2026-10-02', subtotal: '-50', total: '-50', effective_unit_price: '-10' }, priced: { term_duration: null } }] }, expect: [] },
]

const partial: Case[] = [
  { name: 'return 1 of 2 purchased', given: { lines: [buy, perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-09-20', qty: '1', subtotal: '-100' })] }, expect: [{ rule: 'PERPETUAL_PARTIAL_RETURN', file: RECON_FILE, row: 3, expected: '2', actual: '1' }] },
  // Negative.
  { name: 'whole return (quantity written negative)', given: { lines: [buy, perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-09-20', qty: '-2', subtotal: '-200' })] }, expect: [] },
  { name: 'no purchase in the run: not checked', given: { lines: [perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-09-20', qty: '1', subtotal: '-100' })] }, expect: [] },
  { name: 'purchase of another subscription does not count', given: { lines: [perpetual({ type: 'new', start: '2026-09-10', qty: '5', subtotal: '500', sub: 'perp-2' }), perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-09-20', qty: '1', subtotal: '-100' })] }, expect: [] },
]

describe('PERPETUAL_RETURN_LATE', () => {
  it.each(late)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('PERPETUAL_RETURN_LATE', given, settings)).toEqual(want)
  })
})

describe('PERPETUAL_PARTIAL_RETURN', () => {
  it.each(partial)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('PERPETUAL_PARTIAL_RETURN', given, settings)).toEqual(want)
  })
})

// The messages named the purchase by its row only, which finance looked up in the return's own file (checks review).
it('both messages name the purchase by file:row', async () => {
  const given = { lines: [buy, perpetual({ type: 'cancelImmediate', start: '2026-09-10', order: '2026-10-11', qty: '1', subtotal: '-100' })] }
  const late = await findingsOf('PERPETUAL_RETURN_LATE', given, {}, ['message'])
  const partial = await findingsOf('PERPETUAL_PARTIAL_RETURN', given, {}, ['message'])
  expect([...late, ...partial].map((f) => f.message)).toEqual([expect.stringContaining(`(${RECON_FILE}:2)`), expect.stringContaining(`(${RECON_FILE}:2)`)])
})
