/**
 * Data rows of a streaming exceljs sheet, rendered straight into the sheet's XML exactly as exceljs's own row
 * commit renders them (WorksheetWriter._writeRow → RowXform → CellXform, exceljs 4.4.0 as locked).
 *
 * Why: exceljs builds a Row, a Cell per column, a model per cell and an XmlStream of string pieces for every row
 * it writes, ≈ 40 µs of CPU for an invoice line's 18 cells; the write stage is most of a month's time after the
 * usage read. Here a row is one template string. The styles still go through exceljs's own registry
 * (`addStyleModel`, in the same order), so styles.xml is unchanged too. test/write/row-xml.test.ts writes the
 * same rows both ways and compares the sheets and styles byte for byte, so an exceljs upgrade that renders rows
 * differently fails there, not in a customer's Excel.
 *
 * `writeRowXml` renders only what it can prove identical: a sheet with no row pending, no shared strings, values
 * that are text, numbers, Dates or null, and a style for every value. Anything else returns false, and the caller
 * takes exceljs's path.
 */
import ExcelJS from 'exceljs'
import { createRequire } from 'node:module'
import { columnLetter } from '../../pipeline/diagnostics.js'
import type { CellStyle } from './sheet-layout.js'

export type RowValue = string | number | Date | null

// exceljs's own escaping and date serial, so text and dates are rendered by the same code as in its path.
const exceljsUtils = createRequire(import.meta.url)('exceljs/lib/utils/utils.js') as {
  xmlEncode(text: string): string
  dateToExcel(d: Date, date1904?: boolean): number
}
const { xmlEncode, dateToExcel } = exceljsUtils

/** The parts of exceljs's WorksheetWriter this reads and advances (private in its typings). */
interface SheetInternals {
  _rows: unknown[] | null
  _rowZero: number
  startedData?: boolean
  useSharedStrings?: boolean
  committed: boolean
  stream: { write(xml: string): unknown }
  _workbook: { styles: { addStyleModel(style: CellStyle, cellType: ExcelJS.ValueType): number } }
}

// A row's own style: exceljs gives every Row a fresh `{}`, which registers as this one does.
const ROW_STYLE: CellStyle = Object.freeze({})

const LETTERS: string[] = []
function letter(column: number): string {
  return (LETTERS[column] ??= columnLetter(column))
}

/** exceljs's type of a cell value, which its style registry takes (a Date without a number format gets one). */
function valueType(v: RowValue): ExcelJS.ValueType {
  if (v === null) return ExcelJS.ValueType.Null
  if (typeof v === 'string') return ExcelJS.ValueType.String
  return typeof v === 'number' ? ExcelJS.ValueType.Number : ExcelJS.ValueType.Date
}

/**
 * Write one row after the sheet's last committed row. Returns false, having written nothing, when exceljs's own
 * path must be used instead. A row whose cells are all null is not written (as in exceljs) but takes its number.
 */
export function writeRowXml(ws: ExcelJS.Worksheet, values: readonly RowValue[], styles: readonly CellStyle[]): boolean {
  const sheet = ws as unknown as SheetInternals
  const pending = sheet._rows === null || sheet._rows.length > 0
  if (pending || sheet.startedData !== true || sheet.useSharedStrings || sheet.committed) return false
  if (values.length > styles.length) return false
  const count = styles.length
  let hasValues = false
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (v === null) continue
    if (typeof v !== 'string' && typeof v !== 'number' && !(v instanceof Date)) return false
    hasValues = true
  }
  const r = sheet._rowZero
  sheet._rowZero = r + 1
  if (!hasValues) return true // exceljs neither writes nor prepares a row without values
  const registry = sheet._workbook.styles
  // Row, then cells, as RowXform.prepare registers them: exceljs caches a style's id per style object.
  const rowId = registry.addStyleModel(ROW_STYLE, ExcelJS.ValueType.Number)
  let cells = ''
  for (let i = 0; i < count; i++) {
    const v = values[i] ?? null
    const id = registry.addStyleModel(styles[i]!, valueType(v))
    const s = id ? ` s="${id}"` : ''
    if (v === null) {
      if (id) cells += `<c r="${letter(i)}${r}"${s}/>`
    } else if (typeof v === 'string') {
      cells += `<c r="${letter(i)}${r}"${s} t="str"><v>${xmlEncode(v)}</v></c>`
    } else if (typeof v === 'number') {
      cells += `<c r="${letter(i)}${r}"${s}><v>${xmlEncode(String(v))}</v></c>`
    } else {
      cells += `<c r="${letter(i)}${r}"${s}><v>${dateToExcel(v)}</v></c>`
    }
  }
  const rowStyle = rowId ? ` s="${rowId}" customFormat="1"` : ''
  sheet.stream.write(`<row r="${r}" spans="1:${count}"${rowStyle} x14ac:dyDescent="0.25">${cells}</row>`)
  return true
}
