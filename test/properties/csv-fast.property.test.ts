/**
 * The fast CSV tokenizer (stages/readers/csv-fast.ts) against papaparse, on random well-formed CSV: cells with
 * commas, quotes, line breaks, accented letters, the euro sign, emoji and U+FFFD, cut into chunks at random byte
 * positions (mid-character included). Whenever the fast pass accepts a text, its records are papaparse's, cell
 * for cell, and `ascii` says whether the record's bytes are ASCII. A cell remembered from an earlier record
 * (`textRemembered`) is always the cell's own text.
 */
import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import type { ByteSource } from '../../stages/readers/bytes.js'
import { CellMemo, readCsvFast } from '../../stages/readers/csv-fast.js'

const ALPHABET = ['a', 'Z', '0', '7', ' ', '.', '-', ',', '"', '\n', 'é', 'ü', '€', '😀', '\uFFFD']
const cell = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 12 }).map((cs) => cs.join(''))

/** RFC 4180 text: a cell is quoted when it must be, or when `quoteAll` (as Partner Center writes). */
function toCsv(rows: string[][], quoteAll: boolean, eol: string): string {
  const quote = (c: string) => (quoteAll || /[",\n\r]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)
  return rows.map((r) => r.map(quote).join(',')).join(eol) + eol
}

function source(bytes: Buffer, cuts: number[]): ByteSource {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)
  const parts: Buffer[] = []
  let from = 0
  for (const c of [...at, bytes.length]) {
    if (c > from) parts.push(bytes.subarray(from, c))
    from = Math.max(from, c)
  }
  return {
    chunks: (async function* () {
      yield* parts
    })(),
    sha256: () => '',
    bytesRead: () => bytes.length,
  }
}

describe('fast CSV tokenizer', () => {
  it('gives papaparse\'s records, whatever the chunking, and knows which records are ASCII', async () => {
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        fc.constantFrom('\n', '\r\n'),
        fc.array(fc.nat(400), { maxLength: 6 }),
        async (rows, quoteAll, eol, cuts) => {
          // A row of one empty cell would be a blank line: blank lines are tested elsewhere (usage-path.test.ts).
          const text = toCsv(rows.map((r) => (r.length === 1 && r[0] === '' ? ['x'] : r)), quoteAll, eol)
          const bytes = Buffer.from(text, 'utf8')
          const seen: { cells: string[]; ascii: boolean }[] = []
          const outcome = await readCsvFast(source(bytes, cuts), (record) => {
            seen.push({ cells: record.all(), ascii: record.ascii })
          })
          if (outcome.status !== 'ok') return // outside the common case: the general path reads it
          accepted++
          const expected = Papa.parse<string[]>(text, { header: false, newline: eol as '\n' | '\r\n' }).data
          // papaparse on a whole string ends with an empty record after the last line ending; the stream does not.
          if (expected.length > 0 && expected[expected.length - 1]!.join('') === '') expected.pop()
          expect(seen.map((s) => s.cells)).toEqual(expected)
          for (const s of seen) expect(s.ascii).toBe(s.cells.every((c) => [...c].every((ch) => ch.charCodeAt(0) < 0x80)))
        },
      ),
      { numRuns: 400 },
    )
    expect(accepted).toBeGreaterThan(200) // the comparison ran, not only the early return
  })

  it('remembers a cell only when its bytes repeat: textRemembered is always text, whatever the chunking', async () => {
    let remembered = 0
    // Rows that repeat most cells of the row before, as a usage export does; a cell may move, shrink or be quoted.
    const pool = fc.constantFrom('a', 'ab', 'b', '', 'é', '€1', 'x,y', 'q"q', 'line\nbreak', '"', 'Z')
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(pool, { minLength: 3, maxLength: 4 }), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.array(fc.nat(300), { maxLength: 6 }),
        fc.shuffledSubarray([0, 1, 2, 3, 5], { minLength: 1 }),
        async (rows, quoteAll, cuts, columns) => {
          const text = toCsv(rows.map((r) => (r.every((c) => c === '') ? ['x', ...r.slice(1)] : r)), quoteAll, '\n')
          const memo = new CellMemo(columns.length)
          const outcome = await readCsvFast(source(Buffer.from(text, 'utf8'), cuts), (record) => {
            columns.forEach((i, slot) => {
              const before = memo.texts[slot]
              const got = record.textRemembered(i, memo, slot)
              expect(got).toBe(record.text(i))
              if (got === before && got !== '') remembered++
            })
          })
          expect(['ok', 'fallback']).toContain(outcome.status)
        },
      ),
      { numRuns: 400 },
    )
    expect(remembered).toBeGreaterThan(100) // cells did repeat, so the memo was put to the test
  })
})
