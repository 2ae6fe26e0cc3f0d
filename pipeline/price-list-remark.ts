/**
 * Remarks for the end-of-run summary on price-list rows that priced lines while another row of the same product,
 * SKU, term, plan, currency and segment starts and ends on the same dates at another price: most often the same
 * SKU for two Markets in one file (FORMATS §4.1: a price list is per customer market). SPEC §2.3 ranks rows by
 * start date only; the longer-running, then the later row wins (rules/price-list.ts `listRowOrder`), so which
 * price a line got depended on the file's order, and nothing said so (premium review). SPEC §5 has no rule id for
 * it, so it is a remark.
 */
import type { Db } from './db.js'
import { sql } from './kysely.js'
import { decCmp } from './dialect.js'

interface RivalRows {
  file: string
  row: number
  product: string
  sku: string
  term: string
  plan: string
  currency: string
  start: string
  market: string | null
  rivals: string
  lines: number
}

export async function priceListRemarks(db: Db): Promise<string[]> {
  const differs = (column: string) => sql`${decCmp(sql.ref(`o.${column}`), sql.ref(`u.${column}`))} <> 0`
  const { rows } = await sql<RivalRows>`
    -- The row a line's price came from: its own term/plan row, or the P1Y/Annual row of a derived price (every
    -- line carries its P1Y/Annual row too, but only a derived price is made from it: diff review).
    with used as (
      select price_id, count(*) as lines from (
        select line_id, list_price_id as price_id from priced_lines where list_price_id is not null
        union
        select line_id, annual_price_id from priced_lines where annual_price_id is not null and price_derived = 1)
      group by price_id
    )
    select u.source_file as file, u.source_row as row, u.product_id as product, u.sku_id as sku,
      upper(trim(u.term_duration)) as term, u.billing_plan as plan, upper(trim(u.currency)) as currency,
      u.effective_start_date as start, nullif(trim(u.market), '') as market, used.lines,
      group_concat('row ' || o.source_row || coalesce(' (Market ' || nullif(trim(o.market), '') || ')', ''), ', ' order by o.source_row) as rivals
    from used
    join price_list u on u.price_id = used.price_id
    join price_list o on o.product_id = u.product_id and o.sku_id = u.sku_id and o.price_id <> u.price_id
      and upper(trim(o.term_duration)) = upper(trim(u.term_duration)) and lower(trim(o.billing_plan)) = lower(trim(u.billing_plan))
      and upper(trim(o.currency)) = upper(trim(u.currency))
      and lower(coalesce(trim(o.segment), '')) = lower(coalesce(trim(u.segment), ''))
      and o.effective_start_date = u.effective_start_date
      and coalesce(o.effective_end_date, '') = coalesce(u.effective_end_date, '')
      and (${differs('unit_price')} or ${differs('erp_price')})
    group by u.price_id
    order by u.source_file, u.source_row`.execute(db.kysely)
  return rows.map((r) =>
    `Price list: ${r.file} row ${r.row}${r.market === null ? '' : ` (Market ${r.market})`} priced ${r.lines} line${r.lines === 1 ? '' : 's'} ` +
    `(product ${r.product}, SKU ${r.sku}, ${r.term}/${r.plan}, ${r.currency}, from ${r.start}), but ${r.rivals} ha${r.rivals.includes(',') ? 've' : 's'} the same dates and another price, ` +
    'and which is used depends on the file\'s order: keep one market\'s rows in the price list and run again')
}
