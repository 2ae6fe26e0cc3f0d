// SPEC §3.3 — event date, charge cycle, billing days, cycle days and proration factor of each line.
/**
 * Reads int_lines_termed. Writes int_lines_cycled (+ event_date, cycle_index, cycle_start, cycle_end,
 * billing_days, cycle_days, is_prorated, proration_factor).
 *
 * Cycle k runs from A + k·plan to A + (k+1)·plan − 1 day (A = current term start), always added to A with
 * end-of-month clamping, never chained from the previous cycle (bought Jan 31 → Feb 27/28, then Mar 30, …).
 * A term start on a month's last day may itself be clamped: a P1M bought on the 31st renews on Feb 28, and
 * Microsoft's cycle then runs to Mar 30, anchored on the 31st, where A + 1 month − 1 day is Mar 27 (a 28-day cycle
 * for 31 billed days sold 110.71 instead of 100.00; periods review). When the term start's own day gives a cycle
 * that does not end on the line's ChargeEndDate (or, for a full cycle's charge — new, renew, cycleCharge — does
 * not start on its ChargeStartDate), the cycles are stepped on a later day whose cycle does: 29th–31st for a P1M
 * term, the 29th for a P1Y or P3Y term starting Feb 28 (their anniversaries fall in their own month, so only a
 * Feb 29 purchase is ever clamped). A change-day line's ChargeStartDate says nothing of its cycle's start.
 * Event date = max(ChargeStartDate, OrderDate), except Azure plan and credit lines (ChargeStartDate), and an
 * OrderDate after ChargeEndDate, which is not a day of the charged period (ChargeStartDate).
 * The factor (billing days ÷ cycle days, exact decimal text) applies to license, software-subscription,
 * reservation and marketplace lines with a ChargeEndDate and a known term and plan; 1 for everything else.
 * A change a day or less after the charge it changes counts from that charge: Microsoft refunds in full within 24
 * hours of a purchase or renewal (FORMATS §5), and prices both rows of such a seat change from the day before the
 * change, where the days from the change kept the reseller paying for a day Microsoft refunded (364/365; charge-types
 * review). Told by Microsoft's EffectiveUnitPrice: the rounded price of one day more than the days from the change,
 * and not of those days. Such a line's billing days are then the charge's.
 * Day counts are cast to integer (UDFs return JS numbers, stored as REAL). Sell formulas multiply by billing_days and divide by cycle_days last, so no precision is lost to the
 * stored factor. Never throws on data.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { addMonthsOnDaySql, decAbs, decCmp, decDiv, decMul, decRound, isoAddDaysSql, isoAddMonthsSql, isoDaysBetweenSql, wholeStepsOnDaySql, wholeStepsSql } from '../../pipeline/dialect.js'
import { linesBefore, ref, replaceTable, type RulesDb } from './table.js'

export const PRORATED_CATEGORIES = ['license', 'software-subscription', 'reservation', 'marketplace'] as const

export async function deriveChargeCycles(db: RulesDb): Promise<void> {
  const prorated = sql.join(PRORATED_CATEGORIES.map((c) => sql.lit(c)))
  // A full cycle's charge starts on its cycle's start; a change-day line (addQuantity, a seat change) does not.
  const fullCycle = sql`charge_type_norm in ('new', 'renew', 'cyclecharge')`
  // Microsoft's unit price of `days` of the cycle, rounded half-up to the cent (§3.3's EffectiveUnitPrice).
  const microsoftPrice = (days: RawBuilder<unknown>) =>
    decRound(decDiv(decMul(decAbs(ref('unit_price')), days), ref('cycle_days')), sql.lit(2))
  await replaceTable(db, 'int_lines_cycled', [
    'event_date', 'cycle_index', 'cycle_start', 'cycle_end', 'billing_days', 'cycle_days', 'is_prorated', 'proration_factor',
  ], sql`
    with lines as (select * from ${linesBefore('int_lines_cycled')}),
    events as (
      select lines.*,
        case
          when category in ('azure-plan', 'credit') or order_date is null or order_date < charge_start_date
            then charge_start_date
          -- An OrderDate after the charged period is no change day inside it: the charge covers its whole period
          -- (it gave negative billing days, and a full cycle charge of 42.00 sold 3.15; review).
          when charge_end_date is not null and order_date > charge_end_date then charge_start_date
          else order_date
        end as event_date
      from lines
    ),
    steps as (
      select events.*,
        case when plan_months is not null
          then cast(coalesce(${wholeStepsSql(ref('term_start'), ref('event_date'), ref('plan_months'))}, 0) as integer) end as cycle_index
      from events
    ),
    -- Term starts that may be clamped anniversaries (a month's last day before the 31st for P1M; Feb 28 for P1Y
    -- and P3Y) whose cycle does not end on ChargeEndDate, or, for a full cycle's charge, start on ChargeStartDate:
    -- the start's own day and the later days it may stand for are the candidate anchors.
    clamped as materialized (
      select line_id, term_start, term_months, event_date, plan_months, charge_start_date, charge_end_date,
        cast(strftime('%d', term_start) as integer) as start_day,
        ${fullCycle} as full_cycle
      from steps
      where plan_months is not null and charge_end_date is not null
        and strftime('%d', date(term_start, '+1 day')) = '01' and strftime('%d', term_start) <> '31'
        and (term_months = 1 or strftime('%m-%d', term_start) = '02-28')
        and (${isoAddDaysSql(isoAddMonthsSql(ref('term_start'), sql`(cycle_index + 1) * plan_months`), sql.lit(-1))} <> charge_end_date
          or (${fullCycle} and ${isoAddMonthsSql(ref('term_start'), sql`cycle_index * plan_months`)} <> charge_start_date))
    ),
    anchor_days as (
      select clamped.*, d.day,
        cast(coalesce(${wholeStepsOnDaySql(ref('term_start'), ref('event_date'), ref('plan_months'), ref('d.day'))}, 0) as integer) as k
      from clamped join (select 28 as day union all select 29 union all select 30 union all select 31) d
        on d.day >= clamped.start_day and (clamped.term_months = 1 or d.day <= 29)
    ),
    anchor_cycles as (
      select line_id, day, start_day, k, full_cycle, charge_start_date, charge_end_date,
        ${addMonthsOnDaySql(ref('term_start'), sql`k * plan_months`, ref('day'))} as cycle_start,
        ${isoAddDaysSql(addMonthsOnDaySql(ref('term_start'), sql`(k + 1) * plan_months`, ref('day')), sql.lit(-1))} as cycle_end
      from anchor_days
    ),
    -- A cycle must end on ChargeEndDate; for a full cycle's charge, one that also starts on ChargeStartDate tells
    -- the anchor apart where ends agree (a Feb 28 renewal of a purchase on the 29th: Jan 28 or Jan 29 to Feb 27);
    -- then the start's own day, then the earliest later day. A change day is no cycle start: taken as one, an
    -- addition on Oct 31 to a term started Apr 30 was given the cycle Oct 31 – Nov 29 and billed whole (diff review).
    anchors as materialized (
      select line_id, day as anchor_day, k as anchor_index from (
        select line_id, day, start_day, k,
          row_number() over (partition by line_id order by full_cycle and cycle_start = charge_start_date desc, day = start_day desc, day) as pick
        from anchor_cycles
        where cycle_end = charge_end_date
      ) where pick = 1 and day <> start_day
    ),
    -- Materialised (its dates are read twice below) with only what the later steps read: copying every column
    -- of every line made this layer ~0.06 s slower on the 1 M-row bench month.
    cycles as materialized (
      select line_id, category, charge_start_date, charge_end_date, term_duration, plan_months, event_date, effective_unit_price, unit_price,
        coalesce(a.anchor_index, cycle_index) as cycle_index,
        case when a.anchor_day is null then ${isoAddMonthsSql(ref('term_start'), sql`cycle_index * plan_months`)}
          else ${addMonthsOnDaySql(ref('term_start'), sql`a.anchor_index * plan_months`, ref('a.anchor_day'))} end as cycle_start,
        case when a.anchor_day is null then ${isoAddDaysSql(isoAddMonthsSql(ref('term_start'), sql`(cycle_index + 1) * plan_months`), sql.lit(-1))}
          else charge_end_date end as cycle_end,
        case when charge_end_date is not null
          then cast(${isoDaysBetweenSql(ref('event_date'), ref('charge_end_date'))} + 1 as integer) end as billing_days
      from steps left join anchors a using (line_id)
    ),
    prorations as materialized (
      select cycles.*,
        cast(${isoDaysBetweenSql(ref('cycle_start'), ref('cycle_end'))} + 1 as integer) as cycle_days,
        case
          when category in (${prorated}) and charge_end_date is not null
            and term_duration is not null and plan_months is not null then 1
          else 0
        end as is_prorated
      from cycles
    ),
    -- Lines of a change a day or less after the charge it changes: Microsoft prices both rows of the pair from
    -- that charge (a refund in full within 24 hours, FORMATS §5), one day more than the days from the change, and
    -- its EffectiveUnitPrice says so: the rounded price of those days and not of the days from the change (a price
    -- that rounds alike either way, 5 × 1095/1096 = 5.00, keeps the days from the change).
    next_day_changes as materialized (
      select line_id, billing_days + 1 as changed_days
      from prorations
      where is_prorated = 1 and billing_days < cycle_days and charge_start_date <= event_date
        and ${decCmp(decAbs(ref('effective_unit_price')), microsoftPrice(ref('billing_days')))} <> 0
        and ${decCmp(decAbs(ref('effective_unit_price')), microsoftPrice(sql`billing_days + 1`))} = 0
    ),
    final as (
      select p.line_id, p.event_date, p.cycle_index, p.cycle_start, p.cycle_end, coalesce(n.changed_days, p.billing_days) as billing_days,
        p.cycle_days, p.is_prorated,
        case when p.is_prorated = 1 then ${decDiv(sql`coalesce(n.changed_days, p.billing_days)`, ref('p.cycle_days'))} else '1' end as proration_factor
      from prorations p left join next_day_changes n using (line_id)
    )
    select * from final`)
}
