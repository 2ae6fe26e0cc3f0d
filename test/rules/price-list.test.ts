// SPEC §2.3, §4.2 — erp-discount: the price-list ERP cycle price on the current term start.
import { describe, expect, it } from 'vitest'
import { priceOne, priceRow, reseller, rule } from './fixtures.js'

const erp = (percent: string) => [rule({ method: 'erp-discount', percent })]
const p1yMonthly = (erp_price: string, over: object = {}) => priceRow({ term_duration: 'P1Y', billing_plan: 'Monthly', erp_price, unit_price: erp_price, ...over })

describe('erp-discount with the price list (SPEC §4.2)', () => {
  it('P1Y billed monthly: cycle price = term price ÷ 12', async () => {
    const p = await priceOne({ rules: erp('0'), prices: [p1yMonthly('126', { unit_price: '100.8' })] })
    expect([p.erp_cycle_price, p.list_cycle_price, p.sell, p.price_derived]).toEqual(['10.5', '8.4', '10.5', 0])
    expect(p.explanation).toBe('ERP 10.50/cycle × 30/30 × 1 × 1 × (1 − 0%) = 10.50')
  })

  it('P3Y billed annually: cycle price = term price ÷ 3 (second year, 5 seats, 10% off)', async () => {
    const p = await priceOne({
      line: { subscription_start_date: '2024-01-01', subscription_end_date: '2026-12-31', billing_frequency: 'Annual', charge_start_date: '2025-01-01', charge_end_date: '2025-12-31', billable_quantity: '5', subtotal: '500' },
      rules: erp('10'),
      prices: [priceRow({ term_duration: 'P3Y', billing_plan: 'Annual', erp_price: '360' })],
    })
    // 360 ÷ 3 = 120 per cycle × 5 seats × 0.9 = 540
    expect([p.term_start, p.cycle_start, p.cycle_end, p.erp_cycle_price, p.sell]).toEqual(['2024-01-01', '2025-01-01', '2025-12-31', '120', '540'])
  })

  it('prorated seat change: ERP 36.00/cycle × 17/31 × 5 × 1 × (1 − 10%) = 88.84', async () => {
    const p = await priceOne({
      line: { subscription_start_date: '2021-05-25', subscription_end_date: '2022-05-24', charge_start_date: '2021-06-08', order_date: '2021-06-08', charge_end_date: '2021-06-24', billable_quantity: '5', subtotal: '8.35' },
      rules: erp('10'),
      prices: [p1yMonthly('432', { effective_start_date: '2021-01-01' })],
    })
    // 36 × 17 × 5 × 0.9 ÷ 31 = 2754 ÷ 31 = 88.8387… → 88.84
    expect(p.sell).toBe('88.84')
    expect(p.explanation).toBe('ERP 36.00/cycle × 17/31 × 5 × 1 × (1 − 10%) = 88.84')
  })

  it.each([
    { name: 'the price in force on the term start, not the event date (no mid-term change)', line: {}, cycle: '10' },
    { name: 'a renewal on 2025-04-01 takes the new price', line: { subscription_start_date: '2025-04-01', subscription_end_date: '2026-03-31' }, cycle: '20' },
  ])('$name', async ({ line, cycle }) => {
    const prices = [p1yMonthly('120', { effective_start_date: '2020-01-01' }), p1yMonthly('240', { effective_start_date: '2025-03-01' })]
    expect((await priceOne({ line, rules: erp('0'), prices })).erp_cycle_price).toBe(cycle)
  })

  it('overlapping rows: the latest EffectiveStartDate that covers the date wins', async () => {
    const p = await priceOne({
      line: { subscription_start_date: '2021-11-02', subscription_end_date: '2022-11-01', charge_start_date: '2021-11-02', charge_end_date: '2021-12-01' },
      rules: erp('0'),
      prices: [p1yMonthly('120', { effective_start_date: '2021-10-01', effective_end_date: '2021-11-03' }), p1yMonthly('132', { effective_start_date: '2021-11-01' })],
    })
    expect(p.erp_cycle_price).toBe('11')
  })

  // Premium review: a withdrawn row (same start, ended) listed after the current one was picked by file order.
  it.each([
    { name: 'the open-ended row beats an ended one listed after it', rows: [['120', null], ['108', '2021-11-15']], cycle: '10' },
    { name: 'the later-ending row beats an earlier-ending one', rows: [['108', '2021-11-15'], ['120', '2021-12-31'], ['132', '2021-11-20']], cycle: '10' },
    { name: 'rows alike in dates: the later row', rows: [['120', null], ['132', null]], cycle: '11' },
  ])('rows starting on the same date: $name', async ({ rows, cycle }) => {
    const p = await priceOne({
      line: { subscription_start_date: '2021-11-02', subscription_end_date: '2022-11-01', charge_start_date: '2021-11-02', charge_end_date: '2021-12-01' },
      rules: erp('0'),
      prices: rows.map(([erp_price, effective_end_date]) => p1yMonthly(erp_price!, { effective_start_date: '2021-10-01', effective_end_date })),
    })
    expect(p.erp_cycle_price).toBe(cycle)
  })

  // Segments (FORMATS.md §4.1: join on Segment if present; the customers sheet's Segment, Commercial by default).
  describe('segments', () => {
    const segmented = [
      p1yMonthly('120', { segment: 'Commercial' }),
      p1yMonthly('60', { segment: 'Education' }), // listed after the Commercial row, same start date
      p1yMonthly('240', { segment: 'Government', effective_start_date: '2021-01-01' }),
    ]
    it.each([
      { name: 'a customer the sheet does not list is Commercial, whatever row comes last', customers: [], cycle: '10' },
      { name: 'a listed customer with an empty Segment is Commercial', customers: [{ customer_id: 'C1', reseller_id: 'R1', mca_accepted_on: null }], cycle: '10' },
      { name: 'an Education customer gets the Education row', customers: [{ customer_id: 'C1', reseller_id: 'R1', mca_accepted_on: null, segment: 'education' }], cycle: '5' },
      { name: 'a Government customer gets the Government row, though it started earlier', customers: [{ customer_id: 'C1', reseller_id: 'R1', mca_accepted_on: null, segment: 'government' }], cycle: '20' },
    ])('$name', async ({ customers, cycle }) => {
      const p = await priceOne({ customers, rules: erp('0'), prices: segmented })
      expect(p.erp_cycle_price).toBe(cycle)
    })

    it('a row without a Segment is for every segment; the latest start date still wins', async () => {
      const customers = [{ customer_id: 'C1', reseller_id: 'R1', mca_accepted_on: null, segment: 'charity' }]
      const prices = [p1yMonthly('120', { segment: null, effective_start_date: '2024-06-01' }), p1yMonthly('60', { segment: 'Charity', effective_start_date: '2020-01-01' })]
      expect((await priceOne({ customers, rules: erp('0'), prices })).erp_cycle_price).toBe('10')
    })

    it.each([
      { name: 'an Education customer', segment: 'education', cycle: '5' },
      { name: 'a Commercial customer', segment: null, cycle: '10' },
    ])('$name: its own segment row beats a row for every segment with the same start date, listed before or after', async ({ segment, cycle }) => {
      const customers = [{ customer_id: 'C1', reseller_id: 'R1', mca_accepted_on: null, segment }]
      const own = [p1yMonthly('120', { segment: 'Commercial' }), p1yMonthly('60', { segment: 'Education' })]
      const generic = p1yMonthly('600', { segment: null })
      for (const prices of [[...own, generic], [generic, ...own]]) {
        expect((await priceOne({ customers, rules: erp('0'), prices })).erp_cycle_price).toBe(cycle)
      }
    })

    it('an Education customer with only Commercial rows is not priced from them → PRICE_NOT_FOUND', async () => {
      const customers = [{ customer_id: 'C1', reseller_id: 'R1', mca_accepted_on: null, segment: 'education' }]
      const p = await priceOne({ customers, rules: erp('0'), prices: [p1yMonthly('120', { segment: 'Commercial' })] })
      expect([p.status, p.hold_rule]).toEqual(['held', 'PRICE_NOT_FOUND'])
      expect(p.findings[0]!.message).toContain('in USD for the Education segment (customers sheet Segment; rows for other segments do not apply) effective on the term start 2025-01-01 (it has that row only for segment Commercial, which does not apply to a customer of segment Education)')
    })

    it('a Commercial customer whose SKU has only Education rows: PRICE_NOT_FOUND says the rows are for Education', async () => {
      const p = await priceOne({ rules: erp('0'), prices: [p1yMonthly('120', { segment: 'Education' })] })
      expect([p.status, p.hold_rule]).toEqual(['held', 'PRICE_NOT_FOUND'])
      expect(p.findings[0]!.message).toContain('in USD effective on the term start 2025-01-01 (it has that row only for segment Education, which does not apply to a customer of segment Commercial)')
    })
  })

  it('a row that ended before the term start is not used → PRICE_NOT_FOUND', async () => {
    const p = await priceOne({ rules: erp('0'), prices: [p1yMonthly('120', { effective_end_date: '2024-12-31' })] })
    expect([p.status, p.hold_rule, p.sell]).toEqual(['held', 'PRICE_NOT_FOUND', null])
    expect(p.findings.map((f) => [f.rule, f.expected])).toEqual([['PRICE_NOT_FOUND', 'CFQ7TTC0LH18/0001 P1Y/Monthly USD on 2025-01-01']])
  })

  // A price list or line whose SkuId a spreadsheet saved as a number (0001 → 1) matched nothing, and the message
  // named SKU 1 only, which finance could not find in the price list (review of files re-saved as XLSX).
  it.each([
    { name: 'the price list has 1, the line 0001', line: {}, listed: '1', twins: '1' },
    { name: 'the price list has 0001 and 001, the line 1', line: { sku_id: '1' }, listed: ['0001', '001'], twins: '0001, 001' },
  ])('SkuIds that differ only in leading zeros do not match; PRICE_NOT_FOUND names them ($name)', async ({ line, listed, twins }) => {
    const prices = [listed].flat().map((sku_id) => p1yMonthly('120', { sku_id }))
    const p = await priceOne({ line, rules: erp('0'), prices })
    expect([p.status, p.hold_rule]).toEqual(['held', 'PRICE_NOT_FOUND'])
    expect(p.findings[0]!.message).toContain(`(it lists this product's SKU as ${twins}, which differs only in leading zeros: a spreadsheet that saved SkuId as a number drops them; keep SkuId as text in both files), nor a P1Y/Annual row`)
  })

  it('another SKU of the product is not named as differing in leading zeros', async () => {
    const p = await priceOne({ rules: erp('0'), prices: [p1yMonthly('120', { sku_id: '0002' }), p1yMonthly('120', { product_id: 'OTHER', sku_id: '1' })] })
    expect(p.hold_rule).toBe('PRICE_NOT_FOUND')
    expect(p.findings[0]!.message).not.toContain('leading zeros')
  })

  it('pricing currency USD, billed in CAD: × PCToBCExchangeRate, and the CAD row is not used', async () => {
    const p = await priceOne({
      line: { currency: 'CAD', pricing_currency: 'USD', pc_to_bc_exchange_rate: '1.25' },
      resellers: [reseller({ currency: 'CAD' })],
      rules: erp('0'),
      prices: [p1yMonthly('999', { currency: 'CAD' }), p1yMonthly('126')],
    })
    // 126 ÷ 12 = 10.5 × 1.25 = 13.125 → 13.13
    expect([p.erp_cycle_price, p.sell_exact, p.sell]).toEqual(['10.5', '13.125', '13.13'])
  })

  // Explanations review: 130.30 ÷ 12 × 2 × 0.9 is exactly 19.545, but the cycle price cut to 50 digits
  // (10.858333…) made it 19.544999… and billed 19.54; and "ERP 10.858333/cycle" did not reproduce the amount.
  it('a cycle price that does not terminate: the amount is computed from the exact fraction, and the text shows it', async () => {
    const p = await priceOne({ line: { billable_quantity: '2', charge_end_date: '2025-06-30' }, rules: erp('10'), prices: [p1yMonthly('130.30')] })
    expect([p.sell_exact, p.sell]).toEqual(['19.545', '19.55'])
    expect(p.explanation).toBe('ERP (130.30 ÷ 12)/cycle × 30/30 × 2 × 1 × (1 − 10%) = 19.55')
  })

  it.each([
    { name: 'a seat line', line: {} },
    { name: 'an Azure plan line', line: { subscription_description: 'Azure plan', term_and_billing_cycle: '1 Compute Hour', subscription_start_date: null, subscription_end_date: null, billing_frequency: null, unit_price: '0.5', billable_quantity: '10' } },
  ])('a line whose cost is 0 sells 0, and its explanation says why instead of a formula that gives more: $name', async ({ line }) => {
    const p = await priceOne({ line: { ...line, subtotal: '0', total: '0', effective_unit_price: '0' }, rules: erp('10'), prices: [p1yMonthly('126')] })
    expect([p.sell, p.explanation]).toEqual(['0', "no charge: Microsoft's cost of this line is 0, and the amount takes its sign (SPEC §4.2) = 0.00"])
  })

  it('empty PricingCurrency falls back to Currency', async () => {
    const p = await priceOne({ line: { pricing_currency: null }, rules: erp('0'), prices: [p1yMonthly('126')] })
    expect(p.sell).toBe('10.5')
  })

  // Review: the EUR row converted by a USD → EUR rate sold 212.63 where the USD row gives 233.89.
  it('empty PricingCurrency with a rate other than 1: not priced in the billing currency, so held PRICE_NOT_FOUND saying why', async () => {
    const p = await priceOne({
      line: { pricing_currency: null, pc_to_bc_exchange_rate: '0.9' },
      rules: erp('0'),
      prices: [p1yMonthly('126'), p1yMonthly('140', { currency: 'EUR' })],
    })
    expect([p.status, p.hold_rule, p.sell]).toEqual(['held', 'PRICE_NOT_FOUND', null])
    const f = p.findings.find((x) => x.rule === 'PRICE_NOT_FOUND')
    expect(f?.message).toContain('the line has no PricingCurrency, and its PCToBCExchangeRate 0.9 says it is not priced in its billing currency')
    // A markup line is priced from its cost, which needs no price list.
    const m = await priceOne({ line: { pricing_currency: null, pc_to_bc_exchange_rate: '0.9' }, prices: [p1yMonthly('126')] })
    expect(m.status).toBe('invoiced')
  })

  it('Azure plan: the line UnitPrice is the retail price, factor 1', async () => {
    const p = await priceOne({
      line: { subscription_description: 'Azure plan', term_and_billing_cycle: '1 Compute Hour', subscription_start_date: null, subscription_end_date: null, billing_frequency: null, unit_price: '1.536', billable_quantity: '100', pc_to_bc_exchange_rate: '1.2115', subtotal: '158', charge_end_date: '2025-06-15' },
      rules: erp('15'),
    })
    // 1.536 × 100 × 1.2115 × 0.85 = 158.17344 → 158.17
    expect([p.category, p.proration_factor, p.erp_cycle_price, p.sell_exact, p.sell]).toEqual(['azure-plan', '1', '1.536', '158.17344', '158.17'])
    expect(p.explanation).toBe('retail 1.536/unit × 100 × 1.2115 × (1 − 15%) = 158.17')
  })

  it('one-time (perpetual) line: the OneTime row, price used whole', async () => {
    const p = await priceOne({
      line: { term_and_billing_cycle: null, charge_end_date: null, billing_frequency: null, subscription_start_date: null, subscription_end_date: null, billable_quantity: '2', subtotal: '500' },
      rules: erp('20'),
      prices: [priceRow({ term_duration: 'P1Y', billing_plan: 'OneTime', erp_price: '300' })],
    })
    expect([p.category, p.billing_plan, p.erp_cycle_price, p.sell]).toEqual(['perpetual', 'OneTime', '300', '480'])
  })

  it('markup lines still carry the price-list cycle price (for the checks), but no ERP price', async () => {
    const p = await priceOne({ prices: [p1yMonthly('126', { unit_price: '100.8' })] })
    expect([p.method, p.list_cycle_price, p.erp_cycle_price]).toEqual(['markup', '8.4', null])
  })

  it('unknown billing plan under erp-discount → PRICE_NOT_FOUND saying why', async () => {
    const p = await priceOne({ line: { subscription_start_date: '2025-06-01', subscription_end_date: '2025-06-30', billing_frequency: 'Annual' }, rules: erp('0'), prices: [p1yMonthly('126')] })
    expect(p.hold_rule).toBe('PRICE_NOT_FOUND')
    expect(p.findings[0]?.message).toMatch(/term or billing plan is unknown/)
  })

  // Classification review: a fixed price is per cycle, and with the term or plan unknown the line sells a whole cycle
  // (17 of 31 days billed 10.00). SPEC §3.3 says so (factor 1 without a known term and plan): kept, and noted.
  it('unknown term or plan under a fixed rule sells a whole cycle, as SPEC §3.3 says', async () => {
    const p = await priceOne({ line: { subscription_start_date: '2025-06-01', subscription_end_date: '2025-06-30', billing_frequency: 'Annual' }, rules: [rule({ method: 'fixed', fixed_unit_price: '10' })] })
    expect([p.status, p.billing_plan, p.proration_factor, p.sell]).toEqual(['invoiced', null, '1', '10'])
  })
})

// Mutation review: `effective_start_date <= term_start` made `<` failed no test. SPEC §2.3: the row with the latest
// EffectiveStartDate that covers the date wins; §4.2: the date is the current term start. A row starting on the term
// start covers it (a price change taking effect on the renewal day is the common case).
describe('a price-list row starting exactly on the current term start (SPEC §2.3, §4.2)', () => {
  it.each([
    // term start 2025-01-01 (SubscriptionStartDate); old row 120 ÷ 12 = 10, new row 240 ÷ 12 = 20 → 20 × 30/30 × 1 = 20.00
    { name: 'term start = SubscriptionStartDate 2025-01-01', line: {}, start: '2025-01-01', termStart: '2025-01-01' },
    // renewed 2025-04-01 (consistent data: the span is the term in force) → the new row 240 ÷ 12 = 20
    { name: 'renewal on 2025-04-01', line: { subscription_start_date: '2025-04-01', subscription_end_date: '2026-03-31' }, start: '2025-04-01', termStart: '2025-04-01' },
    // start 2024-04-01, charge 2025-06-01: current term start 2024-04-01 + 12 months = 2025-04-01 → the new row
    { name: 'term start stepped from SubscriptionStartDate 2024-04-01 to 2025-04-01', line: { subscription_start_date: '2024-04-01', subscription_end_date: '2025-03-31' }, start: '2025-04-01', termStart: '2025-04-01' },
  ])('the row starting on the term start beats an older row: $name → ERP 240 ÷ 12 = 20/cycle', async ({ line, start, termStart }) => {
    const prices = [p1yMonthly('120', { effective_start_date: '2020-01-01' }), p1yMonthly('240', { effective_start_date: start })]
    const p = await priceOne({ line, rules: erp('0'), prices })
    expect([p.term_start, p.erp_cycle_price, p.sell]).toEqual([termStart, '20', '20'])
  })

  it('the only row starts on the term start: it is used, not PRICE_NOT_FOUND (ERP 126 ÷ 12 = 10.50 × 30/30 × 1 × (1 − 0%) = 10.50)', async () => {
    const p = await priceOne({ rules: erp('0'), prices: [p1yMonthly('126', { effective_start_date: '2025-01-01' })] })
    expect([p.status, p.hold_rule, p.erp_cycle_price, p.sell]).toEqual(['invoiced', null, '10.5', '10.5'])
    expect(p.findings.filter((f) => f.rule === 'PRICE_NOT_FOUND')).toEqual([])
  })

  it('a row starting the day after the term start is not in force → PRICE_NOT_FOUND', async () => {
    const p = await priceOne({ rules: erp('0'), prices: [p1yMonthly('126', { effective_start_date: '2025-01-02' })] })
    expect([p.status, p.hold_rule, p.sell]).toEqual(['held', 'PRICE_NOT_FOUND', null])
  })

  // SPEC §4.3(a): the P1Y/Annual row effective on the term start is the base of a derived price. Term start
  // 2025-04-01: the {P1Y, Monthly, 5 %, from 2025-04-01} premium is in force. 120 × 12/12 × 1.05 = 126 ÷ 12 = 10.50.
  it('the P1Y/Annual row a derived price comes from may start on the term start too', async () => {
    const p = await priceOne({
      line: { subscription_start_date: '2025-04-01', subscription_end_date: '2026-03-31' },
      rules: erp('0'),
      prices: [priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', unit_price: '96', erp_price: '120', effective_start_date: '2025-04-01' })],
    })
    expect([p.status, p.price_derived, p.erp_cycle_price, p.sell]).toEqual(['invoiced', 1, '10.5', '10.5'])
  })
})
