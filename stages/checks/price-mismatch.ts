// SPEC §5 PRICE_MISMATCH: a license line whose UnitPrice ≠ the price-list cycle price on its term start ± 0.01 (§2.3, §3.2).
/**
 * In: non-duplicate license lines (held or not) with a known term, plan and term start; price_list. Out: one
 * warning per line whose UnitPrice (the price of one charge cycle) differs from the price list's UnitPrice
 * cycle price = term price × plan months ÷ term months, for the same ProductId, SkuId, term, plan and pricing
 * currency, for the customer's segment (rules/price-list.ts `forSegment`), effective on the current term start (Microsoft: price changes apply only at renewal). Lines with
 * no price-list row are not checked: checks never use derived prices (§4.3).
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decCmp, decDiv, decMul, decRound, decSub } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { pricingCurrencySql } from '../rules/category.js'
import { customerSegmentSql, forSegment, listRowOrder } from '../rules/price-list.js'
import { lineFields, monthsSql, PLAN_MONTHS, TERM_MONTHS, type Check } from './common.js'

const TOLERANCE = '0.01'

/**
 * The cycle price of price-list row `row` for the term and plan of `line` (§2.3: term price × plan months ÷ term
 * months); a trial's row (BillingPlan None) whole, as pricing takes it.
 */
const cyclePrice = (row: string, line: string): RawBuilder<string> =>
  sql<string>`case when ${sql.ref(`${line}.billing_plan`)} = 'None' then ${sql.ref(`${row}.unit_price`)} else ${decDiv(
    decMul(sql.ref(`${row}.unit_price`), monthsSql(sql.ref(`${line}.billing_plan`), PLAN_MONTHS)),
    monthsSql(sql.ref(`${line}.term_duration`), TERM_MONTHS),
  )} end`

/**
 * The other segments (comma-joined, NULL when none) whose row of the line's product, SKU, term, plan and pricing
 * currency, in force on the term start, has Microsoft's UnitPrice as its cycle price: an Education customer the
 * customers sheet does not list is priced as Commercial, and the finding said only "check the price list"
 * (premium review). Over a row of `list_prices`.
 */
const otherSegmentsPricedAsBilled = sql<string | null>`(
  select group_concat(segment, ', ' order by segment) from (
    select distinct trim(o.segment) as segment from price_list o
    where o.product_id = list_prices.product_id and o.sku_id = list_prices.sku_id
      and upper(trim(o.term_duration)) = list_prices.term_duration
      and lower(trim(o.billing_plan)) = lower(list_prices.billing_plan)
      and upper(trim(o.currency)) = list_prices.pricing_currency
      and coalesce(trim(o.segment), '') <> '' and lower(trim(o.segment)) <> list_prices.customer_segment
      and o.effective_start_date <= list_prices.term_start
      and (o.effective_end_date is null or o.effective_end_date >= list_prices.term_start)
      and ${decCmp(decAbs(decSub(sql.ref('list_prices.unit_price'), cyclePrice('o', 'list_prices'))), sql.val(TOLERANCE))} <= 0))`

export const priceMismatch: Check = async ({ db }) => {
  const rows = await db.kysely
    .with('list_prices', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .innerJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .leftJoin('customers as c', 'c.customer_id', 'r.customer_id')
        .innerJoin('price_list as l', (join) =>
          join
            .onRef('l.product_id', '=', 'r.product_id')
            .onRef('l.sku_id', '=', 'r.sku_id')
            // Compared as pricing compares them (stages/rules/price-list.ts): a line priced from a `p1y`/`monthly`/`usd`
            // row, or with PricingCurrency `usd`, was otherwise never checked against it.
            .on(sql<boolean>`upper(trim(l.term_duration)) = p.term_duration`)
            .on(sql<boolean>`lower(trim(l.billing_plan)) = lower(p.billing_plan)`)
            .on(sql<boolean>`upper(trim(l.currency)) = ${pricingCurrencySql('r')}`)
            .on(forSegment(sql.ref('l.segment'), customerSegmentSql(sql.ref('c.segment'))))
            .onRef('l.effective_start_date', '<=', 'p.term_start')
            .on(sql<boolean>`(l.effective_end_date is null or l.effective_end_date >= p.term_start)`),
        )
        .where('r.is_duplicate', '=', 0)
        .where('p.category', '=', 'license')
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
          'r.unit_price', 'p.term_duration', 'p.billing_plan', 'p.term_start', 'l.currency',
          'l.source_file as list_file', 'l.source_row as list_row', 'r.product_id', 'r.sku_id',
          customerSegmentSql(sql.ref('c.segment')).as('customer_segment'),
          sql<string>`${pricingCurrencySql('r')}`.as('pricing_currency'),
          // A trial's row (BillingPlan None) is priced whole, as pricing takes it; it had no cycle price and was
          // never checked (checks review).
          cyclePrice('l', 'p').as('cycle_price'),
          // The row pricing picks.
          sql<number>`row_number() over (partition by r.line_id order by ${listRowOrder('l')})`.as('rank'),
        ]),
    )
    .selectFrom('list_prices')
    .selectAll()
    .select(decRound(sql.ref('cycle_price'), sql.lit(4)).as('expected'))
    .select(otherSegmentsPricedAsBilled.as('other_segments'))
    .where('rank', '=', 1)
    .where((eb) => eb(decCmp(decAbs(decSub(sql.ref('unit_price'), sql.ref('cycle_price'))), sql.val(TOLERANCE)), '>', 0))
    .orderBy('line_id')
    .execute()

  return rows.map((r) =>
    finding('PRICE_MISMATCH', {
      ...lineFields(r),
      expected: r.expected,
      actual: r.unit_price,
      message:
        `Microsoft's UnitPrice ${r.unit_price} ${r.currency} differs from the price list's ${r.term_duration}/${r.billing_plan} cycle price ` +
        `${r.expected} in force on the term start ${r.term_start ?? ''} (${r.list_file}:${r.list_row}): the amounts stay as Microsoft billed them (this check holds nothing); ` +
        (r.other_segments === null
          ? 'check whether the price list is current or Microsoft charged the wrong price.'
          : `Microsoft's price is the price list's ${r.other_segments} price: if the customer is in that segment, give it that Segment in the customers sheet ` +
            '(a customer the sheet does not list is priced as Commercial).'),
    }),
  )
}
