// SPEC §5 OUT_OF_PERIOD: a usage row dated outside the billing period (it is left out of the usage tie-out).
/**
 * In: usage_rows (ingest stores there exactly the usage rows dated outside the period) and the period bounds. Out: one warning per usage row whose UsageDate is before periodStart
 * or after periodEnd, at that usage row. Usually a file of the wrong month was dropped into the folder: then
 * every row of it is one, and past FINDINGS_HELD they go to `spill` a page at a time.
 */
import { finding, type Finding } from '../../pipeline/diagnostics.js'
import { FINDINGS_HELD } from '../../pipeline/findings-store.js'
import { INVOICED_CUSTOMER_RESELLER, INVOICED_SUBSCRIPTION_RESELLER } from '../usage-totals.js'
import { tier2Reseller } from '../rules/tier2.js'
import type { Check } from './common.js'

export const outOfPeriod: Check = async ({ db, periodStart, periodEnd }, spill) => {
  const found: Finding[] = []
  // Built at the first out-of-period row: most months have none, and it reads every invoiced line.
  let owners: Owners | null = null
  // Pages in usage_id order: a wrong month's file stores every row here, and neither its rows nor their
  // findings may all be in memory at once.
  for (let after = 0; ;) {
    const rows = await db.kysely
      .selectFrom('usage_rows as u')
      .where((eb) => eb.or([eb('u.usage_date', '<', periodStart), eb('u.usage_date', '>', periodEnd)]))
      .where('u.usage_id', '>', after)
      .select(['u.usage_id', 'u.source_file', 'u.source_row', 'u.tier2_mpn_id', 'u.customer_id', 'u.subscription_id', 'u.usage_date'])
      .orderBy('u.usage_id')
      .limit(PAGE)
      .execute()
    if (rows.length > 0) owners ??= await customerResellers(db)
    for (const r of rows) found.push(outOfPeriodFinding(r, periodStart, periodEnd, owners!))
    if (spill !== undefined && found.length > FINDINGS_HELD) spill(found.splice(0))
    if (rows.length < PAGE) return found
    after = rows[rows.length - 1]!.usage_id
  }
}

const PAGE = 5_000

/**
 * The reseller of each customer, and of each customer's invoiced subscription, for a usage row without a Tier2MpnId
 * (the 2021 layout has no such column, unbilled usage leaves it blank): the reseller invoiced for the subscription,
 * else for the customer (the smallest id when several), else the customers mapping, as the Azure usage sheet
 * attributes it (stages/usage-totals.ts). One entry per customer and invoiced subscription: bounded by the
 * reconciliation lines, whatever the number of usage rows.
 */
interface Owners {
  /** By customer, and by customer and invoiced subscription (`subscriptionKey`). */
  byKey: Map<string, string>
  /** The resellers with an invoice. */
  invoiced: Set<string>
}

async function customerResellers(db: Parameters<Check>[0]['db']): Promise<Owners> {
  const owners = new Map<string, string>()
  const mapped = await db.kysely.selectFrom('customers').select(['customer_id', 'reseller_id']).execute()
  for (const m of mapped) owners.set(m.customer_id, m.reseller_id)
  // The reseller the money went to wins over the customers sheet: its subscription's, else its customer's.
  const { rows: invoiced } = await INVOICED_CUSTOMER_RESELLER.execute(db.kysely)
  for (const o of invoiced) if (o.reseller_id !== null) owners.set(o.customer_id, o.reseller_id)
  const { rows: bySubscription } = await INVOICED_SUBSCRIPTION_RESELLER.execute(db.kysely)
  for (const o of bySubscription) if (o.reseller_id !== null) owners.set(subscriptionKey(o.customer_id, o.subscription_id), o.reseller_id)
  const withInvoice = await db.kysely.selectFrom('priced_lines').where('status', '=', 'invoiced').select('reseller_id').distinct().execute()
  return { byKey: owners, invoiced: new Set(withInvoice.flatMap((r) => (r.reseller_id === null ? [] : [r.reseller_id]))) }
}

/** A key of `customerResellers` for one subscription of a customer (customer ids are GUIDs: no \u0000 in them). */
function subscriptionKey(customerId: string, subscriptionId: string | null): string {
  return `${customerId}\u0000${subscriptionId ?? ''}`
}

interface OutOfPeriodRow {
  source_file: string
  source_row: number
  tier2_mpn_id: string | null
  customer_id: string
  subscription_id: string | null
  usage_date: string
}

/**
 * Usage rows are not priced: the reseller is named as the Azure usage sheets attribute usage
 * (stages/writers/invoice-data.ts): the row's own Tier2MpnId when that reseller has an invoice, else the reseller
 * invoiced for its subscription (else, still, the Tier2MpnId it names); without one, its subscription's, its
 * customer's, or the customers sheet's (the finding named the Tier2MpnId where the sheet showed another; review).
 */
function rowReseller(r: OutOfPeriodRow, owners: Owners): string | null {
  const tier2 = tier2Reseller(r.tier2_mpn_id)
  const subscriptionOwner = owners.byKey.get(subscriptionKey(r.customer_id, r.subscription_id))
  if (tier2 !== null) return owners.invoiced.has(tier2) ? tier2 : (subscriptionOwner ?? tier2)
  return subscriptionOwner ?? owners.byKey.get(r.customer_id) ?? null
}

function outOfPeriodFinding(r: OutOfPeriodRow, periodStart: string, periodEnd: string, owners: Owners): Finding {
  return finding('OUT_OF_PERIOD', {
    file: r.source_file,
    row: r.source_row,
    resellerId: rowReseller(r, owners),
    customerId: r.customer_id,
    subscriptionId: r.subscription_id,
    expected: `${periodStart}..${periodEnd}`,
    actual: r.usage_date,
    message:
      `Usage dated ${r.usage_date} is outside the period ${periodStart} to ${periodEnd} and was left out of the usage tie-out: ` +
      'check that the right month’s usage file was dropped into the folder.',
  })
}
