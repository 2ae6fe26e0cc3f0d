// SPEC §4.3(a) — derive a missing term/plan ERP price from the P1Y/Annual row with the dated premium.
/**
 * Reads int_lines_list_priced and int_premiums (settings.premiums, written by `loadPremiums`). Writes
 * int_lines_premium_priced (+ premium_percent, premium_from, derived_erp_term_price, erp_cycle_price,
 * price_derived, erp_cycle_numerator, erp_cycle_denominator).
 *
 * erp_cycle_price is the cycle price to 50 significant digits (display, checks); the sell amount multiplies the
 * exact fraction numerator ÷ denominator instead (sell.ts), dividing last: 130.30 ÷ 12 × 2 × 0.9 is exactly 19.545,
 * which the 50-digit cycle price 10.858333… turned into 19.544999… and billed 19.54 (explanations review).
 *
 * Only when the price list has no row for the line's own term and plan (a real row already carries the
 * premium: never add it twice) but has the P1Y/Annual row: term price = P1Y/Annual ERP × term months ÷ 12 ×
 * (1 + percent/100), with the premium row for that term+plan whose `from` is the latest ≤ the term start.
 * No premium in force → no price (PRICE_NOT_FOUND in sell.ts). P1Y/Annual itself is never derived.
 * Defaults: P1M/Monthly 120 → 120 × 1/12 × 1.20 = 12.00 per cycle; P1Y/Monthly (terms from 2025-04-01)
 * 120 × 1.05 = 126 per term = 10.50 per monthly cycle. Never throws on data.
 */
import { sql } from '../../pipeline/kysely.js'
import type { Premium } from '../../schemas/config.js'
import { decAdd, decDiv, decMul } from '../../pipeline/dialect.js'
import { linesBefore, ref, replaceTable, type RulesDb } from './table.js'

/** Write settings.premiums into int_premiums so the derivation can join them. */
export async function loadPremiums(db: RulesDb, premiums: readonly Premium[]): Promise<void> {
  await sql`drop table if exists int_premiums`.execute(db)
  await sql`create table int_premiums (
    term_duration text not null, billing_plan text not null, percent text not null, from_date text not null)`.execute(db)
  for (const p of premiums) {
    await sql`insert into int_premiums values (${p.termDuration}, ${p.billingPlan}, ${p.percent}, ${p.from})`.execute(db)
  }
}

export async function derivePremiumPrices(db: RulesDb): Promise<void> {
  const derivedTerm = decDiv(
    decMul(decMul(ref('annual_erp_price'), ref('term_months')), decAdd(sql.lit('100'), ref('premium_percent'))),
    sql.lit('1200'),
  )
  await replaceTable(db, 'int_lines_premium_priced', [
    'premium_percent', 'premium_from', 'derived_erp_term_price', 'erp_cycle_price', 'price_derived',
    'erp_cycle_numerator', 'erp_cycle_denominator',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_premium_priced')}),
    eligible as (
      select line_id, term_duration, billing_plan, term_start
      from lines
      where list_price_id is null and annual_price_id is not null
        and term_months is not null and plan_months is not null
        and not (term_duration = 'P1Y' and billing_plan = 'Annual')
    ),
    premiums_in_force as (
      select e.line_id, p.percent, p.from_date,
        row_number() over (partition by e.line_id order by p.from_date desc) as pick
      from eligible e
      join int_premiums p on p.term_duration = e.term_duration and p.billing_plan = e.billing_plan
        and p.from_date <= e.term_start
    ),
    with_premium as (
      select lines.*, pif.percent as premium_percent, pif.from_date as premium_from
      from lines
      left join premiums_in_force pif on pif.line_id = lines.line_id and pif.pick = 1
    ),
    derived as (
      select with_premium.*,
        case when premium_percent is not null then ${derivedTerm} end as derived_erp_term_price
      from with_premium
    ),
    final as (
      select derived.*,
        coalesce(direct_erp_cycle_price,
          ${decDiv(decMul(ref('derived_erp_term_price'), ref('plan_months')), ref('term_months'))}) as erp_cycle_price,
        case when direct_erp_cycle_price is null and derived_erp_term_price is not null then 1 else 0 end as price_derived,
        -- The cycle price as an exact fraction: the list's term price × plan months ÷ term months (the whole price
        -- for a one-time or trial row), or the derived P1Y/Annual ERP × term months ÷ 12 × (100 + premium) ÷ 100 ×
        -- plan months ÷ term months, that is P1Y/Annual ERP × (100 + premium) × plan months ÷ 1200.
        case
          when direct_erp_cycle_price is not null then case when billing_plan in ('OneTime', 'None') then direct_erp_term_price
            else ${decMul(ref('direct_erp_term_price'), ref('plan_months'))} end
          when derived_erp_term_price is not null
            then ${decMul(decMul(ref('annual_erp_price'), decAdd(sql.lit('100'), ref('premium_percent'))), ref('plan_months'))}
        end as erp_cycle_numerator,
        case
          when direct_erp_cycle_price is not null then case when billing_plan in ('OneTime', 'None') then 1 else term_months end
          when derived_erp_term_price is not null then 1200
        end as erp_cycle_denominator
      from derived
    )
    select * from final`)
}
