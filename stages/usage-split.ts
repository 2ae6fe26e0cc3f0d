/**
 * A big usage CSV read on both cores (issue 7): this thread reads bytes [0, splitAt) while a worker thread
 * (stages/usage-half.ts: the run's side thread, or a worker of its own) reads [splitAt, end), each validating and
 * summing its rows with its own FileIngest and combiner. `splitAt` is just after a line ending; this thread's
 * part is smaller when other files wait for it and when it prices while the worker reads (`mainShare`). The
 * worker hashes the whole file (this thread's part first, then its own as it reads), so nothing is left for
 * this thread once its part, the other files and price are done.
 *
 * Note: a line ending can sit inside a quoted cell, so the split is speculative. This thread reads from the
 * file's start and so knows the quoting: its half must end cleanly at `splitAt`, and both halves must be plain
 * UTF-8 with the same line ending. Otherwise the worker's work is thrown away and the caller reads the file
 * again as a whole (outcome `reread` or `not-utf8`), exactly as when the one-thread fast reader gives up.
 *
 * The worker's row numbers count from its first record; once this half is read, its record count is the offset
 * that makes them the file's rows. What the worker stores (partial sums, out-of-period rows, findings) waits in
 * a scratch SQLite file of its own until then and is appended after this half's, so the staging DB is the same
 * on every run.
 *
 * In: the file, its header names, the FileIngest of this thread. Out: the CSV outcome as `readCsv` gives it,
 * with counters, findings and rows of both halves; or null when the worker could not start (read in one thread).
 */
import { rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { MessageChannel, Worker } from 'node:worker_threads'
import type { SideThread } from '../pipeline/side-thread.js'
import type { Db } from '../pipeline/db.js'
import { mapHeader } from '../schemas/kinds/index.js'
import { judgeHeader } from '../schemas/kinds/header-verdict.js'
import { openBytes } from './readers/bytes.js'
import type { CsvOutcome } from './readers/csv.js'
import { PROGRESS_EVERY, readCsvFast } from './readers/csv-fast.js'
import { readHeader } from './readers/header.js'
import type { FileIngest } from './file-ingest.js'
import { HALF_TABLES, type HalfData, type HalfDone, type HalfMessage } from './usage-half.js'

/** Old-space cap of the worker thread, in MiB (CSP_BILLING_USAGE_WORKER_HEAP_MB overrides it). */
const WORKER_HEAP_MB = 128

/** Files from this size on are split (below it, starting a worker costs more than it saves). */
export const SPLIT_MIN_BYTES = 48 << 20

/**
 * Just after the first LF at or after `share` of the file (this thread's part); null when the file (of `size`
 * bytes) is small or has no LF there.
 */
export async function splitPoint(path: string, size: number, minBytes = SPLIT_MIN_BYTES, share = 0.5): Promise<number | null> {
  if (size < minBytes) return null
  const handle = await open(path, 'r')
  try {
    const buf = Buffer.alloc(1 << 20)
    for (let at = Math.floor(size * share); at < size; at += buf.length) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, at)
      const lf = buf.subarray(0, bytesRead).indexOf(0x0a)
      if (lf >= 0) return at + lf + 1 < size ? at + lf + 1 : null
      if (bytesRead === 0) return null
    }
    return null
  } finally {
    await handle.close()
  }
}

/** The header of a usage file that can be split: its first record maps to every required column. */
export async function splittableHeader(path: string): Promise<string[] | null> {
  const read = await readHeader(path, 'csv')
  if ('reason' in read) return null
  const names = read.header
  const verdict = judgeHeader(names)
  if ('reason' in verdict || verdict.kind !== 'usage' || mapHeader('usage', names).missing.length > 0) return null
  return names
}

let halfFiles = 0

/**
 * Where a helper thread writes one split file's rows: beside the staging DB (not in temp: a wrong month's file
 * sends every row there), or in the OS temp folder for a DB in memory (tests).
 */
function scratchPath(db: Db): string {
  const id = ++halfFiles
  return db.sqlite.memory ? join(tmpdir(), `csp-billing-half-${process.pid}-${id}.sqlite`) : `${db.sqlite.name}.half-${id}`
}

/**
 * This thread's share of the usage files split between the threads (`usageBytes` in all; one share for all of
 * them, as the worker reads their second parts one after another) when `laterBytes` of other files and
 * `laterUsageBytes` of usage files read whole wait behind the first of them and `pricedBytes` of reconciliation
 * files are priced on this thread before the worker is waited for (pipeline/run.ts), so both threads finish
 * together. Measured with both threads busy (after pipeline/gc.ts tuneHeap): a byte of the files behind
 * (reconciliation: stored whole, keyed for DUPLICATE_LINE) 48 ns (52 before the key was made cheaper), pricing a
 * reconciliation byte 57 ns (2.3 s for the bench month's 39.6 MB; 63 before three rule layers kept narrower
 * intermediate steps), hashing a byte 1 ns (the worker hashes the
 * whole file). A usage byte, and the worker's fixed cost (its start, and this thread's work before the split
 * that the model leaves out), are fitted to when each thread finished on the 1 M- and 4 M-row bench months. A
 * usage byte costs this thread more than the worker (4.6 against 4.2 ns): this thread reads its part while the
 * worker reads too, and the worker reads much of its part while this thread prices. Fitted so that the worker's
 * part ends when this thread has priced; its `warm` task (~0.45 s of module loading,
 * pipeline/side-thread-body.ts) then overlaps this thread's `usage` step. Refitted on 2026-11-24 for the
 * tokenizer's delimiter index and its non-ASCII bitmap, and again that afternoon for cells remembered from the row
 * before and the side thread started from a bundle (pipeline/side-bundle.ts: it reads from ~0.2 s into the run
 * instead of ~0.4): 4.7 and 4.1 ns with 1.1 s fixed left the worker's part ending 0.4–0.8 s before this thread
 * had priced at 1 M rows (four traces); now it ends 0.19 s before to 0.13 s after at 1 M (six traces), and
 * within ±0.7 s at 4 M (three traces: the box's speed drifts by up to 2×, and 4 M reads for 12 s, so these are
 * good to a few tenths of a second; a wait shows as time in the `usage` step). PRICE_NS 57 → 50 on 2026-11-25
 * (morning), when price got ~10 % faster: this thread then waited in the `usage` step (0.34–0.54 s against
 * 0.30–0.33 after, three alternating pairs each). The worker hashes every byte, so on a big file this thread
 * takes about half. Within [0.1, 0.6].
 */
export function mainShare(usageBytes: number, laterBytes: number, pricedBytes = 0, laterUsageBytes = 0): number {
  if (usageBytes <= 0) return 0.5
  // MAIN·f·U + LATER·L + MAIN·W + PRICE·P = START + WORKER·(1 − f)·U + HASH·U
  const mainAnyway = LATER_NS * laterBytes + MAIN_USAGE_NS * laterUsageBytes + PRICE_NS * pricedBytes
  const rest = WORKER_START_NS + (WORKER_USAGE_NS + HASH_NS) * usageBytes - mainAnyway
  return Math.min(0.6, Math.max(0.1, rest / ((MAIN_USAGE_NS + WORKER_USAGE_NS) * usageBytes)))
}

const MAIN_USAGE_NS = 4.6
const WORKER_USAGE_NS = 4.2
const HASH_NS = 1.0
const LATER_NS = 48
const PRICE_NS = 50
const WORKER_START_NS = 0.5e9

/** What is left once this thread has read its part: waiting for the worker and putting the halves together. */
export interface FirstPart {
  /**
   * The file's outcome as `readCsv` gives it, with the worker's counters, findings and rows taken over; `again`
   * when the worker failed (read the file again in one thread, after a rollback).
   */
  finish(): Promise<CsvOutcome | 'again'>
}

/**
 * Starts the worker on [splitAt, end), reads [0, splitAt) in this thread, and returns without waiting for the
 * worker, so this thread can go on with the next files (issue 7: parse of one file while another loads).
 * Null when no worker thread can be started (nothing has been read then).
 */
export async function readFirstPart(
  db: Db,
  path: string,
  splitAt: number,
  file: FileIngest,
  names: string[],
  report?: (rows: number, bytes: number) => void,
  side?: SideThread,
): Promise<FirstPart | null> {
  const scratch = scratchPath(db)
  const workerData: HalfData = {
    path, file: file.file, splitAt, names, periodStart: file.shared.periodStart, periodEnd: file.shared.periodEnd, scratch,
  }
  const dropScratch = () => rmSync(scratch, { force: true })
  let workerRows = 0
  let workerBytes = 0
  let mainRows = 0
  let mainBytes = 0
  const progress = () => report?.(mainRows + workerRows, mainBytes + workerBytes)
  const half = startHalf(workerData, side, (message) => {
    workerRows = message.rows
    workerBytes = message.bytes
    progress()
  })
  if (half === null) {
    dropScratch()
    return null
  }

  const source = openBytes(path, false, { end: splitAt, hash: null }) // the worker hashes the whole file
  const mine = await readCsvFast(source, (record, index) => {
    file.onView(record, index + 1)
    if ((index + 1) % PROGRESS_EVERY === 0) {
      mainRows = file.rows
      mainBytes = source.bytesRead()
      progress()
    }
  })
  file.finish() // this part's partial sums go first, the worker's are appended after them
  return {
    async finish() {
      const theirs = await half.done
      await half.stop()
      if (theirs === null) {
        dropScratch()
        return 'again'
      }
      const clean =
        mine.status === 'ok' && theirs.outcome.status === 'ok' &&
        (mine.lineEnding === null || theirs.outcome.lineEnding === null || mine.lineEnding === theirs.outcome.lineEnding)
      if (!clean) {
        dropScratch()
        const records = mine.records + theirs.outcome.records
        return { status: mine.status === 'not-utf8' ? 'not-utf8' : 'reread', sha256: theirs.sha256, records }
      }
      try {
        appendHalf(db, scratch, file.file, mine.records)
      } finally {
        dropScratch()
      }
      file.adoptHalf(theirs, mine.records)
      return { status: 'ok', sha256: theirs.sha256, encoding: 'utf-8', records: mine.records + theirs.outcome.records }
    },
  }
}

/** The thread reading a usage file's second part: what it posts, `done` (null: it failed), and how to let it go. */
interface HalfReader {
  done: Promise<HalfDone | null>
  stop(): Promise<void>
}

type Progress = Extract<HalfMessage, { type: 'progress' }>

/**
 * Hands the part to the run's side thread when there is one and it is alive (pipeline/side-thread.ts), else to
 * a worker of its own: a side thread already gone would fail the task only after this thread had read its own
 * part, and the file would be read again whole. Null when no thread can be started. `done` is null when the
 * thread fails or stops early, whatever the reason: the file is then read again in one thread.
 */
function startHalf(data: HalfData, side: SideThread | undefined, onMessage: (message: Progress) => void): HalfReader | null {
  let settle!: (done: HalfDone | null) => void
  const done = new Promise<HalfDone | null>((resolve) => (settle = resolve))
  const receive = (message: HalfMessage) => {
    if (message.type === 'done') settle(message)
    else onMessage(message)
  }
  if (side?.alive === true) {
    // Its messages come on a channel of their own, `done` last; a task that fails ends with null.
    const { port1, port2 } = new MessageChannel()
    port1.on('message', receive)
    side.run({ type: 'usage-half', data, port: port2 }).catch(() => settle(null))
    return { done, stop: async () => port1.close() }
  }
  let worker: Worker
  try {
    // The half keeps at most MAX_GROUPS groups: a small old space keeps its garbage, and the RSS, low.
    const heap = Number(process.env.CSP_BILLING_USAGE_WORKER_HEAP_MB ?? WORKER_HEAP_MB)
    // Named from the root's child folder, not `./`: from the bundle (pipeline/bundle.mjs) import.meta.url is pipeline/'s.
    worker = new Worker(new URL('../stages/usage-half.mjs', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: heap } })
  } catch {
    return null
  }
  worker.on('message', receive)
  worker.on('error', () => settle(null))
  worker.on('exit', () => settle(null)) // after `done`, a second settle changes nothing
  return { done, stop: async () => void (await worker.terminate()) }
}

/**
 * Appends the rows a helper thread stored in `scratch` after this thread's, their row numbers moved by `offset`
 * records, in the order it stored them. One transaction; the scratch file is attached only meanwhile.
 */
function appendHalf(db: Db, scratch: string, file: string, offset: number): void {
  const s = db.sqlite
  /** The columns as selected from the scratch table: row numbers moved, the file named as this thread names it. */
  const moved = (columns: readonly string[], rowColumns: readonly string[]) =>
    columns.map((c) => (rowColumns.includes(c) ? `${c} + @offset` : c === 'source_file' ? '@file' : c)).join(', ')
  s.prepare('attach database ? as half').run(scratch)
  try {
    s.transaction(() => {
      s.prepare(`insert into usage_partials (source_file, ${HALF_TABLES.partials.join(', ')})
        select @file, ${moved(HALF_TABLES.partials, ['first_row', 'last_row'])} from half.partials order by rowid`).run({ file, offset })
      s.prepare(`insert into usage_rows (${HALF_TABLES.usage_rows.join(', ')})
        select ${moved(HALF_TABLES.usage_rows, ['source_row'])} from half.usage_rows order by rowid`).run({ file, offset })
      s.prepare(`insert into findings (${HALF_TABLES.findings.join(', ')})
        select ${moved(HALF_TABLES.findings, ['row'])} from half.findings order by rowid`).run({ offset })
    })()
  } finally {
    s.exec('detach database half')
  }
}
