/**
 * Accountant conventions shared by every sheet (SPEC §6): a bold header row that stays frozen, repeats on every
 * printed page and carries an autofilter; landscape, fit to one page wide; sensible column widths.
 * Works on exceljs streaming worksheets. Does not throw.
 */
import type ExcelJS from 'exceljs'
import { writeRowXml, type RowValue } from './row-xml.js'
import { protectXstrings } from './safe-cells.js'

export interface ColumnSpec {
  header: string
  width: number
  /** Number format for the column's data cells. */
  numFmt?: string
}

export const HEADER_FONT: Partial<ExcelJS.Font> = { bold: true }
export const HEADER_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } }
export const ALERT_FILL: ExcelJS.Fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFC7CE' } }

/** Options for addWorksheet of a table sheet: header row frozen, printed on every page, landscape fit-to-width. */
/** Excel's last row is 1,048,576: the data rows a sheet with a header row holds. */
export const EXCEL_MAX_DATA_ROWS = 1_048_575

export function tableSheetOptions(): Partial<ExcelJS.AddWorksheetOptions> {
  return {
    views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }],
    pageSetup: { ...printSetup(), printTitlesRow: '1:1' },
  }
}

export function printSetup(): Partial<ExcelJS.PageSetup> {
  return { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0}
}

export type CellStyle = Partial<ExcelJS.Style>

/**
 * Column widths, then the bold header row (committed). Returns one shared style object per column for the data
 * rows. Note: exceljs caches a style's id per style *object* (a WeakMap); a fresh object per cell makes it
 * serialise every cell's style, which made a 200k-line sheet ~2× slower. So data cells share these objects.
 */
export function writeHeader(ws: ExcelJS.Worksheet, columns: ColumnSpec[]): CellStyle[] {
  ws.columns = columns.map((c) => ({ width: c.width }))
  const row = ws.addRow(columns.map((c) => c.header))
  row.eachCell((cell) => {
    cell.font = HEADER_FONT
    cell.fill = HEADER_FILL
  })
  row.commit()
  return columns.map((c) => sharedStyle(c.numFmt))
}

const STYLES = new Map<string, CellStyle>()
/** One frozen style object per number format (see writeHeader). */
export function sharedStyle(numFmt: string | undefined): CellStyle {
  const key = numFmt ?? ''
  let style = STYLES.get(key)
  if (!style) {
    style = Object.freeze(numFmt ? { numFmt } : {}) as CellStyle
    STYLES.set(key, style)
  }
  return style
}

/**
 * Add and commit one data row whose cells use the given shared styles: rendered by row-xml.ts (same bytes,
 * a fraction of the CPU), or by exceljs when row-xml.ts cannot render it.
 */
export function addDataRow(ws: ExcelJS.Worksheet, values: RowValue[], styles: CellStyle[]): void {
  const safe = protectXstrings(values) // an inline string for text like `_x0041_`: exceljs writes it
  if (safe === values && writeRowXml(ws, values, styles)) return
  const row = ws.addRow(safe)
  for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i] as CellStyle
  row.commit()
}

/** Autofilter over the header and every data row (set before the sheet is committed). */
export function setAutoFilter(ws: ExcelJS.Worksheet, columnCount: number, dataRows: number): void {
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, dataRows + 1), column: columnCount } }
}
