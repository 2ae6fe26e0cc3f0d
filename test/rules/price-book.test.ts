// SPEC §4.1 — price book rule: scope precedence, term/plan specificity, effective dating, later row.
import { describe, expect, it } from 'vitest'
import { priceOne, rule } from './fixtures.js'

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
    const p = await priceOne({ line, rules: [markup('50', { ...sku, price_book: 'OTHER' })] })
    expect([p.status, p.hold_rule, p.sell, p.rule_id]).toEqual(['held', 'NO_PRICE_RULE', null, null])
    expect(p.findings.map((f) => [f.rule, f.actual])).toEqual([['NO_PRICE_RULE', 'B1']])
    expect(p.findings[0]?.message).toMatch(/Price book 'B1' has no rule for product CFQ7TTC0LH18 SKU 0001/)
  })

  it('a rule effective only after the event date → NO_PRICE_RULE', async () => {
    const p = await priceOne({ line, rules: [markup('1', { effective_from: '2025-07-01' })] })
    expect(p.hold_rule).toBe('NO_PRICE_RULE')
  })
})
