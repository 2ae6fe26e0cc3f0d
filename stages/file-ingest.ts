/**
 * One file's rows (SPEC §2; stages/ingest.ts runs it per file): header mapping once, then per row: shape checks,
 * projection onto the kind's columns, zod validation, cross-row key check, then load — a table row, or for usage
 * the combiner's sums (stages/usage-combiner.ts). Keeps counters and the file's findings; never throws for bad
 * input. Kept light to import: the worker thread of a split usage file (stages/usage-half.ts) runs it too.
 */
import { parseDate } from '../pipeline/dates.js'
import { canonical, Decimal } from '../pipeline/money.js'
import { clip, columnLetter, finding, type Finding } from '../pipeline/diagnostics.js'
import { FINDINGS_HELD } from '../pipeline/findings-store.js'
import { collectGarbageAbove, HEAP_SOFT_CAP } from '../pipeline/gc.js'
import { judgeHeader } from '../schemas/kinds/header-verdict.js'
import { cellText, headerKey, mapHeader, type HeaderMap, type InputKind, type KindDef, type RawCell } from '../schemas/kinds/index.js'
import { storedAsWritten, type RowValues } from '../schemas/kinds/columns.js'
import { normaliseChargeType } from '../schemas/kinds/reconciliation.js'
import { rowKey, rowKeyOrder, type RowKeyOrder, type TableWriter } from './load.js'
import { CellMemo, isBlankRecord, type CsvRecord } from './readers/csv-fast.js'
import type { XlsxRowContext } from './readers/xlsx.js'
import { TOTAL_KEY, UsageCombiner, type PartialSink } from './usage-combiner.js'

/** Rejected rows between two checks of the heap (a power of 2; pipeline/gc.ts HEAP_SOFT_CAP). */
const GC_CHECK_EVERY = 1024

/** Excel's limit on the characters of one cell (SPEC §2). */
const MAX_CELL = 32_767

/** What one file's ingest needs from the rest of the run. */
export interface IngestShared {
  writer(kind: InputKind): TableWriter
  /** Where a usage file's group sums go (stages/usage-totals.ts). */
  partials(file: string): PartialSink
  /** Where a file's findings go past FINDINGS_HELD (the staging DB, or the worker's channel to it). */
  findings(file: string): (batch: Finding[]) => void
  keysOf(kind: InputKind): Map<string, string>
  nextLineId: number
  readonly periodStart: string
  readonly periodEnd: string
}

/** One file's rows, counters and findings (see the top of this file). */
export class FileIngest {
  /**
   * `byText`: positions of the header's columns the row key compares by `keyText`: the columns no schema column
   * reads, whose values are not parsed, so a date or a number a spreadsheet wrote is still text there.
   */
  header: (HeaderMap & { names: string[]; keyOrder: RowKeyOrder; byText: number[]; dateNamed: ReadonlySet<number> }) | null = null
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
  /**
   * Schema columns the product parses or normalises (numbers, dates, case-folded ids and codes): DUPLICATE_LINE
   * compares their stored values, not their text, so a resend whose CustomerId is upper-cased is the same line.
   */
  private readonly parsedColumns: number[]
  /** Schema columns kept as written (ids, names): compared by `keyText` too, with what it folded kept apart (row_variant). */
  private readonly asWrittenColumns: number[]
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
    this.spill = shared.findings(file)
    this.params = new Array(2 + def.columns.length + (def.kind === 'reconciliation' ? 4 : 0))
    const at = (name: string) => def.columns.findIndex((c) => c.name === name)
    this.keyColumn = def.uniqueKey ? at(def.uniqueKey) : -1
    this.parsedColumns = def.columns.flatMap((c, i) => (storedAsWritten(c) ? [] : [i]))
    this.asWrittenColumns = def.columns.flatMap((c, i) => (storedAsWritten(c) ? [i] : []))
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

  /** The used cells of the record before, for `textRemembered` (fast CSV path). */
  private cellMemo: CellMemo | null = null
  private usageDateColumn = -1
  private quantityColumn = -1
  private amountColumn = -1

  /**
   * Days from a serial date of the workbook's date system to the same serial in Excel's default 1900 system
   * (parseDate's): 1462 in a 1904-system workbook (old Mac Excel), whose bare serials (no date format: exceljs
   * converts the formatted ones itself) were read four years early.
   */
  private serialShift = 0
  /** The current workbook row's unreadable cells: only one in a column the kind reads rejects the row. */
  private cellProblems: ReadonlyMap<number, string> | null = null

  /** `sheet`: for a workbook row, its unreadable cells and the workbook's date system. */
  onRecord(cells: RawCell[], row: number, problem: string | null, isCsv: boolean, sheet?: XlsxRowContext): void {
    this.serialShift = sheet?.date1904 === true ? 1462 : 0
    this.cellProblems = sheet?.cellProblems ?? null
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

  /** Keeps a finding, handing the held ones to the DB once there are more than FINDINGS_HELD. */
  private note(f: Finding): void {
    this.findings.push(f)
    if (this.findings.length > FINDINGS_HELD) this.spill(this.findings.splice(0))
  }

  private spill: (batch: Finding[]) => void

  private count(problems: Finding | null): void {
    if (problems !== null) {
      this.rejected++
      this.note(problems)
      // A rejected row makes several KB of garbage (every cell decoded, a message), faster than V8 collects it by
      // default: all 200,000 rows of a usage file rejected peaked at 545 MiB RSS. So collect past HEAP_SOFT_CAP.
      if ((this.rejected & (GC_CHECK_EVERY - 1)) === 0) collectGarbageAbove(HEAP_SOFT_CAP)
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
    // Only columns the kind does not read: a read text column is an id or a name, compared as written (SPEC §2:
    // SkuId `0001` ≠ `1`; folded, a line for SKU 1 was dropped as a duplicate of SKU 0001's; checks review).
    const read = new Set(map.indexes.filter((i) => i >= 0))
    const byText = names.flatMap((_, i) => (read.has(i) ? [] : [i]))
    // Microsoft names its date columns …Date; in a workbook such a column may hold bare serial numbers.
    const dateNamed = new Set(byText.filter((i) => headerKey(names[i]!).endsWith('date')))
    // A column the kind reads counts under its own name, not the alias the file used: a resend whose export
    // called Tier2MpnId ResellerMpnId was no duplicate and was invoiced twice (review).
    const keyNames = names.map(headerKey)
    map.indexes.forEach((i, c) => {
      if (i >= 0) keyNames[i] = headerKey(this.def.columns[c]!.name)
    })
    this.header = { ...map, names, keyOrder: rowKeyOrder(keyNames), byText, dateNamed }
    if (map.missing.length > 0) {
      this.missing = true
      const list = map.missing.join(', ')
      this.note(
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
      // No ids from its cells: they are shifted, and would name another customer or subscription (an OrderId
      // as the reseller, a date as the subscription).
      return this.reject(row, null, null, `the row has ${cells.length} cells but the header has ${width}, so its values do not line up with the columns`, [])
    }
    // The cells line up from here: a row rejected below is still the first with its key (claimKey).
    const reject = (column: number | null, value: RawCell, message: string): Finding => {
      if (this.keyColumn >= 0) this.claimKey(cells[header.indexes[this.keyColumn]!], `${this.file} row ${row} (itself rejected)`)
      return this.reject(row, column, value, message, cells)
    }
    if (!isCsv && cells.length > width) {
      for (let i = width; i < cells.length; i++) {
        if (cellText(cells[i]).trim() !== '') return reject(i, cells[i], 'holds a value to the right of the last header column')
      }
    }
    if (problem !== null) return reject(null, null, problem)
    const unreadable = this.cellProblems
    if (unreadable !== null) {
      for (const i of header.indexes) {
        const why = i < 0 ? undefined : unreadable.get(i)
        if (why !== undefined) return reject(null, null, why)
      }
    }
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i]
      if (typeof cell === 'string' && cell.length > MAX_CELL) {
        return reject(i, cell, `has ${cell.length} characters, more than Excel's limit of ${MAX_CELL}`)
      }
    }

    const indexes = header.indexes
    const projected: RawCell[] = new Array(indexes.length)
    for (let c = 0; c < indexes.length; c++) {
      const i = indexes[c]!
      const cell = i < 0 ? undefined : cells[i]
      if (typeof cell === 'string' && cell.includes('\uFFFD')) {
        return reject(i, cell, 'contains U+FFFD, the replacement character (the text was damaged before export)')
      }
      projected[c] = this.serialShift !== 0 && typeof cell === 'number' && this.def.columns[c]!.type === 'date' ? cell + this.serialShift : cell
    }

    return this.validateProjected(projected, row, () => cells, isCsv)
  }

  /** The same checks as `validate` on a fast-tokenizer record; any row off the common case goes through `validate`. */
  private validateView(record: CsvRecord, row: number): Finding | null {
    const header = this.header!
    const width = header.names.length
    if (record.count !== width) return this.validate(record.all(), row, null, true)
    if (record.byteLength(-1) > MAX_CELL) {
      // Only a line longer than Excel's cell limit can hold a cell that is.
      for (let i = 0; i < width; i++) {
        if (record.byteLength(i) > MAX_CELL) return this.validate(record.all(), row, null, true)
      }
    }
    const indexes = header.indexes
    const projected: RawCell[] = new Array(indexes.length)
    const memo = (this.cellMemo ??= new CellMemo(indexes.length))
    for (let c = 0; c < indexes.length; c++) {
      const i = indexes[c]!
      if (i < 0) continue
      const cell = record.textRemembered(i, memo, c)
      // U+FFFD comes from non-ASCII bytes only: an ASCII record (most usage rows) skips the search.
      if (!record.ascii && cell.includes('\uFFFD')) return this.validate(record.all(), row, null, true)
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
      // A rejected row is still the first with its key (SPEC §2: a repeated key "rejects every row after the
      // first"): a later row with the id was used in its place, silently (an old reseller row's price book, tax
      // and terms were invoiced when the current row had "8.25%"; reference review).
      if (this.keyColumn >= 0) this.claimKey(projected[this.keyColumn], `${this.file} row ${row} (itself rejected)`)
      return this.reject(row, first.i, first.value, text, cells, true)
    }
    const values = parsed.data

    if (this.keyColumn >= 0) {
      const key = String(values[this.keyColumn]).toLowerCase()
      const seen = this.shared.keysOf(this.def.kind).get(key)
      const keyIndex = indexes[this.keyColumn]!
      if (seen !== undefined) {
        const cells = allCells()
        const why = seen.endsWith('(itself rejected)')
          ? `repeats ${seen}; only the first row with this ${this.def.uniqueKey} counts: correct that row`
          : `repeats ${seen}; only the first row with this ${this.def.uniqueKey} is used`
        return this.reject(row, keyIndex, cells[keyIndex], why, cells)
      }
      this.shared.keysOf(this.def.kind).set(key, `${this.file} row ${row}`)
      this.newKeys.push(key)
    }

    if (this.totals !== null) return this.sum(values, row)
    // One parameter array per file, refilled per row: better-sqlite3 binds it synchronously (less garbage).
    const params = this.fill(values, row)
    if (this.def.kind === 'reconciliation') {
      const cells = allCells()
      const texts = isCsv ? [...(cells as string[])] : header.names.map((_, i) => xlsxKeyText(cells[i], header.dateNamed.has(i), this.serialShift))
      // Numbers and dates count by their value: a resend saved as XLSX has date cells (2026-10-04 where the CSV
      // says 10/04/2026) and was billed twice; 50.00 and 50 are one amount too.
      for (const c of this.parsedColumns) {
        const column = header.indexes[c]!
        if (column >= 0) texts[column] = values[c] === null ? '' : String(values[c])
      }
      // The other columns hold dates and digits too, which a resend saved as XLSX turns into date and number cells
      // (PCToBCExchangeRateDate; SkuId 0001 → 1 unless typed as text): compared by value like the parsed ones.
      for (const column of header.byText) texts[column] = keyText(texts[column] ?? '')
      // ChargeType is case-insensitive (SPEC §2), but stored as written for display: compared folded.
      const chargeType = header.indexes[this.chargeTypeColumn]!
      if (chargeType >= 0) texts[chargeType] = String(values[this.chargeTypeColumn]).toLowerCase()
      // Ids and names by value too, what that folded kept apart: Excel re-saving a CSV drops SkuId 0024's zeros,
      // and the copy beside the original was billed twice (real-samples review). markDuplicates counts such a
      // line as a copy only when it comes from another file: within one export SKU 1 and SKU 0001 are two lines.
      let variant: string | null = null
      for (const c of this.asWrittenColumns) {
        const column = header.indexes[c]!
        if (column < 0) continue
        const written = (texts[column] ?? '').trim()
        const folded = keyText(written)
        if (folded === written) continue
        texts[column] = folded
        const part = `${this.def.columns[c]!.name} ${written}`
        variant = variant === null ? part : `${variant}, ${part}`
      }
      const at = values.length + 2
      params[at] = this.shared.nextLineId++
      params[at + 1] = normaliseChargeType(String(values[this.chargeTypeColumn]))
      params[at + 2] = rowKey(header.keyOrder, texts)
      params[at + 3] = variant
    }
    this.writer.add(params)
    return null
  }

  /** Records the key of a rejected row, read from its cell as the schema reads it (trimmed), unless already seen. */
  private claimKey(cell: RawCell | undefined, where: string): void {
    if (cell === null || cell === undefined) return
    const key = cellText(cell).trim().toLowerCase()
    if (key === '' || this.shared.keysOf(this.def.kind).has(key)) return
    this.shared.keysOf(this.def.kind).set(key, where)
    this.newKeys.push(key)
  }

  private fill(values: RowValues, row: number): unknown[] {
    const params = this.params
    params[0] = this.file
    params[1] = row
    for (let c = 0; c < values.length; c++) params[c + 2] = values[c]
    return params
  }

  /** A usage row is summed; only a row dated outside the period is also stored whole (its own finding). */
  private sum(values: RowValues, row: number): null {
    const key = this.totalsKey
    for (let k = 0; k < key.length; k++) {
      const c = this.totalsColumns[k]!
      key[k] = c < 0 ? null : (values[c] as string | null)
    }
    const inPeriod = this.totals!.inPeriod(values[this.usageDateColumn] as string)
    if (!inPeriod) this.writer.add(this.fill(values, row))
    this.totals!.add(key, row, inPeriod, values[this.quantityColumn] as string, values[this.amountColumn] as string)
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

  /** The header as already read by another thread (the second half of a split usage file). */
  useHeader(names: string[]): void {
    this.readHeader(names)
  }

  /** Adds the counters and findings of the file's second half, read in a worker thread; its rows move by `offset`. */
  adoptHalf(half: { rows: number; accepted: number; rejected: number; findings: Finding[] }, offset: number): void {
    this.rows += half.rows
    this.accepted += half.accepted
    this.rejected += half.rejected
    for (const f of half.findings) this.note({ ...f, row: f.row + offset })
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
export function clean(text: string): string {
  return text.includes('\uFFFD') ? text.replaceAll('\uFFFD', '\\uFFFD') : text
}

function shorten(text: string): string {
  return text.length > 200 ? `${clip(text, 200)}… (${text.length} characters)` : text
}

const LOOKS_LIKE_DATE = /^\d{1,4}[/-]\d{1,2}[/-]\d{1,4}/
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?$/

/**
 * A text cell's text as DUPLICATE_LINE compares it: a date as its ISO day (`10/01/2026` = an XLSX date cell,
 * whose text is `2026-10-01`), a plain number as its canonical decimal (`1.50` = the number cell 1.5; SkuId
 * `0001` = the number cell 1, which is what a spreadsheet saves it as), anything else as it is. The key only: the
 * line keeps its SkuId as written (SPEC §2: `0001` ≠ `1` for pricing). Never an error: text that does not parse
 * stays text.
 */
export function keyText(cell: string): string {
  const text = cell.trim() // as rowKey compares it
  // Most cells are names, GUIDs and codes: the character after the leading digits rules out a date or a number at
  // once (the 1.45 million such cells of the bench month's 50,000 lines: a regex or two each cost ~0.1 s).
  const n = text.length
  let i = text.charCodeAt(0) === 45 || text.charCodeAt(0) === 43 ? 1 : 0
  while (i < n && isDigit(text.charCodeAt(i))) i++
  if (i === n) {
    if (n === 0 || !isDigit(text.charCodeAt(0))) return numberText(text) // signed, or a sign alone
    // A digits-only id (SkuId 0001, an MPN id): its value, without decimal.js.
    let start = 0
    while (start < n - 1 && text.charCodeAt(start) === 48) start++
    return start === 0 ? text : text.slice(start)
  }
  const next = text.charCodeAt(i)
  if (next === 47 || (next === 45 && i > 0)) {
    if (!LOOKS_LIKE_DATE.test(text)) return text
    const date = parseDate(text)
    return typeof date === 'string' ? date : text
  }
  // 1.50; 204531737e13, a hex id a spreadsheet saves as the number 2.04531737e+21
  return next === 46 || next === 101 || next === 69 ? numberText(text) : text
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57

/**
 * A workbook cell's text for the row key: as cellText, except a bare serial number (no date format) in a column
 * named …Date, which is that day (SPEC §2: XLSX date cells with or without a date format). Without it, a resend
 * saved as XLSX with PCToBCExchangeRateDate as General-format serials was billed twice.
 */
function xlsxKeyText(cell: RawCell, dateNamed: boolean, serialShift: number): string {
  if (dateNamed && typeof cell === 'number') {
    const date = parseDate(cell + serialShift)
    if (typeof date === 'string') return date
  }
  return cellText(cell)
}

/** A number's canonical decimal (exponent and any magnitude allowed: this is a key, not an amount), else the text. */
function numberText(text: string): string {
  return NUMBER.test(text) ? canonical(new Decimal(text)) : text
}
