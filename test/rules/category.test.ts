// SPEC §3.1 — product category, first match in the SPEC's order.
import { describe, expect, it } from 'vitest'
import { priceOne } from './fixtures.js'

describe('category (SPEC §3.1, first match)', () => {
  it.each([
    { name: 'customerCredit beats Azure plan', line: { charge_type: 'customerCredit', charge_type_norm: 'customercredit', subscription_description: 'Azure plan' }, category: 'credit' },
    { name: 'Azure plan by SubscriptionDescription', line: { subscription_description: 'Azure plan', term_and_billing_cycle: '1 Compute Hour', billing_frequency: null, subscription_start_date: null, subscription_end_date: null }, category: 'azure-plan' },
    { name: 'reservation', line: { term_and_billing_cycle: '1 Year Reservation', publisher_name: 'Microsoft' }, category: 'reservation' },
    { name: 'savings plan', line: { term_and_billing_cycle: '3 Years Savings Plan' }, category: 'savings-plan' },
    { name: 'marketplace: third-party publisher with PublisherId (before "Subscription")', line: { publisher_name: 'SendGrid', publisher_id: '21223810', term_and_billing_cycle: '1 Month Subscription' }, category: 'marketplace' },
    { name: 'Microsoft with a PublisherId is not marketplace', line: { publisher_name: 'Microsoft Corporation', publisher_id: '123' }, category: 'license' },
    { name: 'software subscription', line: { term_and_billing_cycle: '3 Years Subscription' }, category: 'software-subscription' },
    { name: 'perpetual: TermAndBillingCycle and ChargeEndDate empty', line: { term_and_billing_cycle: null, charge_end_date: null }, category: 'perpetual' },
    { name: 'license: everything else (NCE seats)', line: {}, category: 'license' },
    { name: 'license: trials are seats too', line: { term_and_billing_cycle: '1 Month Trial' }, category: 'license' },
  ])('$name → $category', async ({ line, category }) => {
    expect((await priceOne({ line })).category).toBe(category)
  })
})
