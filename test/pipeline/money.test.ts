import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Decimal, formatMoney, isParseError, parseDecimal, roundMoney, currencyNumFmt, minorUnits, moneyText } from '../../pipeline/money.js'
import { parseDecimalFast } from '../../schemas/kinds/columns.js'

describe('parseDecimal (SPEC §2 value parsing)', () => {
  it.each([
    ['plain', '12.5', '12.5'],
    ['trimmed', '  3.04 ', '3.04'],
    ['guard apostrophe', "'22.000000000000000000", '22'],
    ['scientific zero', "'0E-20", '0'],
    ['scientific', '1.5e3', '1500'],
    ['16 decimals kept exactly', '0.0848270052000116', '0.0848270052000116'],
    ['15 decimals kept exactly', '0.818498056067117', '0.818498056067117'],
    ['negative', '-1.67', '-1.67'],
    ['negative zero', '-0.00', '0'],
    ['leading dot', '.5', '0.5'],
    ['xlsx number', 0.1, '0.1'],
  ])('%s', (_name, raw, expected) => {
    expect(parseDecimal(raw)).toBe(expected)
  })

  it.each([['1,234.56'], ['1.234,56'], ['NaN'], ['Infinity'], ['12 EUR'], ['1e15'], ['-1000000000000000'], ['0x10']])(
    'rejects %s',
    (raw) => {
      expect(isParseError(parseDecimal(raw))).toBe(true)
    },
  )

  it('empty is null', () => {
    expect(parseDecimal('  ')).toBeNull()
    expect(parseDecimal(null)).toBeNull()
  })

  // One usage cell of 1e-200000000 was written out as 200 million digits and the run died out of memory.
  it('rejects more than 100 decimal places, however written; a float residue like 5.55e-17 is kept', () => {
    expect(parseDecimal('1e-200000000')).toEqual({ error: "'1e-200000000' is out of range (its exponent is beyond ±1000)" })
    expect(parseDecimal('1e-500')).toEqual({ error: "'1e-500' has more than 100 decimal places" })
    // Past decimal.js's own exponent range a value became 0 (review): rejected before it gets there.
    expect(parseDecimal('1e-9000000000000001')).toEqual({ error: "'1e-9000000000000001' is out of range (its exponent is beyond ±1000)" })
    expect(isParseError(parseDecimal('0e-99999999999999999999'))).toBe(true)
    expect(parseDecimal('1.5E+2')).toBe('150')
    expect(isParseError(parseDecimal('1e-101'))).toBe(true)
    expect(isParseError(parseDecimal('0.' + '0'.repeat(100) + '1'))).toBe(true)
    expect(parseDecimal('1e-100')).toBe('0.' + '0'.repeat(99) + '1')
    expect(parseDecimal(5.551115123125783e-17)).toBe('0.00000000000000005551115123125783')
    // The ingest fast path for canonical text sends a longer one to parseDecimal too.
    expect(isParseError(parseDecimalFast('0.' + '0'.repeat(100) + '1'))).toBe(true)
    expect(parseDecimalFast('0.' + '0'.repeat(99) + '1')).toBe('0.' + '0'.repeat(99) + '1')
  })
})

describe('rounding (SPEC §4.5)', () => {
  it.each([
    ['2.345', 'USD', '2.35'],
    ['-2.345', 'USD', '-2.35'],
    ['-2.344', 'USD', '-2.34'],
    ['1234.5', 'JPY', '1235'],
    ['-1234.5', 'JPY', '-1235'],
    ['0.0005', 'KWD', '0.001'],
  ])('%s %s → %s', (value, currency, expected) => {
    expect(formatMoney(value, currency)).toBe(expected)
    expect(roundMoney(value, currency).toFixed(minorUnits(currency))).toBe(expected)
  })

  it('formats zero and negative zero without a sign', () => {
    expect(formatMoney('-0.001', 'USD')).toBe('0.00')
  })

  it('number formats follow minor units', () => {
    expect(currencyNumFmt('USD')).toBe('[$USD] #,##0.00;-[$USD] #,##0.00')
    expect(currencyNumFmt('JPY')).toBe('[$JPY] #,##0;-[$JPY] #,##0')
    expect(currencyNumFmt('kwd')).toBe('[$KWD] #,##0.000;-[$KWD] #,##0.000')
    // Input text never reaches a format string: a code that is not three letters gets the plain format.
    expect(currencyNumFmt('US"D')).toBe('#,##0.00;-#,##0.00')
    expect(currencyNumFmt('[$X]')).toBe('#,##0.00;-#,##0.00')
  })
})

describe('formatMoney: text that needs no rounding is padded, not parsed', () => {
  it('gives decimal.js\'s text for any decimal text and currency', () => {
    const digits = fc.stringMatching(/^[0-9]{1,18}$/)
    const text = fc.tuple(fc.constantFrom('', '-'), digits, fc.option(fc.stringMatching(/^[0-9]{0,6}$/), { nil: undefined }))
      .map(([sign, whole, fraction]) => `${sign}${whole}${fraction === undefined ? '' : `.${fraction}`}`)
    fc.assert(
      fc.property(fc.oneof(text, fc.constantFrom('-0', '-0.00', '0', '-0.001', '007.5', '1.', '.5', '1e3', ' 1.5', '-0.05')), fc.constantFrom('USD', 'JPY', 'KWD', 'EUR'), (value, currency) => {
        let expected: string | Error
        try {
          const rounded = roundMoney(value, currency)
          expected = (rounded.isZero() ? new Decimal(0) : rounded).toFixed(minorUnits(currency))
        } catch (e) {
          expected = e as Error
        }
        if (expected instanceof Error) expect(() => formatMoney(value, currency)).toThrow()
        else expect(formatMoney(value, currency)).toBe(expected)
      }),
      { numRuns: 5000 },
    )
  })
})

// Findings' amounts (exceptions.csv, the Exceptions sheet, messages) read `201.6` and `Sold at 36 USD` (checks review).
describe('moneyText: a finding\'s amount in the currency\'s decimals, never rounded', () => {
  it.each([
    ['105', 'USD', '105.00'], ['8.5', 'USD', '8.50'], ['-4.3', 'EUR', '-4.30'], ['0.0085', 'USD', '0.0085'],
    ['1234', 'JPY', '1234'], ['1.1', 'KWD', '1.100'], ['abc', 'USD', 'abc'], ['3', null, '3'], [null, 'USD', null],
  ] as const)('%s %s → %s', (value, currency, expected) => {
    expect(moneyText(value, currency)).toBe(expected)
  })
})
