/**
 * Shared pieces of the reconciliation checks (SPEC §5): the context a check reads, the reference columns every
 * line finding carries, and small SQL expressions several checks use. Pure helpers; nothing here throws.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import type { RunContext } from '../../pipeline/context.js'
import type { Finding } from '../../pipeline/diagnostics.js'

/** What a check may read: the staging DB, the settings (tolerances, windows, premiums) and the period. */
export type CheckContext = Pick<RunContext, 'db' | 'settings' | 'periodStart' | 'periodEnd'>

/**
 * A check returns the findings for the rows that break its rule; zero findings is a pass. A check that can
 * find one per usage row takes `spill`: past FINDINGS_HELD (pipeline/findings-store.ts) it hands batches there
 * (stored at once) and returns only the rest.
 */
export type Check = (ctx: CheckContext, spill?: (batch: Finding[]) => void) => Promise<Finding[]>

/** Where a reconciliation-line finding points: its source cell and its reseller, customer and subscription. */
export interface LineRef {
  source_file: string
  source_row: number
  reseller_id: string | null
  customer_id: string | null
  subscription_id: string | null
}

export function lineFields(r: LineRef): Pick<Finding, 'file' | 'row' | 'resellerId' | 'customerId' | 'subscriptionId'> {
  return {
    file: r.source_file,
    row: r.source_row,
    resellerId: r.reseller_id,
    customerId: r.customer_id,
    subscriptionId: r.subscription_id,
  }
}

/** Term and billing-plan lengths in months (SPEC §2.3): cycle price = term price × plan months ÷ term months. */
export const TERM_MONTHS: Record<string, number> = { P1M: 1, P1Y: 12, P3Y: 36 }
export const PLAN_MONTHS: Record<string, number> = { Monthly: 1, Annual: 12, Triennial: 36 }

/** SQL CASE mapping a term/plan column to its months (null when unknown). */
export function monthsSql(column: RawBuilder<unknown>, months: Record<string, number>): RawBuilder<number | null> {
  const whens = Object.entries(months).map(([k, v]) => sql`when ${k} then ${v}`)
  return sql<number | null>`(case ${column} ${sql.join(whens, sql` `)} else null end)`
}

/** A SQL string literal list for `in (...)`. */
export function textList(values: readonly string[]): RawBuilder<unknown> {
  return sql.join(values.map((v) => sql.lit(v)))
}

/**
 * Azure plan line (SPEC §3.1) over `recon_lines as r` left-joined to `priced_lines as p`: the priced category,
 * or §3.1's own test on the raw line (not a credit, SubscriptionDescription "Azure plan") when it was not priced.
 */
export const AZURE_PLAN_TEXT = `coalesce(p.category = 'azure-plan',
  r.charge_type_norm <> 'customercredit' and (lower(trim(r.subscription_description)) = 'azure plan'
    or lower(trim(r.product_name)) = 'azure plan' or lower(trim(r.sku_name)) = 'azure plan'))`
export const isAzurePlanSql = sql<boolean>`${sql.raw(AZURE_PLAN_TEXT)}`
