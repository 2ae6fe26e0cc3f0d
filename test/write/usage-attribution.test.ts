/**
 * Whose invoice shows a usage row without a Tier2MpnId on its Azure usage sheet (stages/usage-totals.ts): the
 * reseller invoiced for its subscription, else for its customer, else the customers sheet's. The customers sheet
 * came first, and a stale mapping showed one reseller's customer's usage on another reseller's invoice, while the
 * customer's Azure line was invoiced to the first (attribution review).
 */
import { describe, expect, it } from 'vitest'
import { usageSummaries } from '../../stages/writers/invoice-data.js'
import { Fixture } from './fixture.js'

const ALL = { from: '', to: '\uffff' }

async function owners(f: Fixture): Promise<Record<string, string[]>> {
  const byReseller = await usageSummaries(f.db, ALL)
  return Object.fromEntries([...byReseller].map(([reseller, rows]) => [reseller, rows.map((r) => `${r.customerId} ${r.quantity}`)]))
}

describe('Azure usage sheet attribution of usage rows without a Tier2MpnId', () => {
  it('the reseller invoiced for the subscription, over a stale customers mapping', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R1', name: 'One', currency: 'USD' }).reseller({ id: 'R2', name: 'Two', currency: 'USD' })
    f.customer('cust-a', 'R2') // stale
    f.line({ reseller: 'R1', customerId: 'cust-a', cost: '3', category: 'azure-plan', subscriptionId: 'azplan-1' })
    f.line({ reseller: 'R2', customerId: 'cust-z', cost: '5' })
    f.usage({ customerId: 'cust-a', tier2: null, quantity: '744', amount: '3' })
    expect(await owners(f)).toEqual({ R1: ['cust-a 744'] })
  })

  it('the reseller invoiced for another of the customer\'s subscriptions, over the customers mapping', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R1', name: 'One', currency: 'USD' }).reseller({ id: 'R2', name: 'Two', currency: 'USD' })
    f.customer('cust-a', 'R2')
    f.line({ reseller: 'R1', customerId: 'cust-a', cost: '30', subscriptionId: 'seats' })
    f.usage({ customerId: 'cust-a', tier2: '0', quantity: '5', amount: '1', subscriptionId: 'usage-only' })
    expect(await owners(f)).toEqual({ R1: ['cust-a 5'] })
  })

  it('the customers mapping when none of the customer\'s lines was invoiced; a Tier2MpnId always wins', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R1', name: 'One', currency: 'USD' }).reseller({ id: 'R2', name: 'Two', currency: 'USD' })
    f.customer('cust-a', 'R2')
    f.line({ reseller: 'R1', customerId: 'cust-a', cost: '3', status: 'held', holdRule: 'NO_PRICE_RULE', subscriptionId: 'azplan-1' })
    f.line({ reseller: 'R1', customerId: 'cust-b', cost: '3', subscriptionId: 'azplan-1' })
    f.line({ reseller: 'R2', customerId: 'cust-z', cost: '1' }) // R2 has an invoice
    f.usage({ customerId: 'cust-a', tier2: null, quantity: '2', amount: '1' })
    f.usage({ customerId: 'cust-b', tier2: 'R2', quantity: '7', amount: '1' })
    expect(await owners(f)).toEqual({ R2: ['cust-a 2', 'cust-b 7'] })
  })
})

describe('Azure usage sheet attribution of usage rows whose Tier2MpnId has no invoice', () => {
  // Usage review: R1 was invoiced for the subscription's Azure plan line, the usage said R5 (all of whose lines were
  // held, or who had none): the usage showed on no invoice.
  it('go to the reseller invoiced for their subscription; a Tier2MpnId with an invoice still wins', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R1', name: 'One', currency: 'USD' }).reseller({ id: 'R5', name: 'Five', currency: 'USD' }).reseller({ id: 'R6', name: 'Six', currency: 'USD' })
    f.line({ reseller: 'R1', customerId: 'cust-a', cost: '8.5', category: 'azure-plan', subscriptionId: 'sub-1' })
    f.line({ reseller: 'R5', customerId: 'cust-b', cost: '3', status: 'held', holdRule: 'NO_PRICE_RULE' })
    f.line({ reseller: 'R6', customerId: 'cust-c', cost: '3' })
    f.usage({ customerId: 'cust-a', tier2: 'R5', subscriptionId: 'sub-1', quantity: '85', amount: '8.5' })
    f.usage({ customerId: 'cust-a', tier2: 'R6', subscriptionId: 'sub-1', quantity: '1', amount: '0.1', category: 'Storage' })
    // Diff review: not to a reseller invoiced for the customer's other lines, or the customers sheet's.
    f.customer('cust-b', 'R6')
    f.line({ reseller: 'R1', customerId: 'cust-b', cost: '2', subscriptionId: 'seats-b' })
    f.usage({ customerId: 'cust-b', tier2: 'R5', subscriptionId: 'azure-b', quantity: '7', amount: '0.7' })
    expect(await owners(f)).toEqual({ R1: ['cust-a 85'], R6: ['cust-a 1'] })
  })
})

describe('Azure usage sheet retail currency', () => {
  // Usage review: a file without PCToBCExchangeRate (empty or no column) took the rate as 1, and a USD retail amount
  // was shown as EUR on a EUR reseller's sheet.
  it('without a rate, the retail amount is shown in the PricingCurrency it is in; with one, in the billing currency', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R3', name: 'Three', currency: 'EUR' })
    f.line({ reseller: 'R3', customerId: 'cust-a', cost: '9', currency: 'EUR', category: 'azure-plan', subscriptionId: 'azplan-1' })
    f.usage({ customerId: 'cust-a', tier2: 'R3', quantity: '100', unitPrice: '0.05', amount: '4.28', currency: 'EUR', pricingCurrency: 'USD', category: 'Storage' })
    f.usage({ customerId: 'cust-a', tier2: 'R3', quantity: '100', unitPrice: '0.05', amount: '4.28', currency: 'EUR', pricingCurrency: 'USD', rate: '0.856789', category: 'Compute' })
    f.usage({ customerId: 'cust-a', tier2: 'R3', quantity: '10', unitPrice: '0.5', amount: '5', currency: 'EUR', category: 'Network' })
    const rows = (await usageSummaries(f.db, ALL)).get('R3')!.map((r) => [r.meterCategory, r.currency, r.retail])
    expect(rows).toEqual([['Compute', 'EUR', '4.28'], ['Network', 'EUR', '5.00'], ['Storage', 'USD', '5.00']])
  })
})
