// SPEC §4.1 — price book rule: scope precedence, term/plan specificity, effective dating, later row.
import { describe, expect, it } from 'vitest'
import { priceOne, reconLine, rule, runPrice } from './fixtures.js'
import { skuTwinRemarks } from '../../pipeline/sku-twin-remark.js'

const sku = { scope: 'sku', product_id: 'CFQ7TTC0LH18', sku_id: '0001' }
const product = { scope: 'product', product_id: 'CFQ7TTC0LH18' }
const category = { scope: 'category', category: 'license' }
const markup = (percent: string, over: object = {}) => rule({ method: 'markup', percent, ...over })

// The line: cost 100, P1Y billed monthly, event date 2025-06-20 (OrderDate after ChargeStartDate 2025-06-01).
const line = { subtotal: '100', total: '100', order_date: '2025-06-20' }

describe('price book rule (SPEC §4.1)', () => {
  it.each([
    { name: 'sku beats product, category and default', rules: [markup('1'), markup('2', category), markup('3', product), markup('4', sku)], percent: '4', scope: 'sku' },
    { name: 'product beats category and default', rules: [markup('1'), markup('2', category), markup('3', product)], percent: '3', scope: 'product' },
    { name: 'category beats default', rules: [markup('2', category), markup('1')], percent: '2', scope: 'category' },
    { name: 'default when nothing else matches', rules: [markup('9', { ...sku, sku_id: '0002' }), markup('1')], percent: '1', scope: 'default' },
    { name: 'sku with TermDuration beats sku without (either row order)', rules: [markup('5', { ...sku, term_duration: 'P1Y' }), markup('6', sku)], percent: '5', scope: 'sku' },
    { name: 'sku with BillingPlan beats sku without', rules: [markup('6', sku), markup('7', { ...sku, billing_plan: 'Monthly' })], percent: '7', scope: 'sku' },
    { name: 'sku naming another term does not match', rules: [markup('5', { ...sku, term_duration: 'P1M' }), markup('6', sku)], percent: '6', scope: 'sku' },
    { name: 'latest EffectiveFrom ≤ event date wins', rules: [markup('10', { ...sku, effective_from: '2025-01-01' }), markup('20', { ...sku, effective_from: '2025-06-15' }), markup('30', { ...sku, effective_from: '2025-07-01' })], percent: '20', scope: 'sku' },
    { name: 'empty EffectiveFrom = always, but loses to a dated rule in force', rules: [markup('20', { ...sku, effective_from: '2025-06-01' }), markup('10', sku)], percent: '20', scope: 'sku' },
    { name: 'EffectiveTo before the event date: the rule has ended', rules: [markup('1'), markup('3', { ...product, effective_to: '2025-06-19' })], percent: '1', scope: 'default' },
    { name: 'EffectiveTo on the event date still applies', rules: [markup('1'), markup('3', { ...product, effective_to: '2025-06-20' })], percent: '3', scope: 'product' },
    { name: 'equally specific and same EffectiveFrom: the later row wins', rules: [markup('1'), markup('2')], percent: '2', scope: 'default' },
    { name: 'rules of another price book are ignored', rules: [markup('50', { ...sku, price_book: 'OTHER' }), markup('1')], percent: '1', scope: 'default' },
  ])('$name', async ({ rules, percent, scope }) => {
    const p = await priceOne({ line, rules })
    expect([p.rule_scope, p.percent, p.status]).toEqual([scope, percent, 'invoiced'])
    expect(p.sell).toBe(String(100 + Number(percent))) // canonical decimal text
  })

  it('no matching rule → held with NO_PRICE_RULE', async () => {
    const p = await priceOne({ line, rules: [markup('50', { ...sku, sku_id: '0002' }), markup('50', { ...sku, price_book: 'OTHER' })] })
    expect([p.status, p.hold_rule, p.sell, p.rule_id]).toEqual(['held', 'NO_PRICE_RULE', null, null])
    expect(p.findings.map((f) => [f.rule, f.actual])).toEqual([['NO_PRICE_RULE', 'B1']])
    expect(p.findings[0]?.message).toMatch(/Price book 'B1' has no rule for product CFQ7TTC0LH18 SKU 0001/)
  })

  // A reseller's PriceBook that no rule names (a typo, another case) said "add a rule to that price book" (review).
  it.each([
    { name: 'another book only', books: ['OTHER'], says: "no price book rule names that book (the price books sheet has 'OTHER'). Correct the reseller's PriceBook or add the book's rules" },
    { name: 'the book in another case', books: ['b1', 'OTHER'], says: "(the price books sheet has 'OTHER', 'b1'; 'b1' differs only in letter case, and names must match exactly)" },
    { name: 'no rules at all', books: [], says: '(no price book rules were read)' },
  ])('a PriceBook no rule names → NO_PRICE_RULE saying so: $name', async ({ books, says }) => {
    const p = await priceOne({ line, rules: books.map((price_book) => markup('50', { price_book })) })
    expect(p.hold_rule).toBe('NO_PRICE_RULE')
    expect(p.findings[0]?.message).toContain("Reseller 'R1' is priced by price book 'B1' (its PriceBook in the resellers sheet), but ")
    expect(p.findings[0]?.message).toContain(says)
  })

  it('a rule effective only after the event date → NO_PRICE_RULE', async () => {
    const p = await priceOne({ line, rules: [markup('1', { effective_from: '2025-07-01' })] })
    expect(p.hold_rule).toBe('NO_PRICE_RULE')
  })
})

// SPEC §4.4: a refund is priced by the same rule as the charge it reverses. It was priced by the rule in force on
// its own event date (the change day): a seat charged on 09/20 at 10 % and removed on 10/05, after the markup
// rose to 20 % on 10/01, sold 33.00 and was credited -18.00 (audit review); the credit must be -16.50.
describe('a refund takes the rule of the charge it reverses (SPEC §4.4)', () => {
  const cycle = { subscription_start_date: '2026-09-20', subscription_end_date: '2027-09-19', charge_start_date: '2026-09-20', charge_end_date: '2026-10-19' }
  const charge = { ...cycle, order_date: '2026-09-20', subtotal: '30', total: '30', unit_price: '30', effective_unit_price: '30' }
  const refund = { ...cycle, charge_type: 'removeQuantity', charge_type_norm: 'removequantity', order_date: '2026-10-05', subtotal: '-15', total: '-15', unit_price: '30', effective_unit_price: '-15' }
  const rising = [markup('10', { effective_to: '2026-09-30' }), markup('20', { effective_from: '2026-10-01' })]

  it('charge and refund in one month: the refund uses the charge date\'s rule', async () => {
    const out = await runPrice({ lines: [reconLine(1, charge), reconLine(2, refund)], rules: rising })
    await out.db.close()
    expect(out.priced.map((p) => [p.event_date, p.rule_date, p.percent, p.sell])).toEqual([
      ['2026-09-20', '2026-09-20', '10', '33'],
      ['2026-10-05', '2026-09-20', '10', '-16.5'],
    ])
  })

  it('the charge on an earlier invoice: the refund row\'s ChargeStartDate (its cycle start, SPEC §3.3)', async () => {
    const p = await priceOne({ line: refund, rules: rising })
    expect([p.event_date, p.rule_date, p.percent, p.sell]).toEqual(['2026-10-05', '2026-09-20', '10', '-16.5'])
  })

  // Charge-types review: Microsoft's export keeps the reversed charge's start as the refund's ChargeStartDate (seats
  // added 06/08, cancelled 06/24: ChargeStartDate 06/08). With that charge on an earlier invoice, the refund was dated
  // by its cycle's start, and a rule change between the two credited it by the older rule (-52.58 for -57.15).
  it('the charge on an earlier invoice, started after its cycle: the refund row\'s ChargeStartDate, not the cycle start', async () => {
    const lateRefund = { ...refund, charge_type: 'cancelImmediate', charge_type_norm: 'cancelimmediate', charge_start_date: '2026-10-02', order_date: '2026-10-05', subtotal: '-14', total: '-14', effective_unit_price: '-14' }
    const p = await priceOne({ line: lateRefund, rules: rising })
    expect([p.cycle_start, p.event_date, p.rule_date, p.percent, p.sell]).toEqual(['2026-09-20', '2026-10-05', '2026-10-02', '20', '-16.8'])
  })

  it('the latest charge of the cycle on or before the refund: a seat added on 10/02 and removed on 10/05', async () => {
    const added = { ...charge, charge_type: 'addQuantity', charge_type_norm: 'addquantity', order_date: '2026-10-02', subtotal: '9', total: '9' }
    const later = { ...charge, order_date: '2026-10-07', subtotal: '5', total: '5' } // after the refund: not what it reverses
    const out = await runPrice({ lines: [reconLine(1, charge), reconLine(2, added), reconLine(3, refund), reconLine(4, later)], rules: rising })
    await out.db.close()
    expect(out.priced.map((p) => [p.rule_date, p.percent])).toEqual([['2026-09-20', '10'], ['2026-10-02', '20'], ['2026-10-02', '20'], ['2026-10-07', '20']])
  })

  // Microsoft's documented layout (FORMATS §1.8): a seat change is a refund of the old quantity and a charge of the
  // new one, both with the change day as ChargeStartDate. The refund took the rule of its paired same-day charge
  // (30 %, -105.69) instead of the 10/05 charge it reverses (20 %, -97.56) (review against FORMATS.md).
  it('a refund dated as its paired same-day charge reverses the cycle\'s earlier charge', async () => {
    const term = { subscription_start_date: '2026-10-05', subscription_end_date: '2027-10-04', charge_end_date: '2026-11-04', unit_price: '10.5' }
    const bought = { ...term, charge_start_date: '2026-10-05', order_date: '2026-10-05', subtotal: '105', total: '105', effective_unit_price: '10.5', billable_quantity: '10' }
    const change = { ...term, charge_type: 'addQuantity', charge_type_norm: 'addquantity', charge_start_date: '2026-10-12', order_date: '2026-10-12' }
    const refunded = { ...change, subtotal: '-81.3', total: '-81.3', effective_unit_price: '-8.13', billable_quantity: '10' }
    const recharged = { ...change, subtotal: '97.56', total: '97.56', effective_unit_price: '8.13', billable_quantity: '12' }
    const rising2 = [markup('20', { effective_to: '2026-10-09' }), markup('30', { effective_from: '2026-10-10' })]
    const out = await runPrice({ lines: [reconLine(1, bought), reconLine(2, refunded), reconLine(3, recharged)], rules: rising2 })
    await out.db.close()
    expect(out.priced.map((p) => [p.cycle_start, p.rule_date, p.percent, p.sell])).toEqual([
      ['2026-10-05', '2026-10-05', '20', '126'],
      ['2026-10-05', '2026-10-05', '20', '-97.56'],
      ['2026-10-05', '2026-10-12', '30', '126.83'],
    ])
  })

  it('another subscription\'s, SKU\'s or cycle\'s charge is not the one reversed', async () => {
    const others = [
      { ...charge, subscription_id: 'S2', order_date: '2026-10-03' },
      { ...charge, sku_id: '0002', order_date: '2026-10-03' },
      { ...charge, charge_start_date: '2026-10-20', charge_end_date: '2026-11-19', order_date: '2026-10-03' },
    ]
    const out = await runPrice({ lines: [...others.map((o, i) => reconLine(i + 1, o)), reconLine(9, refund)], rules: [...rising, markup('20', { product_id: 'CFQ7TTC0LH18', scope: 'product', effective_from: '2026-10-01' })] })
    await out.db.close()
    expect(out.priced.at(-1)!.rule_date).toBe('2026-09-20')
  })

  it('a positive line keeps its event date; a refund with no rule on the charge date is NO_PRICE_RULE, saying which date', async () => {
    const p = await priceOne({ line: refund, rules: [markup('20', { effective_from: '2026-10-01' })] })
    expect([p.hold_rule, p.rule_date]).toEqual(['NO_PRICE_RULE', '2026-09-20'])
    expect(p.findings[0]!.message).toContain('effective on 2026-09-20 (the date of the charge this refund reverses, whose rule prices it)')
    const c = await priceOne({ line: { ...charge, order_date: '2026-10-05' }, rules: rising })
    expect([c.rule_date, c.percent]).toEqual(['2026-10-05', '20'])
  })
})

// Pricebook review: a lower-case ProductId on a line fell through to the default rule, and a sku rule whose SkuId a
// spreadsheet had saved as a number (1 for 0001) was skipped for a broader rule, both without a word.
describe('ids a spreadsheet or a hand changed', () => {
  it('a line whose ProductId is in lower case takes its product rule (price-book ProductIds are upper-case)', async () => {
    const p = await priceOne({ line: { ...line, product_id: 'cfq7ttc0lh18' }, rules: [markup('1'), markup('30', product)] })
    expect([p.rule_scope, p.sell]).toEqual(['product', '130'])
  })

  it('a sku rule whose SkuId lost its leading zeros is not applied (ids are text), and the summary names it', async () => {
    const out = await runPrice({ lines: [reconLine(1, line), reconLine(2, line)], rules: [markup('5'), markup('40', { ...sku, sku_id: '1' }), markup('9', { ...sku, sku_id: '0002' })] })
    expect(out.priced.map((p) => [p.rule_scope, p.sell])).toEqual([['default', '105'], ['default', '105']])
    expect(skuTwinRemarks(out.db)).toEqual([
      "Price book: the sku rule at reference/pricebooks.csv row 3 (book 'B1', product CFQ7TTC0LH18, SKU 1) matched no line, while 2 lines of that book and product have SKU 0001 and were priced by another rule: ids are compared as written, so if a spreadsheet dropped the leading zeros, write the SkuId as 0001 and run again",
    ])
    await out.db.close()
  })

  it('a sku rule that matched its lines is not remarked on, whatever other SKUs look like it', async () => {
    const out = await runPrice({ lines: [reconLine(1, line), reconLine(2, { ...line, sku_id: '1' })], rules: [markup('5'), markup('40', sku), markup('30', { ...sku, sku_id: '1' })] })
    expect(out.priced.map((p) => p.sell)).toEqual(['140', '130'])
    expect(skuTwinRemarks(out.db)).toEqual([])
    await out.db.close()
  })
})
