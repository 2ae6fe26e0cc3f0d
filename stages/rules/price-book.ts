// SPEC §4.1 — the reseller's price book rule for each line (scope precedence, effective dating, later row).
/**
 * Reads int_lines_attributed, price_book_rules. Writes int_lines_ruled (+ rule_id, rule_scope, rule_method,
 * rule_percent, rule_fixed_unit_price).
 *
 * Candidates are the rules of the reseller's price book that match by scope — sku (ProductId + SkuId),
 * product (ProductId), category, default — and are effective on the event date
 * (EffectiveFrom ≤ date ≤ EffectiveTo, empty = open). A rule that names TermDuration/BillingPlan matches only
 * lines with that term/plan. Ranking: scope (sku → product → category → default), then the more specific
 * rule (naming term and plan beats naming one beats naming neither), then the latest EffectiveFrom, then the
 * later row (higher rule_id = later in file-name/row order). Each scope is its own equality join so the
 * lookup stays indexed for 50,000 lines. No candidate → rule_id null (NO_PRICE_RULE, decided in sell.ts).
 * Note: the SPEC states the term/plan tie-break for sku rules; applying it to the wider scopes too is our
 * reading (it only matters when such a rule names a term or plan). Never throws on data.
 */
import { sql } from '../../pipeline/kysely.js'
import { linesBefore, replaceTable, type RulesDb } from './table.js'

export async function matchPriceBookRules(db: RulesDb): Promise<void> {
  await sql`create index if not exists int_price_book_rules_lookup
    on price_book_rules (price_book, product_id, sku_id)`.execute(db)
  const effective = sql`
    (r.term_duration is null or upper(trim(r.term_duration)) = l.term_duration)
    and (r.billing_plan is null or lower(trim(r.billing_plan)) = lower(l.billing_plan))
    and (r.effective_from is null or r.effective_from <= l.event_date)
    and (r.effective_to is null or r.effective_to >= l.event_date)`
  await replaceTable(db, 'int_lines_ruled', [
    'rule_id', 'rule_scope', 'rule_method', 'rule_percent', 'rule_fixed_unit_price',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_ruled')}),
    priced_by_book as materialized (
      select line_id, price_book, product_id, sku_id, category, term_duration, billing_plan, event_date
      from lines
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
        r.rule_id as rule_id,
        lower(r.scope) as rule_scope,
        lower(r.method) as rule_method,
        r.percent as rule_percent,
        r.fixed_unit_price as rule_fixed_unit_price
      from lines
      left join ranked on ranked.line_id = lines.line_id and ranked.pick = 1
      left join price_book_rules r on r.rule_id = ranked.rule_id
    )
    select * from final`)
}
