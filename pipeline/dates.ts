/**
 * Date parsing (SPEC §2): `MM/DD/YYYY`, `M/D/YYYY`, either with `h:mm:ss AM/PM` or `H:mm[:ss]`, ISO 8601, and
 * XLSX date cells (JS Date or serial number). All dates are UTC and kept as ISO `YYYY-MM-DD` text (time dropped); an
 * ISO time with an offset is moved to UTC first.
 * Memoised: a month of usage holds ~30 distinct dates, and parsing dominates otherwise (PERFORMANCE-NOTES i6/i7).
 * Never throws: returns null for empty and `{ error }` for text that is not a real calendar date.
 */
import type { ParseError } from './money.js'

const US_DATE = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?)?$/
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|([+-])(\d{2})(?::?(\d{2}))?)?)?$/

const memo = new Map<string, string | ParseError>()

export function parseDate(raw: string | number | Date | null | undefined): string | null | ParseError {
  if (raw === null || raw === undefined) return null
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? { error: 'invalid date cell' } : raw.toISOString().slice(0, 10)
  if (typeof raw === 'number') return fromSerial(raw)
  const text = raw.trim()
  if (text === '') return null
  const hit = memo.get(text)
  if (hit !== undefined) return hit
  const parsed = parseText(text)
  if (memo.size > 100_000) memo.clear()
  memo.set(text, parsed)
  return parsed
}

function parseText(text: string): string | ParseError {
  const us = US_DATE.exec(text)
  if (us) {
    const [, m, d, y, hh, mm, ss, ampm] = us
    if (hh !== undefined && !validTime(Number(hh), Number(mm), ss === undefined ? 0 : Number(ss), ampm)) return bad(text)
    return ymd(Number(y), Number(m), Number(d)) ?? bad(text)
  }
  const iso = ISO_DATE.exec(text)
  if (iso) {
    const [, y, m, d, hh, mm, ss, , sign, oh, om] = iso
    if (hh !== undefined && !validTime(Number(hh), Number(mm), ss === undefined ? 0 : Number(ss), undefined)) return bad(text)
    const date = ymd(Number(y), Number(m), Number(d))
    if (date === null) return bad(text)
    if (sign === undefined) return date
    // A local time with its offset (2026-10-01T23:30:00-05:00) is another UTC day (2026-10-02): dates are UTC.
    // ±hh alone is an ISO 8601 offset too (2026-10-31T23:30:00-05; periods review).
    const offsetMinutes = Number(om ?? '0')
    if (offsetMinutes > 59 || Number(oh) * 60 + offsetMinutes > 14 * 60) return bad(text)
    const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + offsetMinutes)
    const utc = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d), Number(hh), Number(mm)) - offset * 60_000)
    // 9999-12-31 with a negative offset (an open-ended end date) would be year 10000: it stays the last day.
    const year = utc.getUTCFullYear()
    return year >= 1000 && year <= 9999 ? utc.toISOString().slice(0, 10) : date
  }
  return bad(text)
}

function validTime(h: number, m: number, s: number, ampm: string | undefined): boolean {
  if (m > 59 || s > 59) return false
  return ampm === undefined ? h <= 23 : h >= 1 && h <= 12
}

function bad(text: string): ParseError {
  return { error: `'${text}' is not a date (expected MM/DD/YYYY or YYYY-MM-DD)` }
}

function ymd(y: number, m: number, d: number): string | null {
  if (y < 1000 || m < 1 || m > 12 || d < 1) return null
  if (d > daysInMonth(y, m)) return null
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`
}

/**
 * Excel serial date (1900 system, fraction = time of day). Excel counts a 29 February 1900 that never was (serial 60,
 * Lotus 1-2-3's leap-year error): serials from 61 on are days since 1899-12-30, those below 60 days since 1899-12-31
 * (1 = 1900-01-01), and 60 itself is no date (periods review: 1 read as 1899-12-31, 60 as 1900-02-28).
 */
function fromSerial(serial: number): string | ParseError {
  if (!Number.isFinite(serial) || serial < 1 || serial > 2958465) return { error: `'${serial}' is not an Excel date serial` }
  const day = Math.floor(serial)
  if (day === 60) return { error: "'60' is Excel's 29 February 1900, a day that does not exist" }
  const ms = Date.UTC(1899, 11, day < 60 ? 31 : 30) + day * 86_400_000
  return new Date(ms).toISOString().slice(0, 10)
}

export function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate()
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0
}

/** Add calendar months to an ISO date, clamping to the month's last day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(iso: string, months: number): string {
  return addMonthsOnDay(iso, months, Number(iso.slice(8, 10)))
}

/**
 * The date `months` after the month of `iso`, on the given day of the month, clamped to that month's last day: a
 * billing cycle anchored on the 31st after a term start clamped to Feb 28 (Feb 28 + 1 month on the 31st = Mar 31).
 */
export function addMonthsOnDay(iso: string, months: number, day: number): string {
  const total = Number(iso.slice(0, 4)) * 12 + (Number(iso.slice(5, 7)) - 1) + months
  const ny = Math.floor(total / 12)
  const nm = (total % 12) + 1
  const nd = Math.min(day, daysInMonth(ny, nm))
  return `${String(ny).padStart(4, '0')}-${String(nm).padStart(2, '0')}-${String(nd).padStart(2, '0')}`
}

/** Add days to an ISO date. */
export function addDays(iso: string, days: number): string {
  const ms = Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000
  return new Date(ms).toISOString().slice(0, 10)
}

/** Whole days from a to b (b − a). */
export function daysBetween(a: string, b: string): number {
  return Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / 86_400_000)
}
