/**
 * Opens the staging SQLite database (a file under the output folder, so an auditor can query it) with the
 * rules' functions registered, and wraps it in kysely for typed rules and reads. Bulk loads use the raw
 * better-sqlite3 handle with prepared statements in batched transactions (PERFORMANCE-NOTES e1 vs e7).
 */
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from './kysely.js'
import { DDL, type Database } from '../schemas/tables.js'
import { registerFunctions } from './dialect.js'

export interface Db {
  sqlite: BetterSqlite3.Database
  kysely: Kysely<Database>
  close(): Promise<void>
}

/** `readonly`: a second connection that only reads (the side thread, pipeline/side-thread.ts). */
export function openDb(path: string, options: { readonly?: boolean } = {}): Db {
  const sqlite = new BetterSqlite3(path, { readonly: options.readonly === true })
  if (!options.readonly) {
    // A scratch DB rebuilt on every run: durability buys nothing, speed does.
    sqlite.pragma('journal_mode = OFF')
    sqlite.pragma('synchronous = OFF')
  }
  // Sorts and temporary b-trees spill to temporary files past the page cache instead of growing RSS (a month of
  // rejected rows sorted a million findings in memory: 940 MiB); on the 1 M-row bench month no slower than MEMORY.
  sqlite.pragma('temp_store = FILE')
  // Small page caches: the staging file stays in the OS page cache anyway, and on the 1 M-row bench month 16 MiB
  // priced as fast as 64 MiB while the run's peak RSS fell by ~40 MiB (issue 7: ≤ 500 MB with the side thread).
  sqlite.pragma(options.readonly ? 'cache_size = -8192' : 'cache_size = -16384')
  registerFunctions(sqlite)
  if (!options.readonly) sqlite.exec(DDL)
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  return {
    sqlite,
    kysely,
    async close() {
      await kysely.destroy() // closes the better-sqlite3 handle too
    },
  }
}
