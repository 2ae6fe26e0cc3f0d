// SPEC §4.2, §4.4, §4.5 — status, method and sell amount of each line (held / retained / invoiced).
/**
 * Reads int_lines_premium_priced and int_currency_units (written by `loadCurrencyUnits`). Writes
 * int_lines_sold (+ places, is_pass_through, hold_rule, status, method, percent, erp_used, cost_sign,
 * sell_magnitude, sell_exact, sell, unit_sell_price, explanation).
 *
 * Status, in this order (SPEC §4.4 then §4.1 — a held line gets exactly one rule, the first that applies):
 *   customerCredit under creditsPolicy 'retain' → retained (before any reseller lookup);
 *   UNKNOWN_RESELLER → CURRENCY_MISMATCH (line Currency ≠ reseller Currency) → held;
 *   customerCredit (pass-through) → invoiced at cost, no price rule needed (SPEC §4.4; a trial is a seat line
 *   like any other: it needs a rule, and its erp-discount price is the price list's `None` row);
 *   NO_PRICE_RULE → PRICE_NOT_FOUND (erp-discount without an ERP cycle price; Azure plan lines use their
 *   UnitPrice as retail) → held; otherwise invoiced. A fixed-price line whose term or plan is unknown sells a whole
 *   cycle (SPEC §3.3: factor 1 without a known term and plan), as SPEC says.
 * Amounts (exact decimals; magnitudes from |BillableQuantity|, then the sign of the cost = Subtotal, or of
 * EffectiveUnitPrice when Subtotal is 0, so refunds are credits; a line whose cost and EUP are both 0 sells 0):
 *   markup        |cost| × (100 + p) ÷ 100
 *   erp-discount  ERP cycle price × billing days × |qty| × PCToBCExchangeRate × (100 − p) ÷ (100 × cycle days),
 *                 the cycle price as its exact fraction (term price × plan months ÷ term months: premium.ts)
 *                 (without the days when the line is not prorated; Azure plan: UnitPrice × |qty| × rate × …)
 *   fixed         FixedUnitPrice × billing days × |qty| ÷ cycle days
 *   pass-through  cost
 * Division comes last so the result is exact to 50 significant digits. sell = sell_exact rounded half away
 * from zero to the line currency's minor unit (JPY 0). Never throws on data.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { minorUnits } from '../../pipeline/money.js'
import {
  decAbs, decAdd, decDiv, decFixed, decMul, decNeg, decProduct, decRound, decShow, decSign, decSub,
} from '../../pipeline/dialect.js'
import { linesBefore, ref, replaceTable, type RulesDb } from './table.js'

export type CreditsPolicy = 'pass-through' | 'retain'

/** Minor units of every currency the lines or resellers use, as a table the SQL can join (SPEC §4.5). */
export async function loadCurrencyUnits(db: RulesDb): Promise<void> {
  const rows = await sql<{ currency: string }>`
    select distinct upper(trim(currency)) as currency from recon_lines
    union select distinct upper(trim(currency)) from resellers`.execute(db)
  await sql`drop table if exists int_currency_units`.execute(db)
  await sql`create table int_currency_units (currency text primary key, places integer not null)`.execute(db)
  for (const { currency } of rows.rows) {
    await sql`insert into int_currency_units values (${currency}, ${minorUnits(currency)})`.execute(db)
  }
}

/**
 * The sign a line's sell amount takes (SPEC §4.2): its cost's (Subtotal), or EffectiveUnitPrice's when the Subtotal
 * is 0. Also what makes a line a refund for its price-book rule (price-book.ts, SPEC §4.4).
 */
export const costSignSql = (subtotal: RawBuilder<unknown>, effectiveUnitPrice: RawBuilder<unknown>): RawBuilder<number> =>
  sql<number>`case when ${subtotal} <> '0' then ${decSign(subtotal)} else ${decSign(effectiveUnitPrice)} end`

export async function computeSellAmounts(db: RulesDb, creditsPolicy: CreditsPolicy): Promise<void> {
  const qty = ref('quantity_abs')
  const rate = ref('pc_to_bc_exchange_rate')
  const pct = ref('percent')
  const places = ref('decided.places') // qualified: the amounts CTEs carry it too
  const keep = decSub(sql.lit('100'), pct) // (1 − p/100) × 100
  // Multiply everything first and divide once, last: the result stays exact to 50 significant digits.
  const prorate = (factors: RawBuilder<unknown>[], divisor: RawBuilder<unknown>): RawBuilder<string> => sql<string>`case
    when is_prorated = 1 then ${decDiv(decProduct(...factors, ref('billing_days')), sql`cycle_days * ${divisor}`)}
    else ${decDiv(decProduct(...factors), divisor)} end`
  const magnitude = sql<string>`case
    when method = 'pass-through' then ${decAbs(ref('cost'))}
    when method = 'markup' then ${decDiv(decMul(decAbs(ref('cost')), decAdd(sql.lit('100'), pct)), sql.lit('100'))}
    when method = 'erp-discount' and category = 'azure-plan' then ${decDiv(decProduct(ref('erp_used'), qty, rate, keep), sql.lit('100'))}
    -- The ERP cycle price as its exact fraction (premium.ts), divided last with the rest.
    when method = 'erp-discount' then ${prorate([ref('erp_cycle_numerator'), qty, rate, keep], sql`(erp_cycle_denominator * 100)`)}
    when method = 'fixed' then ${prorate([ref('rule_fixed_unit_price'), qty], sql.lit(1))}
  end`
  // Inputs (prices, percents) are shown as written, never rounded: a 6-decimal display made a text that computed
  // to another cent than the amount (explanations review).
  const show = (x: RawBuilder<unknown>) => decShow(x, sql.lit(2), sql.lit(20))
  const pctText = decShow(pct, sql.lit(0), sql.lit(20))
  const factorText = sql`case when is_prorated = 1 then billing_days || '/' || cycle_days else '1' end`
  // The cycle price when it has at most 12 decimals; otherwise the term price ÷ the cycles in the term (130.30 ÷
  // 12), since 10.858333/cycle does not reproduce the amount, and a derived price as its derivation (P1Y/Annual 100
  // × 1/12 × 1.25 showed as "(10.41666666666666666667 ÷ 1)", a rounded figure again; pricing review).
  const cycles = sql`case when billing_plan in ('OneTime', 'None') then 1 else term_months / plan_months end`
  const terminates = sql`${decRound(ref('erp_used'), sql.lit(12))} = erp_used`
  const pctOf = (x: RawBuilder<unknown>) => decShow(x, sql.lit(0), sql.lit(20))
  const derivation = sql`'P1Y/Annual ERP ' || ${show(ref('annual_erp_price'))} || ' × ' || term_months || '/12 × (1 + '
    || ${pctOf(ref('premium_percent'))} || '%)' || case when ${cycles} = 1 then '' else ' ÷ ' || ${cycles} || ' cycles' end`
  const cycleText = sql`case when ${terminates} then ${show(ref('erp_used'))}
    when price_derived = 1 then '(' || ${derivation} || ')'
    else '(' || ${show(ref('direct_erp_term_price'))} || ' ÷ ' || ${cycles} || ')' end`
  // A derived price says how its term price came about (in the bracket above when it does not terminate).
  const derivedText = sql`case when price_derived = 0 then ''
    when ${terminates} then ' (derived: ' || ${derivation} || ')'
    else ' (derived from the P1Y/Annual ERP price with the ' || ${pctOf(ref('premium_percent'))} || '% premium)' end`
  // The formulas below multiply magnitudes (SPEC §4.2); a refund's takes the cost's sign, said in front so
  // positive factors do not read as giving a negative amount.
  const credited = (formula: RawBuilder<unknown>) => sql`case when cost_sign < 0 then 'credit: −(' || ${formula} || ')' else ${formula} end`
  const computation = sql<string>`case
    when status = 'retained' then 'customer credit retained by the distributor (creditsPolicy retain)'
    when status = 'held' then 'held: ' || hold_rule
    when method = 'pass-through' then 'credit passed through at cost ' || ${decFixed(ref('cost'), places)}
    when method = 'markup' then 'markup ' || ${pctText} || '% on cost ' || ${decFixed(ref('cost'), places)}
    -- A formula over a cost of 0 reads as a charge that was not made (Azure meters with a 100 % tier discount):
    -- say why the amount is 0 (explanations review).
    when cost_sign = 0 and method in ('erp-discount', 'fixed') then 'no charge: Microsoft''s cost of this line is 0, and the amount takes its sign (SPEC §4.2)'
    when method = 'erp-discount' and category = 'azure-plan' then ${credited(sql`'retail ' || ${decShow(ref('erp_used'), sql.lit(2), sql.lit(12))} || '/unit × '
      || ${qty} || ' × ' || pc_to_bc_exchange_rate || ' × (1 − ' || ${pctText} || '%)'`)}
    when method = 'erp-discount' then ${credited(sql`'ERP ' || ${cycleText} || '/cycle' || ${derivedText} || ' × '
      || ${factorText} || ' × ' || ${qty} || ' × ' || pc_to_bc_exchange_rate || ' × (1 − ' || ${pctText} || '%)'`)}
    when method = 'fixed' then ${credited(sql`'fixed ' || ${show(ref('rule_fixed_unit_price'))} || '/cycle × ' || ${factorText} || ' × ' || ${qty}`)}
    else ''
  end`

  await replaceTable(db, 'int_lines_sold', [
    'cost', 'places', 'quantity_abs', 'is_pass_through', 'is_retained', 'hold_rule', 'status', 'method', 'percent',
    'erp_used', 'cost_sign', 'sell_magnitude', 'sell_exact', 'sell', 'unit_sell_price', 'explanation',
  ], sql`
    with lines as (
      select l.*, l.subtotal as cost, u.places as places
      from (select * from ${linesBefore('int_lines_sold')}) as l
      left join int_currency_units u on u.currency = l.currency
    ),
    flagged as (
      select lines.*,
        case when category = 'credit' then 1 else 0 end as is_pass_through,
        case when category = 'credit' and ${sql.lit(creditsPolicy === 'retain' ? 'retain' : 'pass-through')} = 'retain' then 1 else 0 end as is_retained
      from lines
    ),
    holds as (
      select flagged.*,
        case
          when is_retained = 1 then null
          when reseller_known = 0 then 'UNKNOWN_RESELLER'
          when currency <> reseller_currency then 'CURRENCY_MISMATCH'
          when is_pass_through = 1 then null
          when rule_id is null then 'NO_PRICE_RULE'
          when rule_method = 'erp-discount' and category <> 'azure-plan' and erp_cycle_price is null then 'PRICE_NOT_FOUND'
        end as hold_rule
      from flagged
    ),
    -- Materialised once with only what the steps below read: they read it twice (amounts, and the explanation),
    -- and recomputing it joins the eight layers again.
    decided as materialized (
      select line_id, cost, places, is_pass_through, is_retained, hold_rule, category, billable_quantity, subtotal,
        effective_unit_price, pc_to_bc_exchange_rate, is_prorated, billing_days, cycle_days, rule_fixed_unit_price,
        price_derived, annual_erp_price, term_months, plan_months, billing_plan, premium_percent, erp_cycle_numerator,
        erp_cycle_denominator, direct_erp_term_price, derived_erp_term_price,
        case when is_retained = 1 then 'retained' when hold_rule is not null then 'held' else 'invoiced' end as status,
        case when is_retained = 1 then null when is_pass_through = 1 then 'pass-through' else rule_method end as method,
        case when is_retained = 0 and is_pass_through = 0 then rule_percent end as percent,
        case when category = 'azure-plan' then unit_price else erp_cycle_price end as erp_used
      from holds
    ),
    measured as (
      select decided.*,
        ${decAbs(ref('billable_quantity'))} as quantity_abs,
        ${costSignSql(ref('subtotal'), ref('effective_unit_price'))} as cost_sign
      from decided
    ),
    -- The amounts are exact-decimal UDF chains that later expressions read several times: each step is
    -- materialised once, narrow (line_id and the numbers), so no UDF runs twice and no wide row is copied.
    amounts as materialized (
      select line_id, places, quantity_abs, cost_sign,
        case when status = 'invoiced' then ${magnitude} end as sell_magnitude
      from measured
    ),
    signed as materialized (
      select amounts.*,
        case
          when sell_magnitude is null then null
          when cost_sign > 0 then ${decAbs(ref('sell_magnitude'))}
          when cost_sign < 0 then ${decNeg(decAbs(ref('sell_magnitude')))}
          else '0'
        end as sell_exact
      from amounts
    ),
    rounded as materialized (
      select signed.*, ${decRound(ref('sell_exact'), ref('places'))} as sell
      from signed
    ),
    final as (
      select decided.*, rounded.quantity_abs, rounded.cost_sign, rounded.sell_magnitude, rounded.sell_exact, rounded.sell,
        -- Display only: amount ÷ the quantity as the Lines sheet shows it, signed, so Quantity × Unit price has the
        -- Amount's sign (−15 seats of a credit showed unit price −23.138; review), with 10 decimals, so an Azure
        -- meter at 0.00000036 a unit does not show 0 (6 decimals did).
        case when sell is not null and quantity_abs <> '0'
          then ${decRound(decDiv(ref('sell'), ref('decided.billable_quantity')), sql.lit(10))} end as unit_sell_price,
        ${computation}
          || case when sell is null then '' else ' = ' || ${decFixed(ref('sell'), places)} end as explanation
      from decided
      join rounded using (line_id)
    )
    select * from final`)
}
