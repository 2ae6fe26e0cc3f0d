// SPEC §4.1 (first part) — which reseller a line belongs to, and that reseller's currency and price book.
/**
 * Reads int_lines_cycled, customers, resellers. Writes int_lines_attributed (+ reseller_id, reseller_source,
 * reseller_known, reseller_currency, price_book, customer_segment).
 * The reseller is Tier2MpnId (the loader maps its aliases) unless that is empty or `0`; then the customers
 * sheet's mapping CustomerId → ResellerId. An id that is not in `resellers` stays on the line (so the finding
 * can name it) with reseller_known = 0. customer_segment is the customers sheet's Segment for the line's
 * customer, `commercial` when empty or unlisted (price-list.ts matches rows of that segment). Never throws on data.
 */
import { sql } from '../../pipeline/kysely.js'
import { customerSegmentSql } from './price-list.js'
import { linesBefore, replaceTable, type RulesDb } from './table.js'
import { lineResellerSql, tier2ResellerSql } from './tier2.js'

export async function attributeResellers(db: RulesDb): Promise<void> {
  const tier2 = tier2ResellerSql(sql.ref('lines.tier2_mpn_id'))
  await replaceTable(db, 'int_lines_attributed', [
    'reseller_id', 'reseller_source', 'reseller_known', 'reseller_currency', 'price_book', 'customer_segment',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_attributed')}),
    candidates as (
      select lines.*,
        ${lineResellerSql(sql.ref('lines.tier2_mpn_id'), sql.ref('c.reseller_id'))} as reseller_id,
        case
          when ${tier2} is not null then 'Tier2MpnId'
          when c.reseller_id is not null then 'customers'
        end as reseller_source,
        ${customerSegmentSql(sql.ref('c.segment'))} as customer_segment
      from lines
      left join customers c on c.customer_id = lines.customer_id
    ),
    final as (
      select candidates.*,
        case when r.reseller_id is null then 0 else 1 end as reseller_known,
        upper(trim(r.currency)) as reseller_currency,
        r.price_book as price_book
      from candidates
      left join resellers r on r.reseller_id = candidates.reseller_id
    )
    select * from final`)
}
