// SPEC §5 OUT_OF_PERIOD: a usage row dated outside the billing period (it is left out of the usage tie-out).
/**
 * In: usage_rows (ingest stores there exactly the usage rows dated outside the period) and the period bounds. Out: one warning per usage row whose UsageDate is before periodStart
 * or after periodEnd, at that usage row. Usually a file of the wrong month was dropped into the folder.
 */
import { finding } from '../../pipeline/diagnostics.js'
import type { Check } from './common.js'

export const outOfPeriod: Check = async ({ db, periodStart, periodEnd }) => {
  const rows = await db.kysely
    .selectFrom('usage_rows as u')
    .where((eb) => eb.or([eb('u.usage_date', '<', periodStart), eb('u.usage_date', '>', periodEnd)]))
    .select(['u.usage_id', 'u.source_file', 'u.source_row', 'u.tier2_mpn_id', 'u.customer_id', 'u.subscription_id', 'u.usage_date'])
    .orderBy('u.usage_id')
    .execute()

  return rows.map((r) =>
    finding('OUT_OF_PERIOD', {
      file: r.source_file,
      row: r.source_row,
      // Usage rows are not priced: the reseller is the row's own Tier2MpnId when it names one.
      resellerId: r.tier2_mpn_id === null || r.tier2_mpn_id === '' || r.tier2_mpn_id === '0' ? null : r.tier2_mpn_id,
      customerId: r.customer_id,
      subscriptionId: r.subscription_id,
      expected: `${periodStart}..${periodEnd}`,
      actual: r.usage_date,
      message:
        `Usage dated ${r.usage_date} is outside the period ${periodStart} to ${periodEnd} and was left out of the usage tie-out: ` +
        'check that the right month’s usage file was dropped into the folder.',
    }),
  )
}
