/**
 * Streaming XLSX reader (SPEC §2: "XLSX (first sheet, or the sheet named after the kind)") over exceljs's
 * WorkbookReader, so a big sheet never sits in memory.
 *
 * Sheet choice: the first visible sheet (workbook order) whose name is a kind name (`resellers`, `usage`, …; case
 * and surrounding spaces ignored), else the first visible sheet; a hidden sheet only when none is visible, since a
 * hidden sheet is usually an old copy kept out of sight (a hidden first sheet of last year's markups was billed).
 * The other visible sheets are not read; `onSheets` is told their names (the run summary names them). Cells come out as the reader's
 * values, flattened: rich text → its text, formula → its cached result, hyperlink → its text, error → the error
 * text (`#N/A`, also reported as a cell problem), date-formatted numbers → JS Date (UTC), numbers shown as a
 * percentage in a column whose header ends in Percent → the number shown, as
 * exact decimal text (0.0825 formatted `0.00%` is the 8.25 the user typed into a …Percent column, not 0.0825, which
 * billed a 15 % markup as 0.15 %), other numbers → number (parseDecimal/parseDate take numbers: serial dates).
 * A formula saved without its result (a workbook written by a script, or with calculation set to manual) has no
 * value to read: its row is handed over with a problem, and rejected, instead of the cell reading as empty (an
 * optional column would then silently take its default). So is a formula whose result is an error. Only a cell of a
 * column the product reads rejects its row: the caller decides (stages/file-ingest.ts).
 * Rows carry their real sheet row number (empty rows are simply absent), so Excel numbering is exact.
 *
 * Never throws for bad files (only a bug in the row handler is rethrown): a broken zip or a damaged sheet becomes `{ status: 'unreadable', reason }`.
 */
import { createReadStream } from 'node:fs'
import ExcelJS from 'exceljs'
import { Decimal } from 'decimal.js'
import { KIND_ORDER } from '../../schemas/kinds/index.js'
import { parseWorkbookEntries } from './xlsx-entries.js'
import type { RawCell } from '../../schemas/kinds/index.js'
import type { FilePath } from './bytes.js'

export type XlsxOutcome = { status: 'ok'; sheet: string } | { status: 'unreadable'; reason: string }

/**
 * The sheet read and the workbook's other visible worksheets, none of which is read (one sheet per workbook, SPEC
 * §2), in workbook order: pipeline/sheets-remark.ts names them in the run summary ("nothing is skipped silently").
 * Only names, from workbook.xml, which the reader parses anyway: telling an empty sheet from one with rows would
 * mean parsing every other sheet. Hidden sheets are left out: a hidden sheet is one kept out of sight on purpose
 * (usually an old copy, see chooseSheet), and naming it on every run would be noise. Chart sheets are left out
 * too: they hold no rows.
 */
export interface XlsxSheets {
  read: string
  notRead: string[]
}

/**
 * Called per non-empty sheet row with 0-based cells, the sheet's row number, the cells that cannot be read (a
 * formula without a saved result or with an error result) and the workbook's date system. Return false to stop.
 */
export type XlsxRowHandler = (cells: RawCell[], rowNumber: number, sheet: XlsxRowContext) => boolean | void

export interface XlsxRowContext {
  /** Cells that hold no value to read, by 0-based index, with why (a formula without a saved result, or an error). */
  cellProblems: ReadonlyMap<number, string> | null
  /** The workbook counts serial dates from 1904 (old Mac Excel). */
  date1904: boolean
}

interface SheetModel {
  name: string
  state?: string
  /** The workbook relationship of the sheet (its part: a worksheet or a chart sheet). */
  rId?: string
}

export async function readXlsx(
  path: FilePath,
  onRow: XlsxRowHandler,
  progress?: (rows: number, bytesRead: number) => void,
  /** Told, once the workbook is read (outcome ok), which sheet was read and which visible ones were not. */
  onSheets?: (sheets: XlsxSheets) => void,
): Promise<XlsxOutcome> {
  const input = createReadStream(path)
  // A read error also ends the zip walk (parseWorkbookEntries); raced here too, so no read waits on a dead file.
  const inputFailed = new Promise<never>((_, reject) => input.on('error', reject))
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to know which numbers are dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  ;(reader as unknown as { parse: unknown }).parse = parseWorkbookEntries
  let target: string | null | undefined // undefined = not decided yet; null = the first sheet met
  let chosen: string | null = null
  let stopped = false
  let crash: { error: unknown } | null = null // a bug in the row handler is not a damaged workbook: rethrown
  const consume = async () => {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name: string }).name
      if (target === undefined) target = chooseSheet(reader)
      if (chosen !== null || (target !== null && name !== target)) continue // closed by parseWorkbookEntries
      chosen = name
      // The workbook's date system (workbook.xml, read before any sheet): exceljs applies it to date-formatted
      // cells only; a bare serial number is left to the caller.
      const date1904 = (reader as unknown as { properties?: { model?: { date1904?: boolean } } }).properties?.model?.date1904 === true
      let rows = 0
      // Columns whose header (the first row) names a percent (TaxRatePercent, SupportPlanPercent, Percent): only
      // there is a number shown as a percentage read as the number shown (an exchange rate formatted 0% is 1).
      let percentColumns: ReadonlySet<number> | null = null
      for await (const row of sheet) {
        if (progress && ++rows % 8192 === 0) progress(rows, input.bytesRead)
        const values = row.values as unknown[]
        const cells: RawCell[] = []
        let cellProblems: Map<number, string> | null = null
        const problem = (message: string) => (cellProblems ??= new Map()).set(cells.length, message)
        // A number in a …Percent column shown as a percentage: the number shown, as exact decimal text (else null).
        const percentShown = (i: number, v: unknown): RawCell | null =>
          typeof v === 'number' && percentColumns?.has(i) === true && isPercentFormat(row.getCell(i).numFmt) ? new Decimal(v).times(100).toString() : null
        for (let i = 1; i < values.length; i++) {
          const value = values[i]
          if (isFormula(value)) {
            // A formula cell's cached result: exceljs's `value` drops one that is falsy (a price of 0 read as empty)
            // where the cell's own `result` keeps it, and the cells of a filled-down (shared) formula have it only
            // in `value`.
            const cached = (value as { result?: unknown }).result
            const result = cached !== undefined ? cached : row.getCell(i).result
            if (result === undefined) problem(`cell ${row.getCell(i).address} holds a formula (=${formulaOf(value)}) saved without its result: open the workbook in Excel, let it calculate, and save it`)
            // exceljs reads a formula's error result (#N/A, #DIV/0!) as the number NaN, which would read as the text
            // "NaN" (a reseller named NaN, a currency NAN): a column the product reads rejects the row instead.
            else if (typeof result === 'number' && Number.isNaN(result)) problem(`cell ${row.getCell(i).address} holds a formula (=${formulaOf(value)}) whose result is an error (such as #N/A or #DIV/0!): correct the formula in the workbook`)
            cells.push(percentShown(i, result) ?? flatten(result ?? null))
          } else if (isError(value)) {
            // An error value pasted as a value (a failed lookup copied with "paste values"): not data.
            problem(`cell ${row.getCell(i).address} holds the error value ${String((value as { error: unknown }).error)}: correct it in the workbook`)
            cells.push(flatten(value))
          } else cells.push(percentShown(i, value) ?? flatten(value))
        }
        percentColumns ??= new Set(cells.flatMap((c, k) => (typeof c === 'string' && /percent$/i.test(c.trim()) ? [k + 1] : [])))
        let more: boolean | void
        try {
          more = onRow(cells, row.number, { cellProblems, date1904 })
        } catch (error) {
          crash = { error }
          more = false
        }
        if (more === false) {
          stopped = true
          break
        }
      }
      if (stopped) break
    }
  }
  try {
    await Promise.race([consume(), inputFailed])
  } catch (error) {
    return { status: 'unreadable', reason: describeXlsxError(error) }
  } finally {
    input.destroy()
  }
  if (crash !== null) throw (crash as { error: unknown }).error
  if (chosen === null) return { status: 'unreadable', reason: 'the workbook has no worksheet' }
  onSheets?.({ read: chosen, notRead: otherVisibleSheets(reader, chosen) })
  return { status: 'ok', sheet: chosen }
}

/**
 * Name of the first visible sheet named after a kind, else of the first visible sheet; a hidden sheet only in a
 * workbook with no visible one. A hidden sheet named `pricebooks` beside a visible first sheet of current rules
 * is an old copy kept out of sight, and it used to be the one billed (adversarial review).
 */
export function chooseSheet(reader: unknown): string | null {
  // Chart sheets hold no rows: a first visible chart sheet was read, and the workbook rejected as having none.
  const all = worksheets(reader)
  const visible = all.filter((s) => s.state === undefined || s.state === 'visible')
  const kinds = new Set<string>(KIND_ORDER)
  const named = (sheets: SheetModel[]) => sheets.find((s) => kinds.has(s.name.trim().toLowerCase()))
  return (named(visible) ?? visible[0] ?? named(all) ?? all[0])?.name ?? null
}

/** The visible worksheets other than `read`, in workbook order (see XlsxSheets). */
export function otherVisibleSheets(reader: unknown, read: string): string[] {
  return worksheets(reader).filter((s) => (s.state === undefined || s.state === 'visible') && s.name !== read).map((s) => s.name)
}

/**
 * The workbook's sheets but its chart sheets, in workbook order. A sheet whose relationship is not found is kept:
 * taking one sheet too many costs a line, missing one costs its rows.
 */
function worksheets(reader: unknown): SheetModel[] {
  const r = reader as { model?: { sheets?: SheetModel[] }; workbookRels?: unknown }
  const rels = Array.isArray(r.workbookRels) ? (r.workbookRels as { Id?: unknown; Target?: unknown; Type?: unknown }[]) : []
  const isChart = (s: SheetModel) => {
    const rel = rels.find((x) => x.Id === s.rId)
    return rel !== undefined && (/\/chartsheet$/.test(String(rel.Type)) || String(rel.Target).startsWith('chartsheets/'))
  }
  return (r.model?.sheets ?? []).filter((s) => !isChart(s))
}

/** True for a number format that shows a percentage: a `%` outside quoted text and [brackets]. */
export function isPercentFormat(numFmt: string | undefined): boolean {
  return numFmt !== undefined && numFmt.includes('%') && numFmt.replace(/"[^"]*"|\[[^\]]*\]|\\./g, '').includes('%')
}

function formulaOf(value: unknown): string {
  const v = value as { formula?: string; sharedFormula?: string }
  return v.formula ?? v.sharedFormula ?? ''
}

function isError(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value
}

function isFormula(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('formula' in value || 'sharedFormula' in value)
}

// A surrogate pair first (a high surrogate's escape followed by a low one's), else one escape.
const ESCAPE = /_x(D[89ABab][0-9A-Fa-f]{2})__x(D[C-Fc-f][0-9A-Fa-f]{2})_|_x([0-9A-Fa-f]{4})_/g

/**
 * Decodes Excel's `_xHHHH_` escapes (ECMA-376 ST_Xstring); `_x005F_` is a literal underscore, so `_x005F_x0041_`
 * is `_x0041_`. A surrogate pair (`_xD83D__xDE00_`) is its character; a lone surrogate is kept as written, since
 * decoded it became U+FFFD in every output (adversarial review: SPEC §2, U+FFFD never appears in an output).
 */
function decodeXstring(text: string): string {
  if (!text.includes('_x')) return text
  return text.replace(ESCAPE, (_whole: string, high?: string, low?: string, single?: string) =>
    high !== undefined && low !== undefined ? String.fromCharCode(parseInt(high, 16), parseInt(low, 16)) : escapedChar(single!, parseInt(single!, 16)))
}

/** One escaped code unit: its character, or the escape as written for a lone surrogate. */
function escapedChar(hex: string, code: number): string {
  return code >= 0xd800 && code <= 0xdfff ? `_x${hex}_` : String.fromCharCode(code)
}

/** An exceljs cell value as a plain value. */
export function flatten(value: unknown): RawCell {
  if (value === null || value === undefined) return null
  // Excel's _xHHHH_ escapes (ECMA-376 ST_Xstring), in shared, inline and formula strings alike (review).
  if (typeof value === 'string') return decodeXstring(value)
  if (typeof value === 'number' || typeof value === 'boolean') return value
  if (value instanceof Date) return value
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (Array.isArray(v.richText)) return decodeXstring((v.richText as { text?: string }[]).map((r) => r.text ?? '').join(''))
    if ('formula' in v || 'sharedFormula' in v) return flatten(v.result)
    if ('error' in v) return String(v.error)
    if ('text' in v) return flatten(v.text)
    if ('hyperlink' in v) return String(v.hyperlink)
  }
  return String(value)
}

function describeXlsxError(error: unknown): string {
  const message = (error as Error)?.message ?? String(error)
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') return `the file cannot be opened (${code})`
  if (/signature|zip|central directory|FILE_ENDED|end of/i.test(message)) {
    return `it is not a valid .xlsx workbook (damaged or not a zip file: ${message})`
  }
  // exceljs's own failure on a part it does not expect (a <row> without its r attribute: valid, and written by some
  // tools) is a JavaScript error, which told finance nothing (adversarial review).
  if (error instanceof TypeError || error instanceof RangeError) {
    return `the workbook cannot be read: a part of it is not laid out as Excel writes it (open it in Excel or LibreOffice and save it again as .xlsx; the reader said: ${message})`
  }
  return `the workbook cannot be read (${message})`
}
