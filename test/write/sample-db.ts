/**
 * The standard small staging DB most write tests use: two invoiced resellers (USD with support and tax, JPY with
 * tax), one reseller whose lines are all held, a retained credit, a duplicate, usage attributed three ways, and
 * customer names that look like formulas. Worked totals (SPEC §4.5) are in EXPECTED.
 */
import { Fixture } from './fixture.js'

export const INJECTED_NAMES = ['=HYPERLINK("http://x","y")', '+1-2', '-5', '@SUM(A1)'] as const

export const EXPECTED = {
  R1: { subtotal: '160.65', support: '8.03', tax: '13.92', total: '182.60', cost: '144.50', margin: '16.15', lines: 5 },
  R2: { subtotal: '6912', support: '0', tax: '691', total: '7603', cost: '6100', margin: '812', lines: 2 },
}

export function sampleDb(): Fixture {
  const f = new Fixture()
  f.inputFile('2026-10/recon.csv', 'reconciliation', 13, 1, ['PartnerTenantId'])
  f.inputFile('2026-10/usage.csv', 'usage', 5)
  f.inputFile('reference/resellers.csv', 'resellers', 3)
  f.reseller({ id: 'R1', name: 'Fabrikam, Inc.', currency: 'USD', support: '5', tax: '8.25', terms: 45, email: 'ap@fabrikam.example', address: '1 Main St, Springfield' })
  f.reseller({ id: 'R2', name: 'Tokyo Partner KK', currency: 'JPY', tax: '10' })
  f.reseller({ id: 'R3', name: 'Held Only Ltd', currency: 'USD' })
  f.customer('cust-b', 'R1')

  // R1 (USD): 100 + 50.55 − 10 + 20.10 + 0 = 160.65 (the last line is priced 0, cost 0)
  f.line({ reseller: 'R1', customerId: 'cust-a', customerName: INJECTED_NAMES[0], cost: '90', sell: '100.00', quantity: '10', unitSellPrice: '10' })
  f.line({ reseller: 'R1', customerId: 'cust-a', customerName: INJECTED_NAMES[0], cost: '45.5', sell: '50.55', quantity: '3', unitSellPrice: '16.85' })
  f.line({ reseller: 'R1', customerId: 'cust-a', customerName: INJECTED_NAMES[0], cost: '-9', sell: '-10.00', quantity: '-1', unitSellPrice: '10', chargeType: 'removeQuantity' })
  f.line({ reseller: 'R1', customerId: 'cust-b', customerName: INJECTED_NAMES[1], cost: '18', sell: '20.10', category: 'azure-plan', chargeEnd: null })
  f.line({ reseller: 'R1', customerId: 'cust-c', customerName: INJECTED_NAMES[2], cost: '0', sell: '0', productName: INJECTED_NAMES[3] })
  // R2 (JPY)
  f.line({ reseller: 'R2', customerId: 'cust-j', customerName: '株式会社テスト', cost: '1100', sell: '1234', currency: 'JPY' })
  f.line({ reseller: 'R2', customerId: 'cust-j', customerName: '株式会社テスト', cost: '5000', sell: '5678', currency: 'JPY' })
  // Not invoiced
  f.line({ reseller: 'R3', customerId: 'cust-h', status: 'held', cost: '70', holdRule: 'NO_PRICE_RULE' })
  f.line({ reseller: 'R9', customerId: 'cust-u', status: 'held', cost: '12.345', holdRule: 'UNKNOWN_RESELLER' })
  f.line({ reseller: null, customerId: 'cust-a', status: 'retained', cost: '-5', category: 'credit', chargeType: 'customerCredit' })
  f.line({ reseller: 'R1', customerId: 'cust-a', cost: '90', duplicate: true })
  f.line({ reseller: 'R2', customerId: 'cust-j', cost: '300', status: 'held', holdRule: 'CURRENCY_MISMATCH', currency: 'JPY' })

  // Usage: by Tier2MpnId, by customers mapping, by the customer's invoiced lines; one row out of period.
  // amount = BillingPreTaxTotal (cost, after partner credit); the sheet shows retail = quantity × UnitPrice × rate.
  f.usage({ customerId: 'cust-a', tier2: 'R1', quantity: '2.5', amount: '1.125', unitPrice: '0.52' })
  f.usage({ customerId: 'cust-a', tier2: 'R1', quantity: '1.5', amount: '0.7', unitPrice: '0.52' })
  f.usage({ customerId: 'cust-b', tier2: '0', quantity: '4', amount: '3.333', category: 'Storage', unitPrice: '0.98', rate: '0.9' })
  f.usage({ customerId: 'cust-j', tier2: null, quantity: '10', amount: '155.4', currency: 'JPY', unitPrice: '0.12', rate: '152.35' })
  f.usage({ customerId: 'cust-a', tier2: 'R1', quantity: '99', amount: '99', date: '2026-09-30' })

  f.finding('REJECTED_ROW', { row: 14, column: 'UnitPrice (P)', value: '1,234.56', message: "UnitPrice (P): '1,234.56' is not a plain decimal number" })
  f.finding('NEGATIVE_MARGIN', { row: 3, resellerId: 'R1', customerId: '=cmd|/C calc', subscriptionId: 'sub-1', expected: '45.5', actual: '-10.00', message: 'sell 10.00 is below cost 45.5, "check the price book"' })
  f.finding('NO_PRICE_RULE', { row: 9, resellerId: 'R3', customerId: 'cust-h', message: 'no price rule for R3' })
  f.finding('USAGE_TIE_OUT', { file: '', row: 0, customerId: 'cust-a', expected: '1.825', actual: '2', message: 'usage differs' })
  return f
}
