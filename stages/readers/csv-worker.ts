/**
 * Body of the usage worker thread (stages/usage-worker.ts starts it through csv-worker.mjs): reads one usage
 * file, tokenizes it and validates every row with the same FileIngest as the main thread, and ships the rows to
 * load as flat batches ([source_row, …values] per row) to the main thread, which inserts them. Back-pressure:
 * a shared counter of batches in flight; past MAX_IN_FLIGHT the thread waits (Atomics.wait), so memory stays
 * flat however far SQLite falls behind. Ends with one `done` message: the CSV outcome and the file's counters,
 * findings and usage totals.
 *
 * In: workerData { path, gzip, file, periodStart, periodEnd, control: SharedArrayBuffer(4) }. Bad input never
 * throws (findings instead); a bug throws and reaches the main thread as the worker's `error` event.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { KINDS } from '../../schemas/kinds/index.js'
import { FileIngest, type IngestShared } from '../ingest.js'
import type { TableWriter } from '../load.js'
import { readCsv } from './csv.js'

export interface UsageWorkerData {
  path: string
  gzip: boolean
  file: string
  periodStart: string
  periodEnd: string
  control: SharedArrayBuffer
}

export type UsageWorkerMessage =
  | { type: 'rows'; values: unknown[]; count: number }
  | { type: 'progress'; rows: number; bytes: number }
  | { type: 'done'; outcome: Awaited<ReturnType<typeof readCsv>>; result: ReturnType<FileIngest['result']> }

/** Rows per message: big enough to amortise a message, small enough to keep memory flat. */
const BATCH_ROWS = 2048
const MAX_IN_FLIGHT = 4

const data = workerData as UsageWorkerData
const port = parentPort!
const inFlight = new Int32Array(data.control)
const send = (message: UsageWorkerMessage) => port.postMessage(message)

let values: unknown[] = []
let count = 0
function flush(): void {
  if (count === 0) return
  Atomics.add(inFlight, 0, 1)
  send({ type: 'rows', values, count })
  values = []
  count = 0
  for (let v = Atomics.load(inFlight, 0); v > MAX_IN_FLIGHT; v = Atomics.load(inFlight, 0)) Atomics.wait(inFlight, 0, v, 1000)
}

const writer: TableWriter = {
  add(params) {
    for (let i = 1; i < params.length; i++) values.push(params[i])
    if (++count >= BATCH_ROWS) flush()
  },
  flush,
  removeFile() {}, // the main thread owns the table
}
const shared: IngestShared = { writer: () => writer, keysOf: () => new Map(), nextLineId: 1, periodStart: data.periodStart, periodEnd: data.periodEnd }
const file = new FileIngest(data.file, KINDS.usage, shared)

const outcome = await readCsv(
  data.path,
  { gzip: data.gzip, progress: (_records, bytes) => send({ type: 'progress', rows: file.rows, bytes }) },
  (cells, index, problem) => file.onRecord(cells, index + 1, problem, true),
  (record, index) => file.onView(record, index + 1),
)
file.finish()
send({ type: 'done', outcome, result: file.result() })
