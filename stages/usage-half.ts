/**
 * What a helper thread runs for stages/usage-split.ts (the run's side thread, pipeline/side-thread.ts, or a
 * worker of its own, stages/usage-half.mjs): reads bytes [splitAt, end) of a usage CSV with the fast tokenizer
 * and the same FileIngest as the main thread (same validation, same combiner), and posts what it would have
 * written — partial sums, out-of-period rows and findings past FINDINGS_HELD — plus, at the end, its counters
 * and the findings it still holds.
 * Row numbers are local (its first record is row 1); the main thread moves them. This thread also hashes the
 * whole file (SHA-256 cannot be computed in two halves): the main thread's part first, then its own as it reads,
 * so the main thread is free to price while this thread finishes.
 */
import { createHash } from 'node:crypto'
import type { Finding } from '../pipeline/diagnostics.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'
import { FileIngest, type IngestShared } from './file-ingest.js'
import type { TableWriter } from './load.js'
import { hashRange, openBytes } from './readers/bytes.js'
import { PROGRESS_EVERY, readCsvFast, type FastOutcome } from './readers/csv-fast.js'
import type { PartialRow, PartialSink } from './usage-combiner.js'

export interface HalfData {
  path: string
  file: string
  splitAt: number
  names: string[]
  periodStart: string
  periodEnd: string
}

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

export type HalfMessage =
  | { type: 'partials'; rows: PartialRow[] }
  | { type: 'rows'; rows: unknown[][] }
  /** Findings past FINDINGS_HELD, rows local like the rest. */
  | { type: 'findings'; findings: Finding[] }
  | { type: 'progress'; rows: number; bytes: number }
  | HalfDone

const ROWS_PER_MESSAGE = 2_000

/** Posts every message through `post`, `done` last. */
export async function readHalf(data: HalfData, post: (message: HalfMessage) => void): Promise<void> {
  const batch: unknown[][] = []
  const postRows = () => {
    if (batch.length > 0) post({ type: 'rows', rows: batch.splice(0) })
  }
  const writer: TableWriter = {
    add(params) {
      batch.push(params.slice()) // FileIngest refills one array per row
      if (batch.length >= ROWS_PER_MESSAGE) postRows()
    },
    flush: postRows,
    removeFile: () => {},
  }
  const shared: IngestShared = {
    writer: (_kind: InputKind) => writer,
    partials: (): PartialSink => (rows) => post({ type: 'partials', rows }),
    findings: () => (batch) => post({ type: 'findings', findings: batch }),
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
  post({ type: 'done', outcome, rows: file.rows, accepted: file.accepted, rejected: file.rejected, findings: file.findings, sha256: source.sha256() })
}
