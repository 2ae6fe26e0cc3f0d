// SPEC §3.3 — charge cycles from the term start, event date, billing/cycle days and the proration factor.
// Expected values are Microsoft's documented examples (FORMATS.md §1.8), worked by hand.
import { describe, expect, it } from 'vitest'
import { Decimal } from '../../pipeline/money.js'
import { priceOne, priceRow, rule } from './fixtures.js'

const monthlyFrom = (start: string, end: string) => ({ subscription_start_date: start, subscription_end_date: end, billing_frequency: 'Monthly' })

describe('charge cycle (SPEC §3.3)', () => {
  it.each([
    {
      name: 'bought Feb 21 2022: first monthly cycle Feb 21–Mar 20 has 28 days',
      line: { ...monthlyFrom('2022-02-21', '2023-02-20'), charge_start_date: '2022-02-21', charge_end_date: '2022-03-20' },
      cycle: ['2022-02-21', '2022-03-20', 28], billingDays: 28,
    },
    {
      name: 'the next cycle Mar 21–Apr 20 has 31 days',
      line: { ...monthlyFrom('2022-02-21', '2023-02-20'), charge_start_date: '2022-03-21', charge_end_date: '2022-04-20' },
      cycle: ['2022-03-21', '2022-04-20', 31], billingDays: 31,
    },
    {
      name: 'bought Jan 31 (non-leap year): first monthly cycle ends Feb 27',
      line: { ...monthlyFrom('2023-01-31', '2024-01-30'), charge_start_date: '2023-01-31', charge_end_date: '2023-02-27' },
      cycle: ['2023-01-31', '2023-02-27', 28], billingDays: 28,
    },
    {
      name: 'bought Jan 31 (leap year): first monthly cycle ends Feb 28',
      line: { ...monthlyFrom('2024-01-31', '2025-01-30'), charge_start_date: '2024-01-31', charge_end_date: '2024-02-28' },
      cycle: ['2024-01-31', '2024-02-28', 29], billingDays: 29,
    },
    {
      name: 'bought Jan 31: cycle 2 is computed from the start, not chained (Feb 28 – Mar 30)',
      line: { ...monthlyFrom('2023-01-31', '2024-01-30'), charge_start_date: '2023-02-28', charge_end_date: '2023-03-30' },
      cycle: ['2023-02-28', '2023-03-30', 31], billingDays: 31,
    },
    {
      name: 'annual upfront cycle of 365 days',
      line: { subscription_start_date: '2022-03-01', subscription_end_date: '2023-02-28', billing_frequency: null, charge_start_date: '2022-03-01', charge_end_date: '2023-02-28' },
      cycle: ['2022-03-01', '2023-02-28', 365], billingDays: 365,
    },
    {
      name: 'annual cycle of 366 days (contains Feb 29 2024)',
      line: { subscription_start_date: '2023-03-01', subscription_end_date: '2024-02-29', billing_frequency: 'Annual', charge_start_date: '2023-03-01', charge_end_date: '2024-02-29' },
      cycle: ['2023-03-01', '2024-02-29', 366], billingDays: 366,
    },
    {
      name: 'triennial upfront: the cycle is the whole term',
      line: { subscription_start_date: '2024-01-01', subscription_end_date: '2026-12-31', billing_frequency: null, charge_start_date: '2024-01-01', charge_end_date: '2026-12-31' },
      cycle: ['2024-01-01', '2026-12-31', 1096], billingDays: 1096,
    },
    // Periods review: a P1M bought on the 31st renews on Feb 28; Microsoft's cycle runs to Mar 30 (anchored on the
    // 31st), where Feb 28 + 1 month − 1 day is Mar 27: 31 billed days over 28 sold 110.71 for a 100.00 cycle.
    {
      name: 'P1M renewed on a clamped Feb 28: the cycle runs to Mar 30, as its ChargeEndDate says',
      line: { subscription_start_date: '2026-02-28', subscription_end_date: '2026-03-30', billing_frequency: null, term_and_billing_cycle: 'One-Month commitment for monthly billing', charge_start_date: '2026-02-28', charge_end_date: '2026-03-30' },
      cycle: ['2026-02-28', '2026-03-30', 31], billingDays: 31,
    },
    {
      name: 'P1M bought Jan 31 stepped to its Sep 30 term: anchored on the 31st, Sep 30 – Oct 30',
      line: { subscription_start_date: '2026-01-31', subscription_end_date: '2026-02-27', billing_frequency: null, term_and_billing_cycle: 'One-Month commitment for monthly billing', charge_start_date: '2026-09-30', charge_end_date: '2026-10-30' },
      cycle: ['2026-09-30', '2026-10-30', 31], billingDays: 31,
    },
    {
      name: 'a genuine 28th keeps its own cycle (Feb 28 – Mar 27)',
      line: { subscription_start_date: '2026-02-28', subscription_end_date: '2026-03-27', billing_frequency: null, term_and_billing_cycle: 'One-Month commitment for monthly billing', charge_start_date: '2026-02-28', charge_end_date: '2026-03-27' },
      cycle: ['2026-02-28', '2026-03-27', 28], billingDays: 28,
    },
    {
      name: 'P1Y monthly renewed on a clamped Feb 28 (bought Feb 29): cycles anchored on the 29th',
      line: { ...monthlyFrom('2025-02-28', '2026-02-27'), charge_start_date: '2025-03-29', charge_end_date: '2025-04-28' },
      cycle: ['2025-03-29', '2025-04-28', 31], billingDays: 31,
    },
    // Diff review: in a non-leap February both anchors end the cycle on Feb 27; its start (Jan 28 or Jan 29) tells.
    {
      name: 'P1Y monthly renewed on a clamped Feb 28 (bought Feb 29): the February cycle starts Jan 29, as its ChargeStartDate says',
      line: { ...monthlyFrom('2025-02-28', '2026-02-27'), charge_start_date: '2026-01-29', charge_end_date: '2026-02-27' },
      cycle: ['2026-01-29', '2026-02-27', 30], billingDays: 30,
    },
  ])('$name', async ({ line, cycle, billingDays }) => {
    const p = await priceOne({ line })
    expect([p.cycle_start, p.cycle_end, p.cycle_days]).toEqual(cycle)
    expect(p.billing_days).toBe(billingDays)
    expect(p.proration_factor).toBe('1')
  })

  // Real example: cycle 05/25–06/24 (31 days); seats changed on 06/08 → 17 days: 3.04 × 17/31 → 1.67 per seat.
  const seatChange = { ...monthlyFrom('2021-05-25', '2022-05-24'), unit_price: '3.04', charge_end_date: '2021-06-24', order_date: '2021-06-08' }
  it.each([
    { name: 'refund row keeps the cycle start as ChargeStartDate; OrderDate is the change day', line: { ...seatChange, charge_type: 'addQuantity', charge_type_norm: 'addquantity', charge_start_date: '2021-05-25', effective_unit_price: '-1.67', billable_quantity: '15', subtotal: '-25.05' } },
    { name: 'charge row starts on the change day', line: { ...seatChange, charge_type: 'addQuantity', charge_type_norm: 'addquantity', charge_start_date: '2021-06-08', effective_unit_price: '1.67', billable_quantity: '35', subtotal: '58.45' } },
  ])('seat change 06/08 in cycle 05/25–06/24: $name → 17/31', async ({ line }) => {
    const p = await priceOne({ line })
    expect(p.event_date).toBe('2021-06-08')
    expect([p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days]).toEqual(['2021-05-25', '2021-06-24', 17, 31])
    expect(new Decimal(p.proration_factor).eq(new Decimal(17).div(31))).toBe(true)
  })

  // An OrderDate after the charged period gave -2 billing days (factor -2/30), and a 42.00 cycle charge sold 3.15,
  // its sign hidden by the magnitude formulas (review). It is no change day inside the charge: the whole cycle.
  it('an OrderDate after ChargeEndDate: the event date is ChargeStartDate, the whole cycle', async () => {
    const p = await priceOne({ line: { ...monthlyFrom('2026-01-01', '2026-12-31'), charge_start_date: '2026-10-01', charge_end_date: '2026-10-31', order_date: '2026-11-03' } })
    expect([p.event_date, p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days, p.proration_factor]).toEqual(['2026-10-01', '2026-10-01', '2026-10-31', 31, 31, '1'])
  })

  it('fixed price 3.04 per cycle prorates to 1.67 for one seat (Microsoft: 3.04 × 17/31 = 1.6671 → 1.67)', async () => {
    const p = await priceOne({
      line: { ...seatChange, charge_start_date: '2021-06-08', billable_quantity: '1', effective_unit_price: '1.67', subtotal: '1.67' },
      rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: '3.04' })],
    })
    expect(p.sell).toBe('1.67')
    expect(p.explanation).toBe('fixed 3.04/cycle × 17/31 × 1 = 1.67')
  })

  it('annual plan: a seat added on Sep 1 2023 pays 182 of the 366 days', async () => {
    const p = await priceOne({ line: { subscription_start_date: '2023-03-01', subscription_end_date: '2024-02-29', billing_frequency: 'Annual', charge_start_date: '2023-09-01', order_date: '2023-09-01', charge_end_date: '2024-02-29' } })
    expect([p.billing_days, p.cycle_days]).toEqual([182, 366])
    expect(new Decimal(p.proration_factor).eq(new Decimal(182).div(366))).toBe(true)
  })

  it.each([
    { name: 'Azure plan: event date = ChargeStartDate, factor 1', line: { subscription_description: 'Azure plan', term_and_billing_cycle: '1 Compute Hour', subscription_start_date: null, subscription_end_date: null, order_date: '2025-06-30', charge_end_date: '2025-06-15' }, event: '2025-06-01' },
    { name: 'credit: event date = ChargeStartDate, factor 1', line: { charge_type: 'customerCredit', charge_type_norm: 'customercredit', order_date: '2025-06-20', charge_end_date: '2025-06-25' }, event: '2025-06-01' },
    { name: 'perpetual: factor 1', line: { term_and_billing_cycle: null, charge_end_date: null, order_date: '2025-06-05' }, event: '2025-06-05' },
    { name: 'license with unknown term: factor 1', line: { subscription_start_date: null, subscription_end_date: null, term_and_billing_cycle: 'Some new wording', charge_end_date: '2025-06-10' }, event: '2025-06-01' },
    { name: 'OrderDate before ChargeStartDate: event = ChargeStartDate', line: { order_date: '2025-05-20' }, event: '2025-06-01' },
  ])('$name', async ({ line, event }) => {
    const p = await priceOne({ line })
    expect(p.event_date).toBe(event)
    expect(p.proration_factor).toBe('1')
  })
})

// Charge-types review: Microsoft refunds a purchase or renewal in full within 24 hours (FORMATS §5): EUP = −UnitPrice
// a day into the cycle. Prorated 364/365, the reseller kept paying for a day Microsoft refunded. Diff review: only
// within a day (a full credit 4 days in is prorated, and PRORATION_MISMATCH says so), and a mid-cycle
// addition refunded the next day credits the addition's days.
describe('a refund in full within a day of the charge it reverses', () => {
  const renewal = { subscription_start_date: '2026-10-05', subscription_end_date: '2027-10-04', billing_frequency: null, charge_start_date: '2026-10-05', charge_end_date: '2027-10-04', unit_price: '144' }
  const cancel = { ...renewal, charge_type: 'cancelImmediate', charge_type_norm: 'cancelimmediate', billable_quantity: '4' }
  const fixed = [rule({ method: 'fixed', fixed_unit_price: '150' })]
  it('credits the whole cycle the next day; later, or for less than the charge, it is prorated', async () => {
    const full = await priceOne({ line: { ...cancel, order_date: '2026-10-06', effective_unit_price: '-144', subtotal: '-576', total: '-576' }, rules: fixed })
    expect([full.billing_days, full.cycle_days, full.proration_factor, full.sell]).toEqual([365, 365, '1', '-600'])
    const late = await priceOne({ line: { ...cancel, order_date: '2026-10-09', effective_unit_price: '-144', subtotal: '-576', total: '-576' }, rules: fixed })
    expect([late.billing_days, late.sell]).toEqual([361, '-593.42']) // 150 × 361/365 × 4
    const part = await priceOne({ line: { ...cancel, order_date: '2026-10-06', effective_unit_price: '-143.61', subtotal: '-574.44', total: '-574.44' }, rules: fixed })
    expect([part.billing_days, part.sell]).toEqual([364, '-598.36'])
  })

  // Diff review: with ChargeStartDate the change day itself (FORMATS §1.8's layout, or no OrderDate) the full refund
  // was prorated again (−598.36 for a +600 charge); a negative UnitPrice too; a price that rounds alike keeps its days.
  it('ChargeStartDate the change day, or no OrderDate: the day before counts; a UnitPrice written negative too', async () => {
    const changeDay = { ...cancel, charge_start_date: '2026-10-06', effective_unit_price: '-144', subtotal: '-576', total: '-576' }
    for (const line of [{ ...changeDay, order_date: '2026-10-06' }, { ...changeDay, order_date: null }, { ...changeDay, order_date: '2026-10-06', unit_price: '-144' }]) {
      const p = await priceOne({ line, rules: fixed })
      expect([p.billing_days, p.cycle_days, p.sell]).toEqual([365, 365, '-600'])
    }
    const partial = await priceOne({ line: { ...changeDay, order_date: '2026-10-06', effective_unit_price: '-143.61', subtotal: '-574.44', total: '-574.44' }, rules: fixed })
    expect([partial.billing_days, partial.sell]).toEqual([364, '-598.36'])
    const tiny = { subscription_start_date: '2026-01-01', subscription_end_date: '2028-12-31', billing_frequency: null, charge_type: 'removeQuantity', charge_type_norm: 'removequantity',
      charge_start_date: '2026-01-01', order_date: '2026-01-02', charge_end_date: '2028-12-31', unit_price: '5', effective_unit_price: '-5', subtotal: '-5000', total: '-5000', billable_quantity: '1000' }
    const t = await priceOne({ line: tiny, rules: [rule({ method: 'fixed', fixed_unit_price: '6' })] })
    expect([t.billing_days, t.cycle_days]).toEqual([1095, 1096]) // 5 × 1095/1096 rounds to 5.00 too: the days from the change stay
  })

  // Diff review: a refund row that keeps the cycle start as ChargeStartDate (FORMATS §1.8's export) was credited
  // 21/31 for an addition refunded the next day; the pair's new charge row stayed 364/365 beside a full refund.
  it('whatever the ChargeStartDate, and the charge row of the pair too', async () => {
    const monthly = { subscription_start_date: '2026-10-01', subscription_end_date: '2027-09-30', billing_frequency: 'Monthly', charge_end_date: '2026-10-31', unit_price: '31', billable_quantity: '1' }
    const refund = { ...monthly, charge_type: 'removeQuantity', charge_type_norm: 'removequantity', charge_start_date: '2026-10-01', order_date: '2026-10-11', effective_unit_price: '-22', subtotal: '-22', total: '-22' }
    const p = await priceOne({ line: refund, rules: [rule({ method: 'fixed', fixed_unit_price: '31' })] })
    expect([p.billing_days, p.sell]).toEqual([22, '-22'])
    const recharge = { ...cancel, charge_type: 'removeQuantity', charge_type_norm: 'removequantity', charge_start_date: '2026-10-06', order_date: '2026-10-06', effective_unit_price: '144', subtotal: '576', total: '576' }
    const c = await priceOne({ line: recharge, rules: fixed })
    expect([c.billing_days, c.sell]).toEqual([365, '600'])
  })

  it('a mid-cycle addition refunded the next day credits the addition\'s days', async () => {
    const monthly = { subscription_start_date: '2026-10-01', subscription_end_date: '2027-09-30', billing_frequency: 'Monthly', charge_end_date: '2026-10-31', unit_price: '31', billable_quantity: '1' }
    const refund = { ...monthly, charge_type: 'cancelImmediate', charge_type_norm: 'cancelimmediate', charge_start_date: '2026-10-10', order_date: '2026-10-11', effective_unit_price: '-22', subtotal: '-22', total: '-22' }
    const p = await priceOne({ line: refund, rules: [rule({ method: 'fixed', fixed_unit_price: '31' })] })
    expect([p.cycle_start, p.billing_days, p.cycle_days, p.sell]).toEqual(['2026-10-01', 22, 31, '-22'])
  })
})

// Diff review: a change day is no cycle start. An addition on Oct 31 to a term started Apr 30 took the anchor on the
// 31st (cycle Oct 31 – Nov 29) and was billed a whole cycle; a P1Y term starting on the 30th is never a clamped 31st.
describe('anchors and change-day lines', () => {
  it('an addition on a day that would start a later anchor\'s cycle keeps the term start\'s own cycle', async () => {
    const line = { subscription_start_date: '2026-04-30', subscription_end_date: '2027-04-29', billing_frequency: 'Monthly', charge_type: 'addQuantity', charge_type_norm: 'addquantity', order_date: '2026-10-31', charge_start_date: '2026-10-31', charge_end_date: '2026-11-29', unit_price: '31', effective_unit_price: '30', subtotal: '30', total: '30', billable_quantity: '1' }
    const p = await priceOne({ line, rules: [rule({ method: 'fixed', fixed_unit_price: '31' })] })
    expect([p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days, p.sell]).toEqual(['2026-10-30', '2026-11-29', 30, 31, '30'])
  })
})

// Mutation review: the factor applied to license lines only and no test failed (the categories above assert factor 1
// for lines SPEC §3.3 does not prorate). SPEC §3.3 prorates license, software-subscription, reservation and
// marketplace lines with a ChargeEndDate and a known term and plan; §4.2 applies the factor under fixed and
// erp-discount. Each line: P1Y billed monthly from 2025-01-01, cycle Jul 1 – Jul 31 (31 days), 2 seats added on
// Jul 15 → 31 − 15 + 1 = 17 billing days. Microsoft's EffectiveUnitPrice 10 × 17/31 = 5.4838… → 5.48.
describe('proration of every prorated category (SPEC §3.3) under fixed and erp-discount (SPEC §4.2)', () => {
  const addition = {
    subscription_start_date: '2025-01-01', subscription_end_date: '2025-12-31', billing_frequency: 'Monthly',
    charge_type: 'addQuantity', charge_type_norm: 'addquantity', charge_start_date: '2025-07-15', order_date: '2025-07-15',
    charge_end_date: '2025-07-31', unit_price: '10', effective_unit_price: '5.48', billable_quantity: '2', subtotal: '10.96', total: '10.96',
  }
  const categories = [
    { category: 'software-subscription', line: { term_and_billing_cycle: '1 Year Subscription' } },
    { category: 'reservation', line: { term_and_billing_cycle: '1 Year Reservation' } },
    { category: 'marketplace', line: { publisher_name: 'SendGrid', publisher_id: '21223810', term_and_billing_cycle: 'One-Year commitment for monthly/yearly billing' } },
    { category: 'license', line: {} },
  ]
  const methods = [
    // fixed 40 × 17/31 × 2 = 1360/31 = 43.8709… → 43.87 (a whole cycle would be 80.00)
    { method: 'fixed', rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: '40' })], prices: [], sell: '43.87' },
    // ERP P1Y/Monthly 480 ÷ 12 = 40/cycle × 17/31 × 2 × 1 × (1 − 10%) = 1224/31 = 39.4838… → 39.48 (whole cycle 72.00)
    { method: 'erp-discount', rules: [rule({ method: 'erp-discount', percent: '10' })], prices: [priceRow({ term_duration: 'P1Y', billing_plan: 'Monthly', unit_price: '384', erp_price: '480' })], sell: '39.48' },
  ]
  it.each(categories.flatMap((c) => methods.map((m) => ({ ...c, ...m }))))('$category, $method: 2 seats for 17 of 31 days sell $sell', async ({ category, line, rules, prices, sell }) => {
    const p = await priceOne({ line: { ...addition, ...line }, rules, prices })
    expect([p.category, p.term_duration, p.billing_plan, p.status]).toEqual([category, 'P1Y', 'Monthly', 'invoiced'])
    expect([p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days]).toEqual(['2025-07-01', '2025-07-31', 17, 31])
    expect(new Decimal(p.proration_factor).eq(new Decimal(17).div(31))).toBe(true)
    expect(p.sell).toBe(sell)
  })

  // Upfront (empty BillingFrequency): the cycle is the whole P1Y term, Jan 1 – Dec 31 2025 = 365 days; one unit added
  // Jul 1 → Dec 31 − Jul 1 + 1 = 184 billing days. EffectiveUnitPrice 365 × 184/365 = 184.00.
  const upfront = {
    subscription_start_date: '2025-01-01', subscription_end_date: '2025-12-31', billing_frequency: null,
    charge_type: 'addQuantity', charge_type_norm: 'addquantity', charge_start_date: '2025-07-01', order_date: '2025-07-01',
    charge_end_date: '2025-12-31', unit_price: '365', effective_unit_price: '184', billable_quantity: '1', subtotal: '184', total: '184',
  }
  it.each([
    // fixed 365 × 184/365 × 1 = 184.00
    { name: 'reservation upfront, fixed 365/cycle', category: 'reservation', line: { term_and_billing_cycle: '1 Year Reservation' }, rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: '365' })], prices: [], sell: '184' },
    // ERP P1Y/Annual 730 ÷ 1 = 730/cycle × 184/365 × 1 × 1 × (1 − 0%) = 368.00
    { name: 'software subscription upfront, erp-discount 0%', category: 'software-subscription', line: { term_and_billing_cycle: '1 Year Subscription' }, rules: [rule({ method: 'erp-discount', percent: '0' })], prices: [priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', unit_price: '584', erp_price: '730' })], sell: '368' },
    // fixed 365 × 184/365 × 1 = 184.00
    { name: 'marketplace upfront, fixed 365/cycle', category: 'marketplace', line: { publisher_name: 'SendGrid', publisher_id: '21223810', term_and_billing_cycle: '1 Year Subscription' }, rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: '365' })], prices: [], sell: '184' },
  ])('$name: one unit for 184 of 365 days sells $sell', async ({ category, line, rules, prices, sell }) => {
    const p = await priceOne({ line: { ...upfront, ...line }, rules, prices })
    expect([p.category, p.status]).toEqual([category, 'invoiced'])
    expect([p.term_duration, p.billing_plan, p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days]).toEqual(['P1Y', 'Annual', '2025-01-01', '2025-12-31', 184, 365])
    expect(p.sell).toBe(sell)
  })
})
