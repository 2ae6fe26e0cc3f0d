// SPEC §4.3(b) PREMIUM_MISMATCH: a P1M/Monthly or P1Y/Monthly price-list row off its P1Y/Annual row × premium by more than tolerances.premium.
/**
 * In: price_list and settings.premiums. Out: one info finding per price-list row whose UnitPrice or ERP Price
 * differs, relatively, by more than `tolerances.premium` from the same product, SKU, currency, market and segment's P1Y/Annual
 * term price effective on the row's EffectiveStartDate × (term months ÷ 12) × (1 + premium/100), with the
 * premium in force on that EffectiveStartDate. Rows with no P1Y/Annual counterpart or no premium in force are
 * not checked (nothing to compare with). Exact decimals: |actual − expected| > tolerance × |expected|.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decAdd, decCmp, decDiv, decMul, decRound, decSub } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import type { Premium } from '../../schemas/config.js'
import { monthsSql, TERM_MONTHS, type Check } from './common.js'
import { forSegment, listRowOrder } from '../rules/price-list.js'

/** The premium percent in force for a term, plan and date: the settings row with the latest `from` ≤ date. */
function premiumInForceSql(premiums: readonly Premium[], term: RawBuilder<unknown>, plan: RawBuilder<unknown>, date: RawBuilder<unknown>): RawBuilder<string | null> {
  if (premiums.length === 0) return sql<null>`null`
  const latestFirst = [...premiums].sort((a, b) => (a.from < b.from ? 1 : a.from > b.from ? -1 : 0))
  const whens = latestFirst.map(
    (p) => sql`when ${term} = ${p.termDuration} and ${plan} = ${p.billingPlan} and ${date} >= ${p.from} then ${p.percent}`,
  )
  return sql<string | null>`(case ${sql.join(whens, sql` `)} else null end)`
}

/** Relative difference beyond tolerance, without dividing: |actual − expected| > tolerance × |expected|. */
function offBy(actual: RawBuilder<unknown>, expected: RawBuilder<unknown>, tolerance: RawBuilder<unknown>): RawBuilder<number> {
  return sql<number>`(${decCmp(decAbs(decSub(actual, expected)), decMul(tolerance, decAbs(expected)))} > 0)`
}

export const premiumMismatch: Check = async ({ db, settings }) => {
  const tolerance = sql.val(settings.tolerances.premium)
  const premium = premiumInForceSql(settings.premiums, sql.ref('m.term_duration'), sql.ref('m.billing_plan'), sql.ref('m.effective_start_date'))
  // term price = annual term price × (term months ÷ 12) × (1 + percent/100)
  const withPremium = (annual: RawBuilder<unknown>): RawBuilder<string> =>
    decMul(decDiv(decMul(annual, monthsSql(sql.ref('m.term_duration'), TERM_MONTHS)), sql.lit(12)), decAdd(sql.lit('1'), decDiv(premium, sql.lit(100))))

  const rows = await db.kysely
    .with('compared', (qb) =>
      qb
        .selectFrom('price_list as m')
        .innerJoin('price_list as a', (join) =>
          join
            .onRef('a.product_id', '=', 'm.product_id')
            .onRef('a.sku_id', '=', 'm.sku_id')
            .onRef('a.currency', '=', 'm.currency')
            // A Monthly row is compared with the Annual row of its own market and segment, or an Annual row for
            // every segment, as pricing derives from them (an Education row against the Commercial Annual price
            // would be a false finding).
            .on(forSegment(sql.ref('a.segment'), sql`lower(trim(m.segment))`))
            .on(sql<boolean>`coalesce(upper(trim(a.market)), '') = coalesce(upper(trim(m.market)), '')`)
            .on('a.term_duration', '=', 'P1Y')
            .on('a.billing_plan', '=', 'Annual')
            .onRef('a.effective_start_date', '<=', 'm.effective_start_date')
            .on(sql<boolean>`(a.effective_end_date is null or a.effective_end_date >= m.effective_start_date)`),
        )
        .where(sql<boolean>`(m.term_duration, m.billing_plan) in (values ('P1M', 'Monthly'), ('P1Y', 'Monthly'))`)
        .select([
          'm.price_id', 'm.source_file', 'm.source_row', 'm.product_id', 'm.sku_id', 'm.term_duration', 'm.billing_plan',
          'm.currency', 'm.effective_start_date', 'm.unit_price', 'm.erp_price',
          'a.source_row as annual_row',
          'a.source_file as annual_file',
          premium.as('premium_percent'),
          withPremium(sql.ref('a.unit_price')).as('expected_unit_price'),
          withPremium(sql.ref('a.erp_price')).as('expected_erp_price'),
          // The P1Y/Annual row pricing would pick (§2.3: where date ranges overlap, the latest EffectiveStartDate wins).
          sql<number>`row_number() over (partition by m.price_id order by ${listRowOrder('a')})`.as('rank'),
        ]),
    )
    .selectFrom('compared as c')
    .selectAll()
    .select([
      offBy(sql.ref('c.unit_price'), sql.ref('c.expected_unit_price'), tolerance).as('unit_off'),
      offBy(sql.ref('c.erp_price'), sql.ref('c.expected_erp_price'), tolerance).as('erp_off'),
      decRound(sql.ref('c.expected_unit_price'), sql.lit(4)).as('shown_unit_price'),
      decRound(sql.ref('c.expected_erp_price'), sql.lit(4)).as('shown_erp_price'),
    ])
    .where('c.rank', '=', 1)
    .where('c.premium_percent', 'is not', null)
    .where((eb) =>
      eb.or([
        eb(offBy(sql.ref('c.unit_price'), sql.ref('c.expected_unit_price'), tolerance), '=', 1),
        eb(offBy(sql.ref('c.erp_price'), sql.ref('c.expected_erp_price'), tolerance), '=', 1),
      ]),
    )
    .orderBy('c.price_id')
    .execute()

  return rows.map((r) => {
    const unitOff = r.unit_off === 1
    const column = unitOff ? 'UnitPrice' : 'ERP Price'
    return finding('PREMIUM_MISMATCH', {
      file: r.source_file,
      row: r.source_row,
      expected: unitOff ? r.shown_unit_price : r.shown_erp_price,
      actual: unitOff ? r.unit_price : r.erp_price,
      message:
        `Price list ${r.term_duration}/${r.billing_plan} ${column} ${unitOff ? r.unit_price : r.erp_price} ${r.currency} for ${r.product_id}/${r.sku_id} ` +
        `is not the P1Y/Annual price (${r.annual_file}:${r.annual_row}) plus the ${r.premium_percent ?? ''}% premium in force on ${r.effective_start_date}` +
        (unitOff && r.erp_off === 1 ? ' (ERP Price too)' : '') +
        ': nothing is held; check the price list or the premiums in the settings.',
    })
  })
}
