/**
 * ExactSum (pipeline/scaled-sum.ts), the float64-then-BigInt running sum of the usage hot path and `dec_sum`,
 * always says what decimal.js says: across scales, signs, 15/16-digit values and sums far past 2^53.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { canonical, dec } from '../../pipeline/money.js'
import { ExactSum } from '../../pipeline/scaled-sum.js'

const decimalText = fc
  .tuple(fc.boolean(), fc.bigInt({ min: 0n, max: 10n ** 20n }), fc.integer({ min: 0, max: 18 }))
  .map(([negative, digits, scale]) => {
    const padded = digits.toString().padStart(scale + 1, '0')
    const text = scale === 0 ? padded : `${padded.slice(0, padded.length - scale)}.${padded.slice(padded.length - scale)}`
    return canonical(dec(`${negative ? '-' : ''}${text}`))
  })

describe('ExactSum', () => {
  it('equals the BigInt sum for any canonical decimals', () => {
    fc.assert(
      fc.property(fc.array(decimalText, { maxLength: 80 }), (values) => {
        const fast = new ExactSum()
        for (const v of values) fast.add(v)
        expect(fast.text()).toBe(canonical(values.reduce((acc, v) => acc.plus(dec(v)), dec('0'))))
      }),
      { numRuns: 500 },
    )
  })

  it('worked examples: 15-decimal rates, 2^53 overflow, rising scale', () => {
    const sum = (values: string[]) => {
      const s = new ExactSum()
      for (const v of values) s.add(v)
      return s.text()
    }
    expect(sum(['0.818498056067117', '0.181501943932883'])).toBe('1')
    expect(sum(['9007199254740991', '1', '1'])).toBe('9007199254740993')
    expect(sum(['1', '0.1', '-0.01', '0.000000000000000001'])).toBe('1.090000000000000001')
    expect(sum([])).toBe('0')
  })
})
