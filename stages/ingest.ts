/**
 * Ingest: streams every discovered file, validates each row with its kind's zod schema, and loads the good rows
 * (stages/load.ts). SPEC §2 is the contract; §6 row accounting: for every file rows = accepted + rejected.
 *
 * In: DiscoveredFile[] from discover (period files by name, then reference files). Out: one input_files row per
 * file, the staging tables filled, duplicate reconciliation lines marked, and the findings:
 * - UNREADABLE_FILE (row 1) for a file that cannot be used at all; its rows all count as rejected and nothing
 *   from it stays loaded (rows already inserted are removed);
 * - MISSING_COLUMN (row 1), one per file, naming every missing required column; all its rows rejected;
 * - REJECTED_ROW per bad row, at its Excel row (header = 1, blank lines counted), with the first bad column as
 *   `Name (Letter)` and its value; the message lists EVERY problem of the row;
 * - DUPLICATE_LINE per repeated reconciliation line (still accepted).
 * Memory does not grow with rows: rows are validated and inserted one at a time; usage rows are summed
 * (stages/usage-totals.ts), and a big usage CSV is read by two threads while the next files load
 * (stages/usage-split.ts; a gzip one is unpacked first, stages/usage-gunzip.ts). A file's findings are returned,
 * except past FINDINGS_HELD (stages/file-ingest.ts): those are stored as they come, and taken back with the
 * file's rows when it is read again. Never throws for bad input.
 */
import { rmSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunContext, StageResult } from '../pipeline/context.js'
import { insertFindings, removeIngestFindings } from '../pipeline/findings-store.js'
import { appendFindings, finding, type Finding } from '../pipeline/diagnostics.js'
import { cellText, KINDS, type InputKind } from '../schemas/kinds/index.js'
import type { DiscoveredFile } from './discover.js'
import { clean, FileIngest, type IngestShared } from './file-ingest.js'
import { createTableWriter, insertInputFile, markDuplicates, type InputFileRecord, type TableWriter } from './load.js'
import { sha256File } from './readers/bytes.js'
import { isBlankRecord, readCsv } from './readers/csv.js'
import { readXlsx } from './readers/xlsx.js'
import type { PartialSink } from './usage-combiner.js'
import { mainShare, readFirstPart, SPLIT_MIN_BYTES, splitPoint, splittableHeader } from './usage-split.js'
import { partialsWriter, removePartials, summariseUsage } from './usage-totals.js'
import { unpackUsage, worthUnpacking, type Unpacked } from './usage-gunzip.js'

export interface IngestSummary {
  /** `threads`: 2 when the file was read in two halves at once (stages/usage-split.ts). */
  files: { file: string; kind: string; rows: number; accepted: number; rejected: number; threads: 1 | 2 }[]
}

export async function ingest(files: DiscoveredFile[], ctx: RunContext): Promise<StageResult<IngestSummary>> {
  const read = await readFiles(files, ctx)
  const settled = await settleFiles(read, ctx)
  const findings: Finding[] = []
  for (const file of settled.files) appendFindings(findings, file.findings)
  appendFindings(findings, read.duplicates)
  return { output: settled.summary, findings }
}

/** What is left of ingest once every file but the worker's part of a split usage file is read. */
export interface IngestTail {
  /** The files read whole already (every one but a usage file split across threads), in file order. */
  read: InputFileRecord[]
  /** Waits for the usage worker(s), records every file, and returns the findings of the files it waited for. */
  finish(): Promise<StageResult<IngestSummary>>
}

/**
 * Reads every file and marks duplicate lines, but does not wait for a usage worker still reading its part of a
 * split usage file: price needs only the reconciliation lines and the reference sheets, so the pipeline prices
 * on this thread while the worker finishes (the split gives this thread less usage for it; usage-split.ts
 * `mainShare`). The findings known now come with this step, a split file's with `finish`; outputs read findings
 * in their own order (pipeline/findings-store.ts FINDING_ORDER), so they are the same either way.
 */
export async function startIngest(files: DiscoveredFile[], ctx: RunContext): Promise<StageResult<IngestTail>> {
  const read = await readFiles(files, ctx)
  const now: Finding[] = []
  for (const result of read.results) if (!('later' in result)) appendFindings(now, result.findings)
  appendFindings(now, read.duplicates)
  const finish = async (): Promise<StageResult<IngestSummary>> => {
    const settled = await settleFiles(read, ctx)
    const later: Finding[] = []
    for (const file of settled.files) if (file.deferred) appendFindings(later, file.findings)
    return { output: settled.summary, findings: later }
  }
  const whole = read.results.flatMap((r) => ('later' in r ? [] : [r.record]))
  return { output: { read: whole, finish }, findings: now }
}

interface FilesRead {
  /** In file order; a split usage file is `Deferred` until its worker is done. */
  results: (FileResult | Deferred)[]
  duplicates: Finding[]
  /** Plain copies of gzip usage files (stages/usage-gunzip.ts), removed once every file is read. */
  copies: string[]
}

async function readFiles(given: DiscoveredFile[], ctx: RunContext): Promise<FilesRead> {
  const shared = new SharedState(ctx)
  const unpacked = await unpackGzipUsage(given, ctx)
  const files = given.map((df, j) => unpacked.get(j)?.df ?? df)
  const sizes = await Promise.all(files.map((df) => fileSize(df.path)))
  shared.pricedBytes = files.reduce((n, f, j) => (f.kind === 'reconciliation' ? n + sizes[j]! : n), 0)
  const plan = (shared.plan = splitPlan(files, sizes, splitMinBytes()))
  // The side thread loads its later tasks' modules while it has nothing else to do (pipeline/side-thread-body.ts):
  // now, unless it is about to read part of a usage file; then after that part.
  if (!plan.splitting) ctx.side?.warm()
  // A split usage file finishes after the files that follow it: this thread reads them while the worker reads.
  const results: (FileResult | Deferred)[] = []
  for (const [j, df] of files.entries()) results.push(await ingestFile(df, shared, unpacked.get(j)?.sha256))
  if (plan.splitting) ctx.side?.warm()
  return { results, duplicates: markDuplicates(ctx.db), copies: [...unpacked.values()].map((u) => u.copy) }
}

/** Big gzip usage files unpacked into the work folder, by their index in `files`, so they can be split too. */
async function unpackGzipUsage(files: readonly DiscoveredFile[], ctx: RunContext): Promise<Map<number, Unpacked>> {
  const unpacked = new Map<number, Unpacked>()
  if (process.env.CSP_BILLING_USAGE_THREADS === '1') return unpacked
  for (const [j, df] of files.entries()) {
    if (df.kind !== 'usage' || df.format !== 'csv.gz') continue
    if (!(await worthUnpacking(df.path, await fileSize(df.path), splitMinBytes()))) continue
    const done = await unpackUsage(df, join(ctx.workDir, `.usage-${j}.unpacked.csv`))
    if (done !== null) unpacked.set(j, done)
  }
  return unpacked
}

/** What the shares of the split usage files are sized from (usage-split.ts `mainShare`). */
export interface SplitPlan {
  /** Whether any usage file is big enough to be split. */
  splitting: boolean
  /** Bytes of the usage files to split. */
  splitBytes: number
  /** Bytes of the other files after the first split one (reconciliation, price list, reference sheets…). */
  laterBytes: number
  /** Bytes of the usage files after the first split one that this thread reads whole (small, gzip, XLSX). */
  laterUsageBytes: number
}

/**
 * Every split file gets one share, sized from the work on both threads once the first split starts: the side
 * thread reads the second parts one after another, so a share sized per file, as if each were the only one,
 * left this thread waiting (two 470 MiB files: ~1.9 s of waiting in the `usage` step; none now). Files read
 * before the first split run while the side thread is still starting. A file that `splitPoint` then declines to split is
 * read whole here though its bytes counted as split: rare (too few lines), and it only costs balance.
 */
export function splitPlan(files: readonly DiscoveredFile[], sizes: readonly number[], minBytes: number): SplitPlan {
  const split = files.map((df, j) => splittable(df) && sizes[j]! >= minBytes)
  const first = split.indexOf(true)
  const after = (j: number): boolean => first >= 0 && j > first
  let splitBytes = 0
  let laterBytes = 0
  let laterUsageBytes = 0
  files.forEach((df, j) => {
    if (split[j]) splitBytes += sizes[j]!
    else if (after(j) && df.kind === 'usage') laterUsageBytes += sizes[j]!
    else if (after(j) && df.kind !== 'ignored' && df.kind !== 'unreadable') laterBytes += sizes[j]!
  })
  return { splitting: first >= 0, splitBytes, laterBytes, laterUsageBytes }
}

/** Waits for the split files, records every file in file order, and sums the usage partials. */
async function settleFiles(read: FilesRead, ctx: RunContext): Promise<{ summary: IngestSummary; files: { findings: Finding[]; deferred: boolean }[] }> {
  const summary: IngestSummary = { files: [] }
  const files: { findings: Finding[]; deferred: boolean }[] = []
  for (const result of read.results) {
    const deferred = 'later' in result
    const { record, findings } = deferred ? await result.later() : result
    insertInputFile(ctx.db, record)
    files.push({ findings, deferred })
    summary.files.push({ file: record.file, kind: record.kind, rows: record.rows, accepted: record.accepted, rejected: record.rejected, threads: record.threads ?? 1 })
  }
  summariseUsage(ctx.db)
  for (const copy of read.copies) rmSync(copy, { force: true })
  return { summary, files }
}

/** State that spans files: table writers, the next recon line_id, the keys seen in reference sheets. */
class SharedState implements IngestShared {
  private writers = new Map<InputKind, TableWriter>()
  nextLineId = 1
  /** What the shares of split usage files are sized from (`splitPlan`). */
  plan: SplitPlan = { splitting: false, splitBytes: 0, laterBytes: 0, laterUsageBytes: 0 }
  /** Bytes of the reconciliation files, which price reads on this thread before the split's worker is waited for. */
  pricedBytes = 0
  /** Per kind: lower-cased key → where it was first seen (SPEC §2: a repeated key rejects later rows). */
  keys = new Map<InputKind, Map<string, string>>()
  readonly periodStart: string
  readonly periodEnd: string
  constructor(readonly ctx: RunContext) {
    this.periodStart = ctx.periodStart
    this.periodEnd = ctx.periodEnd
  }
  writer(kind: InputKind): TableWriter {
    let w = this.writers.get(kind)
    if (!w) this.writers.set(kind, (w = createTableWriter(this.ctx.db, kind)))
    return w
  }
  partials(file: string): PartialSink {
    return partialsWriter(this.ctx.db, file)
  }
  findings(): (batch: Finding[]) => void {
    return (batch) => insertFindings(this.ctx.db, batch)
  }
  keysOf(kind: InputKind): Map<string, string> {
    let k = this.keys.get(kind)
    if (!k) this.keys.set(kind, (k = new Map()))
    return k
  }
}

interface FileResult {
  record: InputFileRecord & { threads?: 2 }
  findings: Finding[]
}

/** A file whose second half is still being read by a worker thread. */
interface Deferred {
  later(): Promise<FileResult>
}

/** `sha256`: the file's own hash when `df` reads an unpacked copy of it. */
async function ingestFile(df: DiscoveredFile, shared: SharedState, sha256?: string): Promise<FileResult | Deferred> {
  const progress = shared.ctx.progress
  if (!progress || df.kind === 'ignored' || df.kind === 'unreadable') return ingestFileQuietly(df, shared, sha256)
  progress.fileStart(df.file, await fileSize(df.path))
  const result = await ingestFileQuietly(df, shared, sha256)
  if ('later' in result) {
    return {
      async later() {
        const done = await result.later()
        progress.fileEnd(df.file, done.record.rows)
        return done
      },
    }
  }
  progress.fileEnd(df.file, result.record.rows)
  return result
}

async function fileSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return 0
  }
}

async function ingestFileQuietly(df: DiscoveredFile, shared: SharedState, sha256?: string): Promise<FileResult | Deferred> {
  if (df.kind === 'ignored' || df.format === 'other') {
    return { record: emptyRecord(df, 'ignored', await sha256File(df.realPath ?? df.path)), findings: [] }
  }
  if (df.kind === 'unreadable') return unreadable(df, df.reason ?? 'it cannot be read', await countRows(df), await sha256File(df.realPath ?? df.path))
  const kind = df.kind
  const attempt = await readFile(df, kind, shared, undefined)
  if ('later' in attempt) return { later: async () => settle(df, kind, shared, await attempt.later(), sha256) }
  return settle(df, kind, shared, attempt, sha256)
}

/**
 * The file's record and findings from its first read, after reading it again as long as a read says so: a read
 * again by papaparse (text the fast tokenizer leaves to it) may meet invalid UTF-8 after its first chunk, and was
 * then kept with only the rows before it (diff review: 296 of 1,790 lines gone, exit 0). Each kind of read again
 * is asked for at most once, so this ends.
 */
async function settle(df: DiscoveredFile, kind: InputKind, shared: SharedState, first: Attempt, sha256?: string): Promise<FileResult> {
  let attempt = first
  const how: Again = {}
  while (attempt.outcome === 'not-utf8' || attempt.outcome === 'reread' || attempt.outcome === 'again') {
    // Invalid UTF-8 after the first chunk (SPEC §2), text the fast tokenizer leaves to papaparse, or a failed
    // worker thread: what was loaded is thrown away and the file read again. Read again for invalid UTF-8, the
    // file's text is decoded as readers/encoding.ts `Utf8Or1252Decoder` says (a UTF-8 export with a stray
    // Windows byte keeps its UTF-8, so a resend that differs from the original by one such byte is still a
    // DUPLICATE_LINE of it line for line).
    attempt.rollback()
    const asked = attempt.outcome === 'not-utf8' ? 'windows1252' : attempt.outcome === 'reread' ? 'general' : 'oneThread'
    if (how[asked] === true) {
      return unreadable(df, `it could not be read to its end (a read ${asked === 'windows1252' ? 'as Windows-1252' : asked === 'general' ? 'by the general CSV reader' : 'in one thread'} asked to be read again)`, attempt.file.rows, sha256 ?? (await sha256File(df.path)))
    }
    how[asked] = true
    const again = await readFile(df, kind, shared, how)
    if ('later' in again) throw new Error('a second read is never split') // programmer error
    attempt = again
  }
  if (typeof attempt.outcome === 'object') {
    attempt.rollback()
    return unreadable(df, attempt.outcome.reason, attempt.file.rows, sha256 ?? (await sha256File(df.path)))
  }
  const f = attempt.file
  return {
    record: {
      file: df.file, kind, sha256: sha256 ?? attempt.sha256, rows: f.rows, accepted: f.accepted, rejected: f.rejected,
      unknownColumns: f.header?.unknown ?? [], ...(attempt.threads === 2 ? { threads: 2 as const } : {}),
    },
    findings: f.findings,
  }
}

interface Attempt {
  outcome: 'ok' | 'not-utf8' | 'reread' | 'again' | { reason: string }
  file: FileIngest
  sha256: string
  rollback(): void
  threads?: 2
}

/**
 * Whether a file may be read by two threads: a usage CSV, unless CSP_BILLING_USAGE_THREADS=1 (one thread). Only
 * from splitMinBytes() on, and `splitPoint` may still decline (a file with too few lines).
 */
function splittable(df: DiscoveredFile): boolean {
  return df.kind === 'usage' && df.format === 'csv' && process.env.CSP_BILLING_USAGE_THREADS !== '1'
}

/** CSP_BILLING_USAGE_SPLIT_BYTES moves the size from which a usage file is split. */
const splitMinBytes = (): number => Number(process.env.CSP_BILLING_USAGE_SPLIT_BYTES ?? SPLIT_MIN_BYTES)

/**
 * How a file is read again, each as a read before asked: as not valid UTF-8 (readers/encoding.ts), by papaparse,
 * or without a worker thread (any read again is in one thread).
 */
interface Again {
  windows1252?: boolean
  general?: boolean
  oneThread?: boolean
}

async function readFile(df: DiscoveredFile, kind: InputKind, shared: SharedState, how: Again | undefined): Promise<Attempt | { later(): Promise<Attempt> }> {
  const firstLineId = shared.nextLineId
  const file = new FileIngest(df.file, KINDS[kind], shared)
  const progress = shared.ctx.progress
  const report = progress ? (_records: number, bytes: number) => progress.fileAdvance(df.file, file.rows, bytes) : undefined
  const rollback = () => {
    shared.writer(kind).removeFile(df.file)
    removeIngestFindings(shared.ctx.db, df.file)
    if (kind === 'usage') removePartials(shared.ctx.db, df.file)
    // Only reconciliation lines take line ids, and they are never read in a deferred split.
    if (kind === 'reconciliation') shared.nextLineId = firstLineId
    file.forgetKeys()
  }
  if (df.format === 'xlsx') {
    // exceljs reads the zip itself: the hash is a second read of the file, done while it parses.
    const hashing = sha256File(df.path)
    const outcome = await readXlsx(df.path, (cells, rowNumber, sheet) => file.onRecord(cells, rowNumber, null, false, sheet), report)
    file.finish()
    const bad = outcome.status === 'unreadable' ? { reason: outcome.reason } : file.unreadable
    return { outcome: bad ?? 'ok', file, sha256: await hashing, rollback }
  }
  if (how === undefined && splittable(df)) {
    // A big usage file: this thread reads a first part, a worker thread the rest (stages/usage-split.ts).
    const size = await fileSize(df.path)
    const { plan } = shared
    const share = mainShare(plan.splitBytes, plan.laterBytes, shared.pricedBytes, plan.laterUsageBytes)
    const splitAt = await splitPoint(df.path, size, splitMinBytes(), share)
    const names = splitAt === null ? null : await splittableHeader(df.path)
    const advance = progress ? (rows: number, bytes: number) => progress.fileAdvance(df.file, rows, bytes) : undefined
    const first = names === null ? null : await readFirstPart(shared.ctx.db, df.path, splitAt!, file, names, advance, shared.ctx.side)
    if (first !== null) {
      return {
        async later(): Promise<Attempt> {
          const outcome = await first.finish()
          if (outcome === 'again' || outcome.status === 'not-utf8' || outcome.status === 'reread') {
            return { outcome: outcome === 'again' ? 'again' : outcome.status, file, sha256: outcome === 'again' ? '' : outcome.sha256, rollback }
          }
          const bad = outcome.status === 'unreadable' ? { reason: outcome.reason } : file.unreadable
          return { outcome: bad ?? 'ok', file, sha256: outcome.sha256, rollback, threads: 2 }
        },
      }
    }
  }
  const options = { gzip: df.format === 'csv.gz', progress: report, ...(how?.windows1252 === true ? { encoding: 'windows-1252' as const } : {}), general: how?.general === true }
  const outcome = await readCsv(
    df.path,
    options,
    (cells, index, problem) => file.onRecord(cells, index + 1, problem, true),
    (record, index) => file.onView(record, index + 1),
  )
  file.finish()
  if (outcome.status === 'not-utf8' || outcome.status === 'reread') return { outcome: outcome.status, file, sha256: outcome.sha256, rollback }
  const bad = outcome.status === 'unreadable' ? { reason: outcome.reason } : file.unreadable
  return { outcome: bad ?? 'ok', file, sha256: outcome.sha256, rollback }
}

function emptyRecord(df: DiscoveredFile, kind: string, sha256: string): InputFileRecord {
  return { file: df.file, kind, sha256, rows: 0, accepted: 0, rejected: 0, unknownColumns: [] }
}

function unreadable(df: DiscoveredFile, reason: string, rows: number, sha256: string): FileResult {
  return {
    record: { ...emptyRecord(df, 'unreadable', sha256), rows, rejected: rows },
    findings: [
      finding('UNREADABLE_FILE', {
        file: df.file,
        row: 1,
        message: `${df.file} cannot be used: ${clean(reason)}. None of its rows are used.`,
      }),
    ],
  }
}

/** Data rows of a file that cannot be used (SPEC §2: all rejected), when its text can be read; else 0. */
async function countRows(df: DiscoveredFile): Promise<number> {
  let records = 0
  let headerSeen = false
  const count = (blank: boolean) => {
    if (blank) return
    if (headerSeen) records++
    else headerSeen = true
  }
  const path = df.realPath ?? df.path // a name that is not UTF-8: its rows are counted all the same (diff review)
  if (df.format === 'xlsx') {
    await readXlsx(path, (cells) => count(cells.every((c) => cellText(c).trim() === '')))
    return records
  }
  if (df.format !== 'csv' && df.format !== 'csv.gz') return 0
  const gzip = df.format === 'csv.gz'
  const options: { gzip: boolean; encoding?: 'windows-1252'; general?: boolean } = { gzip }
  for (let reads = 0; reads < 3; reads++) {
    records = 0
    headerSeen = false
    const outcome = await readCsv(path, options, (cells) => count(isBlankRecord(cells)))
    if (outcome.status === 'not-utf8') options.encoding = 'windows-1252'
    else if (outcome.status === 'reread') options.general = true
    else break
  }
  return records
}
