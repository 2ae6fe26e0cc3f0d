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
