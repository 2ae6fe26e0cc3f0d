// SPEC §4.1 — a line's or usage row's Tier2MpnId names its reseller unless it is empty or `0`.
/**
 * Partner Center writes `0` (or nothing) in Tier2MpnId for a customer a distributor sells to directly or whose
 * reseller is unknown; the reseller then comes from the customers sheet (and, for usage, from the customer's
 * invoiced lines). Pricing (attribution.ts), the Azure usage sheets (writers/invoice-data.ts) and OUT_OF_PERIOD
 * (checks/out-of-period.ts) read it through these two, one per language, so they cannot drift apart.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'

/** The reseller a Tier2MpnId column names, trimmed, or NULL when it names none. */
export const tier2ResellerSql = (column: RawBuilder<unknown>): RawBuilder<string | null> =>
  sql<string | null>`nullif(nullif(trim(${column}), ''), '0')`

/**
 * A line's reseller by SPEC §4.1: its Tier2MpnId's, else its customer's in the customers sheet (`sheetReseller`,
 * NULL when the customer is not listed). Pricing attributes lines so; a retained credit, kept before pricing looks
 * its reseller up, is shown and reported with the same one.
 */
export const lineResellerSql = (tier2Column: RawBuilder<unknown>, sheetReseller: RawBuilder<unknown>): RawBuilder<string | null> =>
  sql<string | null>`coalesce(${tier2ResellerSql(tier2Column)}, trim(${sheetReseller}))`

/** The same for a value already read. */
export function tier2Reseller(value: string | null | undefined): string | null {
  const text = value?.trim() ?? ''
  return text === '' || text === '0' ? null : text
}
