/**
 * Column definitions and cell schemas shared by every input kind (SPEC §2 "Value parsing").
 *
 * A kind declares its columns once (`ColumnDef`): the header name Microsoft or finance writes, its aliases, the
 * staging-table column it fills, its type, whether the header must have it and whether a cell may be empty.
 * From that list `rowSchema` builds ONE zod schema per kind over the projected row (only the columns the
 * product uses, in definition order), with one compiled cell parser per column. Arrays, not objects, and only the used columns:
 * usage files reach millions of rows (PERFORMANCE-NOTES: "parse as arrays", "project columns early").
 *
 * In: raw cells as read (CSV text, or XLSX string/number/Date/boolean; undefined when the column is absent).
 * Out: the values to store (canonical decimal text, ISO dates, trimmed text, null for empty) or zod issues whose
 * path[0] is the index of the offending column in the definition. Never throws.
 */
import { z } from '../zod.js'
import { isParseError, parseDecimal } from '../../pipeline/money.js'
import { parseDate } from '../../pipeline/dates.js'

export type CellType = 'text' | 'decimal' | 'date' | 'int'

/** A cell as a reader hands it over: CSV gives text, XLSX may give numbers, dates and booleans. */
export type RawCell = string | number | Date | boolean | null | undefined

export interface ColumnDef {
  /** Header name as documented (SPEC §2, FORMATS.md). Matching is case-insensitive. */
  name: string
  /** Other header names that mean the same column (e.g. ResellerMpnId for Tier2MpnId). */
  aliases?: readonly string[]
  /** Staging-table column it fills (schemas/tables.ts). */
  db: string
  type: CellType
  /** The header must contain this column, else MISSING_COLUMN. */
  required: boolean
  /** A value may be empty even though the column is required (SPEC §2 exceptions). */
  emptyOk?: boolean
  /** Store upper-cased (e.g. reseller Currency). */
  upper?: boolean
  /**
   * A currency code: stored upper-cased, and a value that is not an ISO 4217 code rejects the row. It picks the
   * minor unit, the number format, CURRENCY_MISMATCH and the control totals' grouping (SPEC §4.5).
   */
  currency?: boolean
  /** Store lower-cased (e.g. price-book Scope and Method, matched case-insensitively). */
  lower?: boolean
  /**
   * The spellings of a value matched case-insensitively (a price list's TermDuration and BillingPlan): a value
   * equal to one but for case is stored in that spelling, so every rule can compare it exactly; others as written.
   */
  spellings?: readonly string[]
  /**
   * An id that a spreadsheet number cell cannot hold: a SkuId `0001` saved as the number 1 matches no SKU, and the
   * rule for it silently gave way to a broader one (wrong money, no finding): a price book's rule, or a
   * reconciliation line's (a CSV opened in a spreadsheet and saved as XLSX). A number cell rejects the row, naming
   * it. (A price list's SkuId stays as read: a line it then misses is held PRICE_NOT_FOUND, visibly, and the
   * message names the SKU that differs only in leading zeros.)
   */
  textOnly?: boolean
  /** Value used when the cell is empty (reseller defaults). */
  default?: string | number
}

/** A column that the header must carry and whose cells must have a value. */
export function req(name: string, db: string, type: CellType = 'text', extra: Partial<ColumnDef> = {}): ColumnDef {
  return { name, db, type, required: true, ...extra }
}

/** A column used when present; empty cells are fine. */
export function opt(name: string, db: string, type: CellType = 'text', extra: Partial<ColumnDef> = {}): ColumnDef {
  return { name, db, type, required: false, emptyOk: true, ...extra }
}

/** Text of a cell as finance sees it; XLSX numbers/dates/booleans are turned into text the way CSV would carry them. */
export function cellText(raw: RawCell): string {
  if (raw === null || raw === undefined) return ''
  if (typeof raw === 'string') return raw
  if (typeof raw === 'number') return String(raw)
  if (typeof raw === 'boolean') return raw ? 'TRUE' : 'FALSE'
  return Number.isNaN(raw.getTime()) ? '' : raw.toISOString().slice(0, 10)
}

// Canonical decimal text straight from a plain decimal that is already canonical: most cells in real exports
// are (`1.536`, `0`, `-3.16`), and decimal.js costs ~0.5 µs a cell on millions of usage rows. Anything else
// (exponents, `'` guards, trailing zeros, `+`, too many integer digits or decimals) goes through parseDecimal.
const CANONICAL = /^-?(?:0|[1-9]\d{0,14})(?:\.\d{0,99}[1-9])?$/ // ≤ MAX_PLACES decimals (pipeline/money.ts)

export function parseDecimalFast(raw: RawCell): string | null | { error: string } {
  if (typeof raw === 'string') {
    const text = raw.trim()
    if (text === '') return null
    if (CANONICAL.test(text) && text !== '-0') return text
    return parseDecimal(text)
  }
  if (raw === null || raw === undefined) return null
  if (typeof raw === 'number') return parseDecimal(raw)
  return { error: `'${cellText(raw)}' is not a number` }
}

function isEmpty(raw: RawCell): boolean {
  return raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '')
}

type Parsed = string | number | null | { error: string }

/** A non-empty cell of a number or date column (text columns are parsed in `cellParser`). */
function parseCell(type: Exclude<CellType, 'text'>, raw: RawCell): Parsed {
  switch (type) {
    case 'decimal':
      return parseDecimalFast(raw)
    case 'date':
      return typeof raw === 'boolean' ? { error: `'${cellText(raw)}' is not a date` } : parseDate(raw)
    case 'int': {
      const d = parseDecimalFast(raw)
      if (d === null || isParseError(d)) return d
      if (!/^-?\d+$/.test(d)) return { error: `'${cellText(raw)}' is not a whole number` }
      return Number(d)
    }
  }
}

/** Problem with one cell: the message reads after the column label (`UnitPrice (K): '…' is not …`). */
export interface CellProblem {
  error: string
}

export type CellParser = (raw: RawCell) => string | number | null | CellProblem

const EMPTY_REQUIRED: CellProblem = { error: 'is empty but a value is required' }

const CURRENCY_CODE = /^[A-Z]{3}$/

/**
 * ISO 4217 codes in use, from the ICU data Node ships (162 on Node 20): a code that merely looks like one (`ABC`,
 * or `NAN` from a spreadsheet error) would pick a minor unit and a number format for no currency. Without Intl's
 * list (a build without ICU), any three letters pass.
 */
const CURRENCIES: ReadonlySet<string> | null = typeof Intl.supportedValuesOf === 'function' ? new Set(Intl.supportedValuesOf('currency')) : null

const isCurrency = (code: string): boolean => CURRENCY_CODE.test(code) && (CURRENCIES === null || CURRENCIES.has(code))

/** Parser for one column's cells: empty check, type parse, default. Built once per kind, called per cell. */
export function cellParser(def: ColumnDef): CellParser {
  const mustHaveValue = def.required && !def.emptyOk && def.default === undefined
  const fallback = def.default ?? null
  const empty = mustHaveValue ? EMPTY_REQUIRED : fallback
  if (def.type === 'text') {
    // The hot path for ids and names: one trim, then the column's own treatment of the value.
    const value = textValue(def)
    return (raw) => {
      const text = typeof raw === 'string' ? raw.trim() : cellText(raw).trim()
      return text === '' ? empty : value(text, raw)
    }
  }
  const type = def.type
  return (raw) => {
    if (isEmpty(raw)) return empty
    return parseCell(type, raw) ?? fallback
  }
}

/** How a text column stores a trimmed, non-empty cell, or why it cannot (`raw`: the cell as read). */
function textValue(def: ColumnDef): (text: string, raw: RawCell) => string | CellProblem {
  if (def.currency) {
    return (text) => {
      const code = text.toUpperCase()
      return isCurrency(code) ? code : { error: `'${text}' is not an ISO 4217 currency code, e.g. EUR` }
    }
  }
  if (def.textOnly) {
    return (text, raw) => (typeof raw === 'number'
      ? { error: `is the number ${cellText(raw)} in the workbook, and ids are text (SkuId 0001 is not 1; a spreadsheet that opens a CSV turns 0001 into 1): use the file as Partner Center exported it, or format the column as Text and type the id as Partner Center shows it` }
      : text)
  }
  if (def.upper) return (text) => text.toUpperCase()
  if (def.lower) return (text) => text.toLowerCase()
  if (def.spellings) return spell(def.spellings)
  return (text) => text
}

/** True for a text column stored as written (trimmed): none of `textValue`'s changes of case or spelling apply. */
export function storedAsWritten(def: ColumnDef): boolean {
  return def.type === 'text' && !def.currency && !def.upper && !def.lower && !def.spellings
}

/** A value in its listed spelling when it has one (`ColumnDef.spellings`). */
function spell(spellings: readonly string[]): (text: string) => string {
  const byLowerCase = new Map(spellings.map((s) => [s.toLowerCase(), s]))
  return (text) => byLowerCase.get(text.toLowerCase()) ?? text
}

/** No cell is this: the first row of a column always parses. */
const NOT_SEEN = Symbol('not seen')

/** Projected row after validation: one stored value per column of the definition. */
export type RowValues = (string | number | null)[]

export type RowRefinement = (values: RowValues, addIssue: (column: number, message: string) => void) => void

/**
 * The kind's row schema. Input: the projected raw cells (one per column of the definition, `undefined` when the
 * header lacks the column). Output: the values to store. Issues carry `path: [column index]` and a message that
 * reads after the column label; row-level rules (`refine`) run only when every cell parsed.
 *
 * Note: one transform over the row, not a z.tuple of per-cell schemas: the tuple costs ~3× more per row
 * (measured 15.8 vs 4.7 µs on a usage row), and usage files reach millions of rows.
 *
 * A cell equal to the same column's cell of the row before gets that cell's parsed value again, unparsed: a
 * usage export repeats most cells of the row before (the same subscription and meter, the next day). The
 * parsers are pure, so this changes nothing but the time, and the value is then the very same string, which
 * the usage combiner's key comparison finds equal at once.
 */
export function rowSchema(columns: readonly ColumnDef[], refine?: RowRefinement): z.ZodType<RowValues, RawCell[]> {
  const parsers = columns.map(cellParser)
  const width = columns.length
  const lastRaw: unknown[] = new Array(width).fill(NOT_SEEN)
  const lastParsed: ReturnType<CellParser>[] = new Array(width).fill(null)
  return z.unknown().transform((input, ctx): RowValues => {
    if (!Array.isArray(input) || input.length !== width) {
      ctx.issues.push({ code: 'custom', message: `expected ${width} projected cells`, input })
      return z.NEVER
    }
    const row = input as RawCell[]
    const values: RowValues = new Array(width)
    let bad = false
    for (let i = 0; i < width; i++) {
      const raw = row[i]
      let parsed: ReturnType<CellParser>
      if (raw === lastRaw[i]) parsed = lastParsed[i] as ReturnType<CellParser>
      else {
        parsed = parsers[i]!(raw)
        lastRaw[i] = raw
        lastParsed[i] = parsed
      }
      if (parsed !== null && typeof parsed === 'object') {
        ctx.issues.push({ code: 'custom', message: parsed.error, input: row[i], path: [i] })
        bad = true
      } else values[i] = parsed
    }
    if (bad) return z.NEVER
    if (refine) {
      refine(values, (column, message) => {
        ctx.issues.push({ code: 'custom', message, input: row[column], path: [column] })
        bad = true
      })
      if (bad) return z.NEVER
    }
    return values
  }) as unknown as z.ZodType<RowValues, RawCell[]>
}

/** Index of a column in a definition by its canonical name (for row-level rules). */
export function columnIndex(columns: readonly ColumnDef[], name: string): number {
  const i = columns.findIndex((c) => c.name === name)
  if (i < 0) throw new Error(`unknown column ${name}`) // programmer error: a typo in a schema file
  return i
}
