/**
 * SPEC §4.5 through the real code: the price stage rounds each line, then the invoice totals (stages/invoice-totals.ts
 * `resellerTotals`, what write.ts bills) add the ROUNDED lines. Mutation review: summing the exact amounts instead
 * (`sell_exact`) was caught only by a golden snapshot; the worked examples of invoiceAmounts start from a sum already
 * made. Each line here sells an exact amount that ends in a half (fixed price × 1 seat × a whole cycle, 30/30), so
 * Σ rounded lines and the rounded Σ of exact amounts differ by more than a cent.
 */
import { describe, expect, it } from 'vitest'
import { resellerTotals } from '../../stages/invoice-totals.js'
import { reconLine, reseller, rule, runPrice } from '../rules/fixtures.js'

const charge = (id: number, over: object = {}) => reconLine(id, { subscription_id: `S${id}`, ...over })
const refund = (id: number) => charge(id, { charge_type: 'Refund', charge_type_norm: 'refund', unit_price: '-0.34', effective_unit_price: '-0.34', subtotal: '-0.34', total: '-0.34' })

describe('invoice subtotal = Σ rounded lines (SPEC §4.5)', () => {
  it.each([
    {
      // 0.335 → 0.34 each (half-up); subtotal 3 × 0.34 = 1.02 (the exact sum 1.005 would round to 1.01);
      // support round(1.02 × 10%) = round(0.102) = 0.10; tax round((1.02 + 0.10) × 13%) = round(0.1456) = 0.15;
      // total 1.02 + 0.10 + 0.15 = 1.27.
      name: 'three lines of 0.335 USD, support 10%, tax 13%',
      fixed: '0.335', lines: [1, 2, 3].map((i) => charge(i, { subtotal: '0.3', total: '0.3' })),
      r: reseller({ support_plan_percent: '10', tax_rate_percent: '13' }),
      line: ['0.335', '0.34'], expected: [3, '1.02', '0.10', '0.15', '1.27'],
    },
    {
      // 12.345 → 12.35 each; subtotal 10 × 12.35 = 123.50 (exact sum 123.45); support round(123.50 × 20%) = 24.70;
      // tax round((123.50 + 24.70) × 13%) = round(148.20 × 0.13) = round(19.266) = 19.27; total 123.50 + 24.70 + 19.27 = 167.47.
      name: 'ten lines of 12.345 USD, support 20%, tax 13%',
      fixed: '12.345', lines: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => charge(i, { subtotal: '11', total: '11' })),
      r: reseller({ support_plan_percent: '20', tax_rate_percent: '13' }),
      line: ['12.345', '12.35'], expected: [10, '123.50', '24.70', '19.27', '167.47'],
    },
    {
      // Credits: −0.335 → −0.34 each (half away from zero); subtotal −1.02 (exact sum −1.005 would be −1.01);
      // support 0 → 0.00; tax round(−1.02 × 20%) = round(−0.204) = −0.20; total −1.02 + 0 − 0.20 = −1.22.
      name: 'three refunds of −0.335 USD, tax 20%',
      fixed: '0.335', lines: [1, 2, 3].map(refund),
      r: reseller({ tax_rate_percent: '20' }),
      line: ['-0.335', '-0.34'], expected: [3, '-1.02', '0.00', '-0.20', '-1.22'],
    },
    {
      // JPY has no minor unit: 100.5 → 101 each; subtotal 3 × 101 = 303 (exact sum 301.5 would be 302);
      // support round(303 × 10%) = round(30.3) = 30; tax round((303 + 30) × 10%) = round(33.3) = 33; total 303 + 30 + 33 = 366.
      name: 'three lines of 100.5 JPY, support 10%, tax 10%',
      fixed: '100.5', lines: [1, 2, 3].map((i) => charge(i, { currency: 'JPY', pricing_currency: 'JPY', unit_price: '100', effective_unit_price: '100', subtotal: '100', total: '100' })),
      r: reseller({ currency: 'JPY', support_plan_percent: '10', tax_rate_percent: '10' }),
      line: ['100.5', '101'], expected: [3, '303', '30', '33', '366'],
    },
  ])('$name', async ({ fixed, lines, r, line, expected }) => {
    const out = await runPrice({ lines, resellers: [r], rules: [rule({ method: 'fixed', percent: null, fixed_unit_price: fixed })] })
    try {
      expect(out.priced.map((p) => [p.status, p.sell_exact, p.sell])).toEqual(lines.map(() => ['invoiced', ...line]))
      const [t, ...others] = await resellerTotals(out.db)
      expect(others).toEqual([])
      expect([t!.lines, t!.subtotal, t!.support, t!.tax, t!.total]).toEqual(expected)
    } finally {
      await out.db.close()
    }
  })
})
