import { describe, expect, it } from 'vitest'
import { addMonths, daysBetween, parseDate } from '../../pipeline/dates.js'
import { isParseError } from '../../pipeline/money.js'
import { periodBounds } from '../../pipeline/context.js'
import { wholeSteps } from '../../pipeline/dialect.js'

describe('parseDate (SPEC §2)', () => {
  it.each([
    ['07/03/2021', '2021-07-03'],
    ['7/3/2021', '2021-07-03'],
    ['2/1/2019 12:00:00 AM', '2019-02-01'],
    ['2/4/2021 8:35:31 PM', '2021-02-04'],
    ['2/1/2023 0:00', '2023-02-01'],
    ['11/30/9999 23:59', '9999-11-30'],
    ['2021-10-01T00:00:00.0000000Z', '2021-10-01'],
    ['2026-10-31', '2026-10-31'],
    ['02/29/2024', '2024-02-29'],
    // An offset is moved to UTC first: the UTC day can be the day after or before the local one.
    ['2026-10-01T23:30:00-05:00', '2026-10-02'],
    ['2026-10-31T20:00:00-0400', '2026-11-01'],
    ['2026-10-01T01:30:00+02:00', '2026-09-30'],
    ['2026-12-31T22:00:00-02:30', '2027-01-01'],
    ['2024-02-28T23:00:00-01:00', '2024-02-29'],
    ['2026-10-01T12:00:00+14:00', '2026-09-30'],
    ['2026-10-01T23:30:00+00:00', '2026-10-01'],
    // An open-ended end date stays the last day rather than become year 10000 (found by review).
    ['9999-12-31T23:59:59-05:00', '9999-12-31'],
    ['1000-01-01T00:30:00+01:00', '1000-01-01'],
    // An hour-only offset is ISO 8601 too (periods review).
    ['2026-10-31T23:30:00-05', '2026-11-01'],
  ])('%s → %s', (raw, expected) => {
    expect(parseDate(raw)).toBe(expected)
  })

  it('reads XLSX date cells and serials', () => {
    expect(parseDate(new Date(Date.UTC(2026, 9, 31)))).toBe('2026-10-31')
    expect(parseDate(46326)).toBe('2026-10-31')
  })

  // Excel's fictitious 1900-02-29 is serial 60: serials below it are a day later than days since 1899-12-30.
  it('serials around Excel\'s 29 February 1900 (periods review)', () => {
    expect(parseDate(1)).toBe('1900-01-01')
    expect(parseDate(59)).toBe('1900-02-28')
    expect(isParseError(parseDate(60))).toBe(true)
    expect(parseDate(61)).toBe('1900-03-01')
  })

  it.each([['13/01/2021'], ['02/29/2023'], ['2021-13-01'], ['yesterday'], ['31.10.2026'], ['10/31/2026 25:00'], ['2026-10-01T10:00:00+15:00'], ['2026-10-01T10:00:00+14:01'], ['2026-10-01T10:00:00+01:60']])('rejects %s', (raw) => {
    expect(isParseError(parseDate(raw))).toBe(true)
  })
})

describe('calendar arithmetic (SPEC §3.3)', () => {
  it('clamps to month end', () => {
    expect(addMonths('2022-01-31', 1)).toBe('2022-02-28')
    expect(addMonths('2024-01-31', 1)).toBe('2024-02-29')
    expect(addMonths('2022-01-31', 2)).toBe('2022-03-31')
    expect(addMonths('2021-11-15', -12)).toBe('2020-11-15')
  })

  it('counts whole plan steps from the anniversary, not chained', () => {
    expect(wholeSteps('2022-01-31', '2022-02-27', 1)).toBe(0)
    expect(wholeSteps('2022-01-31', '2022-02-28', 1)).toBe(1)
    expect(wholeSteps('2022-01-31', '2022-03-30', 1)).toBe(1)
    expect(wholeSteps('2022-01-31', '2022-03-31', 1)).toBe(2)
    expect(wholeSteps('2022-02-21', '2022-02-20', 1)).toBeNull()
    expect(daysBetween('2022-02-21', '2022-03-21')).toBe(28)
  })

  it('period bounds honour periodStartDay', () => {
    expect(periodBounds('2026-10', 1)).toEqual({ start: '2026-10-01', end: '2026-10-31' })
    expect(periodBounds('2026-10', 20)).toEqual({ start: '2026-09-20', end: '2026-10-19' })
    expect(periodBounds('2026-01', 20)).toEqual({ start: '2025-12-20', end: '2026-01-19' })
  })
})
