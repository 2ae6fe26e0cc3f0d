// SPEC §3.2 — term duration, billing plan and current term start of each line.
/**
 * Reads int_lines_categorized. Writes int_lines_termed (+ is_trial, term_duration, billing_plan, term_months,
 * plan_months, term_start).
 *
 * - Term: from the SubscriptionStartDate..SubscriptionEndDate span (≈1, 12 or 36 months, counted in days so
 *   that 28–31 / 365–366 / 1095–1097 all fit), else from the TermAndBillingCycle text. Only lines that have a
 *   term at all get one: license, software-subscription, reservation, savings-plan, marketplace.
 * - Plan: from BillingFrequency by the SPEC table (empty = upfront: cycle = term; P1M + Annual is impossible →
 *   unknown). Note: two decisions where the SPEC is silent — trials ("… Trial" in TermAndBillingCycle) get the
 *   price list's trial plan `None`, and perpetual (one-time) lines get `OneTime`; neither is prorated.
 * - Term start: the latest SubscriptionStartDate + k·term ≤ ChargeStartDate, always stepped from the original
 *   start (not chained), so end-of-month clamping matches Microsoft; k < 0 when the start is after the charge (a
 *   refund of the previous term, after the renewal: see late_candidates); without SubscriptionStartDate, ChargeStartDate; with a start
 *   but no known term, the start itself (or ChargeStartDate, when the start is after it).
 * Never throws on data: unknown values stay null.
 */
import { sql } from '../../pipeline/kysely.js'
import { isoAddMonthsSql, isoDaysBetweenSql, wholeStepsSql } from '../../pipeline/dialect.js'
import { linesBefore, ref, replaceTable, type RulesDb } from './table.js'

/** Categories that are sold for a term (the rest — Azure plan, credits, perpetual — have none). */
export const TERMED_CATEGORIES = ['license', 'software-subscription', 'reservation', 'savings-plan', 'marketplace'] as const

/** Months of one billing cycle of a plan (SPEC §2.3); null for OneTime, None or unknown. */
const PLAN_MONTHS = sql`case billing_plan when 'Monthly' then 1 when 'Annual' then 12 when 'Triennial' then 36 end`

export async function deriveTermAndPlan(db: RulesDb): Promise<void> {
  const termed = sql.join(TERMED_CATEGORIES.map((c) => sql.lit(c)))
  await replaceTable(db, 'int_lines_termed', [
    'span_days', 'is_trial', 'term_duration', 'billing_plan', 'term_months', 'plan_months', 'term_start',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_termed')}),
    spans as (
      select lines.*,
        case when subscription_start_date is not null and subscription_end_date is not null
          then cast(${isoDaysBetweenSql(ref('subscription_start_date'), ref('subscription_end_date'))} + 1 as integer) end as span_days,
        case when term_text like '%trial%' then 1 else 0 end as is_trial
      from lines
    ),
    -- Materialised with only what the later steps read (as in charge-cycle.ts).
    terms as materialized (
      select line_id, span_days, is_trial, category, frequency_text, subscription_start_date, charge_start_date,
        case
          when category not in (${termed}) then null
          when span_days between 25 and 35 then 'P1M'
          when span_days between 350 and 380 then 'P1Y'
          when span_days between 1080 and 1110 then 'P3Y'
          when term_text like '%three-year%' or term_text like '%3 year%' then 'P3Y'
          when term_text like '%one-year%' or term_text like '%1 year%' then 'P1Y'
          when term_text like '%one-month%' or term_text like '%1 month%' then 'P1M'
        end as term_duration
      from spans
    ),
    plans as (
      select terms.*,
        case
          when category = 'perpetual' then 'OneTime'
          when term_duration is null then null
          when is_trial = 1 then 'None'
          when frequency_text = 'monthly' then 'Monthly'
          when frequency_text = 'annual' then case when term_duration = 'P1M' then null else 'Annual' end
          -- Not in SPEC's table, which gives P3Y upfront as empty; FORMATS §5 names "Triennial (Upfront)" billing.
          when frequency_text = 'triennial' then case when term_duration = 'P3Y' then 'Triennial' end
          when frequency_text = '' then
            case term_duration when 'P1M' then 'Monthly' when 'P1Y' then 'Annual' when 'P3Y' then 'Triennial' end
        end as billing_plan,
        case term_duration when 'P1M' then 1 when 'P1Y' then 12 when 'P3Y' then 36 end as term_months
      from terms
    ),
    -- A start after the charge: a refund of the last term arriving after the renewal, which moved the start on.
    -- No k ≥ 0 fits, so k < 0: the term it belongs to began k whole terms before (k = 1–3 looked at). Microsoft
    -- steps every renewal from the purchase day, clamped to shorter months, so that start is the purchase's day
    -- of the month, k terms before, clamped: not simply the new start stepped back (bought Jan 31, renewed Feb 28:
    -- Feb 28 stepped back is Jan 28, a 31-day cycle where Microsoft billed 28; bought Feb 29 2024, renewed Feb 29
    -- 2028: the term before began Feb 28 2027). The purchase day is the new start's day, or, when the new start is
    -- a month's last day, any later day up to the 31st. The latest term wins (smallest k, never after the charge),
    -- then a candidate whose billing cycles start on ChargeStartDate (a refund row keeps its cycle's start there),
    -- then the latest day (reviews).
    late_candidates as materialized (
      select line_id, k, a,
        case when plan_months is not null
          and ${isoAddMonthsSql(ref('a'), sql`coalesce(${wholeStepsSql(ref('a'), ref('charge_start_date'), ref('plan_months'))}, 0) * plan_months`)} = charge_start_date
          then 1 else 0 end as on_grid
      from (
        select line_id, k, charge_start_date, plan_months,
          -- the purchase day in the month k terms before the new start, clamped to that month's last day
          min(date(first_day, (day - 1) || ' days'), date(first_day, '+1 month', '-1 day')) as a
        from (
          select line_id, k.k, charge_start_date,
            ${PLAN_MONTHS} as plan_months,
            date(subscription_start_date, 'start of month', (-k.k * term_months) || ' months') as first_day,
            cast(strftime('%d', subscription_start_date) as integer) + d.d as day,
            d.d, strftime('%d', date(subscription_start_date, '+1 day')) = '01' as month_end
          from plans,
            (select 1 as k union all select 2 union all select 3) k,
            (select 0 as d union all select 1 union all select 2 union all select 3) d
          where subscription_start_date > charge_start_date and term_months is not null
        )
        where day <= 31 and (d = 0 or month_end)
      )
      where a <= charge_start_date
    ),
    late_starts as materialized (
      select line_id, a as term_start from (
        select line_id, a, row_number() over (partition by line_id order by k, on_grid desc, a desc) as pick
        from late_candidates
      ) where pick = 1
    ),
    final as (
      select plans.*,
        ${PLAN_MONTHS} as plan_months,
        case
          when subscription_start_date is null then charge_start_date
          when subscription_start_date > charge_start_date then
            coalesce((select term_start from late_starts l where l.line_id = plans.line_id), charge_start_date)
          when term_months is null then subscription_start_date
          else ${isoAddMonthsSql(ref('subscription_start_date'), sql`coalesce(${wholeStepsSql(ref('subscription_start_date'), ref('charge_start_date'), ref('term_months'))}, 0) * term_months`)}
        end as term_start
      from plans
    )
    select * from final`)
}
