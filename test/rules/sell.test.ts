// SPEC §4.2 (signs), §4.4 (credits), §4.5 (rounding, currency), §4.1 (one hold rule, in order).
import { describe, expect, it } from 'vitest'
import { priceOne, priceRow, reconLine, reseller, rule, runPrice } from './fixtures.js'

const markup = (percent: string) => [rule({ method: 'markup', percent })]
const credit = { charge_type: 'customerCredit', charge_type_norm: 'customercredit', subtotal: '-12.34', total: '-12.34', effective_unit_price: '-12.34', billable_quantity: '1' }
// Seat change in cycle 05/25–06/24 on 06/08 (17/31), as a refund row.
const seatRefund = {
  charge_type: 'removeQuantity', charge_type_norm: 'removequantity',
  subscription_start_date: '2021-05-25', subscription_end_date: '2022-05-24', charge_start_date: '2021-05-25', order_date: '2021-06-08', charge_end_date: '2021-06-24',
  unit_price: '3.04', effective_unit_price: '-1.67', billable_quantity: '15', subtotal: '-25.05', total: '-25.05',
}
const p1yMonthly3_04 = priceRow({ term_duration: 'P1Y', billing_plan: 'Monthly', erp_price: '36.48', effective_start_date: '2021-01-01' })

describe('methods and signs (SPEC §4.2)', () => {
  it('markup: cost × (1 + p/100)', async () => {
    const p = await priceOne({ line: { subtotal: '100', total: '100' }, rules: markup('15') })
    expect([p.method, p.cost, p.sell_exact, p.sell]).toEqual(['markup', '100', '115', '115'])
    expect(p.explanation).toBe('markup 15% on cost 100.00 = 115.00')
  })

  it('a refund priced with markup is a credit: −25.05 × 1.10 = −27.555 → −27.56', async () => {
    const p = await priceOne({ line: { ...seatRefund, charge_type: 'Refund', charge_type_norm: 'refund' }, rules: markup('10') })
    expect([p.sell_exact, p.sell]).toEqual(['-27.555', '-27.56'])
  })

  it.each([
    { name: 'removeQuantity with positive BillableQuantity', qty: '15' },
    { name: 'removeQuantity with negative BillableQuantity (|qty| is used)', qty: '-15' },
  ])('erp-discount credit: $name → −(3.04 × 17/31 × 15) = −25.01', async ({ qty }) => {
    const p = await priceOne({ line: { ...seatRefund, billable_quantity: qty }, rules: [rule({ method: 'erp-discount', percent: '0' })], prices: [p1yMonthly3_04] })
    // 3.04 × 17 × 15 ÷ 31 = 775.2 ÷ 31 = 25.00645… → −25.01
    expect(p.sell).toBe('-25.01')
    // The factors are magnitudes: the credit's sign is said in front (review: positive factors read as giving -25.01).
    expect(p.explanation).toBe('credit: −(ERP 3.04/cycle × 17/31 × 15 × 1 × (1 − 0%)) = -25.01')
  })

  it('Subtotal 0: the sign comes from EffectiveUnitPrice', async () => {
    const p = await priceOne({ line: { ...seatRefund, billable_quantity: '1', subtotal: '0' }, rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: '3.04' })] })
    expect(p.sell).toBe('-1.67')
  })

  it('Subtotal and EffectiveUnitPrice both 0: sells 0', async () => {
    const p = await priceOne({ line: { subtotal: '0', total: '0', effective_unit_price: '0' }, rules: [rule({ method: 'erp-discount', percent: '0' })], prices: [priceRow({ billing_plan: 'Monthly', erp_price: '126' })] })
    expect([p.status, p.sell]).toEqual(['invoiced', '0'])
  })

  it.each([
    { name: 'a charge', line: { subtotal: '100', billable_quantity: '3' }, sell: '110', unit: '36.6666666667' },
    // −15 seats of a credit: Quantity × Unit price has the Amount's sign (it showed −15 × −23.138; review).
    { name: 'a credit with a negative quantity', line: { subtotal: '-301.8', effective_unit_price: '-20.12', billable_quantity: '-15' }, sell: '-331.98', unit: '22.132' },
    { name: 'a credit with a positive quantity', line: { subtotal: '-301.8', effective_unit_price: '-20.12', billable_quantity: '15' }, sell: '-331.98', unit: '-22.132' },
    // An Azure meter's price far below a cent keeps its digits (6 decimals showed 0).
    { name: 'a tiny unit price', line: { subtotal: '3.6', billable_quantity: '10000000' }, sell: '3.96', unit: '0.000000396' },
  ])('unit sell price = sell ÷ BillableQuantity, 10 decimals (display only): $name', async ({ line, sell, unit }) => {
    const p = await priceOne({ line, rules: markup('10') })
    expect([p.sell, p.unit_sell_price]).toEqual([sell, unit])
  })
})

describe('credits (SPEC §4.4)', () => {
  it('customerCredit passes through at cost under pass-through, without a price rule', async () => {
    const p = await priceOne({ line: credit, rules: [] })
    expect([p.status, p.method, p.rule_id, p.sell_exact, p.sell]).toEqual(['invoiced', 'pass-through', null, '-12.34', '-12.34'])
    expect(p.explanation).toBe('credit passed through at cost -12.34 = -12.34')
    expect(p.findings).toEqual([])
  })

  it('customerCredit under retain: retained before any reseller lookup (unknown reseller is no error)', async () => {
    const p = await priceOne({ line: { ...credit, tier2_mpn_id: '0' }, rules: [], settings: { creditsPolicy: 'retain' } })
    expect([p.status, p.hold_rule, p.reseller_id, p.method, p.sell]).toEqual(['retained', null, null, null, null])
    expect(p.findings).toEqual([])
  })

  it.each([
    { name: 'unknown reseller', line: { ...credit, tier2_mpn_id: 'R9' }, hold: 'UNKNOWN_RESELLER' },
    { name: 'currency mismatch', line: { ...credit, currency: 'EUR' }, hold: 'CURRENCY_MISMATCH' },
  ])('pass-through still needs a known reseller and currency: $name', async ({ line, hold }) => {
    const p = await priceOne({ line, rules: [] })
    expect([p.status, p.hold_rule]).toEqual(['held', hold])
  })

  // A CI job that fetched the month but not input/reference/ got one UNKNOWN_RESELLER per line that blamed the id.
  it('no resellers sheet at all: UNKNOWN_RESELLER says that none was read', async () => {
    const p = await priceOne({ line: { subtotal: '100' }, resellers: [], rules: markup('10') })
    expect([p.status, p.hold_rule]).toEqual(['held', 'UNKNOWN_RESELLER'])
    expect(p.findings.map((f) => f.message)).toEqual([expect.stringContaining('(no resellers sheet was read: none in the month folder or in reference/')])
  })

  // SPEC §4.4 spares only customerCredit a price rule: a trial is a seat line like any other (§4.1).
  const trial = { term_and_billing_cycle: '1 Month Trial', billing_frequency: null, subscription_start_date: '2025-06-01', subscription_end_date: '2025-06-30', charge_start_date: '2025-06-01', charge_end_date: '2025-06-30', subtotal: '0', total: '0', unit_price: '0', effective_unit_price: '0', billable_quantity: '25' }
  it('a free trial needs a price rule like any seat line: none → NO_PRICE_RULE', async () => {
    const p = await priceOne({ line: trial, rules: [] })
    expect([p.status, p.hold_rule, p.billing_plan]).toEqual(['held', 'NO_PRICE_RULE', 'None'])
  })

  it.each([
    { name: 'markup', rules: markup('10'), prices: [] },
    { name: 'erp-discount on the price list trial row (BillingPlan None)', rules: [rule({ method: 'erp-discount', percent: '0' })], prices: [priceRow({ term_duration: 'P1M', billing_plan: 'None', unit_price: '0', erp_price: '0', effective_start_date: '2025-01-01' })] },
  ])('a free trial with a rule is priced by it and sells 0: $name', async ({ rules, prices }) => {
    const p = await priceOne({ line: trial, rules, prices })
    expect([p.status, p.hold_rule, p.method, p.sell]).toEqual(['invoiced', null, rules[0]!.method, '0'])
    // erp-discount took the trial row's ERP price (0 for the whole purchase), not a derived one.
    if (rules[0]!.method === 'erp-discount') expect([p.list_price_id, p.erp_cycle_price, p.price_derived]).toEqual([1, '0', 0])
  })

  it('a free trial under erp-discount without the trial row: PRICE_NOT_FOUND says a trial is priced only from its own row', async () => {
    const p = await priceOne({ line: trial, rules: [rule({ method: 'erp-discount', percent: '0' })], prices: [priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', erp_price: '120', effective_start_date: '2025-01-01' })] })
    expect([p.status, p.hold_rule]).toEqual(['held', 'PRICE_NOT_FOUND'])
    expect(p.findings.map((f) => f.message)).toEqual([expect.stringContaining('(a trial is priced only from its own row; or price it by a markup or fixed rule)')])
  })

  // A refund of the last term arriving after the renewal carries the new term's start: the term it reverses began
  // one term before (k = −1 in SPEC §3.2), so its cycle (02/01–02/28: 19 of 28 days from 02/10) and its ERP price
  // (looked up on that term start, SPEC §4.2) are the charge's.
  const lateRefund = { charge_type: 'removeQuantity', charge_type_norm: 'removequantity', subscription_start_date: '2026-03-01', subscription_end_date: '2027-02-28', charge_start_date: '2026-02-01', charge_end_date: '2026-02-28', order_date: '2026-02-10', subtotal: '-5', total: '-5', effective_unit_price: '-5', billable_quantity: '1' }
  it('a start after the charge: the term it reverses began one term before', async () => {
    const p = await priceOne({ line: lateRefund, rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: '2800' })] })
    expect([p.term_start, p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days, p.sell]).toEqual(['2025-03-01', '2026-02-01', '2026-02-28', 19, 28, '-1900'])
  })

  // The new start was clamped to a month's end: stepping it back loses the day the reversed term began on
  // (review: Jan 28, a 31-day cycle, where Microsoft billed 26 of 28 days from Jan 31).
  it.each([
    {
      name: 'P1M bought Jan 31, renewed Feb 28: the reversed term began Jan 31 (cycle 28 days), not Jan 28',
      line: { subscription_start_date: '2026-02-28', subscription_end_date: '2026-03-30', charge_start_date: '2026-01-31', charge_end_date: '2026-02-27', order_date: '2026-02-02' },
      // 18 × 26/28 = 16.714… → −16.71
      fixed: '18', expected: ['2026-01-31', '2026-01-31', '2026-02-27', 26, 28, '-16.71'],
    },
    {
      name: 'P1Y Monthly bought Feb 29 2024, renewed Feb 28 2025: a refund of its last cycle',
      line: { subscription_start_date: '2025-02-28', subscription_end_date: '2026-02-27', charge_start_date: '2025-01-29', charge_end_date: '2025-02-27', order_date: '2025-02-03' },
      // cycle 01/29–02/27 (30 days) on the Feb 29 grid; 300 × 25/30 = 250
      fixed: '300', expected: ['2024-02-29', '2025-01-29', '2025-02-27', 25, 30, '-250'],
    },
    {
      name: 'P1Y Monthly bought Feb 28 2024 (a real 28th), renewed Feb 28 2025: its cycles start on the 28th',
      line: { subscription_start_date: '2025-02-28', subscription_end_date: '2026-02-27', charge_start_date: '2025-01-28', charge_end_date: '2025-02-27', order_date: '2025-02-03' },
      // cycle 01/28–02/27 (31 days); 310 × 25/31 = 250
      fixed: '310', expected: ['2024-02-28', '2025-01-28', '2025-02-27', 25, 31, '-250'],
    },
  ])('a start after the charge, clamped: $name', async ({ line, fixed, expected }) => {
    const p = await priceOne({ line: { ...lateRefund, ...line }, rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: fixed })] })
    expect([p.term_start, p.cycle_start, p.cycle_end, p.billing_days, p.cycle_days, p.sell]).toEqual(expected)
  })

  // Review of the change above: the reversed term's own start can be clamped while the new start is not (bought
  // Feb 29 2024: the 2027 term began Feb 28, the 2028 one Feb 29); stepping candidates forward missed it, and the
  // refund fell back to ChargeStartDate (priced at a later ERP: −16.77 for −8.39) or to a term too early.
  it.each([
    {
      name: 'P1Y Monthly bought Feb 29 2024, new start Feb 29 2028: the reversed term began Feb 28 2027',
      line: { subscription_start_date: '2028-02-29', subscription_end_date: '2029-02-27', charge_start_date: '2028-01-29', charge_end_date: '2028-02-28', order_date: '2028-02-03' },
      term: 'P1Y', before: '2027-02-28', erp: '120', later: '240', start: '2027-02-28', cycle: '10', sell: '-8.39',
    },
    {
      name: 'P1M bought Jan 31, new start Mar 31: the reversed term began Feb 28, not Jan 31',
      line: { subscription_start_date: '2026-03-31', subscription_end_date: '2026-04-29', charge_start_date: '2026-02-28', charge_end_date: '2026-03-30', order_date: '2026-03-05', term_and_billing_cycle: 'One-Month commitment for monthly billing' },
      term: 'P1M', before: '2026-01-31', erp: '10', later: '20', start: '2026-02-28', cycle: '20', sell: null,
    },
  ])('a start after the charge, the reversed term clamped: $name', async ({ line, term, before, erp, later, start, cycle, sell }) => {
    const prices = [
      priceRow({ term_duration: term, billing_plan: 'Monthly', erp_price: erp, effective_start_date: '2020-01-01', effective_end_date: before }),
      priceRow({ term_duration: term, billing_plan: 'Monthly', erp_price: later, effective_start_date: addOneDay(before) }),
    ]
    const p = await priceOne({ line: { ...lateRefund, ...line }, rules: [rule({ method: 'erp-discount', percent: '0' })], prices })
    expect([p.term_start, p.erp_cycle_price]).toEqual([start, cycle])
    if (sell !== null) expect(p.sell).toBe(sell)
  })

  it('a start after the charge: its ERP price is the one in force when the reversed term began', async () => {
    // P1Y/Monthly rows: 120 from 2025-01-01 (the reversed term's), 240 from 2025-06-01 (a later price change).
    const prices = [
      priceRow({ term_duration: 'P1Y', billing_plan: 'Monthly', erp_price: '120', effective_start_date: '2025-01-01', effective_end_date: '2025-05-31' }),
      priceRow({ term_duration: 'P1Y', billing_plan: 'Monthly', erp_price: '240', effective_start_date: '2025-06-01' }),
    ]
    const p = await priceOne({ line: lateRefund, rules: [rule({ method: 'erp-discount', percent: '0' })], prices })
    // 120 ÷ 12 × 19 ÷ 28 = 6.7857… → −6.79
    expect([p.term_start, p.erp_cycle_price, p.sell]).toEqual(['2025-03-01', '10', '-6.79'])
  })
})

describe('rounding and currency (SPEC §4.5)', () => {
  it.each([
    { cost: '-2.345', sell: '-2.35' },
    { cost: '2.345', sell: '2.35' },
    { cost: '-2.344', sell: '-2.34' },
    { cost: '2.3449999', sell: '2.34' },
  ])('half away from zero: $cost → $sell', async ({ cost, sell }) => {
    const p = await priceOne({ line: { subtotal: cost, effective_unit_price: cost }, rules: markup('0') })
    expect([p.sell_exact, p.sell]).toEqual([cost, sell])
  })

  it.each([
    { cost: '1001', sell: '1502', explanation: 'markup 50% on cost 1001 = 1502' },
    { cost: '-1001', sell: '-1502', explanation: 'markup 50% on cost -1001 = -1502' },
  ])('JPY has 0 decimals: $cost × 1.5 → $sell', async ({ cost, sell, explanation }) => {
    const p = await priceOne({ line: { currency: 'JPY', pricing_currency: 'JPY', subtotal: cost, effective_unit_price: cost }, resellers: [reseller({ currency: 'JPY' })], rules: markup('50') })
    expect([p.sell_exact, p.sell, p.explanation]).toEqual([String(Number(cost) * 1.5), sell, explanation])
  })
})

describe('held lines: exactly one error, the first of UNKNOWN_RESELLER, CURRENCY_MISMATCH, NO_PRICE_RULE, PRICE_NOT_FOUND (SPEC §4.1)', () => {
  const erpOtherBook = [rule({ method: 'erp-discount', percent: '0', price_book: 'OTHER' })]
  it.each([
    { name: 'unknown reseller + currency + no rule + no price', line: { tier2_mpn_id: 'R9', currency: 'EUR' }, rules: erpOtherBook, hold: 'UNKNOWN_RESELLER' },
    { name: 'currency + no rule + no price', line: { currency: 'EUR' }, rules: erpOtherBook, hold: 'CURRENCY_MISMATCH' },
    { name: 'no rule + no price', line: {}, rules: erpOtherBook, hold: 'NO_PRICE_RULE' },
    { name: 'no price', line: {}, rules: [rule({ method: 'erp-discount', percent: '0' })], hold: 'PRICE_NOT_FOUND' },
  ])('$name → $hold', async ({ line, rules, hold }) => {
    const p = await priceOne({ line, rules })
    expect([p.status, p.hold_rule, p.sell_exact, p.sell, p.explanation]).toEqual(['held', hold, null, null, `held: ${hold}`])
    expect(p.findings.map((f) => [f.rule, f.severity, f.file, f.row, f.customerId, f.subscriptionId])).toEqual([[hold, 'error', '2025-06/recon.csv', 2, 'C1', 'S1']])
  })

  it('CURRENCY_MISMATCH says which currencies', async () => {
    const p = await priceOne({ line: { currency: 'EUR' } })
    expect([p.findings[0]?.expected, p.findings[0]?.actual]).toEqual(['USD', 'EUR'])
  })
})

describe('the stage as a whole', () => {
  it('one priced line per non-duplicate line, and the summary counts them', async () => {
    const out = await runPrice({
      lines: [
        reconLine(1),
        reconLine(2, { is_duplicate: 1, duplicate_of: 1 }),
        reconLine(3, { tier2_mpn_id: 'R9' }),
        reconLine(4, credit),
        reconLine(5, { subtotal: '50' }),
      ],
      settings: { creditsPolicy: 'retain' },
    })
    expect(out.priced.map((p) => [p.line_id, p.status])).toEqual([[1, 'invoiced'], [3, 'held'], [4, 'retained'], [5, 'invoiced']])
    expect(out.summary).toEqual({ invoiced: 2, held: 1, retained: 1 })
    expect(out.findings.map((f) => [f.rule, f.row])).toEqual([['UNKNOWN_RESELLER', 4]])
    await out.db.close()
  })

  it('running the stage twice gives the same priced lines', async () => {
    const out = await runPrice({ lines: [reconLine(1), reconLine(2, { subtotal: '7.5' })] })
    const { price } = await import('../../stages/price.js')
    const { testContext } = await import('./fixtures.js')
    await price(undefined, testContext(out.db))
    const again = out.db.sqlite.prepare('select * from priced_lines order by line_id').all()
    expect(again).toEqual(out.priced)
    await out.db.close()
  })
})

function addOneDay(iso: string): string {
  return new Date(Date.parse(`${iso}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
}
