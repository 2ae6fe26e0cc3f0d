/**
 * The reads behind the invoice and reconciliation workbooks, all from the staging DB (kysely; exact sums via
 * pipeline/dialect.ts helpers). Everything is ordered (reseller, customer, line_id…) so outputs are stable.
 *
 * Big tables are streamed (invoiced and held lines); per-reseller summaries are small and grouped in SQL.
 * Note: while a stream is open it holds the one SQLite connection, so callers read summaries first.
 * Does not throw on data.
 */
import type { Compilable } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import type { Db } from '../../pipeline/db.js'
import { objectRows } from '../../pipeline/object-rows.js'
import { decProduct, decSum } from '../../pipeline/dialect.js'
import { USAGE_OWNER_CTES, subscriptionOwnerSql, usageOwnerSql } from '../usage-totals.js'
import { formatMoney } from '../../pipeline/money.js'
import type { InvoiceLine, SummaryRow, UsageSummaryRow } from './invoice-workbook.js'
import type { HeldLine } from './reconciliation-workbook.js'
import { lineResellerSql, tier2ResellerSql } from '../rules/tier2.js'

export interface ResellerSummaries {
  byCustomer: Map<string, SummaryRow[]>
  byCategory: Map<string, SummaryRow[]>
}

/** Invoice summaries by customer and by category for every reseller (amounts: Σ rounded line amounts). */
export async function resellerSummaries(db: Db): Promise<ResellerSummaries> {
  const customers = await db.kysely
    // A customer renamed during the month is shown by the name on its latest line (event date, then the later
    // line), not by the name that sorts last (accountant review).
    .with('names', (qb) => qb
      .selectFrom('priced_lines as p')
      .innerJoin('recon_lines as r', 'r.line_id', 'p.line_id')
      .where('p.status', '=', 'invoiced')
      .where(sql<boolean>`coalesce(trim(r.customer_name), '') <> ''`)
      .select([
        'p.reseller_id', 'r.customer_id', 'r.customer_name',
        sql<number>`row_number() over (partition by p.reseller_id, r.customer_id order by p.event_date desc, p.line_id desc)`.as('latest'),
      ]))
    .selectFrom('priced_lines as p')
    .innerJoin('recon_lines as r', 'r.line_id', 'p.line_id')
    .innerJoin('resellers as s', 's.reseller_id', 'p.reseller_id')
    .leftJoin('names as n', (join) => join.onRef('n.reseller_id', '=', 'p.reseller_id').onRef('n.customer_id', '=', 'r.customer_id').on('n.latest', '=', 1))
    .where('p.status', '=', 'invoiced')
    .groupBy(['p.reseller_id', 'r.customer_id', 's.currency'])
    .select((eb) => [
      'p.reseller_id as resellerId',
      'r.customer_id as key',
      's.currency as currency',
      eb.fn.max('n.customer_name').as('name'),
      eb.fn.countAll<number>().as('lines'),
      decSum(eb.ref('p.sell')).as('amount'),
    ])
    .orderBy('p.reseller_id')
    .orderBy('r.customer_id')
    .execute()
  const categories = await db.kysely
    .selectFrom('priced_lines as p')
    .innerJoin('resellers as s', 's.reseller_id', 'p.reseller_id')
    .where('p.status', '=', 'invoiced')
    .groupBy(['p.reseller_id', 'p.category', 's.currency'])
    .select((eb) => [
      'p.reseller_id as resellerId',
      'p.category as key',
      's.currency as currency',
      eb.fn.countAll<number>().as('lines'),
      decSum(eb.ref('p.sell')).as('amount'),
    ])
    .orderBy('p.reseller_id')
    .orderBy('p.category')
    .execute()
  return {
    byCustomer: groupBy(customers.map((r) => ({ ...r, name: r.name ?? null }))),
    byCategory: groupBy(categories.map((r) => ({ ...r, name: null }))),
  }
}

function groupBy(rows: { resellerId: string | null; key: string; name: string | null; currency: string; lines: number; amount: string }[]): Map<string, SummaryRow[]> {
  const out = new Map<string, SummaryRow[]>()
  for (const r of rows) {
    if (r.resellerId === null) continue
    const list = out.get(r.resellerId) ?? []
    list.push({ key: r.key, name: r.name, lines: Number(r.lines), amount: formatMoney(r.amount, r.currency) })
    out.set(r.resellerId, list)
  }
  return out
}

interface UsageSqlRow {
  reseller_id: string | null
  customer_id: string
  customer_name: string | null
  entitlement_id: string
  entitlement_description: string | null
  meter_category: string
  unit: string
  billing_currency: string
  quantity: string
  retail: string
  rows: number
}

/**
 * In-period Azure usage per reseller → customer → Azure subscription (EntitlementId) → meter category → unit
 * (quantities of different units are never added), with Σ Quantity and the retail amount
 * Σ Quantity × UnitPrice × PCToBCExchangeRate, in the billing currency (without a rate, Σ Quantity × UnitPrice in the
 * PricingCurrency). Not Σ BillingPreTaxTotal: that is Microsoft's charge to the distributor after partner
 * credits, its cost, which a reseller invoice never shows (SPEC §6). A usage row belongs to its Tier2MpnId when that is
 * set and not `0`, else to the reseller invoiced for its subscription's lines, else for its customer's, else to the
 * customers mapping (stages/usage-totals.ts). A Tier2MpnId of a reseller without an invoice (all its lines held, or
 * none) gives way only to the reseller invoiced for that subscription's Azure plan lines: the usage showed on no
 * invoice while another reseller paid for it (usage review).
 * Note: a customer invoiced under several resellers (data Microsoft should not produce) goes to the smallest
 * reseller id, so the choice is stable. Rows dated outside the period (OUT_OF_PERIOD) are left out, as in the
 * tie-out (SPEC §5). Reads the per-group sums ingest kept (stages/usage-totals.ts), not the usage rows.
 * Only the resellers from `range.from` to `range.to` (ids, inclusive, as `invoicedLines`): each thread writing
 * invoices sums its own (stages/writers/invoice-batch.ts).
 */
export async function usageSummaries(db: Db, range: { from: string; to: string }): Promise<Map<string, UsageSummaryRow[]>> {
  const result = await sql<UsageSqlRow>`
    with ${USAGE_OWNER_CTES},
    invoiced_resellers as materialized (select distinct reseller_id from priced_lines where status = 'invoiced'),
    attributed as (
      select
        -- The owners are looked up only for groups without a Tier2MpnId: joined to all 45,000 usage groups of the
        -- bench month they cost ~0.13 s a thread.
        case when ${tier2ResellerSql(sql.ref('u.tier2_mpn_id'))} is null
          then ${usageOwnerSql(sql.ref('u.customer_id'), sql.ref('u.subscription_id'))}
          -- A Tier2MpnId without an invoice yields only to the reseller invoiced for this very subscription: the
          -- customer's other lines or the customers sheet put a held reseller's usage on another's invoice (diff review).
          else coalesce(
            (select i.reseller_id from invoiced_resellers i where i.reseller_id = ${tier2ResellerSql(sql.ref('u.tier2_mpn_id'))}),
            ${subscriptionOwnerSql(sql.ref('u.customer_id'), sql.ref('u.subscription_id'))})
        end as reseller_id,
        u.customer_id, u.customer_name, coalesce(u.entitlement_id, '') as entitlement_id, u.entitlement_description,
        u.meter_category, coalesce(u.unit, '') as unit, u.quantity, u.rows,
        -- Without a rate the retail amount stays in the pricing currency and is shown in it: taken as 1, a USD
        -- amount was shown as EUR (usage review).
        case when u.pc_to_bc_exchange_rate is null and u.pricing_currency is not null then u.pricing_currency
          else u.billing_currency end as billing_currency,
        ${decProduct(sql.ref('u.quantity'), sql.ref('u.unit_price'), sql`coalesce(u.pc_to_bc_exchange_rate, '1')`)} as retail
      from usage_totals u
      where u.in_period = 1
    )
    select reseller_id, customer_id, max(customer_name) as customer_name, entitlement_id,
      max(entitlement_description) as entitlement_description, meter_category, unit, billing_currency,
      ${decSum(sql.ref('quantity'))} as quantity, ${decSum(sql.ref('retail'))} as retail, sum(rows) as rows
    from attributed
    where reseller_id is not null
      and reseller_id >= ${range.from} and reseller_id <= ${range.to}
    group by reseller_id, customer_id, entitlement_id, meter_category, unit, billing_currency
    order by reseller_id, customer_id, entitlement_id, meter_category, unit, billing_currency
  `.execute(db.kysely)
  const out = new Map<string, UsageSummaryRow[]>()
  for (const r of result.rows) {
    if (r.reseller_id === null) continue
    const list = out.get(r.reseller_id) ?? []
    list.push({
      customerId: r.customer_id,
      customerName: r.customer_name,
      entitlementId: r.entitlement_id,
      entitlementDescription: r.entitlement_description,
      meterCategory: r.meter_category,
      unit: r.unit === '' ? null : r.unit,
      currency: r.billing_currency,
      quantity: r.quantity,
      retail: formatMoney(r.retail, r.billing_currency),
      rows: Number(r.rows),
    })
    out.set(r.reseller_id, list)
  }
  return out
}

/**
 * Run a kysely-built select row by row on the better-sqlite3 handle. Note: kysely's own `.stream()` yields each
 * row through several async layers, ~15× slower here (17 s for 200k lines on a loaded 2-core box); the query is
 * still built and typed by kysely, only execution is direct. The caller must not run other queries on the
 * connection until the iterator is finished or returned.
 */
export function* iterateRows<R>(db: Db, query: Compilable<R>): Generator<R> {
  const compiled = query.compile()
  yield* objectRows<R>(db.sqlite.prepare(compiled.sql), compiled.parameters)
}

/**
 * Every invoiced line of the resellers from `range.from` to `range.to` (all when absent), ordered by reseller,
 * customer, line_id: one pass for a run of invoices.
 */
export function* invoicedLines(db: Db, range?: { from: string; to: string }): Generator<InvoiceLine & { resellerId: string }> {
  let query = db.kysely
    .selectFrom('priced_lines as p')
    .innerJoin('recon_lines as r', 'r.line_id', 'p.line_id')
    .innerJoin('resellers as s', 's.reseller_id', 'p.reseller_id')
    .where('p.status', '=', 'invoiced')
  if (range) query = query.where('s.reseller_id', '>=', range.from).where('s.reseller_id', '<=', range.to)
  const ordered = query
    .select([
      's.reseller_id as resellerId',
      'p.line_id as lineId',
      'r.source_file as sourceFile',
      'r.source_row as sourceRow',
      'r.customer_id as customerId',
      'r.customer_name as customerName',
      'r.subscription_id as subscriptionId',
      'r.product_id as productId',
      'r.product_name as productName',
      'r.sku_id as skuId',
      'r.sku_name as skuName',
      'p.category as category',
      'r.charge_type as chargeType',
      'p.term_duration as termDuration',
      'p.billing_plan as billingPlan',
      'r.charge_start_date as chargeStartDate',
      'r.charge_end_date as chargeEndDate',
      'p.billing_days as billingDays',
      'p.cycle_days as cycleDays',
      'r.billable_quantity as quantity',
      'p.unit_sell_price as unitSellPrice',
      'p.sell as sell',
      'p.explanation as explanation',
      'p.method as method',
      'p.currency as currency',
    ])
    .orderBy('s.reseller_id')
    .orderBy('r.customer_id')
    .orderBy('p.line_id')
  for (const { method, currency, ...row } of iterateRows(db, ordered)) {
    yield { ...row, explanation: resellerExplanation(method, row.explanation, row.sell, currency) }
  }
}

/**
 * The Explanation shown to the reseller. Pricing's own text (priced_lines.explanation) is written for the
 * distributor: for markup and pass-through lines it names Microsoft's cost (`markup 10% on cost 90.00`), which
 * would hand the reseller our cost and margin (SPEC §6: none in a reseller workbook). Those lines get a text
 * without cost or percentage; erp-discount and fixed texts are the reseller's own price agreement (list price,
 * discount, fixed price, proration, quantity) and are shown as pricing wrote them.
 */
export function resellerExplanation(method: string | null, explanation: string, sell: string | null, currency: string): string {
  const amount = sell === null ? '' : ` = ${formatMoney(sell, currency)}`
  if (method === 'erp-discount' || method === 'fixed') return explanation
  if (method === 'markup') return `price book markup on Microsoft's charge${amount}`
  if (method === 'pass-through') return `Microsoft credit passed through unchanged${amount}` // only credits pass through (SPEC §4.4)
  return `priced by the price book${amount}` // an unknown method: never echo text that could name the cost
}

/**
 * Held (or retained) lines in line order, for the reconciliation workbook. A retained credit is kept before any
 * reseller lookup (SPEC §4.4), so its reseller is shown as attribution would find it: Tier2MpnId, else the
 * customers sheet's.
 */
export function* heldLines(db: Db, status: 'held' | 'retained' = 'held'): Generator<HeldLine> {
  const query = db.kysely
    .selectFrom('priced_lines as p')
    .innerJoin('recon_lines as r', 'r.line_id', 'p.line_id')
    .leftJoin('customers as c', 'c.customer_id', 'r.customer_id')
    .where('p.status', '=', status)
    .select([
      'p.line_id as lineId',
      'r.source_file as sourceFile',
      'r.source_row as sourceRow',
      'p.hold_rule as holdRule',
      sql<string | null>`coalesce(p.reseller_id, ${lineResellerSql(sql.ref('r.tier2_mpn_id'), sql.ref('c.reseller_id'))})`.as('resellerId'),
      'r.customer_id as customerId',
      'r.customer_name as customerName',
      'r.subscription_id as subscriptionId',
      sql<string | null>`coalesce(r.product_name, r.product_id)`.as('product'),
      'r.charge_type as chargeType',
      'p.currency as currency',
      'p.cost as cost',
    ])
    .orderBy('p.line_id')
  yield* iterateRows(db, query)
}
