/**
 * What a helper thread runs for stages/usage-split.ts (the run's side thread, pipeline/side-thread.ts, or a
 * worker of its own, stages/usage-half.mjs): reads bytes [splitAt, end) of a usage CSV with the fast tokenizer
 * and the same FileIngest as the main thread (same validation, same combiner), and writes what it would have
 * written to the staging DB — partial sums, out-of-period rows and findings past FINDINGS_HELD — into a scratch
 * SQLite file of its own (`HalfData.scratch`), then posts its counters and the findings it still holds.
 * Why a file of its own rather than messages: the main thread prices meanwhile, in SQL statements of seconds,
 * so posted rows waited in its message queue; at 4 M usage rows (180,000 groups) they raised the run's peak RSS
 * past 500 MiB, and copying them in took ~0.15 s of the main thread per million rows after price.
 * Row numbers are local (its first record is row 1); the main thread moves them. This thread also hashes the
 * whole file (SHA-256 cannot be computed in two halves): the main thread's part first, then its own as it reads,
 * so the main thread is free to price while this thread finishes.
 */
import { createHash } from 'node:crypto'
import { rmSync } from 'node:fs'
import BetterSqlite3 from 'better-sqlite3'
import type { Finding } from '../pipeline/diagnostics.js'
import { FINDING_COLUMNS, findingParams } from '../pipeline/findings-store.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'
import { FileIngest, type IngestShared } from './file-ingest.js'
import type { TableWriter } from './load.js'
import { hashRange, openBytes } from './readers/bytes.js'
import { PROGRESS_EVERY, readCsvFast, type FastOutcome } from './readers/csv-fast.js'
import { PARTIAL_COLUMNS, type PartialSink } from './usage-combiner.js'

export interface HalfData {
  path: string
  file: string
  splitAt: number
  names: string[]
  periodStart: string
  periodEnd: string
  /** The SQLite file this thread writes its rows to (replaced if it exists; the main thread removes it). */
  scratch: string
}

/** The scratch file's tables and their columns: what the main thread appends to its own tables. */
export const HALF_TABLES = {
  partials: PARTIAL_COLUMNS,
  usage_rows: ['source_file', 'source_row', ...KINDS.usage.columns.map((c) => c.db)],
  findings: FINDING_COLUMNS,
} as const

export interface HalfDone {
  type: 'done'
  outcome: FastOutcome
  rows: number
  accepted: number
  rejected: number
  findings: Finding[]
  /** SHA-256 of the whole file (of what could be read, when a read failed). */
  sha256: string
}

export type HalfMessage = { type: 'progress'; rows: number; bytes: number } | HalfDone

const ROWS_PER_BATCH = 2_000

/** Writes rows, partials and findings into the scratch file; posts progress and then `done`. */
export async function readHalf(data: HalfData, post: (message: HalfMessage) => void): Promise<void> {
  const scratch = new HalfScratch(data.scratch)
  try {
    const batch: unknown[][] = []
    const storeRows = () => {
      if (batch.length > 0) scratch.usageRows(batch.splice(0))
    }
    const writer: TableWriter = {
      add(params) {
        batch.push(params.slice()) // FileIngest refills one array per row
        if (batch.length >= ROWS_PER_BATCH) storeRows()
      },
      flush: storeRows,
      removeFile: () => {},
    }
    const shared: IngestShared = {
      writer: (_kind: InputKind) => writer,
      partials: (): PartialSink => (rows) => scratch.partials(rows),
      findings: () => (batch) => scratch.findings(batch.map(findingParams)),
      keysOf: () => new Map(),
      nextLineId: 1,
      periodStart: data.periodStart,
      periodEnd: data.periodEnd,
    }
    const file = new FileIngest(data.file, KINDS.usage, shared)
    file.useHeader(data.names)

    const hash = createHash('sha256')
    await hashRange(data.path, hash, 0, data.splitAt)
    const source = openBytes(data.path, false, { start: data.splitAt, hash })
    const outcome = await readCsvFast(source, (record, index) => {
      file.onView(record, index + 1)
      if ((index + 1) % PROGRESS_EVERY === 0) post({ type: 'progress', rows: file.rows, bytes: source.bytesRead() })
    })
    file.finish()
    scratch.close() // before `done`: the main thread then attaches the file
    post({ type: 'done', outcome, rows: file.rows, accepted: file.accepted, rejected: file.rejected, findings: file.findings, sha256: source.sha256() })
  } finally {
    scratch.close()
  }
}

/** The scratch file: one table per kind of row, each batch inserted in one transaction. */
class HalfScratch {
  private db: BetterSqlite3.Database | null
  readonly partials: (rows: unknown[][]) => void
  readonly usageRows: (rows: unknown[][]) => void
  readonly findings: (rows: unknown[][]) => void

  constructor(path: string) {
    rmSync(path, { force: true })
    const db = new BetterSqlite3(path)
    this.db = db
    // Read once by the main thread and removed: durability buys nothing.
    db.pragma('journal_mode = OFF')
    db.pragma('synchronous = OFF')
    const table = (name: keyof typeof HALF_TABLES) => {
      const columns = HALF_TABLES[name]
      db.exec(`create table ${name} (${columns.join(', ')})`)
      const insert = db.prepare(`insert into ${name} values (${columns.map(() => '?').join(', ')})`)
      return db.transaction((rows: unknown[][]) => {
        for (const r of rows) insert.run(...r) // spread: see stages/load.ts createTableWriter
      })
    }
    this.partials = table('partials')
    this.usageRows = table('usage_rows')
    this.findings = table('findings')
  }

  close(): void {
    this.db?.close()
    this.db = null
  }
}
