// SPEC §3–§4 plumbing: every pricing rule rebuilds one intermediate table (dbt-style int_lines_<verb>ed layers).
/**
 * `replaceTable(db, name, select)` drops and re-creates one intermediate table from a select, so the price
 * stage is idempotent and an auditor can query every layer in the staging DB afterwards. `create table … as
 * select` is portable (SQLite and PostgreSQL). Never throws on data; SQL errors are programmer errors.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely'
import type { Database } from '../../schemas/tables.js'

export type RulesDb = Kysely<Database>

/** Intermediate tables in the order the price stage builds them. */
export const LAYERS = [
  'int_lines_categorized',
  'int_lines_termed',
  'int_lines_cycled',
  'int_lines_attributed',
  'int_lines_ruled',
  'int_lines_list_priced',
  'int_lines_premium_priced',
  'int_lines_sold',
] as const
export type Layer = (typeof LAYERS)[number]

export async function replaceTable(db: RulesDb, name: Layer, select: RawBuilder<unknown>): Promise<void> {
  await sql`drop table if exists ${sql.table(name)}`.execute(db)
  await sql`create table ${sql.table(name)} as ${select}`.execute(db)
  await sql`create unique index ${sql.id(`${name}_line_id`)} on ${sql.table(name)} (line_id)`.execute(db)
}

/** Shorthand for a column reference inside the rules' SQL. */
export const ref = (column: string): RawBuilder<unknown> => sql.ref(column)
