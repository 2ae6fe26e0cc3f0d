// SPEC §5 MCA_NOT_CONFIRMED: new/addQuantity/convert for a customer in `customers` with McaAcceptedOn empty or after the OrderDate.
import { describe, expect, it } from 'vitest'
import { RECON_FILE } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const order = (type: string, orderDate: string | null = '2026-10-05') => ({ recon: { charge_type: type, order_date: orderDate, charge_start_date: '2026-10-05' } })
const hit = (expected: string, actual: string | null) => ({ rule: 'MCA_NOT_CONFIRMED', file: RECON_FILE, row: 2, expected, actual })

const cases: Case[] = [
  { name: 'no acceptance date', given: { lines: [order('new')], customers: [{ mca_accepted_on: null }] }, expect: [hit('2026-10-05', null)] },
  { name: 'accepted after the order', given: { lines: [order('addQuantity')], customers: [{ mca_accepted_on: '2026-10-06' }] }, expect: [hit('2026-10-05', '2026-10-06')] },
  { name: 'no OrderDate: the event date', given: { lines: [order('convert', null)], customers: [{ mca_accepted_on: '2026-10-06' }] }, expect: [hit('2026-10-05', '2026-10-06')] },
  // Negative.
  { name: 'accepted on the order day', given: { lines: [order('new')], customers: [{ mca_accepted_on: '2026-10-05' }] }, expect: [] },
  { name: 'customer not in the customers sheet', given: { lines: [order('new')], customers: [{ customer_id: 'someone-else', mca_accepted_on: null }] }, expect: [] },
  { name: 'cycleCharge is not a purchase', given: { lines: [order('cycleCharge')], customers: [{ mca_accepted_on: null }] }, expect: [] },
]

describe('MCA_NOT_CONFIRMED', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('MCA_NOT_CONFIRMED', given, settings)).toEqual(want)
  })
})
