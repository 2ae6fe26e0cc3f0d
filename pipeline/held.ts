/**
 * Held Microsoft cost per currency (exact, as canonical decimal text) for the end-of-run summary.
 */
import type { Db } from './db.js'
import { decSum } from './dialect.js'
import { sql } from './kysely.js'

export function heldCostByCurrency(db: Db): Record<string, string> {
  const query = db.kysely
    .selectFrom('priced_lines')
    .where('status', '=', 'held')
    .groupBy('currency')
    .orderBy('currency')
    .select(['currency', decSum(sql.ref('cost')).as('cost')])
    .compile()
  const rows = db.sqlite.prepare(query.sql).all(...(query.parameters as unknown[])) as { currency: string; cost: string }[]
  return Object.fromEntries(rows.map((r) => [r.currency, r.cost]))
}
