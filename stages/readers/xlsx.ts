/**
 * Streaming XLSX reader (SPEC §2: "XLSX (first sheet, or the sheet named after the kind)") over exceljs's
 * WorkbookReader, so a big sheet never sits in memory.
 *
 * Sheet choice: the first sheet (workbook order) whose name is a kind name (`resellers`, `usage`, …; case and
 * surrounding spaces ignored), else the first sheet. Cells come out as the reader's values, flattened:
 * rich text → its text, formula → its cached result, hyperlink → its text, error → the error text (`#N/A`),
 * date-formatted numbers → JS Date (UTC), other numbers → number (parseDecimal/parseDate take numbers: serial dates).
 * Rows carry their real sheet row number (empty rows are simply absent), so Excel numbering is exact.
 *
 * Never throws for bad files (only a bug in the row handler is rethrown): a broken zip or a damaged sheet becomes `{ status: 'unreadable', reason }`.
 */
import { createReadStream } from 'node:fs'
import ExcelJS from 'exceljs'
import { KIND_ORDER } from '../../schemas/kinds/index.js'
import type { RawCell } from '../../schemas/kinds/index.js'

export type XlsxOutcome = { status: 'ok'; sheet: string } | { status: 'unreadable'; reason: string }

/** Called per non-empty sheet row with 0-based cells and the sheet's row number. Return false to stop. */
export type XlsxRowHandler = (cells: RawCell[], rowNumber: number) => boolean | void

interface SheetModel {
  name: string
}

export async function readXlsx(
  path: string,
  onRow: XlsxRowHandler,
  progress?: (rows: number, bytesRead: number) => void,
): Promise<XlsxOutcome> {
  const input = createReadStream(path)
  // exceljs pipes the file into its unzipper without forwarding read errors: race them, or the read never ends.
  const inputFailed = new Promise<never>((_, reject) => input.on('error', reject))
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache', // needed to know which numbers are dates
    hyperlinks: 'ignore',
    entries: 'ignore',
  })
  let target: string | null | undefined // undefined = not decided yet; null = the first sheet met
  let chosen: string | null = null
  let stopped = false
  let crash: { error: unknown } | null = null // a bug in the row handler is not a damaged workbook: rethrown
  const consume = async () => {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name: string }).name
      if (target === undefined) target = chooseSheet(reader)
      if (chosen !== null || (target !== null && name !== target)) continue // exceljs drains skipped sheets
      chosen = name
      let rows = 0
      for await (const row of sheet) {
        if (progress && ++rows % 8192 === 0) progress(rows, input.bytesRead)
        const values = row.values as unknown[]
        const cells: RawCell[] = []
        for (let i = 1; i < values.length; i++) {
          const value = values[i]
          // exceljs's `value` of a formula cell drops a cached result that is falsy (a price of 0 read as empty):
          // the cell's own `result` keeps it.
          cells.push(isFormula(value) ? flatten(row.getCell(i).result ?? null) : flatten(value))
        }
        let more: boolean | void
        try {
          more = onRow(cells, row.number)
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
  return { status: 'ok', sheet: chosen }
}

/** Name of the first sheet named after a kind, else null (= the first sheet). */
function chooseSheet(reader: unknown): string | null {
  const sheets = ((reader as { model?: { sheets?: SheetModel[] } }).model?.sheets ?? []) as SheetModel[]
  const kinds = new Set<string>(KIND_ORDER)
  const named = sheets.find((s) => kinds.has(s.name.trim().toLowerCase()))
  return named?.name ?? sheets[0]?.name ?? null
}

function isFormula(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ('formula' in value || 'sharedFormula' in value)
}

/** An exceljs cell value as a plain value. */
export function flatten(value: unknown): RawCell {
  if (value === null || value === undefined) return null
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  if (value instanceof Date) return value
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>
    if (Array.isArray(v.richText)) return (v.richText as { text?: string }[]).map((r) => r.text ?? '').join('')
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
  return `the workbook cannot be read (${message})`
}
