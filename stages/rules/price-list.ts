// SPEC §2.3 and §4.2 — the price-list row of each line's product, SKU, term, plan and pricing currency.
/**
 * Reads int_lines_ruled, price_list. Writes int_lines_list_priced (+ list_price_id, list_cycle_price,
 * direct_erp_term_price, direct_erp_cycle_price, annual_price_id, annual_erp_price).
 *
 * Prices are looked up on the CURRENT TERM START (Microsoft: price changes apply only at renewal); among rows
 * that cover that date (EffectiveStartDate ≤ date ≤ EffectiveEndDate, empty end = open), the latest
 * EffectiveStartDate wins, then a row of the customer's segment over one for every segment, then the row that
 * runs longest (open-ended first), then the later row (`listRowOrder`).
 * A row with a Segment is only for customers of that segment (the customers sheet's Segment, Commercial when
 * empty or unlisted; FORMATS.md §4.1); a row without one is for all.
 * Price-list prices are whole-term prices: cycle price = term
 * price × plan months ÷ term months (P1Y Monthly ÷ 12, P3Y Annual ÷ 3, upfront ÷ 1). One-time lines (plan
 * `OneTime`, no term) match the product's OneTime row, trials their `None` row; both use the price whole.
 * The P1Y/Annual row of the same product, SKU and currency on the same date is fetched too: premium.ts
 * derives missing term/plan prices from it (SPEC §4.3). list_cycle_price is only ever a real price-list
 * row's UnitPrice (checks never use derived prices). Never throws on data.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { decDiv, decMul } from '../../pipeline/dialect.js'
import { linesBefore, ref, replaceTable, type RulesDb } from './table.js'

/** A customer's segment from its customers-sheet Segment (lower-case): Commercial when empty or not listed. */
export const customerSegmentSql = (sheetSegment: RawBuilder<unknown>): RawBuilder<string> =>
  sql<string>`coalesce(${sheetSegment}, 'commercial')`

/**
 * A price-list row is for a customer when it names no Segment or the customer's (lower-case; see
 * schemas/kinds/customers.ts). Shared with PRICE_MISMATCH, which must compare with the row pricing used.
 */
export const forSegment = (rowSegment: RawBuilder<unknown>, customerSegment: RawBuilder<unknown>): RawBuilder<boolean> =>
  sql<boolean>`(coalesce(trim(${rowSegment}), '') = '' or lower(trim(${rowSegment})) = ${customerSegment})`

/**
 * The order in which covering price-list rows of the price-list alias `row` are preferred, best first: where date
 * ranges overlap the latest EffectiveStartDate wins (§2.3); among rows starting on the same date, the customer's
 * own segment's row before a row for every segment, then the row that runs longest (open-ended first: Microsoft
 * ends a superseded row, and a withdrawn row listed after the current one was picked by file order; premium
 * review), then the later row. Shared by pricing, PRICE_MISMATCH and PREMIUM_MISMATCH, which must compare with
 * the row pricing uses.
 */
export const listRowOrder = (row: string): RawBuilder<unknown> => {
  const column = (name: string) => sql.ref(`${row}.${name}`)
  return sql`${column('effective_start_date')} desc, (coalesce(trim(${column('segment')}), '') = ''),
    (${column('effective_end_date')} is null) desc, ${column('effective_end_date')} desc, ${column('price_id')} desc`
}

/**
 * The segments the price list has a line's own term/plan row for on its term start (rows naming a Segment only),
 * comma-joined in order, NULL when none: why a line of another segment found none. A scalar subquery over the
 * line `line` (columns product_id, sku_id, pricing_currency (upper-case), term_start, term_duration,
 * billing_plan), so pricing fills PRICE_NOT_FOUND's message for every held line in its one findings query
 * (stages/price.ts), and `explain` (pipeline/explain.ts) runs it on one line's values.
 */
export const segmentsWithRowSql = (line: string): string => `(
  select group_concat(segment, ', ' order by segment) from (
    select distinct trim(p.segment) as segment from price_list p
    where p.product_id = ${line}.product_id and p.sku_id = ${line}.sku_id
      and upper(trim(p.currency)) = ${line}.pricing_currency and coalesce(trim(p.segment), '') <> ''
      and p.effective_start_date <= ${line}.term_start
      and (p.effective_end_date is null or p.effective_end_date >= ${line}.term_start)
      and (case when ${line}.billing_plan = 'OneTime' then lower(trim(p.billing_plan)) = 'onetime'
           else upper(trim(p.term_duration)) = coalesce(${line}.term_duration, '')
             and lower(trim(p.billing_plan)) = lower(${line}.billing_plan) end)))`

/**
 * The price list's SkuIds of the line's product that differ from its own only in leading zeros (`0002` against
 * `2`), comma-joined, NULL when none: a spreadsheet that saved a SkuId as a number drops them, and then no row
 * matches (SPEC §2: ids are text, `0001` ≠ `1`, so they are named, not matched). For PRICE_NOT_FOUND's message.
 */
export const skuTwinsSql = (line: string): string => `(
  select group_concat(sku_id, ', ' order by sku_id) from (
    select distinct p.sku_id from price_list p
    where p.product_id = ${line}.product_id and p.sku_id <> ${line}.sku_id
      and ltrim(p.sku_id, '0') = ltrim(${line}.sku_id, '0')))`

export async function lookUpListPrices(db: RulesDb): Promise<void> {
  await sql`create index if not exists int_price_list_lookup on price_list (product_id, sku_id)`.execute(db)
  const covering = sql`
    p.product_id = l.product_id and p.sku_id = l.sku_id and upper(trim(p.currency)) = l.pricing_currency
    and ${forSegment(sql.ref('p.segment'), sql.ref('l.customer_segment'))}
    and p.effective_start_date <= l.term_start
    and (p.effective_end_date is null or p.effective_end_date >= l.term_start)`
  const latestFirst = sql`row_number() over (partition by l.line_id order by ${listRowOrder('p')})`
  const cyclePrice = (termPrice: RawBuilder<unknown>): RawBuilder<string> =>
    sql<string>`case when billing_plan in ('OneTime', 'None') then ${termPrice}
      else ${decDiv(decMul(termPrice, ref('plan_months')), ref('term_months'))} end`
  await replaceTable(db, 'int_lines_list_priced', [
    'list_price_id', 'list_term_price', 'direct_erp_term_price', 'annual_price_id', 'annual_erp_price',
    'list_cycle_price', 'direct_erp_cycle_price',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_list_priced')}),
    lookups as materialized (
      select line_id, product_id, sku_id, pricing_currency, customer_segment, term_start, term_duration, billing_plan
      from lines
      where (term_duration is not null and plan_months is not null) or billing_plan in ('OneTime', 'None')
    ),
    direct as (
      select l.line_id, p.price_id, p.unit_price, p.erp_price, ${latestFirst} as pick
      from lookups l
      join price_list p on ${covering}
      where (l.billing_plan = 'OneTime' and lower(trim(p.billing_plan)) = 'onetime')
         or (upper(trim(p.term_duration)) = l.term_duration and lower(trim(p.billing_plan)) = lower(l.billing_plan))
    ),
    annual as (
      select l.line_id, p.price_id, p.erp_price, ${latestFirst} as pick
      from lookups l
      join price_list p on ${covering}
      where l.term_duration is not null
        and upper(trim(p.term_duration)) = 'P1Y' and lower(trim(p.billing_plan)) = 'annual'
    ),
    joined as (
      select lines.*,
        direct.price_id as list_price_id,
        direct.unit_price as list_term_price,
        direct.erp_price as direct_erp_term_price,
        annual.price_id as annual_price_id,
        annual.erp_price as annual_erp_price
      from lines
      left join direct on direct.line_id = lines.line_id and direct.pick = 1
      left join annual on annual.line_id = lines.line_id and annual.pick = 1
    ),
    final as (
      select joined.*,
        case when list_price_id is not null then ${cyclePrice(ref('list_term_price'))} end as list_cycle_price,
        case when list_price_id is not null then ${cyclePrice(ref('direct_erp_term_price'))} end as direct_erp_cycle_price
      from joined
    )
    select * from final`)
}
