// SPEC §5 SEAT_REDUCTION_OUTSIDE_WINDOW: removeQuantity/cancelImmediate on a P1Y/P3Y term, event date − term start > 7 days (default).
import { describe, expect, it } from 'vitest'
import { RECON_FILE, type LineSpec } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

// Term started 2026-09-01; the refund row keeps the cycle start as ChargeStartDate and the change day as OrderDate.
const reduction = (chargeType: string, changeDay: string, term = 'P1Y'): LineSpec[] => [
  { recon: { charge_type: chargeType, subscription_start_date: '2026-09-01', charge_start_date: '2026-09-01', order_date: changeDay, effective_unit_price: '-8', subtotal: '-40', total: '-40' }, priced: { term_duration: term } },
  { recon: { charge_type: chargeType, subscription_start_date: '2026-09-01', charge_start_date: changeDay, order_date: changeDay, effective_unit_price: '8', billable_quantity: '3', subtotal: '24', total: '24' }, priced: { term_duration: term } },
]
const hit = (row: number, actual: string) => ({ rule: 'SEAT_REDUCTION_OUTSIDE_WINDOW', file: RECON_FILE, row, expected: '7', actual })

const cases: Case[] = [
  { name: 'removeQuantity 8 days into a P1Y term: both rows of the pair', given: { lines: reduction('removeQuantity', '2026-09-09') }, expect: [hit(2, '8'), hit(3, '8')] },
  { name: 'cancelImmediate on a P3Y term', given: { lines: reduction('cancelImmediate', '2026-10-05', 'P3Y').slice(0, 1) }, expect: [hit(2, '34')] },
  // Microsoft maps Refund (and Cancel) to a cancellation (FORMATS.md §1.5); a Refund 19 days in raised nothing.
  { name: 'Refund (and Cancel) are cancellations', given: { lines: [...reduction('Refund', '2026-09-20').slice(0, 1), ...reduction('Cancel', '2026-09-21').slice(0, 1)] }, expect: [hit(2, '19'), hit(3, '20')] },
  { name: 'window from settings (3 days)', settings: { cancellationWindowDays: 3 }, given: { lines: reduction('removeQuantity', '2026-09-05').slice(1) }, expect: [{ ...hit(2, '4'), expected: '3' }] },
  // Negative.
  { name: 'exactly 7 days: inside the window', given: { lines: reduction('removeQuantity', '2026-09-08') }, expect: [] },
  { name: 'P1M term: no cancellation window', given: { lines: reduction('cancelImmediate', '2026-09-20', 'P1M') }, expect: [] },
  { name: 'addQuantity late in the term is fine', given: { lines: reduction('addQuantity', '2026-10-20') }, expect: [] },
]

describe('SEAT_REDUCTION_OUTSIDE_WINDOW', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('SEAT_REDUCTION_OUTSIDE_WINDOW', given, settings)).toEqual(want)
  })
})
