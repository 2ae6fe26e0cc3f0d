// SPEC §2.5: the settings reach the checks. Each case sets one tolerance or window to a NON-default value where the
// default gives the opposite verdict, and is run both ways: with the setting, and with the defaults (amount 0.01,
// usageTieOutMin 0.05, usageTieOutPer100Rows 0.01, premium 0.005, perpetualReturnWindowDays 30), so a check that
// ignores its setting (a hard-coded default) fails the first run, and the fixture is known to depend on it.
import { describe, expect, it } from 'vitest'
import { azurePlanLine, PRICELIST_FILE, RECON_FILE, type LineSpec, type Seed } from './fixtures.js'
import { findingsOf } from './run-rule.js'

interface SettingCase {
  name: string
  rule: string
  given: Seed
  settings: Record<string, unknown>
  /** Findings with `settings`. */
  withSetting: Record<string, unknown>[]
  /** Findings with the defaults: the opposite verdict. */
  withDefaults: Record<string, unknown>[]
  /** Extra finding fields compared (customerId for the aggregate USAGE_TIE_OUT). */
  extra?: ('customerId')[]
}

const amount = (row: number, expected: string, actual: string) => ({ rule: 'AMOUNT_MISMATCH', file: RECON_FILE, row, expected, actual })
const tie = (expected: string, actual: string) => ({ rule: 'USAGE_TIE_OUT', file: '', row: 0, expected, actual, customerId: 'cust-1' })
const premium = (row: number, expected: string, actual: string) => ({ rule: 'PREMIUM_MISMATCH', file: PRICELIST_FILE, row, expected, actual })
const lateReturn = (row: number, expected: string, actual: string) => ({ rule: 'PERPETUAL_RETURN_LATE', file: RECON_FILE, row, expected, actual })

// Usage rows in CAD, like the Azure plan fixture line (3.16 CAD for cust-1 / azure-plan-1 / DZH318Z0BP0L / 004P).
const usage = (total: string) => ({ billing_pre_tax_total: total, usage_date: '2026-10-15', billing_currency: 'CAD' })
const rows = (n: number, total: string) => Array.from({ length: n }, () => usage(total))

// P1Y/Annual 120 / 150 from 2025-01-01 → P1M/Monthly from 2026-01-01 (20% premium): UnitPrice 120 × 1/12 × 1.20 = 12,
// ERP 150 × 1/12 × 1.20 = 15.
const annual = { term_duration: 'P1Y', billing_plan: 'Annual', unit_price: '120', erp_price: '150', effective_start_date: '2025-01-01' }
const monthly = (unitPrice: string) => ({ term_duration: 'P1M', billing_plan: 'Monthly', unit_price: unitPrice, erp_price: '15', effective_start_date: '2026-01-01' })

const perpetual = (o: { type: string; order: string; subtotal: string }): LineSpec => ({
  recon: {
    charge_type: o.type, charge_start_date: '2026-09-10', order_date: o.order, charge_end_date: null, term_and_billing_cycle: null,
    billing_frequency: null, subscription_start_date: null, subscription_end_date: null, subscription_id: 'perp-1',
    billable_quantity: '2', effective_unit_price: o.subtotal.startsWith('-') ? '-100' : '100', unit_price: '100',
    subtotal: o.subtotal, total: o.subtotal,
  },
  priced: { category: 'perpetual', term_duration: null, billing_plan: null, term_start: null, cycle_start: null, cycle_end: null, billing_days: null, cycle_days: null },
})
// Bought 2026-09-10 (event date); returns dated by their OrderDate (event date = max(ChargeStartDate, OrderDate)).
const bought = perpetual({ type: 'new', order: '2026-09-10', subtotal: '200' })

const cases: SettingCase[] = [
  // tolerances.amount. Default seat line: ROUNDDOWN(10 × 1, 2) × 5 = 50.00.
  {
    name: 'tolerances.amount 0.05: a seat Subtotal 0.02 off (50.02 vs 50.00) is within it (the default 0.01 fires)',
    rule: 'AMOUNT_MISMATCH', settings: { tolerances: { amount: '0.05' } },
    given: { lines: [{ recon: { subtotal: '50.02', total: '50.02' } }] },
    withSetting: [], withDefaults: [amount(2, '50.00', '50.02')],
  },
  {
    name: 'tolerances.amount 0: a seat Subtotal 0.01 off (50.01 vs 50.00) fires (the default 0.01 is silent)',
    rule: 'AMOUNT_MISMATCH', settings: { tolerances: { amount: '0' } },
    given: { lines: [{ recon: { subtotal: '50.01', total: '50.01' } }] },
    withSetting: [amount(2, '50.00', '50.01')], withDefaults: [],
  },
  // §3.4 usage formula: ROUNDDOWN(ROUNDDOWN(0.0155 × 1, 2) × 1.5, 2) = ROUNDDOWN(0.01 × 1.5, 2) = ROUNDDOWN(0.015, 2) = 0.01.
  // A Subtotal of 0.02 (what 0.0155 × 1.5 = 0.02325 → 0.02 gives without the inner truncation) is 0.01 off.
  {
    name: 'tolerances.amount 0.005: an Azure plan Subtotal 0.02 against the formula\'s 0.01 fires (the default 0.01 is silent)',
    rule: 'AMOUNT_MISMATCH', settings: { tolerances: { amount: '0.005' } },
    given: {
      lines: [
        azurePlanLine({ effective_unit_price: '0.0155', unit_price: '0.0155', billable_quantity: '1', pc_to_bc_exchange_rate: '1.5', subtotal: '0.01', total: '0.01' }),
        azurePlanLine({ effective_unit_price: '0.0155', unit_price: '0.0155', billable_quantity: '1', pc_to_bc_exchange_rate: '1.5', subtotal: '0.02', total: '0.02' }),
      ],
    },
    withSetting: [amount(3, '0.01', '0.02')], withDefaults: [],
  },

  // tolerances.usageTieOutMin. 2 usage rows → row tolerance 0.01 × 2 ÷ 100 = 0.0002, so the minimum decides.
  {
    name: 'tolerances.usageTieOutMin 0.10: usage 3.10 vs billed 3.16 (0.06 off) ties out (the default 0.05 fires)',
    rule: 'USAGE_TIE_OUT', extra: ['customerId'], settings: { tolerances: { usageTieOutMin: '0.10' } },
    given: { lines: [azurePlanLine()], usage: [usage('1.5'), usage('1.6')] }, // 1.5 + 1.6 = 3.10
    withSetting: [], withDefaults: [tie('3.16', '3.10')],
  },
  {
    name: 'tolerances.usageTieOutMin 0.02: usage 3.13 vs billed 3.16 (0.03 off) fires (the default 0.05 is silent)',
    rule: 'USAGE_TIE_OUT', extra: ['customerId'], settings: { tolerances: { usageTieOutMin: '0.02' } },
    given: { lines: [azurePlanLine()], usage: [usage('1.5'), usage('1.63')] }, // 1.5 + 1.63 = 3.13
    withSetting: [tie('3.16', '3.13')], withDefaults: [],
  },

  // tolerances.usageTieOutPer100Rows.
  // 10 rows of 0.31 = 3.10 vs 3.16: 0.06 off. Setting 1 → 1 × 10 ÷ 100 = 0.10 > min 0.05 → tolerance 0.10, silent.
  // Default 0.01 → 0.01 × 10 ÷ 100 = 0.001 < 0.05 → tolerance 0.05, fires.
  {
    name: 'tolerances.usageTieOutPer100Rows 1: 10 rows allow 0.10, so 0.06 off ties out (the default allows 0.05 and fires)',
    rule: 'USAGE_TIE_OUT', extra: ['customerId'], settings: { tolerances: { usageTieOutPer100Rows: '1' } },
    given: { lines: [azurePlanLine()], usage: rows(10, '0.31') },
    withSetting: [], withDefaults: [tie('3.16', '3.10')],
  },
  // 700 rows of 0.01 = 7.00 vs billed 7.07: 0.07 off. Setting 0.005 → 0.005 × 700 ÷ 100 = 0.035 < min 0.05 → 0.05, fires.
  // Default 0.01 → 0.01 × 700 ÷ 100 = 0.07 → silent (0.07 is not more than 0.07).
  {
    name: 'tolerances.usageTieOutPer100Rows 0.005: 700 rows allow only the 0.05 minimum, so 0.07 off fires (the default allows 0.07)',
    rule: 'USAGE_TIE_OUT', extra: ['customerId'], settings: { tolerances: { usageTieOutPer100Rows: '0.005' } },
    given: { lines: [azurePlanLine({ subtotal: '7.07', total: '7.07', billable_quantity: '0', effective_unit_price: '0' })], usage: rows(700, '0.01') },
    withSetting: [tie('7.07', '7.00')], withDefaults: [],
  },

  // tolerances.premium (relative: |actual − expected| > tolerance × |expected|), expected UnitPrice 12.
  // 12.06: 0.06 off; default 0.005 × 12 = 0.06 → silent; setting 0.001 × 12 = 0.012 → fires.
  {
    name: 'tolerances.premium 0.001: P1M UnitPrice 12.06 vs 12 (0.5%) fires (the default 0.5% is silent)',
    rule: 'PREMIUM_MISMATCH', settings: { tolerances: { premium: '0.001' } },
    given: { priceList: [annual, monthly('12.06')] },
    withSetting: [premium(3, '12', '12.06')], withDefaults: [],
  },
  // 11: 1 off; default 0.06 → fires; setting 0.1 × 12 = 1.2 → silent.
  {
    name: 'tolerances.premium 0.1: P1M UnitPrice 11 vs 12 (8.3%) is within 10% (the default 0.5% fires)',
    rule: 'PREMIUM_MISMATCH', settings: { tolerances: { premium: '0.1' } },
    given: { priceList: [annual, monthly('11')] },
    withSetting: [], withDefaults: [premium(3, '12', '11')],
  },

  // perpetualReturnWindowDays. Purchase 2026-09-10.
  // Return 2026-10-11: 20 days to 09-30 + 11 = 31 days; > 30 (default) fires; not > 31 (setting) → silent.
  {
    name: 'perpetualReturnWindowDays 31: a return 31 days after the purchase is in time (the default 30 fires)',
    rule: 'PERPETUAL_RETURN_LATE', settings: { perpetualReturnWindowDays: 31 },
    given: { lines: [bought, perpetual({ type: 'cancelImmediate', order: '2026-10-11', subtotal: '-200' })] },
    withSetting: [], withDefaults: [lateReturn(3, '30', '31')],
  },
  // Return 2026-09-30: 30 − 10 = 20 days; > 10 (setting) fires; not > 30 (default) → silent.
  {
    name: 'perpetualReturnWindowDays 10: a return 20 days after the purchase is late (the default 30 is silent)',
    rule: 'PERPETUAL_RETURN_LATE', settings: { perpetualReturnWindowDays: 10 },
    given: { lines: [bought, perpetual({ type: 'cancelImmediate', order: '2026-09-30', subtotal: '-200' })] },
    withSetting: [lateReturn(3, '10', '20')], withDefaults: [],
  },
]

describe('settings reach the checks (SPEC §2.5)', () => {
  it.each(cases)('$name', async ({ rule, given, settings, withSetting, withDefaults, extra }) => {
    expect(await findingsOf(rule, given, settings, extra)).toEqual(withSetting)
    expect(await findingsOf(rule, given, {}, extra)).toEqual(withDefaults)
  })
})
