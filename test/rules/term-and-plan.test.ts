// SPEC §3.2 — term from the subscription span (else the text), plan from BillingFrequency, current term start.
import { describe, expect, it } from 'vitest'
import { priceOne } from './fixtures.js'

const noSpan = { subscription_start_date: null, subscription_end_date: null }

describe('term and billing plan (SPEC §3.2)', () => {
  it.each([
    { name: 'P1Y span billed monthly', line: { subscription_start_date: '2025-01-01', subscription_end_date: '2025-12-31', billing_frequency: 'Monthly' }, term: 'P1Y', plan: 'Monthly' },
    { name: 'P1Y span billed annually', line: { billing_frequency: 'Annual' }, term: 'P1Y', plan: 'Annual' },
    { name: 'P1Y upfront (empty frequency) → Annual', line: { billing_frequency: null }, term: 'P1Y', plan: 'Annual' },
    { name: 'P1M span of 28 days (Feb 21–Mar 20), upfront → Monthly', line: { subscription_start_date: '2022-02-21', subscription_end_date: '2022-03-20', billing_frequency: null, charge_start_date: '2022-02-21', charge_end_date: '2022-03-20' }, term: 'P1M', plan: 'Monthly' },
    { name: 'P3Y span, upfront → Triennial', line: { subscription_start_date: '2024-01-01', subscription_end_date: '2026-12-31', billing_frequency: null }, term: 'P3Y', plan: 'Triennial' },
    // Classification review: FORMATS §5 names "Triennial (Upfront)" billing; the frequency read as unknown.
    { name: 'P3Y span, BillingFrequency Triennial → Triennial', line: { subscription_start_date: '2024-01-01', subscription_end_date: '2026-12-31', billing_frequency: 'Triennial' }, term: 'P3Y', plan: 'Triennial' },
    { name: 'P1Y with BillingFrequency Triennial is impossible → plan unknown', line: { billing_frequency: 'Triennial' }, term: 'P1Y', plan: null },
    { name: 'P3Y span billed annually', line: { subscription_start_date: '2024-01-01', subscription_end_date: '2026-12-31', billing_frequency: 'Annual' }, term: 'P3Y', plan: 'Annual' },
    { name: 'P1M with Annual frequency is impossible → plan unknown', line: { subscription_start_date: '2025-06-01', subscription_end_date: '2025-06-30', billing_frequency: 'Annual' }, term: 'P1M', plan: null },
    { name: 'text "Three-Year commitment…" without dates', line: { ...noSpan, term_and_billing_cycle: 'Three-Year commitment for monthly/yearly billing' }, term: 'P3Y', plan: 'Monthly' },
    { name: 'text "One-Month commitment…"', line: { ...noSpan, term_and_billing_cycle: 'One-Month commitment for monthly billing' }, term: 'P1M', plan: 'Monthly' },
    { name: 'text "3 Years Reservation" upfront', line: { ...noSpan, term_and_billing_cycle: '3 Years Reservation', billing_frequency: null }, term: 'P3Y', plan: 'Triennial' },
    { name: 'span wins over contradicting text', line: { term_and_billing_cycle: 'One-Month commitment for monthly billing' }, term: 'P1Y', plan: 'Monthly' },
    { name: 'trial → plan None (price list trial plan)', line: { ...noSpan, term_and_billing_cycle: '1 Month Trial', billing_frequency: null }, term: 'P1M', plan: 'None' },
    { name: 'unknown text and no dates → unknown', line: { ...noSpan, term_and_billing_cycle: 'Some new wording' }, term: null, plan: null },
    { name: 'Azure plan has no term', line: { ...noSpan, subscription_description: 'Azure plan', term_and_billing_cycle: '1 Compute Hour' }, term: null, plan: null },
    { name: 'perpetual → OneTime, no term', line: { ...noSpan, term_and_billing_cycle: null, charge_end_date: null, billing_frequency: null }, term: null, plan: 'OneTime' },
  ])('$name', async ({ line, term, plan }) => {
    const priced = await priceOne({ line })
    expect([priced.term_duration, priced.billing_plan]).toEqual([term, plan])
  })

  it.each([
    { name: 'SubscriptionStartDate itself with consistent data', line: {}, termStart: '2025-01-01' },
    { name: 'latest start + k·term ≤ ChargeStartDate (k = 2)', line: { subscription_start_date: '2023-03-15', subscription_end_date: '2024-03-14', charge_start_date: '2025-06-15', charge_end_date: '2025-07-14' }, termStart: '2025-03-15' },
    { name: 'stepped from the original start with end-of-month clamping (Feb 29 + 12 months)', line: { subscription_start_date: '2024-02-29', subscription_end_date: '2025-02-28', charge_start_date: '2025-03-01', charge_end_date: '2025-03-27' }, termStart: '2025-02-28' },
    { name: 'no SubscriptionStartDate → ChargeStartDate', line: noSpan, termStart: '2025-06-01' },
  ])('term start: $name', async ({ line, termStart }) => {
    expect((await priceOne({ line })).term_start).toBe(termStart)
  })
})

// Mutation review: no test used a 1,095-day three-year span or a one-year span ending the day before the
// anniversary, and narrowing the span bounds failed nothing. SPEC §3.2: the term from the span (≈1, 12 or 36 months),
// else from the text. The code accepts spans (End − Start + 1 days) of 25–35 (P1M), 350–380 (P1Y), 1080–1110 (P3Y);
// the cases sit on each bound and one day outside it. Outside every band the text decides: an unknown text → none.
describe('term from the subscription span (SPEC §3.2)', () => {
  const unknownText = { term_and_billing_cycle: 'Some new wording' }
  // An unknown text, so that only the span can give the term (the fixture's "One-Year …" text would give P1Y anyway).
  const span = (start: string, end: string) => ({ subscription_start_date: start, subscription_end_date: end, billing_frequency: 'Monthly', ...unknownText })
  it.each([
    // The common real spans: a term ends the day before its anniversary.
    { name: '2025-01-01 → 2025-12-31 (365 days)', line: span('2025-01-01', '2025-12-31'), term: 'P1Y' },
    { name: '2024-02-29 → 2025-02-28 (leap-day purchase: 366 days)', line: span('2024-02-29', '2025-02-28'), term: 'P1Y' },
    { name: '2024-03-01 → 2025-02-28 (365 days)', line: span('2024-03-01', '2025-02-28'), term: 'P1Y' },
    { name: '2023-03-01 → 2024-02-29 (366 days)', line: span('2023-03-01', '2024-02-29'), term: 'P1Y' },
    { name: '2025-01-01 → 2027-12-31 (365 × 3 = 1,095 days)', line: span('2025-01-01', '2027-12-31'), term: 'P3Y' },
    { name: '2024-01-01 → 2026-12-31 (366 + 365 + 365 = 1,096 days)', line: span('2024-01-01', '2026-12-31'), term: 'P3Y' },
    { name: '2025-01-31 → 2025-02-27 (1 + 27 = 28 days)', line: span('2025-01-31', '2025-02-27'), term: 'P1M' },
    { name: '2025-01-31 → 2025-02-28 (29 days)', line: span('2025-01-31', '2025-02-28'), term: 'P1M' },
    { name: '2025-01-01 → 2025-01-31 (31 days)', line: span('2025-01-01', '2025-01-31'), term: 'P1M' },
    // The bounds the code accepts, from 2025-01-01 (day of year n = 2025-01-01 + n − 1 days).
    { name: 'P1M lower bound: → 2025-01-25 (25 days)', line: span('2025-01-01', '2025-01-25'), term: 'P1M' },
    { name: 'below P1M: → 2025-01-24 (24 days)', line: span('2025-01-01', '2025-01-24'), term: null },
    { name: 'P1M upper bound: → 2025-02-04 (31 + 4 = 35 days)', line: span('2025-01-01', '2025-02-04'), term: 'P1M' },
    { name: 'above P1M: → 2025-02-05 (36 days)', line: span('2025-01-01', '2025-02-05'), term: null },
    { name: 'P1Y lower bound: → 2025-12-16 (334 + 16 = 350 days)', line: span('2025-01-01', '2025-12-16'), term: 'P1Y' },
    { name: 'below P1Y: → 2025-12-15 (349 days)', line: span('2025-01-01', '2025-12-15'), term: null },
    { name: 'P1Y upper bound: → 2026-01-15 (365 + 15 = 380 days)', line: span('2025-01-01', '2026-01-15'), term: 'P1Y' },
    { name: 'above P1Y: → 2026-01-16 (381 days)', line: span('2025-01-01', '2026-01-16'), term: null },
    { name: 'P3Y lower bound: → 2027-12-16 (1,095 − 15 = 1,080 days)', line: span('2025-01-01', '2027-12-16'), term: 'P3Y' },
    { name: 'below P3Y: → 2027-12-15 (1,079 days)', line: span('2025-01-01', '2027-12-15'), term: null },
    { name: 'P3Y upper bound: → 2028-01-15 (1,095 + 15 = 1,110 days)', line: span('2025-01-01', '2028-01-15'), term: 'P3Y' },
    { name: 'above P3Y: → 2028-01-16 (1,111 days)', line: span('2025-01-01', '2028-01-16'), term: null },
    // Outside the bands the text decides.
    { name: 'above P1Y (381 days) with "Three-Year" text → P3Y from the text', line: { ...span('2025-01-01', '2026-01-16'), term_and_billing_cycle: 'Three-Year commitment for monthly/yearly billing' }, term: 'P3Y' },
  ])('$name → $term', async ({ line, term }) => {
    const p = await priceOne({ line })
    expect([p.term_duration, p.billing_plan]).toEqual([term, term === null ? null : 'Monthly'])
  })

  // Upfront (empty BillingFrequency): the plan follows the term (SPEC §3.2 table), so a misread span shows twice.
  it.each([
    { name: '2025-01-01 → 2025-12-31', line: { subscription_start_date: '2025-01-01', subscription_end_date: '2025-12-31', ...unknownText }, expected: ['P1Y', 'Annual'] },
    { name: '2025-01-01 → 2027-12-31', line: { subscription_start_date: '2025-01-01', subscription_end_date: '2027-12-31' }, expected: ['P3Y', 'Triennial'] },
    { name: '2025-01-31 → 2025-02-27', line: { subscription_start_date: '2025-01-31', subscription_end_date: '2025-02-27', term_and_billing_cycle: 'One-Year commitment for monthly/yearly billing' }, expected: ['P1M', 'Monthly'] },
  ])('upfront $name → $expected', async ({ line, expected }) => {
    const p = await priceOne({ line: { ...line, billing_frequency: null } })
    expect([p.term_duration, p.billing_plan]).toEqual(expected)
  })
})
