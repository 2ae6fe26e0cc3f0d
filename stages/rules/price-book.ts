// SPEC §4.1 — the reseller's price book rule for each line (scope precedence, effective dating, later row).
/**
 * Reads int_lines_attributed, price_book_rules. Writes int_lines_ruled (+ rule_id, rule_scope, rule_method,
 * rule_percent, rule_fixed_unit_price).
 *
 * Candidates are the rules of the reseller's price book that match by scope — sku (ProductId + SkuId),
 * product (ProductId), category, default — and are effective on the rule date (EffectiveFrom ≤ date ≤
 * EffectiveTo, empty = open). The rule date is the event date, except for a refund (a negative line: cost, or
 * EffectiveUnitPrice when the cost is 0, below 0), which is priced by the same rule as the charge it reverses
 * (SPEC §4.4): its date is the event date of the latest charge of the same subscription, product, SKU and charge
 * cycle (§3.3; any, for lines without cycles) dated before the refund's own, else its ChargeStartDate when that is
 * before its change day (the reversed charge's start), else the cycle's start: the charge may have been on an
 * earlier month's invoice. Before, not on: Microsoft pairs a seat
 * change's refund with a new charge of the same day, which is not what the refund reverses; and by cycle, not by
 * ChargeStartDate, which Microsoft's documented layout sets to the change day on both rows of that pair (FORMATS
 * §1.8). A removal on 10/05 of a seat charged on 09/20, after the markup rose on 10/01, credits what was charged,
 * not the new markup. A rule that names TermDuration/BillingPlan matches only
 * lines with that term/plan. Ranking: scope (sku → product → category → default), then the more specific
 * rule (naming term and plan beats naming one beats naming neither), then the latest EffectiveFrom, then the
 * later row (higher rule_id = later in file-name/row order). Each scope is its own equality join so the
 * lookup stays indexed for 50,000 lines. No candidate → rule_id null (NO_PRICE_RULE, decided in sell.ts).
 * Note: the SPEC states the term/plan tie-break for sku rules; applying it to the wider scopes too is our
 * reading (it only matters when such a rule names a term or plan). Never throws on data.
 */
import { sql } from '../../pipeline/kysely.js'
import { linesBefore, replaceTable, type RulesDb } from './table.js'
import { costSignSql } from './sell.js'

export async function matchPriceBookRules(db: RulesDb): Promise<void> {
  await sql`create index if not exists int_price_book_rules_lookup
    on price_book_rules (price_book, product_id, sku_id)`.execute(db)
  const effective = sql`
    (r.term_duration is null or upper(trim(r.term_duration)) = l.term_duration)
    and (r.billing_plan is null or lower(trim(r.billing_plan)) = lower(l.billing_plan))
    and (r.effective_from is null or r.effective_from <= l.rule_date)
    and (r.effective_to is null or r.effective_to >= l.rule_date)`
  const negative = (line: string) => sql`${costSignSql(sql.ref(`${line}.subtotal`), sql.ref(`${line}.effective_unit_price`))} < 0`
  await replaceTable(db, 'int_lines_ruled', [
    'rule_date', 'rule_id', 'rule_scope', 'rule_method', 'rule_percent', 'rule_fixed_unit_price',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_ruled')}),
    -- Refunds, and the charges of their subscriptions only: a month has few of either.
    refunds as materialized (
      select line_id, subscription_id, product_id, sku_id, cycle_start, charge_start_date, event_date
      from lines l
      where category <> 'credit' and ${negative('l')}
    ),
    charges as materialized (
      select subscription_id, product_id, sku_id, cycle_start, event_date
      from lines c
      where category <> 'credit' and not ${negative('c')} and subscription_id in (select subscription_id from refunds)
    ),
    refund_dates as materialized (
      select line_id, coalesce(
          (select max(c.event_date) from charges c
           where c.subscription_id = l.subscription_id and c.product_id = l.product_id and c.sku_id = l.sku_id
             and (l.cycle_start is null or c.cycle_start = l.cycle_start) and c.event_date < l.event_date),
          -- The charge is not in this run (an earlier month's invoice). A refund row whose ChargeStartDate is before
          -- its change day keeps the start of the charge it reverses there (Microsoft's export: seats added 06/08,
          -- cancelled 06/24, refund ChargeStartDate 06/08); dated by the cycle's start instead, a rule change
          -- between the two priced the credit by the older rule (charge-types review).
          case when l.charge_start_date < l.event_date then l.charge_start_date end,
          l.cycle_start, l.charge_start_date, l.event_date) as rule_date
      from refunds l
    ),
    priced_by_book as materialized (
      -- Price-book ProductIds are stored upper-case; a line's is kept as written (pricebook review: a lower-case
      -- one fell through to the default rule without a word).
      select line_id, price_book, upper(product_id) as product_id, sku_id, category, term_duration, billing_plan,
        coalesce(refund_dates.rule_date, event_date) as rule_date
      from lines left join refund_dates using (line_id)
      where reseller_known = 1 and category <> 'credit'
    ),
    candidates as (
      select l.line_id, r.rule_id, r.effective_from, 1 as scope_rank
      from priced_by_book l
      join price_book_rules r on r.price_book = l.price_book and r.product_id = l.product_id and r.sku_id = l.sku_id
      where lower(r.scope) = 'sku' and ${effective}
      union all
      select l.line_id, r.rule_id, r.effective_from, 2 as scope_rank
      from priced_by_book l
      join price_book_rules r on r.price_book = l.price_book and r.product_id = l.product_id
      where lower(r.scope) = 'product' and ${effective}
      union all
      select l.line_id, r.rule_id, r.effective_from, 3 as scope_rank
      from priced_by_book l
      join price_book_rules r on r.price_book = l.price_book and lower(trim(r.category)) = l.category
      where lower(r.scope) = 'category' and ${effective}
      union all
      select l.line_id, r.rule_id, r.effective_from, 4 as scope_rank
      from priced_by_book l
      join price_book_rules r on r.price_book = l.price_book
      where lower(r.scope) = 'default' and ${effective}
    ),
    ranked as (
      select candidates.line_id, candidates.rule_id,
        row_number() over (
          partition by candidates.line_id
          order by scope_rank,
            (case when r.term_duration is null then 0 else 1 end) + (case when r.billing_plan is null then 0 else 1 end) desc,
            coalesce(candidates.effective_from, '') desc,
            candidates.rule_id desc
        ) as pick
      from candidates
      join price_book_rules r on r.rule_id = candidates.rule_id
    ),
    final as (
      select lines.*,
        coalesce(refund_dates.rule_date, lines.event_date) as rule_date,
        r.rule_id as rule_id,
        lower(r.scope) as rule_scope,
        lower(r.method) as rule_method,
        r.percent as rule_percent,
        r.fixed_unit_price as rule_fixed_unit_price
      from lines
      left join refund_dates on refund_dates.line_id = lines.line_id
      left join ranked on ranked.line_id = lines.line_id and ranked.pick = 1
      left join price_book_rules r on r.rule_id = ranked.rule_id
    )
    select * from final`)
}
