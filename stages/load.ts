/**
 * Load: writes validated input rows into the staging tables (schemas/tables.ts) with better-sqlite3 prepared
 * statements in transactions of ~10k rows (PERFORMANCE-NOTES e1: kysely inserts are 3–7× slower), records
 * each input file in `input_files`, and marks duplicate reconciliation lines once every file is loaded.
 *
 * In: rows as parameter arrays in the kind's column order (source_file, source_row, …columns, …extras).
 * Out: rows in SQLite; `markDuplicates` returns the DUPLICATE_LINE findings. Bad input never reaches here
 * (ingest rejects it first); an SQLite error here is a programmer error and is thrown.
 */
import * as crypto from 'node:crypto'
import type BetterSqlite3 from 'better-sqlite3'
import type { Db } from '../pipeline/db.js'
import { finding, type Finding } from '../pipeline/diagnostics.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'

const BATCH_ROWS = 10_000

/** Extra columns ingest computes for reconciliation lines, after the schema's columns. */
export const RECON_EXTRA_COLUMNS = ['line_id', 'charge_type_norm', 'row_key', 'row_variant'] as const

export interface TableWriter {
  /** Queue one row: [source_file, source_row, ...kind columns, ...extras]. */
  add(params: unknown[]): void
  /** Commit what is pending. */
  flush(): void
  /** Remove every row loaded from a file (an unreadable file is used not at all; SPEC §2). */
  removeFile(file: string): void
}

function insertColumns(kind: InputKind): string[] {
  const columns = ['source_file', 'source_row', ...KINDS[kind].columns.map((c) => c.db)]
  return kind === 'reconciliation' ? [...columns, ...RECON_EXTRA_COLUMNS] : columns
}

export function createTableWriter(db: Db, kind: InputKind): TableWriter {
  const table = KINDS[kind].table
  const columns = insertColumns(kind)
  const sqlite = db.sqlite
  const insert = sqlite.prepare(`insert into ${table} (${columns.join(', ')}) values (${columns.map(() => '?').join(', ')})`)
  const remove = sqlite.prepare(`delete from ${table} where source_file = ?`)
  let pending = 0
  const flush = () => {
    if (pending > 0) sqlite.exec('commit')
    pending = 0
  }
  return {
    add(params) {
      if (pending === 0) sqlite.exec('begin')
      // Spread, not the array: better-sqlite3 reads an array parameter element by element through V8's API, and
      // the 50,000 lines of the 1 M-row bench month (44 columns) inserted in 0.36 s spread against 0.45 s.
      insert.run(...params)
      if (++pending >= BATCH_ROWS) flush()
    },
    flush,
    removeFile(file) {
      flush()
      remove.run(file)
    },
  }
}

export interface InputFileRecord {
  file: string
  kind: string
  sha256: string
  rows: number
  accepted: number
  rejected: number
  unknownColumns: string[]
}

export function insertInputFile(db: Db, record: InputFileRecord): void {
  db.sqlite
    .prepare(
      `insert into input_files (file, kind, sha256, rows, accepted, rejected, unknown_columns)
       values (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(record.file, record.kind, record.sha256, record.rows, record.accepted, record.rejected,
      JSON.stringify(record.unknownColumns))
}

/**
 * Identity of a reconciliation row for DUPLICATE_LINE (SPEC §5): SHA-1 over the (lower-cased column name,
 * trimmed cell text) pairs of its columns sorted by name, so column order does not matter. Only pairs with text
 * count: a column a file lacks reads as empty, so a resend whose export added an empty column, or dropped one that
 * was empty, is still the same row (it was billed twice when the key held every column name). A column that holds
 * text in one copy and not in the other makes them different rows, as any differing cell does.
 * Hashed as one JSON array, name, text, name, text…; same-named columns (only empty header cells can be) sort
 * their pairs per row.
 */
export function rowKey(order: RowKeyOrder, texts: readonly string[]): string {
  const flat: string[] = []
  if (order.ties) {
    const pairs: [string, string][] = order.names.map((n, i) => [n, (texts[i] ?? '').trim()])
    pairs.sort((a, b) => compare(a[0], b[0]) || compare(a[1], b[1]))
    for (const [name, text] of pairs) if (text !== '') flat.push(name, text)
  } else {
    for (let k = 0; k < order.sorted.length; k++) {
      const at = order.sorted[k]!
      const text = (texts[at] ?? '').trim()
      if (text !== '') flat.push(order.names[at]!, text)
    }
  }
  return sha1Hex(JSON.stringify(flat))
}

export interface RowKeyOrder {
  names: readonly string[]
  /** Column indexes in name order. */
  sorted: number[]
  /** True when two columns share a name (only empty header cells can): sort pairs per row then. */
  ties: boolean
}

export function rowKeyOrder(lowerNames: readonly string[]): RowKeyOrder {
  const sorted = lowerNames.map((_, i) => i).sort((a, b) => compare(lowerNames[a]!, lowerNames[b]!))
  const ties = new Set(lowerNames).size !== lowerNames.length
  return { names: lowerNames, sorted, ties }
}

/** SHA-1 as hex: node's one-shot `crypto.hash` where it exists (Node ≥ 20.12), which skips a Hash object per row. */
const sha1Hex: (text: string) => string =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha1', text)
    : (text) => crypto.createHash('sha1').update(text).digest('hex')

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

interface DuplicateRow {
  line_id: number
  source_file: string
  source_row: number
  customer_id: string
  subscription_id: string | null
  tier2_mpn_id: string | null
  row_variant: string | null
  first_id: number
  first_file: string
  first_row: number
  first_variant: string | null
}

/**
 * Marks every reconciliation line whose row_key equals an earlier line's (line_id order) as a duplicate of the
 * first one, and returns one DUPLICATE_LINE warning per duplicate. Duplicates stay accepted rows (SPEC §5/§6).
 *
 * The key takes ids by value (SkuId 0024 = 24, row_variant keeps what it folded), so a copy a spreadsheet re-saved
 * (which drops leading zeros) meets its original. Of a key's lines the one kept is the first with leading zeros
 * (a spreadsheet drops them, never adds them), else the first: "Copy of x.csv" and "x (1).csv" sort before x.csv,
 * and keeping the copy's SKU 1 priced the line by another rule (diff review). In the kept line's file, a line
 * repeats only an earlier one of the same variant (one export may bill SKU 1 and SKU 0001); a line of another file
 * repeats the kept file's line of its own variant, else the kept line.
 */
export function markDuplicates(db: Db): Finding[] {
  const sqlite: BetterSqlite3.Database = db.sqlite
  const duplicates = sqlite
    .prepare(
      `with keyed as materialized (
         select line_id, source_file, row_key, row_variant,
           first_value(line_id) over (partition by row_key order by row_variant is null, line_id) as keeper_id,
           min(line_id) over (partition by row_key, source_file, row_variant) as first_in_file_id
         from recon_lines
         where row_key in (select row_key from recon_lines group by row_key having count(*) > 1)
       ),
       placed as materialized (
         select k.*, f.source_file as keeper_file from keyed k join recon_lines f on f.line_id = k.keeper_id
       ),
       twins as (
         select placed.*,
           min(case when source_file = keeper_file then line_id end) over (partition by row_key, row_variant) as keeper_file_twin_id
         from placed
       ),
       copies as (
         select line_id,
           case
             when source_file = keeper_file then case when first_in_file_id < line_id then first_in_file_id end
             else coalesce(keeper_file_twin_id, keeper_id)
           end as first_id
         from twins
       )
       select d.line_id, d.source_file, d.source_row, d.customer_id, d.subscription_id, d.tier2_mpn_id, d.row_variant,
              f.line_id as first_id, f.source_file as first_file, f.source_row as first_row, f.row_variant as first_variant
       from copies
       join recon_lines d on d.line_id = copies.line_id
       join recon_lines f on f.line_id = copies.first_id
       order by d.line_id`,
    )
    .all() as DuplicateRow[]
  const mark = sqlite.prepare('update recon_lines set is_duplicate = 1, duplicate_of = ? where line_id = ?')
  sqlite.transaction(() => duplicates.forEach((d) => mark.run(d.first_id, d.line_id)))()
  const written = writtenDifferently(sqlite)
  return duplicates.map((d) =>
    finding('DUPLICATE_LINE', {
      file: d.source_file,
      row: d.source_row,
      resellerId: d.tier2_mpn_id,
      customerId: d.customer_id,
      subscriptionId: d.subscription_id,
      expected: null,
      actual: `${d.first_file}:${d.first_row}`,
      message: d.row_variant === d.first_variant
        ? `This line repeats ${d.first_file} row ${d.first_row} cell for cell; it is counted once (the copy is not invoiced).`
        : `This line repeats ${d.first_file} row ${d.first_row} cell for cell but for how ${written(d)}: a spreadsheet that re-saved the export drops leading zeros. It is counted once (the copy is not invoiced).`,
    }),
  )
}

/** "SkuId is written (0024 there, 24 here)": the id cells whose text differs between a copy and its first line. */
function writtenDifferently(sqlite: BetterSqlite3.Database): (d: DuplicateRow) => string {
  const columns = KINDS.reconciliation.columns
  const lineOf = sqlite.prepare('select * from recon_lines where line_id = ?')
  return (d) => {
    const names = new Set([d.row_variant, d.first_variant].flatMap((v) => (v ?? '').split(', ').filter((p) => p !== '').map((p) => p.split(' ')[0]!)))
    const copy = lineOf.get(d.line_id) as Record<string, unknown>
    const first = lineOf.get(d.first_id) as Record<string, unknown>
    const parts = [...names].flatMap((name) => {
      const db = columns.find((c) => c.name === name)?.db
      return db === undefined ? [] : [`${name} is written (${String(first[db] ?? '')} there, ${String(copy[db] ?? '')} here)`]
    })
    return parts.length > 0 ? parts.join(', ') : 'ids are written'
  }
}
