// SPEC §5 OVERLAPPING_SUBSCRIPTIONS: same customer and ProductId+SkuId, two subscriptions with overlapping full-cycle charges.
import { describe, expect, it } from 'vitest'
import { RECON_FILE, type LineSpec } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const charge = (sub: string, start: string, end: string, o: LineSpec['recon'] = {}, p: LineSpec['priced'] = {}): LineSpec => ({
  recon: { subscription_id: sub, charge_start_date: start, charge_end_date: end, order_date: start, ...o },
  priced: p,
})
const hit = (row: number, actual: string) => ({ rule: 'OVERLAPPING_SUBSCRIPTIONS', file: RECON_FILE, row, expected: '0', actual })

const cases: Case[] = [
  {
    name: 'migrated subscription still charged: reported once, at the later-starting one',
    given: { lines: [charge('new-sub', '2026-10-15', '2026-11-14', { charge_type: 'new' }), charge('old-sub', '2026-10-01', '2026-10-31')] },
    expect: [hit(2, '17')],
  },
  {
    name: 'one finding per pair even with several overlapping lines (first line of the later subscription)',
    given: { lines: [charge('a', '2026-09-01', '2026-09-30'), charge('a', '2026-10-01', '2026-10-31'), charge('b', '2026-09-20', '2026-10-19'), charge('b', '2026-10-20', '2026-11-19')] },
    expect: [hit(4, '11')],
  },
  { name: 'same start: the larger SubscriptionId is reported', given: { lines: [charge('sub-b', '2026-10-01', '2026-10-31'), charge('sub-a', '2026-10-01', '2026-10-31', {}, { status: 'held', sell: null })] }, expect: [hit(2, '31')] },
  // Negative.
  { name: 'back-to-back cycles do not overlap', given: { lines: [charge('a', '2026-09-01', '2026-09-30'), charge('b', '2026-10-01', '2026-10-31')] }, expect: [] },
  { name: 'different SKU', given: { lines: [charge('a', '2026-10-01', '2026-10-31'), charge('b', '2026-10-01', '2026-10-31', { sku_id: '0002' })] }, expect: [] },
  { name: 'different customer', given: { lines: [charge('a', '2026-10-01', '2026-10-31'), charge('b', '2026-10-01', '2026-10-31', { customer_id: 'cust-2' })] }, expect: [] },
  { name: 'prorated addQuantity is not a full-cycle charge', given: { lines: [charge('a', '2026-10-01', '2026-10-31'), charge('b', '2026-10-10', '2026-10-31', { charge_type: 'addQuantity' })] }, expect: [] },
  { name: 'zero-cost trial is not a charge', given: { lines: [charge('a', '2026-10-01', '2026-10-31'), charge('b', '2026-10-10', '2026-11-09', { charge_type: 'new', subtotal: '0', total: '0', effective_unit_price: '0' })] }, expect: [] },
  { name: 'reservations are not compared', given: { lines: [charge('a', '2026-10-01', '2026-10-31', {}, { category: 'reservation' }), charge('b', '2026-10-01', '2026-10-31', {}, { category: 'reservation' })] }, expect: [] },
]

describe('OVERLAPPING_SUBSCRIPTIONS', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('OVERLAPPING_SUBSCRIPTIONS', given, settings)).toEqual(want)
  })
})

// With several reconciliation files a bare row number sent finance to the wrong line (review of explain).
it('OVERLAPPING_SUBSCRIPTIONS names the other line by file and row; its amounts stay as billed, held or not', async () => {
  const got = await findingsOf('OVERLAPPING_SUBSCRIPTIONS', { lines: [charge('new-sub', '2026-10-15', '2026-11-14', { charge_type: 'new' }), charge('old-sub', '2026-10-01', '2026-10-31')] }, {}, ['message'])
  expect(got.map((f) => f.message)).toEqual([expect.stringContaining(`on old-sub (${RECON_FILE}:3) for the same 17 days`)])
  expect(got[0]!.message).toContain('the amounts stay as Microsoft billed them (this check holds nothing)')
})
