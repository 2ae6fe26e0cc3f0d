// SPEC §5 USAGE_TIE_OUT: per (CustomerId, SubscriptionId, ProductId, SkuId), in-period usage vs the reconciliation's Azure plan Subtotals.
/**
 * In: the in-period usage totals (usage_totals, exact per-group sums, stages/usage-totals.ts); non-duplicate Azure plan recon lines (held included). Out: one aggregate
 * warning (file '', row 0) per key whose Σ BillingPreTaxTotal and Σ Subtotal differ by more than
 * max(usageTieOutMin, usageTieOutPer100Rows × usage rows of the key ÷ 100); a key on one side only counts.
 * Runs only when the run has at least one usage row (without a usage file there is nothing to tie out).
 */
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decCmp, decDiv, decMul, decSub, decSum } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { isAzurePlanSql, type Check } from './common.js'

const KEY = ['customer_id', 'subscription_id', 'product_id', 'sku_id'] as const

export const usageTieOut: Check = async ({ db, settings }) => {
  const anyUsage = await db.kysely.selectFrom('usage_totals').select('rows').limit(1).executeTakeFirst()
  if (anyUsage === undefined) return []
  const { usageTieOutMin, usageTieOutPer100Rows } = settings.tolerances

  const rows = await db.kysely
    .with('usage_side', (qb) =>
      qb
        .selectFrom('usage_totals as u')
        .where(sql.ref('u.in_period'), '=', 1)
        .select([
          ...KEY.map((c) => sql<string>`${sql.ref(`u.${c}`)}`.as(c)),
          decSum(sql.ref('u.billing_pre_tax_total')).as('total'),
          sql<number>`sum(u.rows)`.as('rows'),
          // A usage-only key still names its reseller and currency (SPEC §4.1: Tier2MpnId unless empty or '0').
          sql<string | null>`max(case when u.tier2_mpn_id is not null and u.tier2_mpn_id <> '0' then u.tier2_mpn_id end)`.as('reseller_id'),
          sql<string>`max(u.billing_currency)`.as('currency'),
        ])
        .groupBy(KEY.map((c) => sql.ref(`u.${c}`))),
    )
    .with('recon_side', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .leftJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .where(isAzurePlanSql)
        .select([
          'r.customer_id', sql<string>`coalesce(r.subscription_id, '')`.as('subscription_id'), 'r.product_id', 'r.sku_id',
          decSum(sql.ref('r.subtotal')).as('total'),
          sql<string | null>`max(p.reseller_id)`.as('reseller_id'),
          sql<string>`max(r.currency)`.as('currency'),
        ])
        .groupBy(['r.customer_id', sql`coalesce(r.subscription_id, '')`, 'r.product_id', 'r.sku_id']),
    )
    .with('all_keys', (qb) => qb.selectFrom('usage_side').select([...KEY]).union(qb.selectFrom('recon_side').select([...KEY])))
    .with('compared', (qb) =>
      qb
        .selectFrom('all_keys as k')
        .leftJoin('usage_side as u', (join) => KEY.reduce((j, c) => j.onRef(`u.${c}`, '=', `k.${c}`), join))
        .leftJoin('recon_side as r', (join) => KEY.reduce((j, c) => j.onRef(`r.${c}`, '=', `k.${c}`), join))
        .select([
          'k.customer_id', 'k.subscription_id', 'k.product_id', 'k.sku_id',
          sql<string | null>`coalesce(r.reseller_id, u.reseller_id)`.as('reseller_id'),
          sql<string | null>`coalesce(r.currency, u.currency)`.as('currency'),
          sql<string>`coalesce(u.total, '0')`.as('usage_total'),
          sql<string>`coalesce(r.total, '0')`.as('recon_total'),
          sql<number>`coalesce(u.rows, 0)`.as('usage_rows'),
          decDiv(decMul(sql.val(usageTieOutPer100Rows), sql`coalesce(u.rows, 0)`), sql.lit(100)).as('row_tolerance'),
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
    .selectFrom('toleranced')
    .selectAll()
    .where((eb) => eb(decCmp(decAbs(decSub(sql.ref('usage_total'), sql.ref('recon_total'))), sql.ref('tolerance')), '>', 0))
    .orderBy('customer_id')
    .orderBy('subscription_id')
    .orderBy('product_id')
    .orderBy('sku_id')
    .execute()

  return rows.map((r) =>
    finding('USAGE_TIE_OUT', {
      file: '',
      row: 0,
      resellerId: r.reseller_id,
      customerId: r.customer_id,
      subscriptionId: r.subscription_id === '' ? null : r.subscription_id,
      expected: r.recon_total,
      actual: r.usage_total,
      message:
        `Azure usage of subscription ${r.subscription_id === '' ? '(none)' : r.subscription_id} for ${r.product_id}/${r.sku_id} adds up to ` +
        `${r.usage_total}${unit(r.currency)} over ${r.usage_rows} usage rows but the reconciliation bills ${r.recon_total}${unit(r.currency)} ` +
        `(tolerance ${r.tolerance}): check that the usage file is complete for the month before sending the Azure usage sheet.`,
    }),
  )
}

function unit(currency: string | null): string {
  return currency === null ? '' : ` ${currency}`
}
