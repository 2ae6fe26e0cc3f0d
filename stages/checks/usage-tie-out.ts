// SPEC §5 USAGE_TIE_OUT: per (CustomerId, SubscriptionId, ProductId, SkuId), in-period usage vs the reconciliation's Azure plan Subtotals.
/**
 * In: the in-period usage totals (usage_totals, exact per-group sums, stages/usage-totals.ts); non-duplicate Azure plan recon lines (held included). Out: one aggregate
 * warning (file '', row 0) per key whose Σ BillingPreTaxTotal and Σ Subtotal differ by more than
 * max(usageTieOutMin, usageTieOutPer100Rows × usage rows of the key ÷ 100); a key on one side only counts.
 * Runs when the run was given a usage file (without one there is nothing to tie out); a usage file with no rows
 * (an empty or failed export) leaves every Azure plan line untied, and each is reported. A usage-only key names
 * its reseller as the Azure usage sheet attributes it: Tier2MpnId, else the reseller invoiced for its subscription's
 * lines, else for its customer's, else the customers sheet. A key whose amounts are in more than one currency is reported, not compared.
 */
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decCmp, decDiv, decMul, decSub, decSum } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { moneyText } from '../../pipeline/money.js'
import { AZURE_PLAN_TEXT, isAzurePlanSql, type Check } from './common.js'
import type { Db } from '../../pipeline/db.js'
import { tier2ResellerSql } from '../rules/tier2.js'
import { INVOICED_CUSTOMER_RESELLER, INVOICED_SUBSCRIPTION_RESELLER, usageOwnerSql } from '../usage-totals.js'

const KEY = ['customer_id', 'subscription_id', 'product_id', 'sku_id'] as const

export const usageTieOut: Check = async ({ db, settings }) => {
  if (!usageFileGiven(db)) return []
  const { usageTieOutMin, usageTieOutPer100Rows } = settings.tolerances

  // Both sides in one list, then one GROUP BY: a key on one side only gets '0' on the other. One sort of the
  // ~95k rows of the 1 M-row bench month, where two grouped sides, their UNION and two joins on them took 0.8 s.
  const rows = await db.kysely
    // The tables usageOwnerSql reads (USAGE_OWNER_CTES in stages/usage-totals.ts, declared here the kysely way).
    .with((cte) => cte('usage_subscription_owner').materialized(), () => sql`(${INVOICED_SUBSCRIPTION_RESELLER})`)
    .with((cte) => cte('usage_customer_owner').materialized(), () => sql`(${INVOICED_CUSTOMER_RESELLER})`)
    .with('sides', (qb) =>
      qb
        .selectFrom('usage_totals as u')
        .where(sql.ref('u.in_period'), '=', 1)
        .select([
          ...KEY.map((c) => sql<string>`${sql.ref(`u.${c}`)}`.as(c)),
          sql<string | null>`u.billing_pre_tax_total`.as('usage_amount'),
          sql<string | null>`null`.as('recon_amount'),
          sql<number>`u.rows`.as('usage_rows'),
          // A usage-only key still names its reseller (SPEC §4.1: Tier2MpnId unless empty or '0'; else as below).
          sql<string | null>`${tier2ResellerSql(sql.ref('u.tier2_mpn_id'))}`.as('usage_reseller'),
          sql<string | null>`null`.as('recon_reseller'),
          sql<string | null>`u.billing_currency`.as('usage_currency'),
          sql<string | null>`null`.as('recon_currency'),
        ])
        .unionAll(
          qb
            .selectFrom('recon_lines as r')
            .leftJoin('priced_lines as p', 'p.line_id', 'r.line_id')
            .where('r.is_duplicate', '=', 0)
            .where(isAzurePlanSql)
            .select([
              'r.customer_id', sql<string>`coalesce(r.subscription_id, '')`.as('subscription_id'), 'r.product_id', 'r.sku_id',
              sql<string | null>`null`.as('usage_amount'),
              sql<string | null>`r.subtotal`.as('recon_amount'),
              sql<number>`0`.as('usage_rows'),
              sql<string | null>`null`.as('usage_reseller'),
              sql<string | null>`p.reseller_id`.as('recon_reseller'),
              sql<string | null>`null`.as('usage_currency'),
              sql<string | null>`r.currency`.as('recon_currency'),
            ]),
        ),
    )
    .with('compared', (qb) =>
      qb
        .selectFrom('sides')
        .groupBy([...KEY])
        .select([
          ...KEY,
          sql<string | null>`max(recon_reseller)`.as('recon_reseller'),
          sql<string | null>`max(usage_reseller)`.as('usage_tier2'),
          // The lowest and highest, comma-joined, when a side has several (a key is one subscription: only a broken
          // export does). min/max, not distinct aggregates: those sort each group (reconcile +0.07 s at 1 M rows).
          sql<string | null>`case when min(usage_currency) = max(usage_currency) then min(usage_currency) else min(usage_currency) || ',' || max(usage_currency) end`.as('usage_currency'),
          sql<string | null>`case when min(recon_currency) = max(recon_currency) then min(recon_currency) else min(recon_currency) || ',' || max(recon_currency) end`.as('recon_currency'),
          sql<number>`min(coalesce(usage_currency, recon_currency)) <> max(coalesce(usage_currency, recon_currency))`.as('mixed_currencies'),
          decSum(sql.ref('usage_amount')).as('usage_total'),
          decSum(sql.ref('recon_amount')).as('recon_total'),
          sql<number>`sum(usage_rows)`.as('usage_rows'),
          decDiv(decMul(sql.val(usageTieOutPer100Rows), sql`sum(usage_rows)`), sql.lit(100)).as('row_tolerance'),
        ]),
    )
    .with('toleranced', (qb) =>
      qb
        .selectFrom('compared')
        .selectAll()
        .select(
          sql<string>`case when ${decCmp(sql.ref('row_tolerance'), sql.val(usageTieOutMin))} > 0
                           then row_tolerance else ${usageTieOutMin} end`.as('tolerance'),
        ),
    )
    .with('breaking', (qb) =>
      qb
        .selectFrom('toleranced')
        .selectAll()
        // Amounts in different currencies are not compared: the key is reported whatever their difference.
        .where((eb) => eb.or([
          eb(sql.ref('mixed_currencies'), '=', 1),
          eb(decCmp(decAbs(decSub(sql.ref('usage_total'), sql.ref('recon_total'))), sql.ref('tolerance')), '>', 0),
        ])),
    )
    // Resellers only for the keys reported (a few): joined for all 45,000 usage groups, they cost ~0.2 s at 1 M rows.
    // The bill's reseller, else the usage's Tier2MpnId, else as the Azure usage sheet (stages/usage-totals.ts).
    .selectFrom('breaking as t')
    .selectAll('t')
    .select(sql<string | null>`coalesce(t.recon_reseller, t.usage_tier2, ${usageOwnerSql(sql.ref('t.customer_id'), sql.ref('t.subscription_id'))})`.as('reseller_id'))
    .orderBy('t.customer_id')
    .orderBy('t.subscription_id')
    .orderBy('t.product_id')
    .orderBy('t.sku_id')
    .execute()

  return rows.map((r) => {
    const subscription = r.subscription_id === '' ? '(none)' : r.subscription_id
    // Each side in its own currency (a key is one subscription, so they differ only in a broken export).
    // In the currency's decimals (3.1 → 3.10), never rounded; not when the key mixes currencies.
    const usageCurrency = r.usage_currency ?? r.recon_currency
    const reconCurrency = r.recon_currency ?? r.usage_currency
    const usageTotal = r.mixed_currencies === 1 ? r.usage_total : moneyText(r.usage_total, usageCurrency)
    const reconTotal = r.mixed_currencies === 1 ? r.recon_total : moneyText(r.recon_total, reconCurrency)
    const usageSide = `${usageTotal}${unit(usageCurrency)} over ${r.usage_rows} usage rows`
    const reconSide = `${reconTotal}${unit(reconCurrency)}`
    return finding('USAGE_TIE_OUT', {
      file: '',
      row: 0,
      resellerId: r.reseller_id,
      customerId: r.customer_id,
      subscriptionId: r.subscription_id === '' ? null : r.subscription_id,
      expected: reconTotal,
      actual: usageTotal,
      message: r.mixed_currencies === 1 && r.recon_currency === null
        // One side only, in several currencies: there is nothing on the other side to differ from (usage review).
        ? `Azure usage of subscription ${subscription} for ${r.product_id}/${r.sku_id} adds up to ${r.usage_total} over ${r.usage_rows} usage rows in several currencies (${r.usage_currency ?? ''}), ` +
          `and the reconciliation bills nothing for it: check that the usage file is of one billing account and complete for the month.`
        : r.mixed_currencies === 1 && r.usage_currency === null
        ? `The reconciliation bills ${r.recon_total} in several currencies (${r.recon_currency ?? ''}) for Azure subscription ${subscription}, ${r.product_id}/${r.sku_id}, ` +
          `and the usage file has no rows for it: check that the usage file is complete for the month.`
        : r.mixed_currencies === 1
        ? `Azure usage of subscription ${subscription} for ${r.product_id}/${r.sku_id} (${usageSide}) and the reconciliation's bill for it (${reconSide}) ` +
          `are in different currencies, so they cannot be tied out: check that the usage file and the reconciliation are exports of the same billing account for the month.`
        : `Azure usage of subscription ${subscription} for ${r.product_id}/${r.sku_id} adds up to ${usageSide} but the reconciliation bills ${reconSide} ` +
          `(tolerance ${r.tolerance}): check that the usage file is complete for the month before sending the Azure usage sheet.`,
    })
  })
}

function unit(currency: string | null): string {
  return currency === null ? '' : ` ${currency}`
}

/**
 * The summary's remark when the tie-out did not run although there was something to tie out: Azure plan lines
 * and no usage file (SPEC §2: nothing is skipped silently; a forgotten usage file made the check vanish without a
 * word, checks review). Null otherwise.
 */
export function tieOutSkipped(db: Db): string | null {
  if (usageFileGiven(db)) return null
  const { n } = db.sqlite.prepare(
    `select count(*) as n from recon_lines r left join priced_lines p on p.line_id = r.line_id
     where r.is_duplicate = 0 and ${AZURE_PLAN_TEXT}`,
  ).get() as { n: number }
  if (n === 0) return null
  // An unreadable file may be the usage file (an unterminated quote found while reading it): "none was given"
  // would then be untrue (usage review).
  const { u } = db.sqlite.prepare("select count(*) as u from input_files where kind = 'unreadable'").get() as { u: number }
  // Which kind an unreadable file was meant to be is not known: it may as well be the customers sheet (adversarial
  // review), so it is named as a possibility.
  const why = u === 0 ? 'no daily rated usage file was given' : `no daily rated usage file was read (${u} file${u === 1 ? '' : 's'} could not be read: if the usage file is among them, see UNREADABLE_FILE)`
  return `Usage tie-out (USAGE_TIE_OUT): not run, ${why}; ${n} Azure plan line${n === 1 ? '' : 's'} not tied out`
}

/** The run was given a usage file (one with no rows counts: an empty or failed export). */
function usageFileGiven(db: Db): boolean {
  return db.sqlite.prepare("select 1 from input_files where kind = 'usage' limit 1").get() !== undefined
}
