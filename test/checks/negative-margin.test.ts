// SPEC §5 NEGATIVE_MARGIN: invoiced line, Subtotal > 0, rounded sell < Subtotal.
import { describe, expect, it } from 'vitest'
import { RECON_FILE } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const cases: Case[] = [
  { name: 'fixed price below cost', given: { lines: [{ priced: { method: 'fixed', sell: '49.99', sell_exact: '49.99' } }] }, expect: [{ rule: 'NEGATIVE_MARGIN', file: RECON_FILE, row: 2, expected: '50.00', actual: '49.99' }] },
  // Negative.
  { name: 'sold at cost', given: { lines: [{ priced: { sell: '50', sell_exact: '50' } }] }, expect: [] },
  { name: 'held line (not invoiced)', given: { lines: [{ priced: { status: 'held', hold_rule: 'PRICE_NOT_FOUND', sell: '1' } }] }, expect: [] },
  { name: 'refund sold back below cost magnitude is a credit, not a loss', given: { lines: [{ recon: { subtotal: '-50', total: '-50', effective_unit_price: '-10' }, priced: { sell: '-55' } }] }, expect: [] },
]

describe('NEGATIVE_MARGIN', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('NEGATIVE_MARGIN', given, settings)).toEqual(want)
  })
})
