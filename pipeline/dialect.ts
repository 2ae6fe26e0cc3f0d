/**
 * The one place that knows which SQL dialect the rules run on.
 *
 * Rules (stages/rules, stages/checks) build exact-decimal and date arithmetic only through these helpers, so a
 * PostgreSQL backend (kysely PostgresDialect) needs a second implementation of this module and nothing else:
 * there `dec_add(a, b)` becomes `(a::numeric + b::numeric)::text`, `add_months` becomes `d + interval` (which
 * clamps to month end just like ours), and `dec_sum` becomes `sum(x::numeric)::text`.
 *
 * SQLite side: user-defined functions registered by `registerFunctions` on the better-sqlite3 connection.
 * Decimals are canonical TEXT (pipeline/money.ts); NULL in → NULL out, like SQL arithmetic.
 */
import type BetterSqlite3 from 'better-sqlite3'
import type { RawBuilder, Expression } from 'kysely'
import { sql } from './kysely.js'
import { Decimal, canonical } from './money.js'
import { addDays, addMonths, addMonthsOnDay, daysBetween } from './dates.js'
import { ExactSum } from './scaled-sum.js'
import {
  scaledAbs, scaledAdd, scaledCmp, scaledDiv, scaledNeg, scaledProduct, scaledRound, scaledShow, scaledSign, scaledSub,
} from './scaled-ops.js'

type Operand = Expression<unknown> | RawBuilder<unknown>
type Dec = RawBuilder<string>

export const decAdd = (a: Operand, b: Operand): Dec => sql<string>`dec_add(${a}, ${b})`
export const decSub = (a: Operand, b: Operand): Dec => sql<string>`dec_sub(${a}, ${b})`
export const decMul = (a: Operand, b: Operand): Dec => sql<string>`dec_mul(${a}, ${b})`
export const decDiv = (a: Operand, b: Operand): Dec => sql<string>`dec_div(${a}, ${b})`
/**
 * |a| of canonical decimal text (every stored decimal and every dec_* result is): the text without its sign, by the
 * engine's own ltrim rather than a JS function call per row (~200,000 a month in sell and the checks). `a` is
 * evaluated once. PostgreSQL: `abs(a::numeric)::text`.
 */
export const decAbs = (a: Operand): Dec => sql<string>`ltrim(${a}, '-')`
export const decNeg = (a: Operand): Dec => sql<string>`dec_neg(${a})`
/** Round half away from zero to `places` decimals. */
export const decRound = (a: Operand, places: Operand): Dec => sql<string>`dec_round(${a}, ${places})`
/** Truncate toward zero to `places` decimals (Excel ROUNDDOWN). */
export const decTrunc = (a: Operand, places: Operand): Dec => sql<string>`dec_trunc(${a}, ${places})`
/**
 * Exact product of several decimals in one call (fewer UDF round trips than nested decMul).
 * PostgreSQL: `(a::numeric * b::numeric * …)::text`.
 */
export const decProduct = (...xs: Operand[]): Dec => sql<string>`dec_product(${sql.join(xs)})`
/** -1, 0 or 1. */
export const decCmp = (a: Operand, b: Operand): RawBuilder<number> => sql<number>`dec_cmp(${a}, ${b})`
/**
 * -1, 0 or 1 for canonical decimal text, by the engine's own sign(): its float reading of a decimal is 0 only for
 * 0 or below ~1e-308, and every value ingest accepts has at most 100 places (so every operand the rules give it,
 * all ingested columns, is exact). PostgreSQL: `sign(a::numeric)`.
 */
export const decSign = (a: Operand): RawBuilder<number> => sql<number>`sign(${a})`
/** Exact aggregate sum of decimal text; '0' over no rows. */
export const decSum = (a: Operand): Dec => sql<string>`coalesce(dec_sum(${a}), '0')`

/**
 * Fixed-point text with exactly `places` decimals, rounded half away from zero (display only: explanations).
 * PostgreSQL: `round(a::numeric, places)::text`.
 */
export const decFixed = (a: Operand, places: Operand): RawBuilder<string> => sql<string>`dec_fixed(${a}, ${places})`
/**
 * Display text with at least `minPlaces` and at most `maxPlaces` decimals (rounded half away from zero, trailing
 * zeros beyond `minPlaces` dropped): 36 → '36.00', 83.333333… → '83.3333' with (2, 4). Display only.
 * PostgreSQL: `to_char`/`trim_scale` over `round(a::numeric, maxPlaces)`.
 */
export const decShow = (a: Operand, minPlaces: Operand, maxPlaces: Operand): RawBuilder<string> =>
  sql<string>`dec_show(${a}, ${minPlaces}, ${maxPlaces})`

export const addMonthsSql = (date: Operand, months: Operand): RawBuilder<string> => sql<string>`add_months(${date}, ${months})`
export const addDaysSql = (date: Operand, days: Operand): RawBuilder<string> => sql<string>`add_days(${date}, ${days})`
/** b − a in days. */
export const daysBetweenSql = (a: Operand, b: Operand): RawBuilder<number> => sql<number>`days_between(${a}, ${b})`
/*
 * The same three date operations for columns that hold valid ISO dates (parseDate output, or dates the rules
 * derived from them), computed by the engine's own date functions instead of a JS function call per row: same
 * results on every valid date (test/properties/iso-dates.property.test.ts), several times faster over 50,000
 * lines. Unlike the helpers above they do not reject malformed text, so use them only on such columns.
 * PostgreSQL: `b::date - a::date`, `a::date + n`, `a::date + n * interval '1 month'` (which clamps to month end).
 */
/** b − a in days (a REAL count, like daysBetweenSql). */
export const isoDaysBetweenSql = (a: Operand, b: Operand): RawBuilder<number> => sql<number>`(julianday(${b}) - julianday(${a}))`
export const isoAddDaysSql = (date: Operand, days: Operand): RawBuilder<string> =>
  sql<string>`date(${date}, cast(${days} as integer) || ' days')`
/** Whole months with end-of-month clamping (Jan 31 + 1 → Feb 28/29), like addMonthsSql. */
export const isoAddMonthsSql = (date: Operand, months: Operand): RawBuilder<string> =>
  sql<string>`date(${date}, cast(${months} as integer) || ' months', 'floor')`
/** Largest k ≥ 0 with add_months(a, k·step) ≤ b, or null when b < a. */
export const wholeStepsSql = (a: Operand, b: Operand, stepMonths: Operand): RawBuilder<number> =>
  sql<number>`whole_steps(${a}, ${b}, ${stepMonths})`

/** add_months on a given day of the month (pipeline/dates.ts addMonthsOnDay). */
export const addMonthsOnDaySql = (date: Operand, months: Operand, day: Operand): RawBuilder<string> =>
  sql<string>`add_months_on_day(${date}, ${months}, ${day})`
/** Largest k ≥ 0 with add_months_on_day(a, k·step, day) ≤ b, or null when b < a. */
export const wholeStepsOnDaySql = (a: Operand, b: Operand, stepMonths: Operand, day: Operand): RawBuilder<number> =>
  sql<number>`whole_steps_on_day(${a}, ${b}, ${stepMonths}, ${day})`

type Cell = string | number | bigint | null

// Parsed operands are cached: a month of lines repeats the same quantities, rates, percents and prices, and
// parsing the text is the larger part of a decimal.js operation (Decimal instances are immutable, so sharing
// them is safe).
const parsed = new Map<string, Decimal>()
function d(v: Cell): Decimal {
  const key = cellKey(v)
  const hit = parsed.get(key)
  if (hit !== undefined) return hit
  const value = new Decimal(typeof v === 'bigint' ? v.toString() : (v as string | number))
  if (parsed.size >= MEMO_LIMIT) parsed.clear()
  parsed.set(key, value)
  return value
}

/** Cache key of an argument: its text (a REAL -0 keeps its sign, which String() would drop). */
const cellKey = (v: Cell): string => (typeof v === 'string' ? v : Object.is(v, -0) ? '-0' : String(v))

/** An argument as text for pipeline/scaled-ops.ts (which declines anything but plain decimals). */
const plain = (v: Cell): string => (typeof v === 'string' ? v : typeof v === 'bigint' ? v.toString() : cellKey(v))

/** The scaled-integer operation (pipeline/scaled-ops.ts) when it can promise decimal.js's text, else decimal.js. */
function binary(fast: (a: string, b: string) => string | null, slow: (a: Decimal, b: Decimal) => Decimal) {
  return (a: Cell, b: Cell): string | null =>
    a === null || b === null ? null : (fast(plain(a), plain(b)) ?? canonical(slow(d(a), d(b))))
}

/** The same for one operand. */
function unary(fast: (a: string) => string | null, slow: (a: Decimal) => Decimal) {
  return (a: Cell): string | null => (a === null ? null : (fast(plain(a)) ?? canonical(slow(d(a)))))
}

/**
 * Caches a UDF's results by its arguments' text (the functions are pure): the same price × quantity, the same
 * 17/31 proration and the same percent display recur across thousands of lines. Bounded like the date memos.
 * Calls with a NULL argument bypass the cache (NULL and '' would share a key). The wrapper keeps the
 * function's arity: better-sqlite3 registers the SQL function with `fn.length` arguments.
 */
function memoiseCells<F extends (...xs: Cell[]) => unknown>(fn: F): F {
  type R = ReturnType<F>
  const cache = new Map<string, R>()
  const remember = (key: string, value: R): R => {
    if (cache.size >= MEMO_LIMIT) cache.clear()
    cache.set(key, value)
    return value
  }
  // One closure per arity, so a call builds its key without an argument array (hundreds of thousands of calls).
  const f = fn as unknown as (...xs: Cell[]) => R
  switch (fn.length) {
    case 1:
      return ((a: Cell) => {
        if (a === null) return f(a)
        const key = cellKey(a)
        const hit = cache.get(key)
        return hit !== undefined ? hit : remember(key, f(a))
      }) as F
    case 2:
      return ((a: Cell, b: Cell) => {
        if (a === null || b === null) return f(a, b)
        const key = `${cellKey(a)}\u0000${cellKey(b)}`
        const hit = cache.get(key)
        return hit !== undefined ? hit : remember(key, f(a, b))
      }) as F
    case 3:
      return ((a: Cell, b: Cell, c: Cell) => {
        if (a === null || b === null || c === null) return f(a, b, c)
        const key = `${cellKey(a)}\u0000${cellKey(b)}\u0000${cellKey(c)}`
        const hit = cache.get(key)
        return hit !== undefined ? hit : remember(key, f(a, b, c))
      }) as F
    default:
      throw new Error(`memoiseCells: unsupported arity ${fn.length}`)
  }
}

/** Whole plan steps from a to b: the largest k with addMonths(a, k·step) ≤ b (on `day` of the month when given). */
export function wholeSteps(a: string, b: string, step: number, day?: number): number | null {
  if (b < a || step <= 0) return null
  const months = (Number(b.slice(0, 4)) - Number(a.slice(0, 4))) * 12 + Number(b.slice(5, 7)) - Number(a.slice(5, 7))
  const at = (k: number) => (day === undefined ? addMonths(a, k * step) : addMonthsOnDay(a, k * step, day))
  let k = Math.max(0, Math.floor(months / step) + 1)
  while (k > 0 && at(k) > b) k--
  return k
}

/** Display text of a decimal with between `lo` and `hi` decimals (see decShow). */
export function show(value: Decimal, lo: number, hi: number): string {
  const rounded = value.toDecimalPlaces(hi, Decimal.ROUND_HALF_UP)
  const places = Math.min(hi, Math.max(lo, rounded.decimalPlaces()))
  const text = rounded.toFixed(places)
  return /^-0(\.0*)?$/.test(text) ? text.slice(1) : text
}

/** Register every function the rules use on a better-sqlite3 connection. */
export function registerFunctions(db: BetterSqlite3.Database): void {
  const opts = { deterministic: true } as const
  db.function('dec_add', opts, memoiseCells(binary(scaledAdd, (a, b) => a.plus(b))))
  db.function('dec_sub', opts, memoiseCells(binary(scaledSub, (a, b) => a.minus(b))))
  db.function('dec_mul', opts, memoiseCells(binary((a, b) => scaledProduct([a, b]), (a, b) => a.times(b))))
  db.function('dec_div', opts, memoiseCells(binary(scaledDiv, (a, b) => (b.isZero() ? new Decimal(NaN) : a.div(b)))))
  db.function('dec_abs', opts, memoiseCells(unary(scaledAbs, (a) => a.abs())))
  db.function('dec_neg', opts, memoiseCells(unary(scaledNeg, (a) => a.neg())))
  db.function('dec_round', opts, memoiseCells((a: Cell, p: Cell) =>
    a === null || p === null ? null : (scaledRound(plain(a), Number(p)) ?? canonical(d(a).toDecimalPlaces(Number(p), Decimal.ROUND_HALF_UP)))))
  db.function('dec_trunc', opts, memoiseCells((a: Cell, p: Cell) =>
    a === null || p === null ? null : (scaledRound(plain(a), Number(p), true) ?? canonical(d(a).toDecimalPlaces(Number(p), Decimal.ROUND_DOWN)))))
  db.function('dec_cmp', opts, memoiseCells((a: Cell, b: Cell) => (a === null || b === null ? null : (scaledCmp(plain(a), plain(b)) ?? d(a).cmp(d(b))))))
  db.function('dec_sign', opts, memoiseCells((a: Cell) => (a === null ? null : (scaledSign(plain(a)) ?? d(a).cmp(0)))))
  db.aggregate('dec_sum', {
    start: () => null as ExactSum | null,
    step: (acc: ExactSum | null, v: unknown) => {
      if (v === null) return acc
      const sum = acc ?? new ExactSum()
      sum.add(String(v))
      return sum
    },
    result: (acc: ExactSum | null) => (acc === null ? null : acc.text()),
    deterministic: true,
  })
  db.function('dec_fixed', opts, memoiseCells((a: Cell, p: Cell) =>
    a === null || p === null ? null : (scaledShow(plain(a), Number(p), Number(p)) ?? show(d(a), Number(p), Number(p)))))
  db.function('dec_show', opts, memoiseCells((a: Cell, lo: Cell, hi: Cell) =>
    a === null || lo === null || hi === null ? null : (scaledShow(plain(a), Number(lo), Number(hi)) ?? show(d(a), Number(lo), Number(hi)))))
  // Date functions are memoised: a month of lines repeats a few hundred distinct dates, and a UDF call that
  // hits the cache costs a fraction of the date arithmetic (50,000 lines × several calls per rule).
  const addMonthsMemo = memoise((date: string, n: number) => addMonths(date, n))
  const addDaysMemo = memoise((date: string, n: number) => addDays(date, n))
  const daysBetweenMemo = memoise((a: string, b: string) => daysBetween(a, b))
  const wholeStepsMemo = memoise3((a: string, b: string, step: number) => wholeSteps(a, b, step))
  db.function('add_months', opts, (date: Cell, n: Cell) => (date === null || n === null ? null : addMonthsMemo(String(date), Number(n))))
  db.function('add_days', opts, (date: Cell, n: Cell) => (date === null || n === null ? null : addDaysMemo(String(date), Number(n))))
  db.function('days_between', opts, (a: Cell, b: Cell) => (a === null || b === null ? null : daysBetweenMemo(String(a), String(b))))
  db.function('whole_steps', opts, (a: Cell, b: Cell, step: Cell) =>
    a === null || b === null || step === null ? null : wholeStepsMemo(String(a), String(b), Number(step)))
  // Only lines whose term start fell on a clamped month end call these (charge-cycle.ts): not memoised.
  db.function('add_months_on_day', opts, (date: Cell, n: Cell, day: Cell) =>
    date === null || n === null || day === null ? null : addMonthsOnDay(String(date), Number(n), Number(day)))
  db.function('whole_steps_on_day', opts, (a: Cell, b: Cell, step: Cell, day: Cell) =>
    a === null || b === null || step === null || day === null ? null : wholeSteps(String(a), String(b), Number(step), Number(day)))
  db.function('dec_product', { deterministic: true, varargs: true }, (...xs: Cell[]) => {
    if (xs.some((x) => x === null)) return null
    return scaledProduct(xs.map(plain)) ?? canonical(xs.reduce<Decimal>((acc, x) => acc.times(d(x)), new Decimal(1)))
  })
}

/**
 * Entries each memo keeps before it starts again. Small on purpose: what recurs (a proration, a percent, a
 * quantity, a date) comes back within a few thousand calls, while amounts are mostly unique, so a large memo
 * mostly keeps garbage alive. At 100,000 the memos held ~58 MiB after price and the checks on the 1 M-row bench
 * month (heap 72 MiB against 14 at 4,096), which every later full collection marked again; price and the checks
 * took the same CPU either way (scratch/memo-ab.ts, three alternating rounds).
 */
const MEMO_LIMIT = 4096

function memoise<A extends string | number, B extends string | number, R>(fn: (a: A, b: B) => R): (a: A, b: B) => R {
  const cache = new Map<string, R>()
  return (a, b) => {
    const key = `${a}|${b}`
    const hit = cache.get(key)
    if (hit !== undefined) return hit
    const value = fn(a, b)
    if (cache.size >= MEMO_LIMIT) cache.clear()
    cache.set(key, value)
    return value
  }
}

function memoise3<R>(fn: (a: string, b: string, c: number) => R): (a: string, b: string, c: number) => R {
  const inner = memoise((ab: string, c: number) => {
    const [a, b] = ab.split('|') as [string, string]
    return fn(a, b, c)
  })
  return (a, b, c) => inner(`${a}|${b}`, c)
}

