// SPEC §5 USAGE_TIE_OUT (aggregate, file '' row 0) and OUT_OF_PERIOD (per usage row), period 2026-10.
import { describe, expect, it } from 'vitest'
import { azurePlanLine, USAGE_FILE } from './fixtures.js'
import { findingsOf, type Case } from './run-rule.js'

// The Azure plan fixture line bills 3.16 for (cust-1, azure-plan-1, DZH318Z0BP0L, 004P).
// Usage billed in CAD, like the Azure plan fixture line (a key's two sides share its billing account's currency).
const usage = (total: string, date = '2026-10-15', o = {}) => ({ billing_pre_tax_total: total, usage_date: date, billing_currency: 'CAD', ...o })
const tie = (expected: string, actual: string, customerId = 'cust-1') => ({ rule: 'USAGE_TIE_OUT', file: '', row: 0, expected, actual, customerId })

const tieOut: Case[] = [
  { name: 'usage short by 0.06 (> min 0.05)', given: { lines: [azurePlanLine()], usage: [usage('1.5'), usage('1.6')] }, expect: [tie('3.16', '3.10')] },
  { name: 'a key on one side only counts, both directions', given: { lines: [azurePlanLine()], usage: [usage('3.16', '2026-10-02', { customer_id: 'cust-2' })] }, expect: [tie('3.16', '0.00'), tie('0.00', '3.16', 'cust-2')] },
  { name: 'out-of-period usage is left out of the sum', given: { lines: [azurePlanLine()], usage: [usage('3.16'), usage('1', '2026-09-30')] }, expect: [] },
  { name: 'held and unpriced Azure lines count on the reconciliation side', given: { lines: [azurePlanLine({}, { status: 'held', sell: null }), { ...azurePlanLine(), priced: null }], usage: [usage('3.16')] }, expect: [tie('6.32', '3.16')] },
  {
    name: 'tolerance grows with the row count: 700 rows → 0.07; 0.08 off fires',
    given: { lines: [azurePlanLine({ subtotal: '7.08', total: '7.08', billable_quantity: '0', effective_unit_price: '0' })], usage: Array.from({ length: 700 }, () => usage('0.01')) },
    expect: [tie('7.08', '7.00')],
  },
  // Negative.
  { name: 'exact tie', given: { lines: [azurePlanLine()], usage: [usage('1.58'), usage('1.58')] }, expect: [] },
  { name: 'within the 0.05 minimum', given: { lines: [azurePlanLine()], usage: [usage('3.11')] }, expect: [] },
  {
    name: '700 rows → 0.07 tolerance; 0.07 off stays silent',
    given: { lines: [azurePlanLine({ subtotal: '7.07', total: '7.07', billable_quantity: '0', effective_unit_price: '0' })], usage: Array.from({ length: 700 }, () => usage('0.01')) },
    expect: [],
  },
  { name: 'no usage file at all: no tie-out', given: { lines: [azurePlanLine()] }, expect: [] },
  // A header-only file (an empty or failed export) switched the tie-out off, like no file (end-to-end review).
  { name: 'a usage file with no rows: every Azure plan line is untied', given: { lines: [azurePlanLine()], usage: [] }, expect: [tie('3.16', '0.00')] },
  { name: 'duplicates and seat lines are not Azure plan cost', given: { lines: [azurePlanLine(), { ...azurePlanLine({ is_duplicate: 1, duplicate_of: 1 }), priced: null }, {}], usage: [usage('3.16')] }, expect: [] },
]

const outOfPeriod: Case[] = [
  {
    name: 'one finding per usage row outside 2026-10-01..2026-10-31',
    given: { usage: [usage('1', '2026-09-30'), usage('1', '2026-10-01'), usage('1', '2026-10-31'), usage('1', '2026-11-01')] },
    expect: [
      { rule: 'OUT_OF_PERIOD', file: USAGE_FILE, row: 2, expected: '2026-10-01..2026-10-31', actual: '2026-09-30' },
      { rule: 'OUT_OF_PERIOD', file: USAGE_FILE, row: 5, expected: '2026-10-01..2026-10-31', actual: '2026-11-01' },
    ],
  },
  {
    name: 'periodStartDay 20: the period is 2026-09-20..2026-10-19',
    settings: { periodStartDay: 20 },
    given: { usage: [usage('1', '2026-09-20'), usage('1', '2026-10-19'), usage('1', '2026-10-20')] },
    expect: [{ rule: 'OUT_OF_PERIOD', file: USAGE_FILE, row: 4, expected: '2026-09-20..2026-10-19', actual: '2026-10-20' }],
  },
  // Negative.
  { name: 'every row in the period', given: { usage: [usage('1', '2026-10-01'), usage('1', '2026-10-31')] }, expect: [] },
]

describe('USAGE_TIE_OUT', () => {
  it.each(tieOut)('$name', async ({ given, settings, expect: want }) => {
    const got = await findingsOf('USAGE_TIE_OUT', given, settings, ['customerId'])
    expect(got).toEqual(want)
  })
})

// Which reseller a tie-out names: the reconciliation side's (priced) reseller when the key has one, else the usage
// rows' Tier2MpnId unless it is '0' (SPEC §4.1); and the key's currency the same way.
const named = (expected: string, actual: string, customerId: string, resellerId: string | null) => ({ ...tie(expected, actual, customerId), resellerId })
const namedCases: Case[] = [
  {
    name: 'both sides: the priced line\'s reseller, not the usage Tier2MpnId',
    given: { lines: [azurePlanLine({}, { reseller_id: 'R7' })], usage: [usage('1', '2026-10-15', { tier2_mpn_id: 'R9' })] },
    expect: [named('3.16', '1.00', 'cust-1', 'R7')],
  },
  {
    name: 'usage only: its Tier2MpnId; Tier2MpnId 0 names nobody',
    given: { usage: [usage('2', '2026-10-15', { customer_id: 'cust-2', tier2_mpn_id: 'R9' }), usage('2', '2026-10-15', { customer_id: 'cust-3', tier2_mpn_id: '0' })] },
    expect: [named('0.00', '2.00', 'cust-2', 'R9'), named('0.00', '2.00', 'cust-3', null)],
  },
  // As the Azure usage sheet and OUT_OF_PERIOD attribute usage (end-to-end review: these named nobody).
  {
    name: 'usage only without a Tier2MpnId: the customers mapping, else the customer\'s invoiced reseller',
    given: {
      lines: [azurePlanLine({ customer_id: 'cust-3', subscription_id: 'other' }, { reseller_id: 'R7' })],
      customers: [{ customer_id: 'cust-2', reseller_id: 'R5' }],
      usage: [usage('2', '2026-10-15', { customer_id: 'cust-2', tier2_mpn_id: '0' }), usage('2', '2026-10-15', { customer_id: 'cust-3', tier2_mpn_id: null })],
    },
    expect: [named('0.00', '2.00', 'cust-2', 'R5'), named('0.00', '2.00', 'cust-3', 'R7'), named('3.16', '0.00', 'cust-3', 'R7')],
  },
  // The reseller the money went to beats a stale customers mapping (attribution review).
  {
    name: 'usage only without a Tier2MpnId: the reseller invoiced for the customer, over the customers mapping',
    given: {
      lines: [azurePlanLine({ customer_id: 'cust-2', subscription_id: 'other' }, { reseller_id: 'R7' })],
      customers: [{ customer_id: 'cust-2', reseller_id: 'R5' }],
      usage: [usage('2', '2026-10-15', { customer_id: 'cust-2', tier2_mpn_id: null })],
    },
    expect: [named('0.00', '2.00', 'cust-2', 'R7'), named('3.16', '0.00', 'cust-2', 'R7')],
  },
]

it('USAGE_TIE_OUT states each side with its currency', async () => {
  const got = await findingsOf('USAGE_TIE_OUT', { lines: [azurePlanLine()], usage: [usage('3')] }, {}, ['message'])
  expect(got.map((f) => f.message)).toEqual([expect.stringContaining('adds up to 3.00 CAD over 1 usage rows but the reconciliation bills 3.16 CAD (tolerance 0.05)')])
})

// A key whose usage was in EUR and whose bill was in CAD was compared as if one currency: 3.16 EUR against 3.16 CAD
// passed silently, a mix of CAD and EUR usage rows was summed into one figure, and 224 JPY was 220.84 off (review).
it.each([
  { name: 'usage in JPY, bill in CAD', usage: [usage('224', '2026-10-15', { billing_currency: 'JPY' })], sides: '(224 JPY over 1 usage rows) and the reconciliation\'s bill for it (3.16 CAD)' },
  { name: 'usage in EUR, bill in USD, same figure', usage: [usage('3.16', '2026-10-15', { billing_currency: 'EUR' })], sides: '(3.16 EUR over 1 usage rows) and the reconciliation\'s bill for it (3.16 CAD)' },
  { name: 'usage rows in two currencies', usage: [usage('1.58', '2026-10-15', { billing_currency: 'CAD' }), usage('1.58', '2026-10-16', { billing_currency: 'EUR' })], sides: '(3.16 CAD,EUR over 2 usage rows) and the reconciliation\'s bill for it (3.16 CAD)' },
])('USAGE_TIE_OUT reports amounts in different currencies without comparing them: $name', async ({ usage: rows, sides }) => {
  const got = await findingsOf('USAGE_TIE_OUT', { lines: [azurePlanLine()], usage: rows }, {}, ['message'])
  expect(got.map((f) => f.message)).toEqual([`Azure usage of subscription azure-plan-1 for DZH318Z0BP0L/004P ${sides} are in different currencies, so they cannot be tied out: check that the usage file and the reconciliation are exports of the same billing account for the month.`])
})

// Usage review: "(0.02 EUR,USD over 2 usage rows) and the reconciliation's bill for it (0 EUR,USD)" named currencies
// for a bill that does not exist.
it('USAGE_TIE_OUT: usage in two currencies for a key the reconciliation does not bill says so', async () => {
  const got = await findingsOf('USAGE_TIE_OUT', {
    lines: [azurePlanLine()],
    usage: [usage('0.01', '2026-10-15', { subscription_id: 'other', billing_currency: 'EUR' }), usage('0.01', '2026-10-16', { subscription_id: 'other', billing_currency: 'USD' })],
  }, {}, ['message'])
  expect(got.map((f) => f.message)).toContain('Azure usage of subscription other for DZH318Z0BP0L/004P adds up to 0.02 over 2 usage rows in several currencies (EUR,USD), and the reconciliation bills nothing for it: check that the usage file is of one billing account and complete for the month.')
})

describe('USAGE_TIE_OUT names the reseller', () => {
  it.each(namedCases)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('USAGE_TIE_OUT', given, settings, ['customerId', 'resellerId'])).toEqual(want)
  })
})

describe('OUT_OF_PERIOD', () => {
  it.each(outOfPeriod)('$name', async ({ given, settings, expect: want }) => {
    expect(await findingsOf('OUT_OF_PERIOD', given, settings)).toEqual(want)
  })
})

// Which reseller an OUT_OF_PERIOD finding names: the row's Tier2MpnId, else (the 2021 layout has no such column,
// unbilled usage leaves it blank, '0' means none) the customers mapping, else the customer's invoiced lines' reseller,
// as the Azure usage sheet attributes usage. Found by an end-to-end review: the 2021 layout's findings named none.
describe('OUT_OF_PERIOD reseller', () => {
  const late = (o = {}) => usage('1', '2026-09-30', o)
  it.each([
    { name: 'its own Tier2MpnId', given: { usage: [late({ tier2_mpn_id: 'R9' })] }, resellerId: 'R9' },
    // The reseller the money went to beats a (stale) customers mapping: the mapping came first, and one reseller's
    // invoice showed another reseller's customer's usage (attribution review).
    {
      name: 'the reseller invoiced for its subscription, over the customer\'s other lines and the customers mapping',
      given: { usage: [late({ tier2_mpn_id: null, subscription_id: 'azure-plan-1' })], customers: [{ reseller_id: 'R5' }], lines: [azurePlanLine({ subscription_id: 'seats' }, { reseller_id: 'R3' }), azurePlanLine({}, { reseller_id: 'R7' })] },
      resellerId: 'R7',
    },
    { name: "the customer's invoiced lines, over the customers mapping", given: { usage: [late({ tier2_mpn_id: '0', subscription_id: 'other' })], customers: [{ reseller_id: 'R5' }], lines: [azurePlanLine({}, { reseller_id: 'R7' })] }, resellerId: 'R7' },
    { name: 'the customers mapping when none of the customer\'s lines was invoiced', given: { usage: [late({ tier2_mpn_id: null })], customers: [{ reseller_id: 'R5' }], lines: [azurePlanLine({}, { reseller_id: 'R7', status: 'held', sell: null })] }, resellerId: 'R5' },
    { name: 'none known', given: { usage: [late({ tier2_mpn_id: null, customer_id: 'cust-9' })] }, resellerId: null },
    // Diff review: as the Azure usage sheets, a Tier2MpnId without an invoice gives way to the reseller invoiced for
    // the row's subscription (it named R9 while the sheet showed the usage with R7); with none, it is still named.
    {
      name: 'a Tier2MpnId without an invoice: the reseller invoiced for its subscription',
      given: { usage: [late({ tier2_mpn_id: 'R9', subscription_id: 'azure-plan-1' })], lines: [azurePlanLine({}, { reseller_id: 'R7' })] },
      resellerId: 'R7',
    },
    {
      name: 'a Tier2MpnId without an invoice and no subscription invoiced: the Tier2MpnId',
      given: { usage: [late({ tier2_mpn_id: 'R9', subscription_id: 'other' })], lines: [azurePlanLine({}, { reseller_id: 'R7' })] },
      resellerId: 'R9',
    },
  ])('$name', async ({ given, resellerId }) => {
    const got = await findingsOf('OUT_OF_PERIOD', given as Case['given'], {}, ['resellerId'])
    expect(got.map((f) => f.resellerId)).toEqual([resellerId])
  })
})
