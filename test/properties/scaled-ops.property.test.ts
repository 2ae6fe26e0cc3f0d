/**
 * pipeline/scaled-ops.ts, the scaled-BigInt fast path of the SQL decimal UDFs, gives decimal.js's text (50
 * significant digits, ROUND_HALF_UP) whenever it answers, and declines (null) only where decimal.js would
 * round or the text is not a plain decimal. Checked against decimal.js on values with up to 40 digits, trailing
 * zeros, signs and zero; and through the UDFs themselves on an SQLite connection.
 */
import BetterSqlite3 from 'better-sqlite3'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decAbs, decSign, registerFunctions, show } from '../../pipeline/dialect.js'
import { Kysely, SqliteDialect, sql } from '../../pipeline/kysely.js'
import { Decimal, canonical } from '../../pipeline/money.js'
import {
  scaledAbs, scaledAdd, scaledCmp, scaledDiv, scaledNeg, scaledProduct, scaledRound, scaledShow, scaledSign, scaledSub,
} from '../../pipeline/scaled-ops.js'

/** Plain decimal text, not necessarily canonical (`-0.50`, `007`): what a TEXT column or a literal can hold. */
function decimalText([negative, digits, scale, trailingZero]: [boolean, bigint, number, boolean]): string {
  const padded = digits.toString().padStart(scale + 1, '0')
  let text = scale === 0 ? padded : `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`
  if (trailingZero && scale > 0) text += '0'
  return `${negative ? '-' : ''}${text}`
}
const longText = fc.tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 40n }), fc.integer({ min: 0, max: 30 }), fc.boolean()).map(decimalText)
/**
 * The operands of a real month (at most 15 digits: the float64 path), and digits around 2^53, where a sum,
 * product or aligned operand leaves the safe range and the BigInt path takes over.
 */
const shortText = fc
  .tuple(
    fc.boolean(),
    fc.oneof(fc.bigInt({ min: 0n, max: 999n }), fc.bigInt({ min: 0n, max: 10n ** 15n - 1n }), fc.bigInt({ min: 2n ** 53n - 10n ** 4n, max: 2n ** 53n + 10n ** 4n })),
    fc.integer({ min: 0, max: 15 }),
    fc.boolean(),
  )
  .map(decimalText)
const plainText = fc.oneof(longText, shortText, shortText)
const D = (t: string) => new Decimal(t)
const runs = { numRuns: 2000 }
/** Compiles SQL helpers to SQLite text (never executes). */
const dummyKysely = new Kysely<Record<string, never>>({ dialect: new SqliteDialect({ database: new BetterSqlite3(':memory:') }) })

/** The fast result when it answers; decimal.js's in any case. */
function agrees(fast: string | number | null, slow: () => string | number): void {
  if (fast !== null) expect(fast).toBe(slow())
}

describe('scaled-ops agree with decimal.js', () => {
  it('add, sub, mul, cmp', () => {
    fc.assert(
      fc.property(plainText, plainText, (a, b) => {
        agrees(scaledAdd(a, b), () => canonical(D(a).plus(D(b))))
        agrees(scaledSub(a, b), () => canonical(D(a).minus(D(b))))
        agrees(scaledProduct([a, b]), () => canonical(D(a).times(D(b))))
        expect(scaledCmp(a, b)).toBe(D(a).cmp(D(b)))
      }),
      runs,
    )
  })

  it('div (rounded to 50 significant digits) and products of several factors', () => {
    fc.assert(
      fc.property(plainText, plainText, plainText, (a, b, c) => {
        if (D(b).isZero()) expect(scaledDiv(a, b)).toBeNull()
        else expect(scaledDiv(a, b)).toBe(canonical(D(a).div(D(b))))
        agrees(scaledProduct([a, b, c]), () => canonical(D(a).times(D(b)).times(D(c))))
      }),
      runs,
    )
  })

  it('div by ±10^k at any scale (a shift of the point)', () => {
    fc.assert(
      fc.property(plainText, fc.boolean(), fc.integer({ min: 0, max: 17 }), fc.integer({ min: 0, max: 17 }), (a, negative, k, scale) => {
        const b = decimalText([negative, 10n ** BigInt(k), scale, false])
        expect(scaledDiv(a, b)).toBe(canonical(D(a).div(D(b))))
      }),
      runs,
    )
    expect(scaledDiv('12.34', '100')).toBe('0.1234')
    expect(scaledDiv('-5', '-0.01')).toBe('500')
    expect(scaledDiv('123456789012345', '0.001')).toBe('123456789012345000') // past 2^53: BigInt
    expect(scaledDiv('0', '-100')).toBe('0')
  })

  it('round, truncate and display to any places', () => {
    fc.assert(
      fc.property(plainText, fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 4 }), (a, p, lo) => {
        expect(scaledRound(a, p)).toBe(canonical(D(a).toDecimalPlaces(p, Decimal.ROUND_HALF_UP)))
        expect(scaledRound(a, p, true)).toBe(canonical(D(a).toDecimalPlaces(p, Decimal.ROUND_DOWN)))
        const hi = Math.max(lo, p)
        expect(scaledShow(a, lo, hi)).toBe(show(D(a), lo, hi))
      }),
      runs,
    )
  })

  it('abs, neg, sign', () => {
    fc.assert(
      fc.property(plainText, (a) => {
        expect(scaledAbs(a)).toBe(canonical(D(a).abs()))
        expect(scaledNeg(a)).toBe(canonical(D(a).neg()))
        expect(scaledSign(a)).toBe(D(a).cmp(0))
      }),
      runs,
    )
  })

  it('worked examples: exact ties, long quotients, declines', () => {
    expect(scaledRound('2.345', 2)).toBe('2.35')
    expect(scaledRound('-2.345', 2)).toBe('-2.35')
    expect(scaledRound('-0.004', 2)).toBe('0')
    expect(scaledDiv('1', '3')).toBe(`0.${'3'.repeat(50)}`)
    expect(scaledDiv('2', '3')).toBe(`0.${'6'.repeat(49)}7`)
    expect(scaledDiv('1200', '0.04')).toBe('30000')
    // Rounding carries through fifty 9s (the quotient rounded on its digits).
    const nearOne = `1.${'0'.repeat(50)}1`
    expect(scaledDiv('1', nearOne)).toBe(canonical(D('1').div(D(nearOne))))
    expect(scaledDiv('-0.0005', '0.3')).toBe(canonical(D('-0.0005').div(D('0.3'))))
    expect(scaledShow('-0.001', 2, 2)).toBe('0.00')
    expect(scaledShow('36', 2, 6)).toBe('36.00')
    expect(scaledAdd('1e5', '1')).toBeNull() // not a plain decimal: decimal.js decides
    expect(scaledProduct(['1'.repeat(30), '1'.repeat(30)])).toBeNull() // 59 digits: decimal.js rounds
    // Where the float64 path hands over to BigInt: a result or an aligned operand past 2^53.
    expect(scaledProduct(['999999999999999', '99'])).toBe('98999999999999901')
    expect(scaledAdd('999999999999999', '0.000000000000001')).toBe('999999999999999.000000000000001')
    expect(scaledSub('-999999999999999', '999999999999999')).toBe('-1999999999999998')
    expect(scaledCmp('0.000000000000001', '999999999999999')).toBe(-1)
    expect(scaledRound('-99999999999999.5', 0)).toBe('-100000000000000')
    // Long operands (past 15 digits) round on their digits: carries through nines, signs, zeros.
    expect(scaledRound('9.9950000000000000001', 2)).toBe('10')
    expect(scaledRound('-0.99500000000000000001', 2)).toBe('-1')
    expect(scaledRound('-0.00499999999999999999', 2)).toBe('0')
    expect(scaledRound('0.14427036447718391234', 2, true)).toBe('0.14')
    expect(scaledRound('00012345678901234567.5', 0)).toBe('12345678901234568')
    expect(scaledRound('1234567890123456789', 2)).toBe('1234567890123456789')
    expect(scaledNeg('-0.00')).toBe('0')
    expect(scaledSign('-0')).toBe(0)
  })

  // decAbs and decSign are the engine's ltrim(x, '-') and sign(x) (pipeline/dialect.ts): the same as the dec_abs
  // and dec_sign UDFs on every canonical decimal, down to 100 decimal places.
  it.each([
    { name: 'decAbs', helper: decAbs, udf: 'dec_abs' },
    { name: 'decSign', helper: decSign, udf: 'dec_sign' },
  ])('$name on canonical text equals the $udf UDF, NULL included', ({ helper, udf }) => {
    const db = new BetterSqlite3(':memory:')
    registerFunctions(db)
    const compiled = helper(sql.ref('x')).compile(dummyKysely)
    const viaHelper = db.prepare(`select ${compiled.sql.replace('"x"', '?')} as v`).pluck()
    const viaUdf = db.prepare(`select ${udf}(?) as v`).pluck()
    fc.assert(fc.property(plainText, (t) => {
      const c = canonical(D(t))
      expect(viaHelper.get(c)).toBe(viaUdf.get(c))
    }), runs)
    for (const edge of ['0', `0.${'0'.repeat(99)}1`, `-0.${'0'.repeat(99)}1`, '-999999999999999.999']) expect(viaHelper.get(edge)).toBe(viaUdf.get(edge))
    expect(viaHelper.get(null)).toBeNull()
  })

  it('the UDFs give the same text through SQLite, numbers and NULLs included', () => {
    const db = new BetterSqlite3(':memory:')
    registerFunctions(db)
    const one = (q: string, ...params: unknown[]) => Object.values(db.prepare(q).get(...params) as object)[0]
    expect(one('select dec_div(?, ?)', '10', 4)).toBe('2.5')
    expect(one('select dec_mul(?, ?)', '0.1624637214245796', '0.887913005920127')).toBe(canonical(D('0.1624637214245796').times(D('0.887913005920127'))))
    expect(one('select dec_abs(?)', '-0.50')).toBe('0.5')
    expect(one('select dec_neg(?)', '0')).toBe('0')
    expect(one('select dec_sign(?)', '-0.0')).toBe(0)
    expect(one('select dec_round(?, 2)', 1.005)).toBe('1.01') // a REAL goes through its shortest text, like decimal.js
    expect(one('select dec_product(?, ?, ?)', '3', 7, '0.5')).toBe('10.5')
    expect(one('select dec_add(?, null)', '1')).toBeNull()
    expect(one('select dec_fixed(?, 2)', '1e-3')).toBe('0.00') // exponent: decimal.js path
    expect(one('select dec_div(1, 0)')).toBe('NaN')
    db.close()
  })
})
