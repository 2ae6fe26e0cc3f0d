// SPEC §4.3(a) — missing term/plan prices derived from P1Y/Annual with the dated premium; never twice.
import { describe, expect, it } from 'vitest'
import { priceOne, priceRow, rule } from './fixtures.js'

const erp = [rule({ method: 'erp-discount', percent: '0' })]
const annual = priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', erp_price: '120', unit_price: '96' })
const monthlyTerm = { subscription_start_date: '2025-06-01', subscription_end_date: '2025-06-30', billing_frequency: null }
const annualTermFrom = (start: string, end: string) => ({ subscription_start_date: start, subscription_end_date: end, billing_frequency: 'Monthly' })

describe('premium derivation (SPEC §4.3a)', () => {
  it('P1M/Monthly from P1Y/Annual: 120 × 1/12 × 1.20 = 12.00 per cycle, with PRICE_DERIVED', async () => {
    const p = await priceOne({ line: monthlyTerm, rules: erp, prices: [annual] })
    expect([p.term_duration, p.billing_plan, p.erp_cycle_price, p.sell, p.price_derived, p.premium_percent]).toEqual(['P1M', 'Monthly', '12', '12', 1, '20'])
    expect(p.list_cycle_price).toBeNull() // checks never use derived prices
    expect(p.findings.map((f) => [f.rule, f.severity, f.expected])).toEqual([['PRICE_DERIVED', 'info', '12']])
    expect(p.explanation).toBe('ERP 12.00/cycle (derived: P1Y/Annual ERP 120.00 × 1/12 × (1 + 20%)) × 30/30 × 1 × 1 × (1 − 0%) = 12.00')
  })

  it('P1Y/Monthly for a term starting 2025-04-01: 120 × 1.05 = 126 per term → 10.50 per cycle', async () => {
    const p = await priceOne({ line: annualTermFrom('2025-04-01', '2026-03-31'), rules: erp, prices: [annual] })
    expect([p.erp_cycle_price, p.sell, p.price_derived, p.premium_percent]).toEqual(['10.5', '10.5', 1, '5'])
    // The derivation names the cycles the term price is divided into (it read as if 126 were the cycle price).
    expect(p.explanation).toBe('ERP 10.50/cycle (derived: P1Y/Annual ERP 120.00 × 12/12 × (1 + 5%) ÷ 12 cycles) × 30/30 × 1 × 1 × (1 − 0%) = 10.50')
    expect(p.premium_from).toBe('2025-04-01') // the premium's `from`, kept for explain
  })

  // Pricing review: a derived price that does not terminate (100 × 1/12 × 1.25) showed as "(10.41666666666666666667 ÷ 1)".
  it('a derived cycle price that does not terminate is explained by its derivation, not a rounded figure', async () => {
    const premiums = [{ termDuration: 'P1M' as const, billingPlan: 'Monthly' as const, percent: '25', from: '2022-03-01' }]
    const p = await priceOne({ line: monthlyTerm, rules: erp, prices: [priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', erp_price: '100', unit_price: '80' })], settings: { premiums } })
    expect(p.erp_cycle_price).toMatch(/^10\.416666666666666666/)
    expect(p.findings.map((f) => [f.rule, f.expected])).toEqual([['PRICE_DERIVED', '10.4167']]) // not 50 digits (premium review)
    expect(p.explanation).toBe('ERP (P1Y/Annual ERP 100.00 × 1/12 × (1 + 25%))/cycle (derived from the P1Y/Annual ERP price with the 25% premium) × 30/30 × 1 × 1 × (1 − 0%) = 10.42')
  })

  it('P1Y/Monthly for a term starting before 2025-04-01: no premium in force → PRICE_NOT_FOUND', async () => {
    const p = await priceOne({ line: annualTermFrom('2025-03-01', '2026-02-28'), rules: erp, prices: [annual] })
    expect([p.status, p.hold_rule, p.price_derived]).toEqual(['held', 'PRICE_NOT_FOUND', 0])
    expect(p.findings.map((f) => f.rule)).toEqual(['PRICE_NOT_FOUND'])
    expect(p.findings[0]?.message).toMatch(/no premium for P1Y\/Monthly is in force/)
  })

  it('neither the row nor P1Y/Annual → PRICE_NOT_FOUND', async () => {
    const p = await priceOne({ line: monthlyTerm, rules: erp, prices: [] })
    expect(p.hold_rule).toBe('PRICE_NOT_FOUND')
  })

  it('never double-apply: an existing P1M/Monthly row is used as is (it already carries the premium)', async () => {
    const p1m = priceRow({ term_duration: 'P1M', billing_plan: 'Monthly', erp_price: '14.4' })
    const p = await priceOne({ line: monthlyTerm, rules: erp, prices: [annual, p1m] })
    expect([p.erp_cycle_price, p.sell, p.price_derived, p.premium_percent, p.premium_from]).toEqual(['14.4', '14.4', 0, null, null])
    expect(p.findings).toEqual([])
  })

  it('P1Y/Annual itself is never derived', async () => {
    const p = await priceOne({ line: { billing_frequency: 'Annual', charge_end_date: '2025-12-31' }, rules: erp, prices: [priceRow({ term_duration: 'P1M', billing_plan: 'Monthly', erp_price: '14.4' })] })
    expect(p.hold_rule).toBe('PRICE_NOT_FOUND')
  })

  it.each([
    { termStart: '2025-06-01', percent: '25', cycle: '12.5' },
    { termStart: '2025-04-01', percent: '20', cycle: '12' },
  ])('the premium with the latest `from` ≤ term start $termStart applies ($percent%)', async ({ termStart, percent, cycle }) => {
    const premiums = [
      { termDuration: 'P1M' as const, billingPlan: 'Monthly' as const, percent: '20', from: '2022-03-01' },
      { termDuration: 'P1M' as const, billingPlan: 'Monthly' as const, percent: '25', from: '2025-05-01' },
    ]
    const end = termStart === '2025-06-01' ? '2025-06-30' : '2025-04-30'
    const p = await priceOne({ line: { subscription_start_date: termStart, subscription_end_date: end, charge_start_date: termStart, charge_end_date: end, billing_frequency: null }, rules: erp, prices: [annual], settings: { premiums } })
    expect([p.premium_percent, p.erp_cycle_price]).toEqual([percent, cycle])
  })

  it('markup lines are not derived and get no PRICE_DERIVED', async () => {
    const p = await priceOne({ line: monthlyTerm, prices: [annual] })
    expect([p.method, p.price_derived, p.premium_percent, p.findings.length]).toEqual(['markup', 0, null, 0])
  })
})
