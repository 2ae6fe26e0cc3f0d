// SPEC §4.2 — the sign of a line's sell amount, which also makes a line a refund (§4.4).
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { decSign } from '../../pipeline/dialect.js'

/**
 * The sign a line's sell amount takes (SPEC §4.2): its cost's (Subtotal), or EffectiveUnitPrice's when the Subtotal
 * is 0. Below 0 it is a refund: priced by the rule of the charge it reverses (price-book.ts, SPEC §4.4), and, when it
 * refunds a charge in full within a day, over that charge's whole period (charge-cycle.ts).
 */
export const costSignSql = (subtotal: RawBuilder<unknown>, effectiveUnitPrice: RawBuilder<unknown>): RawBuilder<number> =>
  sql<number>`case when ${subtotal} <> '0' then ${decSign(subtotal)} else ${decSign(effectiveUnitPrice)} end`
