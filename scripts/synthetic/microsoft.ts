/**
 * Microsoft's billing arithmetic, used to make synthetic lines internally consistent (SPEC §3.2–§3.4).
 * In: decimal strings and ISO dates. Out: decimal strings (canonical, as Partner Center prints them) and dates.
 * Exact decimals only (decimal.js via pipeline/money.ts); ROUNDDOWN = truncate toward zero. Never throws on
 * well-formed input (the generators only pass values they built).
 */
import { Decimal, canonical, dec } from '../../pipeline/money.js'
import { addDays, addMonths, daysBetween } from '../../pipeline/dates.js'

export type Term = 'P1M' | 'P1Y' | 'P3Y'
export type Plan = 'Monthly' | 'Annual' | 'Triennial'

export const TERM_MONTHS: Record<Term, number> = { P1M: 1, P1Y: 12, P3Y: 36 }
export const PLAN_MONTHS: Record<Plan, number> = { Monthly: 1, Annual: 12, Triennial: 36 }

/** ROUNDDOWN(x, 2): truncate toward zero (Excel's ROUNDDOWN). */
export function roundDown2(x: Decimal): Decimal {
  return x.toDecimalPlaces(2, Decimal.ROUND_DOWN)
}

/** Seat lines (SPEC §3.4): ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, 2) × BillableQuantity. */
export function seatSubtotal(eup: string, rate: string, billableQuantity: string): string {
  return canonical(roundDown2(dec(eup).times(rate)).times(billableQuantity))
}

/** Azure plan lines (SPEC §3.4): ROUNDDOWN(ROUNDDOWN(EffectiveUnitPrice × BillableQuantity, 2) × PCToBCExchangeRate, 2). */
export function usageSubtotal(eup: string, billableQuantity: string, rate: string): string {
  return canonical(roundDown2(roundDown2(dec(eup).times(billableQuantity)).times(rate)))
}

/** Total = Subtotal + TaxTotal. */
export function total(subtotal: string, taxTotal: string): string {
  return canonical(dec(subtotal).plus(taxTotal))
}

/** Price of one charge cycle from a whole-term price (SPEC §2.3): term price × cycle months ÷ term months. */
export function cyclePrice(termPrice: string, term: Term, plan: Plan): string {
  return canonical(dec(termPrice).times(PLAN_MONTHS[plan]).div(TERM_MONTHS[term]))
}

export interface Cycle {
  start: string
  end: string
  days: number
}

/**
 * The charge cycle containing `date` for a term that started on `termStart` (SPEC §3.3): cycle k runs from
 * termStart + k·plan to termStart + (k+1)·plan − 1 day, months added from the anniversary with end-of-month clamping.
 */
export function cycleContaining(termStart: string, planMonths: number, date: string): Cycle {
  let k = 0
  while (addMonths(termStart, (k + 1) * planMonths) <= date) k++
  const start = addMonths(termStart, k * planMonths)
  const end = addDays(addMonths(termStart, (k + 1) * planMonths), -1)
  return { start, end, days: daysBetween(start, end) + 1 }
}

/** The last day of a term (or cycle) of `months` that starts on `start`. */
export function periodEnd(start: string, months: number): string {
  return addDays(addMonths(start, months), -1)
}

/**
 * Microsoft's prorated EffectiveUnitPrice (SPEC §3.3, FORMATS.md §1.8): round half-up to 2 decimals of
 * unit price × billing days ÷ cycle days, billing days counted inclusively from the event date to the charge end.
 */
export function proratedEup(unitPrice: string, eventDate: string, chargeEnd: string, cycleDays: number): string {
  const billingDays = daysBetween(eventDate, chargeEnd) + 1
  return canonical(dec(unitPrice).times(billingDays).div(cycleDays).toDecimalPlaces(2, Decimal.ROUND_HALF_UP))
}

/** ISO date → Partner Center's zero-padded MM/DD/YYYY. */
export function usDate(iso: string): string {
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)}`
}

/** Canonical decimal text of a value (what Partner Center prints: no trailing zeros). */
export function num(value: Decimal | string | number): string {
  return canonical(dec(typeof value === 'number' ? String(value) : value))
}
