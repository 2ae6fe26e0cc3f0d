/**
 * Worker-thread body for stages/usage-split.ts: reads bytes [splitAt, end) of a usage CSV with the fast
 * tokenizer and the same FileIngest as the main thread (same validation, same combiner), and posts what it
 * would have written — partial sums, out-of-period rows and findings past FINDINGS_HELD — plus, at the end, its
 * counters and the findings it still holds.
 * Row numbers are local (its first record is row 1); the main thread moves them. The main thread also hashes
 * the whole file (SHA-256 cannot be computed in two halves), while this thread reads.
 */
import { parentPort, workerData } from 'node:worker_threads'
import type { Finding } from '../pipeline/diagnostics.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'
import { FileIngest, type IngestShared } from './file-ingest.js'
import type { TableWriter } from './load.js'
import { openBytes } from './readers/bytes.js'
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
}

export type HalfMessage =
  | { type: 'partials'; rows: PartialRow[] }
  | { type: 'rows'; rows: unknown[][] }
  /** Findings past FINDINGS_HELD, rows local like the rest. */
  | { type: 'findings'; findings: Finding[] }
  | { type: 'progress'; rows: number; bytes: number }
  | HalfDone

const ROWS_PER_MESSAGE = 2_000

if (parentPort !== null) await readHalf(workerData as HalfData, (m) => parentPort!.postMessage(m))

async function readHalf(data: HalfData, post: (message: HalfMessage) => void): Promise<void> {
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

  const source = openBytes(data.path, false, { start: data.splitAt, hash: null }) // the main thread hashes
  const outcome = await readCsvFast(source, (record, index) => {
    file.onView(record, index + 1)
    if ((index + 1) % PROGRESS_EVERY === 0) post({ type: 'progress', rows: file.rows, bytes: source.bytesRead() })
  })
  file.finish()
  post({ type: 'done', outcome, rows: file.rows, accepted: file.accepted, rejected: file.rejected, findings: file.findings })
}
