// SPEC §3–§4 plumbing: every pricing rule rebuilds one intermediate table (dbt-style int_lines_<verb>ed layers).
/**
 * `replaceTable(db, name, columns, select)` drops and re-creates one intermediate table from a select, so the
 * price stage is idempotent and an auditor can query every layer in the staging DB afterwards. `create table
 * … as select` is portable (SQLite and PostgreSQL).
 *
 * A layer stores `line_id` and only the columns its rule derives (the first layer, int_lines_categorized, holds
 * the normalised input columns too); `linesBefore(name)` joins the earlier layers back into one row per line.
 * Why narrow: copying every column forward through eight layers wrote ~200 MB for 50,000 lines and was the
 * largest single cost of the stage; a join on the line_id index costs a few milliseconds per layer.
 * Never throws on data; SQL errors are programmer errors.
 */
import type { Kysely, RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
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

/**
 * Re-creates `name` with `line_id` and `columns` taken from `select` (which may return more: the rule's
 * intermediate CTEs carry the joined input row; SQLite computes only the columns kept).
 */
export async function replaceTable(
  db: RulesDb, name: Layer, columns: readonly string[], select: RawBuilder<unknown>,
): Promise<void> {
  const kept = ['line_id', ...columns]
  const projection = sql`select ${sql.join(kept.map((c) => sql.ref(`derived.${c}`)))} from (${select}) as derived`
  // line_id becomes the rowid (INTEGER PRIMARY KEY): joining the layers back is then one B-tree search per layer
  // instead of an index search plus a table lookup. The other columns keep the declared types `create table …
  // as select` gives them (so comparisons see the same affinities); an empty CTAS tells us those types.
  // PostgreSQL: create table … as select, then `alter table … add primary key (line_id)`.
  await sql`drop table if exists ${sql.table(name)}`.execute(db)
  await sql`create table ${sql.table(name)} as ${projection} limit 0`.execute(db)
  const { rows } = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${name})`.execute(db)
  const types = new Map(rows.map((r) => [r.name, r.type]))
  const definitions = kept.map((c) =>
    c === 'line_id' ? sql`line_id integer primary key` : sql`${sql.id(c)} ${sql.raw(types.get(c) ?? '')}`)
  await sql`drop table ${sql.table(name)}`.execute(db)
  await sql`create table ${sql.table(name)} (${sql.join(definitions)})`.execute(db)
  await sql`insert into ${sql.table(name)} ${projection} order by derived.line_id`.execute(db)
}

/** Every layer built before `name`, joined on line_id: one row per line with all columns derived so far. */
export function linesBefore(name: Layer): RawBuilder<unknown> {
  const earlier = LAYERS.slice(0, LAYERS.indexOf(name))
  const [first, ...rest] = earlier
  if (first === undefined) throw new Error(`${name} is the first layer: it reads recon_lines`)
  return sql`${sql.table(first)}${sql.join(rest.map((t) => sql` join ${sql.table(t)} using (line_id)`), sql``)}`
}

/** All layers joined: the full priced row of every line (price.ts reads it to write priced_lines and findings). */
export function allLines(): RawBuilder<unknown> {
  return sql`${linesBefore('int_lines_sold')} join int_lines_sold using (line_id)`
}

/** Shorthand for a column reference inside the rules' SQL. */
export const ref = (column: string): RawBuilder<unknown> => sql.ref(column)
