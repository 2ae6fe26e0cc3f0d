// SPEC §5 PRICE_MISMATCH: UnitPrice vs the price list's cycle price (term price × plan months ÷ term months, §2.3) on the term start.
import { describe, expect, it } from 'vitest'
import { RECON_FILE } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

const hit = (expected: string, actual: string) => ({ rule: 'PRICE_MISMATCH', file: RECON_FILE, row: 2, expected, actual })
// Default fixture line: P1Y/Monthly, term start 2026-01-01, UnitPrice 10 USD. Price list P1Y/Monthly 120 → 10 per month.
const cases: Case[] = [
  { name: 'P1Y/Monthly 126 ÷ 12 = 10.50 but billed 10', given: { lines: [{}], priceList: [{ unit_price: '126' }] }, expect: [hit('10.5', '10')] },
  {
    name: 'P1Y/Annual: ÷ 1',
    given: { lines: [{ recon: { unit_price: '100', effective_unit_price: '100', billable_quantity: '1', subtotal: '100', total: '100' }, priced: { billing_plan: 'Annual' } }], priceList: [{ billing_plan: 'Annual', unit_price: '120' }] },
    expect: [hit('120', '100')],
  },
  {
    name: 'P3Y/Monthly: ÷ 36; the row in force on the term start wins over a later one',
    given: {
      lines: [{ priced: { term_duration: 'P3Y' } }],
      priceList: [
        { term_duration: 'P3Y', unit_price: '396', effective_start_date: '2025-01-01' }, // 11 per month: in force
        { term_duration: 'P3Y', unit_price: '360', effective_start_date: '2026-02-01' }, // after term start: not used
      ],
    },
    expect: [hit('11', '10')],
  },
  // Checks review: a trial's cycle price had no plan months (None), so the check never ran on a trial.
  {
    name: 'a trial (BillingPlan None) is compared with its row whole, as pricing takes it',
    given: { lines: [{ recon: { unit_price: '5', term_and_billing_cycle: 'One-Month commitment trial', billing_frequency: null }, priced: { term_duration: 'P1M', billing_plan: 'None' } }], priceList: [{ term_duration: 'P1M', billing_plan: 'None', unit_price: '0' }] },
    expect: [hit('0', '5')],
  },
  {
    name: 'overlapping rows: latest EffectiveStartDate covering the term start wins',
    given: { lines: [{}], priceList: [{ unit_price: '120', effective_start_date: '2025-01-01' }, { unit_price: '132', effective_start_date: '2025-06-01' }] },
    expect: [hit('11', '10')],
  },
  {
    name: 'expected shown to 4 decimals, compared exactly (100 ÷ 12 = 8.3333…)',
    given: { lines: [{ recon: { unit_price: '8.35', effective_unit_price: '8.35', subtotal: '41.75', total: '41.75' } }], priceList: [{ unit_price: '100' }] },
    expect: [hit('8.3333', '8.35')],
  },
  // Found by an end-to-end review: pricing matched these case-insensitively, the check did not, so it never ran.
  {
    name: 'a price-list row written p1y/monthly/usd is the one the line was priced from: checked too',
    given: { lines: [{}], priceList: [{ term_duration: 'p1y', billing_plan: 'monthly', currency: 'usd', unit_price: '126' }] },
    expect: [hit('10.5', '10')],
  },
  {
    name: 'PricingCurrency written usd',
    given: { lines: [{ recon: { pricing_currency: 'usd' } }], priceList: [{ unit_price: '126' }] },
    expect: [hit('10.5', '10')],
  },
  // Segments (FORMATS.md §4.1: join on Segment if present): the row of the customer's segment, as pricing takes it.
  {
    name: 'a Commercial customer is checked against the Commercial row, not an Education row listed after it',
    given: { lines: [{}], priceList: [{ unit_price: '126', segment: 'Commercial' }, { unit_price: '60', segment: 'Education' }] },
    expect: [hit('10.5', '10')],
  },
  {
    name: 'an Education customer (customers sheet) billed the Education price: no finding',
    given: { lines: [{}], customers: [{ segment: 'education' }], priceList: [{ unit_price: '126', segment: 'Commercial' }, { unit_price: '120', segment: 'Education' }] },
    expect: [],
  },
  {
    name: 'an Education customer billed the Commercial price: checked against the Education row',
    given: { lines: [{}], customers: [{ segment: 'education' }], priceList: [{ unit_price: '120', segment: 'Commercial' }, { unit_price: '60', segment: 'Education' }] },
    expect: [hit('5', '10')],
  },
  {
    name: 'the segment row beats a row for all segments listed after it with the same start date, as in pricing',
    given: { lines: [{}], priceList: [{ unit_price: '126', segment: 'Commercial' }, { unit_price: '120', segment: null }] },
    expect: [hit('10.5', '10')],
  },
  // §2.3 EffectiveEndDate is the last day a row is in force: a row ending ON the term start (2026-01-01) covers it.
  // 126 ÷ 12 = 10.50 per month, billed 10 → 0.50 off, beyond 0.01.
  {
    name: 'a price-list row whose EffectiveEndDate is the term start still covers it',
    given: { lines: [{}], priceList: [{ unit_price: '126', effective_start_date: '2025-01-01', effective_end_date: '2026-01-01' }] },
    expect: [hit('10.5', '10')],
  },
  {
    name: 'the row ending on the term start is the one in force there, not one starting the day after',
    given: {
      lines: [{}],
      priceList: [
        { unit_price: '126', effective_start_date: '2025-01-01', effective_end_date: '2026-01-01' }, // 10.50: in force on 2026-01-01
        { unit_price: '120', effective_start_date: '2026-01-02' }, // 10: starts the day after the term start
      ],
    },
    expect: [hit('10.5', '10')],
  },
  // Negative.
  // The day after: a row ending 2025-12-31 no longer covers a term starting 2026-01-01 (no row → not checked).
  {
    name: 'a price-list row whose EffectiveEndDate is the day before the term start does not cover it',
    given: { lines: [{}], priceList: [{ unit_price: '126', effective_start_date: '2025-01-01', effective_end_date: '2025-12-31' }] },
    expect: [],
  },
  { name: 'matching price', given: { lines: [{}], priceList: [{ unit_price: '120' }] }, expect: [] },
  { name: '0.01 off is within tolerance (120.12 ÷ 12 = 10.01)', given: { lines: [{}], priceList: [{ unit_price: '120.12' }] }, expect: [] },
  { name: 'no price-list row for the term/plan: not checked (no derived prices)', given: { lines: [{}], priceList: [{ billing_plan: 'Annual', unit_price: '999' }] }, expect: [] },
  { name: 'other pricing currency: not checked', given: { lines: [{}], priceList: [{ currency: 'EUR', unit_price: '999' }] }, expect: [] },
  { name: 'price-list row expired before the term start', given: { lines: [{}], priceList: [{ unit_price: '999', effective_start_date: '2025-01-01', effective_end_date: '2025-12-31' }] }, expect: [] },
  { name: 'not a license line', given: { lines: [{ priced: { category: 'software-subscription' } }], priceList: [{ unit_price: '999' }] }, expect: [] },
]

describe('PRICE_MISMATCH', () => {
  it.each(cases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('PRICE_MISMATCH', given, settings)).toEqual(want)
  })
})

// Premium review: an Education customer the customers sheet does not list is priced as Commercial, and the finding
// said only "check the price list", though Microsoft's price was the Education row's.
describe('PRICE_MISMATCH names another segment whose price Microsoft billed', () => {
  const messageOf = async (priceList: object[]) =>
    (await findingsOf('PRICE_MISMATCH', { lines: [{}], priceList }, {}, ['message']))[0]?.message
  it.each([
    { name: 'Education row at Microsoft\'s price', rows: [{ unit_price: '240', segment: 'Commercial' }, { unit_price: '120', segment: 'Education' }], says: "Microsoft's price is the price list's Education price: if the customer is in that segment, give it that Segment in the customers sheet" },
    { name: 'two such segments', rows: [{ unit_price: '240', segment: 'Commercial' }, { unit_price: '120.1', segment: 'Government' }, { unit_price: '120', segment: 'Education' }], says: "the price list's Education, Government price" },
  ])('$name', async ({ rows, says }) => {
    expect(await messageOf(rows)).toContain(says)
  })
  it.each([
    { name: 'no other segment row', rows: [{ unit_price: '240', segment: 'Commercial' }] },
    { name: 'another segment at another price', rows: [{ unit_price: '240', segment: 'Commercial' }, { unit_price: '60', segment: 'Education' }] },
    { name: 'another segment\'s row not yet in force on the term start', rows: [{ unit_price: '240', segment: 'Commercial' }, { unit_price: '120', segment: 'Education', effective_start_date: '2026-02-01' }] },
  ])('says to check the price list: $name', async ({ rows }) => {
    expect(await messageOf(rows)).toContain('check whether the price list is current or Microsoft charged the wrong price.')
  })
})
