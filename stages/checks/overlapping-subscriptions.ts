// SPEC §5 OVERLAPPING_SUBSCRIPTIONS: one customer billed full-cycle charges for the same ProductId+SkuId on two subscriptions over the same days.
/**
 * In: non-duplicate full-cycle charges (held or not): license or software-subscription lines, ChargeType
 * new/renew/cycleCharge, cost > 0, with a ChargeEndDate. Two charges overlap when their ChargeStartDate ..
 * ChargeEndDate ranges share a day. Out: one warning per pair of subscriptions, at the first overlapping
 * line of the later-starting subscription (its earliest such charge in the run starts later; ties → the
 * larger SubscriptionId), naming the other subscription. Typical cause: a migration or transfer that left
 * the old subscription running — double billing.
 */
import { sql } from '../../pipeline/kysely.js'
import { daysBetweenSql, decSign } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { lineFields, type Check } from './common.js'

export const overlappingSubscriptions: Check = async ({ db }) => {
  const rows = await db.kysely
    // Materialised: read three times below (both sides of the pair and the subscriptions' first starts).
    .with((cte) => cte('charges').materialized(), (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .innerJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .where('p.category', 'in', ['license', 'software-subscription'])
        .where('r.charge_type_norm', 'in', ['new', 'renew', 'cyclecharge'])
        .where((eb) => eb(decSign(sql.ref('p.cost')), '>', 0))
        .where('r.charge_end_date', 'is not', null)
        .where('r.subscription_id', 'is not', null)
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.product_id', 'r.sku_id',
          'r.subscription_id', 'r.charge_start_date as starts', 'r.charge_end_date as ends',
        ]),
    )
    .with('subscription_starts', (qb) =>
      qb
        .selectFrom('charges')
        .select(['customer_id', 'product_id', 'sku_id', 'subscription_id', sql<string>`min(starts)`.as('first_start')])
        .groupBy(['customer_id', 'product_id', 'sku_id', 'subscription_id']),
    )
    .with('overlaps', (qb) =>
      qb
        .selectFrom('charges as later')
        .innerJoin('charges as earlier', (join) =>
          join
            .onRef('earlier.customer_id', '=', 'later.customer_id')
            .onRef('earlier.product_id', '=', 'later.product_id')
            .onRef('earlier.sku_id', '=', 'later.sku_id')
            .onRef('earlier.subscription_id', '<>', 'later.subscription_id')
            .onRef('earlier.starts', '<=', 'later.ends')
            .onRef('later.starts', '<=', 'earlier.ends'),
        )
        .innerJoin('subscription_starts as ls', (join) =>
          join.onRef('ls.subscription_id', '=', 'later.subscription_id').onRef('ls.customer_id', '=', 'later.customer_id')
            .onRef('ls.product_id', '=', 'later.product_id').onRef('ls.sku_id', '=', 'later.sku_id'))
        .innerJoin('subscription_starts as es', (join) =>
          join.onRef('es.subscription_id', '=', 'earlier.subscription_id').onRef('es.customer_id', '=', 'earlier.customer_id')
            .onRef('es.product_id', '=', 'earlier.product_id').onRef('es.sku_id', '=', 'earlier.sku_id'))
        // Keep each pair once, seen from the later-starting subscription.
        .where(sql<boolean>`(ls.first_start > es.first_start
          or (ls.first_start = es.first_start and later.subscription_id > earlier.subscription_id))`)
        .selectAll('later')
        .select([
          'earlier.subscription_id as other_subscription_id',
          'earlier.source_file as other_file',
          'earlier.source_row as other_row',
          sql<string>`case when later.starts > earlier.starts then later.starts else earlier.starts end`.as('overlap_from'),
          sql<string>`case when later.ends < earlier.ends then later.ends else earlier.ends end`.as('overlap_to'),
          sql<number>`row_number() over (
            partition by later.customer_id, later.product_id, later.sku_id, later.subscription_id, earlier.subscription_id
            order by later.starts, later.line_id, earlier.starts, earlier.line_id)`.as('rank'),
        ]),
    )
    .selectFrom('overlaps')
    .selectAll()
    .select((eb) => eb(daysBetweenSql(sql.ref('overlap_from'), sql.ref('overlap_to')), '+', 1).as('overlap_days'))
    .where('rank', '=', 1)
    .orderBy('line_id')
    .orderBy('other_subscription_id')
    .execute()

  return rows.map((r) =>
    finding('OVERLAPPING_SUBSCRIPTIONS', {
      ...lineFields(r),
      expected: '0',
      actual: String(r.overlap_days),
      message:
        `Customer ${r.customer_id} is charged for ${r.product_id}/${r.sku_id} on subscription ${r.subscription_id ?? ''} and on ` +
        `${r.other_subscription_id ?? ''} (${r.other_file}:${r.other_row}) for the same ${r.overlap_days} ${r.overlap_days === 1 ? 'day' : 'days'} (${r.overlap_from} to ${r.overlap_to}): ` +
        'the amounts stay as Microsoft billed them (this check holds nothing); check for a migration or transfer that left the old subscription running.',
    }),
  )
}
