// DUPLICATE_LINE's row identity (stages/load.ts rowKey): the same (column name, trimmed cell) pairs, whatever the
// column order, give the same key; any other pair list gives another.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { rowKey, rowKeyOrder } from '../../stages/load.js'

const key = (names: string[], cells: string[]) => rowKey(rowKeyOrder(names), cells)

describe('rowKey', () => {
  it('ignores column order and surrounding white space', () => {
    expect(key(['customerid', 'total', 'currency'], ['C1', '10.00', 'EUR'])).toBe(key(['currency', 'customerid', 'total'], [' EUR', 'C1', '10.00 ']))
  })

  it('tells apart a different value, a value under another column, and an extra column with text', () => {
    const base = key(['customerid', 'total'], ['C1', '10.00'])
    expect(key(['customerid', 'total'], ['C1', '10.01'])).not.toBe(base)
    expect(key(['customerid', 'subtotal'], ['C1', '10.00'])).not.toBe(base)
    expect(key(['customerid', 'total', 'extra'], ['C1', '10.00', 'zzz'])).not.toBe(base)
    // Text that would blur a naive join of names and values.
    expect(key(['a', 'b'], ['x","b', ''])).not.toBe(key(['a', 'b'], ['x', '","b']))
  })

  // A resend whose export gained an empty column, or lost one that was empty, was billed twice (end-to-end review).
  it('a column a file lacks reads as empty: an empty extra column or a dropped empty column is the same row', () => {
    const base = key(['customerid', 'promotionid', 'total'], ['C1', '', '10.00'])
    expect(key(['customerid', 'total'], ['C1', '10.00'])).toBe(base)
    expect(key(['customerid', 'promotionid', 'total', 'foo'], ['C1', '', '10.00', '  '])).toBe(base)
  })

  it('sorts same-named (empty) header columns by their cells, so their order does not matter either', () => {
    expect(key(['', '', 'total'], ['x', 'y', '1'])).toBe(key(['total', '', ''], ['1', 'y', 'x']))
    expect(key(['', '', 'total'], ['x', 'y', '1'])).not.toBe(key(['', '', 'total'], ['x', 'z', '1']))
  })

  it('is a function of the sorted (name, trimmed cell) pairs only (random rows, shuffled columns)', () => {
    const column = fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 8 }))
    fc.assert(
      fc.property(fc.uniqueArray(column, { maxLength: 8, selector: ([n]) => n }), fc.array(fc.nat()), (pairs, swaps) => {
        const shuffled = [...pairs]
        for (let i = 0; i < swaps.length && shuffled.length > 1; i++) {
          const a = i % shuffled.length, b = swaps[i]! % shuffled.length
          ;[shuffled[a], shuffled[b]] = [shuffled[b]!, shuffled[a]!]
        }
        expect(key(shuffled.map(([n]) => n), shuffled.map(([, c]) => ` ${c} `))).toBe(key(pairs.map(([n]) => n), pairs.map(([, c]) => c)))
      }),
      { numRuns: 300 },
    )
  })
})
