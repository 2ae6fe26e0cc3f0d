/**
 * Ingest of one big usage file on two cores (issue 7): a worker thread (stages/readers/csv-worker.ts) reads,
 * tokenizes and validates; this thread inserts the rows it ships, through the same TableWriter as every other
 * file, so the staging DB has one writer and rows keep their order. Row numbers, findings, counters and usage
 * totals are the worker's FileIngest's, taken over by the main thread's FileIngest (`adopt`).
 *
 * In: the file, its FileIngest and TableWriter. Out: the CSV outcome (the caller handles not-utf8 / reread /
 * unreadable exactly as for an in-thread read), or null when the thread could not start (the caller then reads
 * the file in this thread). A bug in the worker rejects.
 */
import { Worker } from 'node:worker_threads'
import type { CsvOutcome } from './readers/csv.js'
import type { UsageWorkerData, UsageWorkerMessage } from './readers/csv-worker.js'
import type { FileIngest } from './ingest.js'
import type { TableWriter } from './load.js'

export function ingestInWorker(
  path: string,
  gzip: boolean,
  file: FileIngest,
  writer: TableWriter,
  report?: (rows: number, bytes: number) => void,
): Promise<CsvOutcome | null> {
  const control = new SharedArrayBuffer(4)
  const inFlight = new Int32Array(control)
  const workerData: UsageWorkerData = { path, gzip, file: file.file, periodStart: file.shared.periodStart, periodEnd: file.shared.periodEnd, control }
  let worker: Worker
  try {
    worker = new Worker(new URL('./readers/csv-worker.mjs', import.meta.url), { workerData })
  } catch {
    return Promise.resolve(null)
  }
  return new Promise((resolve, reject) => {
    let heard = false
    let done = false
    const params: unknown[] = []
    worker.on('message', (message: UsageWorkerMessage) => {
      heard = true
      if (message.type === 'rows') {
        const { values, count } = message
        const width = values.length / count
        params.length = width + 1
        params[0] = file.file
        for (let r = 0, at = 0; r < count; r++) {
          for (let i = 1; i <= width; i++) params[i] = values[at++]
          writer.add(params)
        }
        Atomics.sub(inFlight, 0, 1)
        Atomics.notify(inFlight, 0)
      } else if (message.type === 'progress') {
        report?.(message.rows, message.bytes)
      } else {
        done = true
        file.adopt(message.result)
        resolve(message.outcome)
      }
    })
    // Before its first message the thread may simply be unable to start (no TypeScript loader): read in-thread.
    worker.on('error', (error) => (heard ? reject(error) : resolve(null)))
    worker.on('exit', (code) => {
      if (done) return
      if (heard) reject(new Error(`the usage worker thread stopped (exit code ${code})`))
      else resolve(null)
    })
  })
}
