/**
 * Money and exact decimals (SPEC §2 value parsing, §4.5 rounding).
 *
 * Representation (documented in README): every amount, price, quantity and rate is kept as a canonical decimal
 * string — no exponent, no trailing zeros, `-` only for non-zero negatives — from parsing to SQLite (TEXT
 * columns) to JSON. Real exports carry 15–16 decimals (exchange rates, usage unit prices), so a fixed micro
 * scale would round them. Arithmetic runs in decimal.js at 50 significant digits; rounding happens only where
 * SPEC says (§4.5: each line's sell amount, support, tax; §6: cost totals).
 *
 * Nothing here throws on bad input: parsers return `null` for empty and an `{ error }` for malformed text.
 */
import { Decimal as DecimalJs } from 'decimal.js'

export const Decimal = DecimalJs.clone({ precision: 50, rounding: DecimalJs.ROUND_HALF_UP, toExpNeg: -100, toExpPos: 100 })
export type Decimal = InstanceType<typeof Decimal>

export interface ParseError {
  error: string
}

// Plain invariant-culture decimal, optional exponent. No thousands separators, no NaN/Infinity.
const DECIMAL_PATTERN = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/
const LIMIT = new Decimal('1e15')
/**
 * Decimal places a value may have. Real exports carry at most 16, and a spreadsheet's float residue (5.55e-17)
 * about 35; an exponent like `1e-200000000` would otherwise be written out as 200 million digits (a run died
 * out of memory on one usage cell).
 */
export const MAX_PLACES = 100
const MAX_EXPONENT = 1000

/** Parse a cell to a canonical decimal string: null when empty, ParseError when not a plain decimal below 10^15. */
export function parseDecimal(raw: string | number | null | undefined): string | null | ParseError {
  if (raw === null || raw === undefined) return null
  let text = typeof raw === 'number' ? numberToText(raw) : raw.trim()
  if (text.startsWith("'")) text = text.slice(1).trim() // Excel's guard apostrophe in real exports
  if (text === '') return null
  if (!DECIMAL_PATTERN.test(text)) return { error: `'${String(raw)}' is not a plain decimal number (use 1234.56: no thousands separators, no comma decimals)` }
  // decimal.js turns an exponent past its range into 0 or Infinity: such a value is out of range whatever its digits.
  const exponent = /[eE]([+-]?\d+)$/.exec(text)
  if (exponent !== null && Math.abs(Number(exponent[1])) > MAX_EXPONENT) return { error: `'${String(raw)}' is out of range (its exponent is beyond ±${MAX_EXPONENT})` }
  const value = new Decimal(text)
  if (value.abs().gte(LIMIT)) return { error: `'${String(raw)}' is too large (magnitude 10^15 or more)` }
  if (value.decimalPlaces() > MAX_PLACES) return { error: `'${String(raw)}' has more than ${MAX_PLACES} decimal places` }
  return canonical(value)
}

function numberToText(n: number): string {
  // XLSX numeric cells arrive as JS numbers; String() is the shortest round-trip text, i.e. the cell's XML text.
  return Number.isFinite(n) ? String(n) : 'NaN'
}

export function isParseError(v: unknown): v is ParseError {
  return typeof v === 'object' && v !== null && 'error' in v
}

/** Canonical text of a decimal: full digits, no exponent, `0` for any zero. */
export function canonical(value: Decimal): string {
  if (value.isZero()) return '0'
  return value.toFixed()
}

export function dec(text: string | number | Decimal | null | undefined): Decimal {
  if (text === null || text === undefined || text === '') return new Decimal(0)
  return new Decimal(text)
}

// ISO 4217 minor units that are not 2.
const MINOR_UNITS: Record<string, number> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0, VND: 0,
  VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
}

export function minorUnits(currency: string): number {
  return MINOR_UNITS[currency.toUpperCase()] ?? 2
}

/** Round half-up (away from zero) to the currency's minor unit (SPEC §4.5). */
export function roundMoney(value: Decimal | string, currency: string): Decimal {
  return dec(value).toDecimalPlaces(minorUnits(currency), Decimal.ROUND_HALF_UP)
}

/** Money as JSON/CSV text: exactly the currency's minor-unit decimals (SPEC §6). */
export function formatMoney(value: Decimal | string, currency: string): string {
  if (typeof value === 'string') {
    const padded = padPlain(value, minorUnits(currency))
    if (padded !== null) return padded
  }
  const rounded = roundMoney(value, currency)
  return (rounded.isZero() ? new Decimal(0) : rounded).toFixed(minorUnits(currency))
}

/**
 * An amount as a finance reader expects it in a finding (exceptions.csv's expected and actual, the message): at
 * least the currency's minor-unit decimals (`105` → `105.00` in USD), never rounded (`0.0085` stays), any other
 * text as it is. Null stays null.
 */
export function moneyText<T extends string | null>(value: T, currency: string | null): T {
  if (value === null || currency === null) return value
  return (padPlain(value, minorUnits(currency)) ?? value) as T
}

const PLAIN = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?$/

/**
 * formatMoney of plain decimal text that needs no rounding (at most `places` decimals: an amount SQL already
 * rounded, as every invoice line's is), by padding with zeros; null for anything else, negative zero included.
 * Why: decimal.js parse, round and toFixed cost ≈ 2 µs a call (this: ≈ 0.2), and the invoice writers make one
 * per line (its Explanation).
 */
function padPlain(value: string, places: number): string | null {
  const m = PLAIN.exec(value)
  if (m === null) return null
  const [, sign, whole, fraction = ''] = m
  if (fraction.length > places || (sign === '-' && whole === '0' && /^0*$/.test(fraction))) return null
  return places === 0 ? `${sign}${whole}` : `${sign}${whole}.${fraction.padEnd(places, '0')}`
}

/**
 * Excel currency format (SPEC §6) with the ISO code shown and the currency's decimals: `[$EUR] #,##0.00`,
 * `[$JPY] #,##0`, `[$KWD] #,##0.000` (Excel's own form for a currency code; LibreOffice reads it too). A code that
 * is not three letters (a held line's Currency is Microsoft's text as it came) gets the plain number format, so
 * no input text can reach a format string, where a stray quote or bracket would make Excel repair the file.
 */
export function currencyNumFmt(currency: string): string {
  const places = minorUnits(currency)
  const body = places === 0 ? '#,##0' : `#,##0.${'0'.repeat(places)}`
  const code = currency.trim().toUpperCase()
  if (!/^[A-Z]{3}$/.test(code)) return `${body};-${body}`
  return `[$${code}] ${body};-[$${code}] ${body}`
}
