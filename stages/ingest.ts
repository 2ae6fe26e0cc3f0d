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
 * Memory does not grow with rows: rows are validated and inserted one at a time (findings are kept).
 * Never throws for bad input.
 */
import { stat } from 'node:fs/promises'
import type { RunContext, StageResult } from '../pipeline/context.js'
import { columnLetter, finding, type Finding } from '../pipeline/diagnostics.js'
import { cellText, KINDS, mapHeader, type HeaderMap, type InputKind, type KindDef, type RawCell } from '../schemas/kinds/index.js'
import { headerKey } from '../schemas/kinds/index.js'
import { normaliseChargeType } from '../schemas/kinds/reconciliation.js'
import type { DiscoveredFile } from './discover.js'
import { createTableWriter, insertInputFile, markDuplicates, rowKey, rowKeyOrder, type InputFileRecord, type RowKeyOrder, type TableWriter } from './load.js'
import { sha256File } from './readers/bytes.js'
import { isBlankRecord, readCsv } from './readers/csv.js'
import type { CsvRecord } from './readers/csv-fast.js'
import { partialsWriter, removePartials, summariseUsage, TOTAL_KEY, UsageCombiner, type PartialSink } from './usage-totals.js'
import { judgeHeader } from './readers/header.js'
import { readXlsx } from './readers/xlsx.js'

export interface IngestSummary {
  files: { file: string; kind: string; rows: number; accepted: number; rejected: number }[]
}

/** Excel's limit on the characters of one cell (SPEC §2). */
const MAX_CELL = 32_767

export async function ingest(files: DiscoveredFile[], ctx: RunContext): Promise<StageResult<IngestSummary>> {
  const shared = new SharedState(ctx)
  const findings: Finding[] = []
  const summary: IngestSummary = { files: [] }
  for (const df of files) {
    const { record, findings: fileFindings } = await ingestFile(df, shared)
    insertInputFile(ctx.db, record)
    findings.push(...fileFindings)
    summary.files.push({ file: record.file, kind: record.kind, rows: record.rows, accepted: record.accepted, rejected: record.rejected })
  }
  findings.push(...markDuplicates(ctx.db))
  summariseUsage(ctx.db)
  return { output: summary, findings }
}

/** What one file's ingest needs from the rest of the run. */
export interface IngestShared {
  writer(kind: InputKind): TableWriter
  /** Where a usage file's group sums go (stages/usage-totals.ts). */
  partials(file: string): PartialSink
  keysOf(kind: InputKind): Map<string, string>
  nextLineId: number
  readonly periodStart: string
  readonly periodEnd: string
}

/** State that spans files: table writers, the next recon line_id, the keys seen in reference sheets. */
class SharedState implements IngestShared {
  private writers = new Map<InputKind, TableWriter>()
  nextLineId = 1
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
  keysOf(kind: InputKind): Map<string, string> {
    let k = this.keys.get(kind)
    if (!k) this.keys.set(kind, (k = new Map()))
    return k
  }
}

interface FileResult {
  record: InputFileRecord
  findings: Finding[]
}

async function ingestFile(df: DiscoveredFile, shared: SharedState): Promise<FileResult> {
  const progress = shared.ctx.progress
  if (!progress || df.kind === 'ignored' || df.kind === 'unreadable') return ingestFileQuietly(df, shared)
  progress.fileStart(df.file, await fileSize(df.path))
  const result = await ingestFileQuietly(df, shared)
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

async function ingestFileQuietly(df: DiscoveredFile, shared: SharedState): Promise<FileResult> {
  if (df.kind === 'ignored' || df.format === 'other') {
    return { record: emptyRecord(df, 'ignored', await sha256File(df.path)), findings: [] }
  }
  if (df.kind === 'unreadable') return unreadable(df, df.reason ?? 'it cannot be read', await countRows(df), await sha256File(df.path))

  let attempt = await readFile(df, df.kind, shared, undefined)
  if (attempt.outcome === 'not-utf8' || attempt.outcome === 'reread') {
    // Invalid UTF-8 after the first chunk (SPEC §2), or text the fast tokenizer leaves to papaparse: what was
    // loaded is thrown away and the file read again.
    attempt.rollback()
    attempt = await readFile(df, df.kind, shared, attempt.outcome === 'not-utf8' ? 'windows-1252' : 'general')
  }
  if (typeof attempt.outcome === 'object') {
    attempt.rollback()
    return unreadable(df, attempt.outcome.reason, attempt.file.rows, await sha256File(df.path))
  }
  const f = attempt.file
  return {
    record: {
      file: df.file, kind: df.kind, sha256: attempt.sha256, rows: f.rows, accepted: f.accepted, rejected: f.rejected,
      unknownColumns: f.header?.unknown ?? [],
    },
    findings: f.findings,
  }
}

interface Attempt {
  outcome: 'ok' | 'not-utf8' | 'reread' | { reason: string }
  file: FileIngest
  sha256: string
  rollback(): void
}

async function readFile(df: DiscoveredFile, kind: InputKind, shared: SharedState, how: 'windows-1252' | 'general' | undefined): Promise<Attempt> {
  const firstLineId = shared.nextLineId
  const file = new FileIngest(df.file, KINDS[kind], shared)
  const progress = shared.ctx.progress
  const report = progress ? (_records: number, bytes: number) => progress.fileAdvance(df.file, file.rows, bytes) : undefined
  const rollback = () => {
    shared.writer(kind).removeFile(df.file)
    if (kind === 'usage') removePartials(shared.ctx.db, df.file)
    shared.nextLineId = firstLineId
    file.forgetKeys()
  }
  if (df.format === 'xlsx') {
    const outcome = await readXlsx(df.path, (cells, rowNumber) => file.onRecord(cells, rowNumber, null, false), report)
    file.finish()
    const bad = outcome.status === 'unreadable' ? { reason: outcome.reason } : file.unreadable
    return { outcome: bad ?? 'ok', file, sha256: await sha256File(df.path), rollback }
  }
  const options = { gzip: df.format === 'csv.gz', progress: report, ...(how === 'windows-1252' ? { encoding: how } : {}), general: how === 'general' }
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

/**
 * One file's rows: header mapping once, then per row: shape checks, projection onto the kind's columns, zod
 * validation, cross-row key check, insert. Keeps counters and the file's findings.
 */
export class FileIngest {
  header: (HeaderMap & { names: string[]; keyOrder: RowKeyOrder }) | null = null
  /** Set when the header makes the file unusable: rows are then only counted. */
  unreadable: { reason: string } | null = null
  missing = false
  rows = 0
  accepted = 0
  rejected = 0
  findings: Finding[] = []
  /** Usage files only: the exact sums of this file's accepted rows (stages/usage-totals.ts). */
  readonly totals: UsageCombiner | null
  private totalsColumns: number[] = []
  private totalsKey: (string | null)[] = []
  private newKeys: string[] = []
  private writer: TableWriter
  private params: unknown[]
  private keyColumn: number
  private customerColumn: number
  private subscriptionColumn: number
  private resellerColumn: number
  private chargeTypeColumn: number

  constructor(
    readonly file: string,
    readonly def: KindDef,
    readonly shared: IngestShared,
  ) {
    this.writer = shared.writer(def.kind)
    this.params = new Array(2 + def.columns.length + (def.kind === 'reconciliation' ? 3 : 0))
    const at = (name: string) => def.columns.findIndex((c) => c.name === name)
    this.keyColumn = def.uniqueKey ? at(def.uniqueKey) : -1
    this.customerColumn = at('CustomerId')
    this.subscriptionColumn = at('SubscriptionId')
    this.resellerColumn = def.kind === 'resellers' || def.kind === 'customers' ? at('ResellerId') : at('Tier2MpnId')
    this.chargeTypeColumn = at('ChargeType')
    this.totals = def.kind === 'usage' ? new UsageCombiner(shared.periodStart, shared.periodEnd, shared.partials(file)) : null
    if (this.totals !== null) {
      this.totalsColumns = TOTAL_KEY.map((db) => def.columns.findIndex((c) => c.db === db))
      this.totalsKey = new Array(TOTAL_KEY.length)
      this.usageDateColumn = at('UsageDate')
      this.quantityColumn = at('Quantity')
      this.amountColumn = at('BillingPreTaxTotal')
    }
  }

  private usageDateColumn = -1
  private quantityColumn = -1
  private amountColumn = -1

  onRecord(cells: RawCell[], row: number, problem: string | null, isCsv: boolean): void {
    if (isCsv ? isBlankRecord(cells as string[]) : cells.every((c) => cellText(c).trim() === '')) return
    if (this.header === null && this.unreadable === null && !this.missing) {
      this.readHeader(cells.map(cellText))
      return
    }
    this.rows++
    if (this.unreadable !== null || this.missing) {
      this.rejected++
      return
    }
    this.count(this.validate(cells, row, problem, isCsv))
  }

  /** A record of the fast CSV tokenizer: only the used cells are decoded, unless the row needs a closer look. */
  onView(record: CsvRecord, row: number): void {
    if (record.isBlank()) return
    if (this.header === null && this.unreadable === null && !this.missing) {
      this.readHeader(record.all())
      return
    }
    this.rows++
    if (this.unreadable !== null || this.missing) {
      this.rejected++
      return
    }
    this.count(this.validateView(record, row))
  }

  private count(problems: Finding | null): void {
    if (problems !== null) {
      this.rejected++
      this.findings.push(problems)
    } else {
      this.accepted++
    }
  }

  private readHeader(names: string[]): void {
    const verdict = judgeHeader(names)
    if ('reason' in verdict) {
      this.unreadable = verdict
      return
    }
    // Note: the kind comes from discover; a header of another kind now means the file changed under the run.
    if (verdict.kind !== this.def.kind) {
      this.unreadable = { reason: `its header is now that of a ${verdict.kind} file, not ${this.def.kind}` }
      return
    }
    const map = mapHeader(this.def.kind, names)
    this.header = { ...map, names, keyOrder: rowKeyOrder(names.map(headerKey)) }
    if (map.missing.length > 0) {
      this.missing = true
      const list = map.missing.join(', ')
      this.findings.push(
        finding('MISSING_COLUMN', {
          file: this.file,
          row: 1,
          column: map.missing[0] ?? null,
          value: null,
          message: `The ${this.def.kind} file has no ${list} column${map.missing.length > 1 ? 's' : ''}: none of its rows are used. Export it again with ${map.missing.length > 1 ? 'these columns' : 'this column'}.`,
        }),
      )
    }
  }

  /** Null when the row was loaded, else its REJECTED_ROW finding. */
  private validate(cells: RawCell[], row: number, problem: string | null, isCsv: boolean): Finding | null {
    const header = this.header!
    const width = header.names.length
    if (isCsv && cells.length !== width) {
      return this.reject(row, null, null, `the row has ${cells.length} cells but the header has ${width}, so its values do not line up with the columns`, cells)
    }
    if (!isCsv && cells.length > width) {
      for (let i = width; i < cells.length; i++) {
        if (cellText(cells[i]).trim() !== '') return this.reject(row, i, cells[i], 'holds a value to the right of the last header column', cells)
      }
    }
    if (problem !== null) return this.reject(row, null, null, problem, cells)
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]
      if (typeof cell === 'string' && cell.length > MAX_CELL) {
        return this.reject(row, i, cell, `has ${cell.length} characters, more than Excel's limit of ${MAX_CELL}`, cells)
      }
    }

    const indexes = header.indexes
    const projected: RawCell[] = new Array(indexes.length)
    for (let c = 0; c < indexes.length; c++) {
      const i = indexes[c]!
      const cell = i < 0 ? undefined : cells[i]
      if (typeof cell === 'string' && cell.includes('\uFFFD')) {
        return this.reject(row, i, cell, 'contains U+FFFD, the replacement character (the text was damaged before export)', cells)
      }
      projected[c] = cell
    }

    return this.validateProjected(projected, row, () => cells, isCsv)
  }

  /** The same checks as `validate` on a fast-tokenizer record; any row off the common case goes through `validate`. */
  private validateView(record: CsvRecord, row: number): Finding | null {
    const header = this.header!
    const width = header.names.length
    if (record.count !== width) return this.validate(record.all(), row, null, true)
    for (let i = 0; i < width; i++) {
      if (record.byteLength(i) > MAX_CELL) return this.validate(record.all(), row, null, true)
    }
    const indexes = header.indexes
    const projected: RawCell[] = new Array(indexes.length)
    for (let c = 0; c < indexes.length; c++) {
      const i = indexes[c]!
      if (i < 0) continue
      const cell = record.text(i)
      if (cell.includes('\uFFFD')) return this.validate(record.all(), row, null, true)
      projected[c] = cell
    }
    return this.validateProjected(projected, row, () => record.all(), true)
  }

  /** Schema, cross-row key, insert (and usage totals) for a row whose shape is fine. */
  private validateProjected(projected: RawCell[], row: number, allCells: () => RawCell[], isCsv: boolean): Finding | null {
    const header = this.header!
    const indexes = header.indexes
    const parsed = this.def.schema.safeParse(projected)
    if (!parsed.success) {
      const cells = allCells()
      const issues = parsed.error.issues.map((issue) => {
        const c = typeof issue.path[0] === 'number' ? issue.path[0] : -1
        const i = c >= 0 ? (indexes[c] ?? -1) : -1
        return { i, name: this.def.columns[c]?.name ?? '', message: issue.message, value: i >= 0 ? cells[i] : null }
      })
      const first = issues[0]!
      const text = issues.map((p) => describeProblem(p.i, p.name, p.value, p.message, header.names)).join('; ')
      return this.reject(row, first.i, first.value, text, cells, true)
    }
    const values = parsed.data

    if (this.keyColumn >= 0) {
      const key = String(values[this.keyColumn]).toLowerCase()
      const seen = this.shared.keysOf(this.def.kind).get(key)
      const keyIndex = indexes[this.keyColumn]!
      if (seen !== undefined) {
        const cells = allCells()
        return this.reject(row, keyIndex, cells[keyIndex], `repeats ${seen}; only the first row with this ${this.def.uniqueKey} is used`, cells)
      }
      this.shared.keysOf(this.def.kind).set(key, `${this.file} row ${row}`)
      this.newKeys.push(key)
    }

    // One parameter array per file, refilled per row: better-sqlite3 binds it synchronously (less garbage).
    const params = this.params
    params[0] = this.file
    params[1] = row
    for (let c = 0; c < values.length; c++) params[c + 2] = values[c]
    if (this.def.kind === 'reconciliation') {
      const cells = allCells()
      const texts = isCsv ? (cells as string[]) : header.names.map((_, i) => cellText(cells[i]))
      const at = values.length + 2
      params[at] = this.shared.nextLineId++
      params[at + 1] = normaliseChargeType(String(values[this.chargeTypeColumn]))
      params[at + 2] = rowKey(header.keyOrder, texts)
    }
    if (this.totals === null) {
      this.writer.add(params)
      return null
    }
    // A usage row is summed; only a row dated outside the period is also stored whole (its own finding).
    const key = this.totalsKey
    for (let k = 0; k < key.length; k++) {
      const c = this.totalsColumns[k]!
      key[k] = c < 0 ? null : (values[c] as string | null)
    }
    const inPeriod = this.totals.inPeriod(values[this.usageDateColumn] as string)
    if (!inPeriod) this.writer.add(params)
    this.totals.add(key, row, inPeriod, values[this.quantityColumn] as string, values[this.amountColumn] as string)
    return null
  }

  /** REJECTED_ROW: `i` is the cell's 0-based column in the file (for its letter), -1/null when the row as a whole. */
  private reject(row: number, i: number | null, value: RawCell, message: string, cells: RawCell[], composed = false): Finding {
    const names = this.header?.names ?? []
    const column = i !== null && i >= 0 ? columnLabel(i, names) : null
    const text = composed ? message : column ? describeProblem(i!, '', value, message, names) : `Row rejected: ${message}`
    const cellAt = (c: number) => {
      const idx = c >= 0 ? (this.header?.indexes[c] ?? -1) : -1
      const v = idx >= 0 ? cellText(cells[idx]).trim() : ''
      return v === '' ? null : clean(v)
    }
    return finding('REJECTED_ROW', {
      file: this.file,
      row,
      column,
      value: value === null || value === undefined ? null : shorten(clean(cellText(value))),
      customerId: cellAt(this.customerColumn),
      subscriptionId: cellAt(this.subscriptionColumn),
      resellerId: cellAt(this.resellerColumn),
      message: `${text}. The row is not used; correct it in the file and run again.`,
    })
  }

  finish(): void {
    this.writer.flush()
    this.totals?.flush()
  }

  forgetKeys(): void {
    const keys = this.shared.keysOf(this.def.kind)
    for (const k of this.newKeys) keys.delete(k)
    this.newKeys = []
  }
}

/** `UnitPrice (P)`: header name and spreadsheet letter. */
function columnLabel(i: number, names: readonly string[]): string {
  const name = (names[i] ?? '').trim()
  return `${name === '' ? 'column' : clean(name)} (${columnLetter(i)})`
}

/** One problem of a row as text that names the column and the value. */
function describeProblem(i: number, fallbackName: string, value: RawCell, message: string, names: readonly string[]): string {
  const label = i >= 0 ? columnLabel(i, names) : `${fallbackName} (missing column)`
  const text = shorten(clean(cellText(value).trim()))
  if (message.startsWith("'")) return `${label}: ${clean(message)}`
  if (text === '') return `${label} ${message}`
  return `${label} '${text}' ${message}`
}

/** U+FFFD never reaches an output (SPEC §2): shown as its code instead. */
function clean(text: string): string {
  return text.includes('\uFFFD') ? text.replaceAll('\uFFFD', '\\uFFFD') : text
}

function shorten(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}… (${text.length} characters)` : text
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
  if (df.format === 'xlsx') {
    await readXlsx(df.path, (cells) => count(cells.every((c) => cellText(c).trim() === '')))
    return records
  }
  if (df.format !== 'csv' && df.format !== 'csv.gz') return 0
  const gzip = df.format === 'csv.gz'
  const outcome = await readCsv(df.path, { gzip }, (cells) => count(isBlankRecord(cells)))
  if (outcome.status === 'not-utf8' || outcome.status === 'reread') {
    records = 0
    headerSeen = false
    const again = outcome.status === 'not-utf8' ? { gzip, encoding: 'windows-1252' as const } : { gzip, general: true }
    await readCsv(df.path, again, (cells) => count(isBlankRecord(cells)))
  }
  return records
}
