// SPEC §4.3(b) PREMIUM_MISMATCH: P1M/Monthly and P1Y/Monthly price-list rows vs P1Y/Annual × premium (defaults: P1M +20% from 2022-03-01, P1Y/Monthly +5% from 2025-04-01).
import { describe, expect, it } from 'vitest'
import { PRICELIST_FILE } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const annual = { term_duration: 'P1Y', billing_plan: 'Annual', unit_price: '120', erp_price: '150', effective_start_date: '2025-01-01' }
const hit = (row: number, expected: string, actual: string) => ({ rule: 'PREMIUM_MISMATCH', file: PRICELIST_FILE, row, expected, actual })

const cases: Case[] = [
  // P1M: 120 × 1/12 × 1.20 = 12; ERP 150 × 1/12 × 1.2 = 15.
  { name: 'P1M/Monthly UnitPrice without the 20% premium', given: { priceList: [annual, { term_duration: 'P1M', unit_price: '10', erp_price: '15', effective_start_date: '2026-01-01' }] }, expect: [hit(3, '12', '10')] },
  { name: 'P1M/Monthly ERP Price off', given: { priceList: [annual, { term_duration: 'P1M', unit_price: '12', erp_price: '16', effective_start_date: '2026-01-01' }] }, expect: [hit(3, '15', '16')] },
  // P1Y/Monthly: 120 × 12/12 × 1.05 = 126; ERP 157.5.
  { name: 'P1Y/Monthly premium added twice (+10.25%)', given: { priceList: [annual, { unit_price: '132.3', erp_price: '157.5', effective_start_date: '2025-04-01' }] }, expect: [hit(3, '126', '132.3')] },
  {
    name: 'premium in force on the row’s start date: before 2025-04-01 P1Y/Monthly has none configured → not checked; after, checked',
    given: { priceList: [annual, { unit_price: '120', erp_price: '150', effective_start_date: '2025-03-01' }, { unit_price: '120', erp_price: '150', effective_start_date: '2025-04-01' }] },
    expect: [hit(4, '126', '120')],
  },
  {
    name: 'settings premiums are used (P1M at 15% from 2026-01-01)',
    settings: { premiums: [{ termDuration: 'P1M', billingPlan: 'Monthly', percent: '20', from: '2022-03-01' }, { termDuration: 'P1M', billingPlan: 'Monthly', percent: '15', from: '2026-01-01' }] },
    given: { priceList: [annual, { term_duration: 'P1M', unit_price: '12', erp_price: '15', effective_start_date: '2026-01-01' }] },
    expect: [hit(3, '11.5', '12')],
  },
  // Market and segment: a Monthly row is compared with the Annual row of its own segment and market.
  {
    name: 'an Education P1M row against the Education Annual row, not the Commercial one listed after it',
    given: { priceList: [{ ...annual, unit_price: '60', erp_price: '75', segment: 'Education' }, { ...annual, segment: 'Commercial' }, { term_duration: 'P1M', unit_price: '6', erp_price: '7.5', effective_start_date: '2026-01-01', segment: 'Education' }] },
    expect: [],
  },
  {
    name: 'a DE row against the DE Annual row: off there, though it matches the FR one',
    given: { priceList: [{ ...annual, market: 'FR' }, { ...annual, unit_price: '100', market: 'DE' }, { term_duration: 'P1M', unit_price: '12', erp_price: '15', effective_start_date: '2026-01-01', market: 'DE' }] },
    expect: [hit(4, '10', '12')],
  },
  {
    name: 'an Education Monthly row against an Annual row for every segment when it has none of its own',
    given: { priceList: [{ ...annual, segment: null }, { term_duration: 'P1M', unit_price: '10', erp_price: '15', effective_start_date: '2026-01-01', segment: 'Education' }] },
    expect: [hit(3, '12', '10')],
  },
  {
    name: 'an Education Annual row beats the Annual row for every segment listed after it',
    given: { priceList: [{ ...annual, unit_price: '60', erp_price: '75', segment: 'Education' }, { ...annual, segment: null }, { term_duration: 'P1M', unit_price: '6', erp_price: '7.5', effective_start_date: '2026-01-01', segment: 'Education' }] },
    expect: [],
  },
  // Negative.
  { name: 'exact premiums', given: { priceList: [annual, { term_duration: 'P1M', unit_price: '12', erp_price: '15', effective_start_date: '2026-01-01' }, { unit_price: '126', erp_price: '157.5', effective_start_date: '2026-01-01' }] }, expect: [] },
  { name: 'within 0.5% relative (12.06 vs 12)', given: { priceList: [annual, { term_duration: 'P1M', unit_price: '12.06', erp_price: '15', effective_start_date: '2026-01-01' }] }, expect: [] },
  { name: 'no P1Y/Annual row of that currency', given: { priceList: [{ ...annual, currency: 'EUR' }, { term_duration: 'P1M', unit_price: '99', erp_price: '99', effective_start_date: '2026-01-01' }] }, expect: [] },
  { name: 'P1Y/Annual row starts after the monthly row', given: { priceList: [{ ...annual, effective_start_date: '2026-06-01' }, { term_duration: 'P1M', unit_price: '99', erp_price: '99', effective_start_date: '2026-01-01' }] }, expect: [] },
  { name: 'P3Y rows are not compared', given: { priceList: [annual, { term_duration: 'P3Y', billing_plan: 'Triennial', unit_price: '1', erp_price: '1' }] }, expect: [] },
]

describe('PREMIUM_MISMATCH', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('PREMIUM_MISMATCH', given, settings)).toEqual(want)
  })
})

it('names the P1Y/Annual row by file:row (it may be in another price-list file)', async () => {
  const got = await findingsOf('PREMIUM_MISMATCH', { priceList: [annual, { term_duration: 'P1M', unit_price: '10', erp_price: '15', effective_start_date: '2026-01-01' }] }, {}, ['message'])
  expect(got.map((f) => f.message)).toEqual([expect.stringMatching(/is not the P1Y\/Annual price \(\S+:2\)/)])
})
