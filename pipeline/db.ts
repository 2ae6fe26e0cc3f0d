/**
 * Opens the staging SQLite database (a file under the output folder, so an auditor can query it) with the
 * rules' functions registered, and wraps it in kysely for typed rules and reads. Bulk loads use the raw
 * better-sqlite3 handle with prepared statements in batched transactions (PERFORMANCE-NOTES e1 vs e7).
 */
import BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { DDL, type Database } from '../schemas/tables.js'
import { registerFunctions } from './dialect.js'

export interface Db {
  sqlite: BetterSqlite3.Database
  kysely: Kysely<Database>
  close(): Promise<void>
}

export function openDb(path: string): Db {
  const sqlite = new BetterSqlite3(path)
  // A scratch DB rebuilt on every run: durability buys nothing, speed does.
  sqlite.pragma('journal_mode = OFF')
  sqlite.pragma('synchronous = OFF')
  sqlite.pragma('temp_store = MEMORY')
  sqlite.pragma('cache_size = -65536')
  registerFunctions(sqlite)
  sqlite.exec(DDL)
  const kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) })
  return {
    sqlite,
    kysely,
    async close() {
      await kysely.destroy() // closes the better-sqlite3 handle too
    },
  }
}
