// SPEC §5 PRORATION_MISMATCH / §3.3: real rows of FORMATS §1.8 (3.04 × 17/31 → 1.67, 21.71 × 24/30 → 17.37).
import { describe, expect, it } from 'vitest'
import { RECON_FILE } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const seatChange = (eup: string, factor: string, unitPrice = '3.04', days = [17, 31]) => ({
  recon: { charge_type: 'addQuantity', unit_price: unitPrice, effective_unit_price: eup, billable_quantity: '35', subtotal: '0', total: '0' },
  priced: { proration_factor: factor, billing_days: days[0], cycle_days: days[1] },
})

const cases: Case[] = [
  { name: 'charge row truncated instead of rounded by 0.02', given: { lines: [seatChange('1.65', '0.548387096774193548')] }, expect: [{ rule: 'PRORATION_MISMATCH', file: RECON_FILE, row: 2, expected: '1.67', actual: '1.65' }] },
  { name: 'refund row full price instead of prorated', given: { lines: [seatChange('-3.04', '0.548387096774193548')] }, expect: [{ rule: 'PRORATION_MISMATCH', file: RECON_FILE, row: 2, expected: '1.67', actual: '3.04' }] },
  { name: 'held lines are checked too', given: { lines: [{ ...seatChange('2', '0.8', '21.71', [24, 30]), priced: { proration_factor: '0.8', status: 'held', sell: null } }] }, expect: [{ rule: 'PRORATION_MISMATCH', file: RECON_FILE, row: 2, expected: '17.37', actual: '2' }] },
  // Negative.
  { name: 'real charge row 1.67 (3.04 × 17/31 = 1.6671)', given: { lines: [seatChange('1.67', '0.548387096774193548')] }, expect: [] },
  { name: 'real refund row −1.67', given: { lines: [seatChange('-1.67', '0.548387096774193548')] }, expect: [] },
  { name: '0.01 off (truncation, 1.66) is within tolerance', given: { lines: [seatChange('1.66', '0.548387096774193548')] }, expect: [] },
  { name: 'factor 1 is not checked', given: { lines: [seatChange('2', '1')] }, expect: [] },
  { name: 'only license lines', given: { lines: [{ ...seatChange('2', '0.8', '21.71', [24, 30]), priced: { category: 'reservation', proration_factor: '0.8' } }] }, expect: [] },
]

describe('PRORATION_MISMATCH', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('PRORATION_MISMATCH', given, settings)).toEqual(want)
  })
})
