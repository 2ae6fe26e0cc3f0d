/**
 * Safe cell values for the workbooks (SPEC §6): text from input always stays text, money and dates become real
 * Excel numbers and dates, sheet names obey Excel's rules.
 *
 * In: canonical decimal text, ISO dates, raw input text. Out: values exceljs writes as the intended cell type.
 * Pure functions; nothing here throws.
 *
 * Why text is safe: exceljs writes a JS string as a string cell (`t="str"`/`t="s"`), never as a formula or a
 * number, whatever it starts with (`=`, `+`, `-`, `@`). Only `{ formula }` objects become formulas, and we build
 * those ourselves from cell references. What exceljs does not do is keep a value within Excel's limits, so
 * `text()` drops characters XML 1.0 cannot carry and caps the length at Excel's 32,767 characters.
 */
import type ExcelJS from 'exceljs'
import { clip } from '../../pipeline/diagnostics.js'
import { minorUnits } from '../../pipeline/money.js'

export const EXCEL_MAX_CELL_TEXT = 32_767
// XML 1.0 forbids C0 controls other than tab, LF, CR, and lone surrogates; exceljs drops some, not all.
// eslint-disable-next-line no-control-regex
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * Input text as a string cell value (null stays an empty cell). A line break is stored as LF, a spreadsheet
 * cell's own: an XML reader turns a raw CR into LF, so a CR written as is read back changed.
 */
export function text(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null
  const clean = (value.includes('\r') ? value.replace(/\r\n?/g, '\n') : value).replace(XML_INVALID, '')
  return clip(clean, EXCEL_MAX_CELL_TEXT)
}

const XSTRING_ESCAPE = /_(x[0-9A-Fa-f]{4}_)/g

/**
 * Cell values with text that a spreadsheet would read as an escape (`_x0041_`: ECMA-376 ST_Xstring, which Excel
 * decodes, so `Contoso_x0041_Suite` would show as ContosoASuite) written so that it reads as typed: as an inline
 * string whose underscore is escaped (`_x005F_x0041_`), which Excel and LibreOffice both decode to the literal
 * (LibreOffice shows a plain `t="str"` cell's escapes as they are, so escaping those would break it instead;
 * workbook review). The same array when no value needs it, which is almost always.
 */
export function protectXstrings<T>(values: readonly (T | string)[]): (T | string | ExcelJS.CellRichTextValue)[] {
  let out: (T | string | ExcelJS.CellRichTextValue)[] | null = null
  for (let i = 0; i < values.length; i++) {
    const v = values[i]
    if (typeof v !== 'string' || !v.includes('_x')) continue
    const escaped = v.replace(XSTRING_ESCAPE, '_x005F_$1')
    if (escaped === v) continue
    out ??= [...values]
    out[i] = { richText: [{ text: escaped }] }
  }
  return out ?? (values as (T | string)[])
}

/**
 * A canonical decimal string as the JS number of a numeric cell. The only place money becomes a float, and only
 * for display: every sum and rounding has already been done exactly (pipeline/money.ts).
 */
export function num(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null
  const n = Number(value)
  return Number.isFinite(n) ? n : null
}

/**
 * An ISO date (`YYYY-MM-DD`) as a UTC midnight Date, which exceljs stores as a whole Excel serial day. Dates are
 * kept per text (a month's lines repeat a few hundred charge dates; parsing one costs ≈ 0.4 µs, a hit 0.015):
 * callers must not mutate the Date they get (the writers only read it).
 */
export function excelDate(iso: string | null | undefined): Date | null {
  if (!iso) return null
  const known = DATES.get(iso)
  if (known !== undefined) return known
  let d: Date | null = null
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) {
    d = new Date(`${iso}T00:00:00Z`)
    if (Number.isNaN(d.getTime())) d = null
  }
  if (DATES.size >= 4096) DATES.clear()
  DATES.set(iso, d)
  return d
}

const DATES = new Map<string, Date | null>()

export const DATE_NUM_FMT = 'yyyy-mm-dd'
export const INTEGER_NUM_FMT = '#,##0'
export const QUANTITY_NUM_FMT = 'General'
export const PERCENT_NUM_FMT = '0.00%'

/**
 * Unit prices carry up to two more decimals than the currency (a prorated seat price like 1.6671). Not for a
 * currency without decimals (JPY): `#,##0.##` would show every whole price with a bare point (`1,162.`), which
 * a number format cannot hide, so its unit prices show whole units (the cell keeps the exact value).
 */
export function unitPriceNumFmt(currency: string): string {
  const places = minorUnits(currency)
  const body = places === 0 ? '#,##0' : `#,##0.${'0'.repeat(places)}##`
  return `${body};-${body}`
}

/** Excel sheet name: ≤ 31 characters, none of `[]:*?/\`, not blank, not starting/ending with `'`. */
export function sheetName(raw: string): string {
  const cleaned = clip(raw.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '').trim(), 31)
  return cleaned === '' || cleaned.toLowerCase() === 'history' ? '_' + cleaned : cleaned
}
