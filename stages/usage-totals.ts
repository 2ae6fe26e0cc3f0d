/**
 * Usage sums (issue 7; SPEC §5 USAGE_TIE_OUT, §6 Azure usage sheet). Daily rated usage reaches millions of rows a
 * month, so accepted usage rows are not stored one by one: they are summed in two steps, like a map-side combiner.
 *
 * 1. While a usage file streams, `UsageCombiner` (stages/usage-combiner.ts) keeps exact sums (ExactSum: float64
 *    integers, BigInt past 2^53) per group — customer, customer
 *    name, Tier2MpnId, subscription, entitlement (id, description), product, SKU, meter category, meter (id,
 *    name), billing currency, and whether UsageDate is in the period. At most MAX_GROUPS groups are held: then,
 *    and at the end of the file, they are written to `usage_partials` (one row per group and flush, with the
 *    file and the first and last row it covers) and forgotten. Memory is bounded whatever the file size.
 * 2. Once every file is loaded, `summariseUsage` aggregates the partials in SQL into `usage_totals`, which the
 *    tie-out check and the usage sheets read.
 *
 * Every accepted usage row is counted in exactly one partial (SPEC §6 row accounting: Σ usage_partials.rows of a
 * file = its accepted rows). Rows dated outside the period are also stored whole in `usage_rows`, because each
 * one gets its own OUT_OF_PERIOD finding and `explain` shows it. A big usage CSV is read by two threads
 * (stages/usage-split.ts), each with its own combiner; the partials of both go to the same table.
 *
 * In: validated usage rows (stored values); the DB. Out: the two tables. Does not throw on data.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../pipeline/kysely.js'
import type { Db } from '../pipeline/db.js'
import { decSum } from '../pipeline/dialect.js'
import { PARTIAL_COLUMNS, TOTAL_KEY, type PartialRow, type PartialSink } from './usage-combiner.js'

/**
 * Who a usage row belongs to when it has no Tier2MpnId (or `0`): the reseller invoiced for its subscription's
 * Azure plan lines (the only ones whose SubscriptionId a usage row carries), else for its customer's lines (the smallest id when several, so the choice is stable), else the customers
 * sheet's. The reseller the money went to comes first: with the customers sheet first, a stale mapping showed one
 * reseller's customer's usage on another reseller's invoice (attribution review). The Azure usage sheets
 * (stages/writers/invoice-data.ts), OUT_OF_PERIOD (stages/checks/out-of-period.ts) and USAGE_TIE_OUT attribute
 * usage alike through these.
 */
export const INVOICED_SUBSCRIPTION_RESELLER = sql<{ customer_id: string; subscription_id: string; reseller_id: string }>`
  select r.customer_id, coalesce(r.subscription_id, '') as subscription_id, min(p.reseller_id) as reseller_id
  from priced_lines p join recon_lines r on r.line_id = p.line_id
  where p.status = 'invoiced' and p.category = 'azure-plan'
  group by r.customer_id, coalesce(r.subscription_id, '')`

export const INVOICED_CUSTOMER_RESELLER = sql<{ customer_id: string; reseller_id: string }>`
  select r.customer_id, min(p.reseller_id) as reseller_id
  from priced_lines p join recon_lines r on r.line_id = p.line_id
  where p.status = 'invoiced'
  group by r.customer_id`

/**
 * The owner, in that order, of a usage group (or key) of `customer` and `subscription` without a Tier2MpnId, as one
 * SQL expression for every query that attributes usage. It reads the two owner tables, which the query declares
 * with `USAGE_OWNER_CTES` (materialized: as subqueries of their own they were computed again for every row, 10 s a
 * call). Scalar subqueries, so inside a `coalesce` after the Tier2MpnId they run only for the rows that need them.
 */
export function usageOwnerSql(customer: RawBuilder<unknown>, subscription: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`coalesce(
    ${subscriptionOwnerSql(customer, subscription)},
    (select o.reseller_id from usage_customer_owner o where o.customer_id = ${customer}),
    (select c.reseller_id from customers c where c.customer_id = ${customer}))`
}

/** The reseller invoiced for a customer's subscription's Azure plan lines (the first of `usageOwnerSql`'s owners). */
export function subscriptionOwnerSql(customer: RawBuilder<unknown>, subscription: RawBuilder<unknown>): RawBuilder<string | null> {
  return sql<string | null>`(select s.reseller_id from usage_subscription_owner s where s.customer_id = ${customer} and s.subscription_id = ${subscription})`
}

/** The common table expressions `usageOwnerSql` reads, for a query's `with` clause. */
export const USAGE_OWNER_CTES = sql`usage_subscription_owner as materialized (${INVOICED_SUBSCRIPTION_RESELLER}),
  usage_customer_owner as materialized (${INVOICED_CUSTOMER_RESELLER})`

/** A sink that writes one file's flushes to `usage_partials`, one transaction per flush. */
export function partialsWriter(db: Db, file: string): PartialSink {
  const s = db.sqlite
  const insert = s.prepare(
    `insert into usage_partials (source_file, ${PARTIAL_COLUMNS.join(', ')}) values (?, ${PARTIAL_COLUMNS.map(() => '?').join(', ')})`,
  )
  const write = s.transaction((rows: PartialRow[]) => {
    for (const r of rows) insert.run(file, ...r)
  })
  return (rows) => write(rows)
}

/** Removes what a file wrote (an unreadable file is used not at all; SPEC §2). */
export function removePartials(db: Db, file: string): void {
  db.sqlite.prepare('delete from usage_partials where source_file = ?').run(file)
}

// SPEC §5 USAGE_TIE_OUT and §6 Azure usage: exact sums per usage group over every file, aggregated in SQL.
export function summariseUsage(db: Db): void {
  const key = sql.join(TOTAL_KEY.map((c) => sql.ref(c)))
  const query = sql`
    insert into usage_totals (${key}, in_period, rows, quantity, billing_pre_tax_total)
    select ${key}, in_period, sum(rows), ${decSum(sql.ref('quantity'))}, ${decSum(sql.ref('billing_pre_tax_total'))}
    from usage_partials
    group by ${key}, in_period
    order by ${key}, in_period
  `.compile(db.kysely)
  // Synchronous on the better-sqlite3 handle, so tests can summarise the rows they store without awaiting.
  db.sqlite.transaction(() => {
    db.sqlite.exec('delete from usage_totals')
    db.sqlite.prepare(query.sql).run(...(query.parameters as unknown[]))
  })()
}
