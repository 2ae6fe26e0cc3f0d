/**
 * stages/readers/csv.ts `LineBreaks`: the pass before papaparse that makes every CRLF outside quoted cells an LF.
 * Cut at every position (a CR or a quote at the end of a piece is held), the output is the same; papaparse told
 * to split at LF then gives one record per line of the file, whatever mix of CRLF and LF it has.
 */
import fc from 'fast-check'
import Papa from 'papaparse'
import { describe, expect, it } from 'vitest'
import { LineBreaks } from '../../stages/readers/csv.js'

function pass(pieces: string[]): { text: string; ending: string } {
  const breaks = new LineBreaks()
  const text = pieces.map((p) => breaks.push(p)).join('') + breaks.end()
  return { text, ending: breaks.ending }
}

/** The text cut in two at every position, and in three at every pair of positions for short texts. */
function cuttings(text: string): string[][] {
  const out: string[][] = [[text]]
  for (let i = 0; i <= text.length; i++) out.push([text.slice(0, i), text.slice(i)])
  if (text.length <= 24) {
    for (let i = 0; i <= text.length; i++) for (let j = i; j <= text.length; j++) out.push([text.slice(0, i), text.slice(i, j), text.slice(j)])
  }
  return out
}

const records = (text: string) => Papa.parse<string[]>(text, { header: false, delimiter: ',', newline: '\n' }).data

describe('LineBreaks', () => {
  it.each([
    { name: 'pure LF: unchanged', text: 'a,b\nc,d\n', out: 'a,b\nc,d\n', ending: 'lf' },
    { name: 'pure CRLF: LF', text: 'a,b\r\nc,d\r\n', out: 'a,b\nc,d\n', ending: 'lf' },
    { name: 'a lone LF in a CRLF file', text: 'a,b\r\nc,d\ne,f\r\n', out: 'a,b\nc,d\ne,f\n', ending: 'lf' },
    { name: 'a CRLF in an LF file', text: 'a,b\nc,d\r\ne,f\n', out: 'a,b\nc,d\ne,f\n', ending: 'lf' },
    { name: 'line breaks inside a quoted cell stay as they are', text: 'a,"x\r\ny\nz"\r\nc,d\r\n', out: 'a,"x\r\ny\nz"\nc,d\n', ending: 'lf' },
    { name: 'an escaped quote does not close the cell', text: '"a"",\r\nb"\r\nc\r\n', out: '"a"",\r\nb"\nc\n', ending: 'lf' },
    { name: 'a quote inside an unquoted cell is text', text: 'a"b,c\r\nd\r\n', out: 'a"b,c\nd\n', ending: 'lf' },
    { name: 'white space after a closing quote', text: '"a" ,"b"  \r\nc\r\n', out: '"a" ,"b"  \nc\n', ending: 'lf' },
    { name: 'a lone CR in an LF file is text', text: 'a,b\nc\rd,e\r\n', out: 'a,b\nc\rd,e\n', ending: 'lf' },
    { name: 'a lone CR in a CRLF file is text', text: 'a,b\r\nc\rd,e\r\n', out: 'a,b\nc\rd,e\n', ending: 'lf' },
    { name: 'classic Mac text: CR line endings', text: 'a,"b\rc"\rd,e\r', out: 'a,"b\rc"\nd,e\n', ending: 'cr' },
    { name: 'classic Mac text, quoted cell at the end of a line', text: '"a","b"\r"c",d\r', out: '"a","b"\n"c",d\n', ending: 'cr' },
    // papaparse keeps a cell open past a quote followed by text: so does LineBreaks, leaving the CRLF inside it.
    { name: 'a stray quote keeps the cell open over the line break', text: 'a,"b"x\r\nc",d\r\ne\r\n', out: 'a,"b"x\r\nc",d\ne\n', ending: 'lf' },
    { name: 'a quote never closed: the rest is its cell', text: 'a\r\n"b\r\nc\r\n', out: 'a\n"b\r\nc\r\n', ending: 'lf' },
    { name: 'a quote as the last character closes', text: 'a\r\n"b"', out: 'a\n"b"', ending: 'lf' },
    { name: 'no line break at all', text: 'a,"b",c', out: 'a,"b",c', ending: 'unknown' },
    { name: 'empty', text: '', out: '', ending: 'unknown' },
  ])('$name, cut anywhere', ({ text, out, ending }) => {
    for (const pieces of cuttings(text)) expect(pass(pieces), JSON.stringify(pieces)).toEqual({ text: out, ending })
  })

  it('papaparse then reads one record per line of a file mixing CRLF and LF, quoted line breaks kept', async () => {
    const cell = fc.array(fc.constantFrom('a', 'é', ' ', ',', '"', '\n', '\r\n', 'x'), { maxLength: 6 }).map((cs) => cs.join(''))
    await fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.array(cell, { minLength: 1, maxLength: 4 }), fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(200), { maxLength: 4 }),
        (rows, cuts) => {
          const quote = (c: string) => (/[",\r\n]/.test(c) || c.trim() !== c ? `"${c.replaceAll('"', '""')}"` : c)
          const body = rows.map(([cells]) => (cells.length === 1 && cells[0] === '' ? ['x'] : cells))
          const text = body.map((cells, i) => cells.map(quote).join(',') + rows[i]![1]).join('')
          const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
          const pieces = [0, ...at].map((from, i, all) => text.slice(from, all[i + 1] ?? text.length))
          const got = records(pass(pieces).text)
          expect(got.pop()).toEqual(['']) // after the last line ending
          expect(got).toEqual(body)
        },
      ),
      { numRuns: 500 },
    )
  })

  it('agrees with papaparse on what is quoted, stray and unclosed quotes included', async () => {
    // Were a line break quoted for one and not the other, papaparse would split at an LF with the CR left in
    // the cell before it, or keep an LF-only line break inside a cell: the records would differ.
    const token = fc.constantFrom('"', ',', 'a', ' ', '\n', '\r\n', '""', '"a"b', ',",', '",')
    await fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), fc.array(fc.nat(60), { maxLength: 3 }), (tokens, cuts) => {
        const text = tokens.join('')
        const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b)
        const pieces = [0, ...at].map((from, i, all) => text.slice(from, all[i + 1] ?? text.length))
        const got = records(pass(pieces).text).map((cells) => cells.map((c) => c.replaceAll('\r\n', '\n')))
        expect(got).toEqual(records(text.replaceAll('\r\n', '\n')))
      }),
      { numRuns: 2000 },
    )
  })
})
