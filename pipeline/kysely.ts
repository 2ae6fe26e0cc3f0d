/**
 * kysely's runtime values, from its CommonJS build. Under tsx's loader hooks every file of an ES module package
 * makes a resolve and a load round trip to the hooks thread: kysely's ES build is 279 files, and importing it
 * took 660 ms of CPU under tsx against 180 ms plain. `require` is not hooked on Node 20, so the CommonJS build
 * (the same code, published in the same package) loads in ~130 ms. That matters most on the side thread, which
 * loads kysely while the run is under way (pipeline/side-thread-body.ts), and it shortens every start.
 *
 * Every runtime import of kysely goes through here (eslint `no-restricted-imports`): the two builds in one
 * process would not share classes. Types come from 'kysely' itself with `import type`, which is erased.
 */
import { createRequire } from 'node:module'
import type * as K from 'kysely'

const kysely = createRequire(import.meta.url)('kysely') as typeof K

export const sql: typeof K.sql = kysely.sql
export const Kysely: typeof K.Kysely = kysely.Kysely
export type Kysely<DB> = K.Kysely<DB>
export const SqliteDialect: typeof K.SqliteDialect = kysely.SqliteDialect
