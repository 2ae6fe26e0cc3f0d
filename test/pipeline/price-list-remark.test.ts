/**
 * Premium review: the same SKU for two Markets in one price list, at two prices, was picked by the file's order
 * with no word (pipeline/price-list-remark.ts).
 */
import { describe, expect, it } from 'vitest'
import { priceListRemarks } from '../../pipeline/price-list-remark.js'
import { priceRow, reconLine, rule, runPrice } from '../rules/fixtures.js'

const annual = (erp_price: string, over: object = {}) => priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', erp_price, unit_price: erp_price, ...over })
// P1Y/Monthly lines of a term from 2025-06-01: priced from the P1Y/Annual row with the 5 % premium (in force from
// 2025-04-01), which is the row remarked on.
const term = { subscription_start_date: '2025-06-01', subscription_end_date: '2026-05-31', charge_start_date: '2025-06-01', charge_end_date: '2025-06-30' }
async function remarks(prices: ReturnType<typeof priceRow>[]): Promise<string[]> {
  const out = await runPrice({ lines: [reconLine(1, term), reconLine(2, term)], rules: [rule({ method: 'erp-discount', percent: '0' })], prices })
  expect(out.priced.map((p) => p.status)).toEqual(['invoiced', 'invoiced'])
  try {
    return await priceListRemarks(out.db)
  } finally {
    await out.db.close()
  }
}

describe('price-list rows alike but for their price', () => {
  it('two markets\' rows on the same dates at different prices: the row used is named with its rival', async () => {
    expect(await remarks([annual('1200', { market: 'DE' }), annual('1300', { market: 'FR' })])).toEqual([
      'Price list: 2025-06/pricelist.csv row 3 (Market FR) priced 2 lines (product CFQ7TTC0LH18, SKU 0001, P1Y/Annual, USD, from 2020-01-01), ' +
        "but row 2 (Market DE) has the same dates and another price, and which is used depends on the file's order: keep one market's rows in the price list and run again",
    ])
  })

  it.each([
    { name: 'the same price written differently', rows: [annual('1200', { market: 'DE' }), annual('1200.00', { market: 'FR' })] },
    { name: 'another start date (the later one wins by SPEC)', rows: [annual('1200'), annual('1300', { effective_start_date: '2021-01-01' })] },
    { name: 'another segment', rows: [annual('1200', { segment: 'Education' }), annual('1300')] },
    { name: 'a row no line used', rows: [annual('1200'), priceRow({ term_duration: 'P1Y', billing_plan: 'Annual', erp_price: '999', unit_price: '999', sku_id: '0002' })] },
    // The lines are priced from their own P1Y/Monthly row: the P1Y/Annual rows they carry priced nothing (diff review).
    { name: 'P1Y/Annual rivals the lines only carry beside their own row', rows: [annual('1200', { market: 'DE' }), annual('1300', { market: 'FR' }), priceRow({ term_duration: 'P1Y', billing_plan: 'Monthly', erp_price: '1260', unit_price: '1260' })] },
  ])('no remark: $name', async ({ rows }) => {
    expect(await remarks(rows)).toEqual([])
  })
})
