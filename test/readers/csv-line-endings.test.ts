/**
 * stages/readers/csv.ts on small files: line endings mixed within a file (every LF or CRLF ends a row, a lone CR
 * stays in its cell, classic Mac text reads by its CRs), and quote faults: one that stays on its line rejects
 * its row; one that runs past its line (never closed, or closed on a later line) makes the file unreadable,
 * naming the row where the quoted cell starts, and its lines are handed over one by one so that the caller's
 * count of non-blank records after the header is the file's count of non-blank data lines.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { isBlankRecord, readCsv, type CsvOutcome } from '../../stages/readers/csv.js'

const dir = mkdtempSync(join(tmpdir(), 'csp-csv-lines-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

interface Read {
  outcome: CsvOutcome
  /** Non-blank records: [index, cells, problem]. */
  records: [number, string[], string | null][]
  /** Non-blank records after the first: what ingest counts as the file's rows. */
  rows: number
}

let files = 0

/** Reads as ingest does: the fast tokenizer first, then papaparse when it says `reread`. */
async function read(text: string, options: { general?: boolean } = {}): Promise<Read> {
  const path = join(dir, `f${files++}.csv`)
  writeFileSync(path, text)
  let records: Read['records'] = []
  const onRecord = (cells: string[], index: number, problem: string | null) => {
    if (!isBlankRecord(cells)) records.push([index, cells, problem])
  }
  let outcome = await readCsv(path, { gzip: false, ...options }, onRecord)
  if (outcome.status === 'reread') {
    records = []
    outcome = await readCsv(path, { gzip: false, general: true }, onRecord)
  }
  return { outcome, records, rows: Math.max(0, records.length - 1) }
}

describe('line endings', () => {
  it.each([
    { name: 'a lone LF in a CRLF file', text: 'h,v\r\na,1\r\nb,2\nc,3\r\nd,4\r\n' },
    { name: 'a CRLF in an LF file', text: 'h,v\na,1\nb,2\r\nc,3\nd,4\n' },
    { name: 'a lone LF in a quoted CRLF file', text: '"h","v"\r\n"a","1"\r\n"b","2"\n"c","3"\r\n"d","4"\r\n' },
    { name: 'a lone LF on the first line', text: 'h,v\na,1\r\nb,2\r\nc,3\r\nd,4\r\n' },
    { name: 'mixed, no line break at the end', text: 'h,v\r\na,1\nb,2\r\nc,3\nd,4' },
    { name: 'classic Mac text (CR line endings)', text: 'h,v\ra,1\rb,2\rc,3\rd,4\r' },
  ])('$name: one record per line, Excel row numbers kept', async ({ text }) => {
    for (const general of [false, true]) {
      const { outcome, records, rows } = await read(text, { general })
      expect(outcome.status).toBe('ok')
      expect(records).toEqual([
        [0, ['h', 'v'], null], [1, ['a', '1'], null], [2, ['b', '2'], null], [3, ['c', '3'], null], [4, ['d', '4'], null],
      ])
      expect(rows).toBe(4)
    }
  })

  it('line breaks inside a quoted cell stay as they are, CRLF or LF, in a file mixing both', async () => {
    const { outcome, records } = await read('h,v\r\n"x\r\ny\nz",1\nb,2\r\n')
    expect(outcome.status).toBe('ok')
    expect(records).toEqual([[0, ['h', 'v'], null], [1, ['x\r\ny\nz', '1'], null], [2, ['b', '2'], null]])
  })

  it('a lone CR in an LF or CRLF file is text of its cell, not a line break', async () => {
    for (const eol of ['\n', '\r\n']) {
      const { outcome, records } = await read(`h,v${eol}a\rb,1${eol}c,2${eol}`)
      expect(outcome.status).toBe('ok')
      expect(records).toEqual([[0, ['h', 'v'], null], [1, ['a\rb', '1'], null], [2, ['c', '2'], null]])
    }
  })

  it('blank lines keep their row numbers after a lone LF', async () => {
    const { records, rows } = await read('h,v\r\n\r\na,1\n\r\n,\r\nb,2\r\n')
    expect(records.map(([index, cells]) => [index + 1, cells[0]])).toEqual([[1, 'h'], [3, 'a'], [6, 'b']])
    expect(rows).toBe(2)
  })
})

describe('quote faults', () => {
  it.each([
    {
      name: 'a quote never closed, to the end of the file (blank line and final line break: not rows)',
      text: 'h,v\r\na,1\r\nb,"2\r\nc,3\r\n\r\nd,4\r\n',
      reason: 'a quoted cell that starts on row 3 is never closed (unterminated quote)',
      rows: 4,
    },
    {
      name: 'a quote never closed, no final line break',
      text: 'h,v\na,1\nb,"2\nc,3\nd,4',
      reason: 'starts on row 3 is never closed',
      rows: 4,
    },
    {
      name: 'a quote never closed on the last line',
      text: 'h,v\na,1\nb,"2\n',
      reason: 'starts on row 3 is never closed',
      rows: 2,
    },
    {
      // papaparse takes the quote before `y` as text and closes at the one before `,5`: rows 3 and 4 merged.
      name: 'a quote closed on a later line, after text',
      text: 'h,v\na,1\nb,"open\nc,"y",5\nd,4\n',
      reason: 'a quoted cell that starts on row 3 is not closed on its line but runs on into the next (unterminated quote)',
      rows: 4,
    },
    {
      name: 'a quote closed two lines later, CRLF, quoted cells elsewhere',
      text: '"h","v"\r\n"a","1"\r\nb,"open\r\n"c","2"\r\n"d","3"\r\n"e","4"\r\n',
      reason: 'starts on row 3 is not closed on its line',
      rows: 5,
    },
    {
      // With no quote after it in the file, papaparse never finds the end of the cell: unterminated.
      name: 'a quote followed by text and no later quote',
      text: 'h,v\na,1\n"b"x,2\nc,3\n',
      reason: 'starts on row 3 is never closed',
      rows: 3,
    },
  ])('$name → unreadable, every data line counted', async ({ text, reason, rows }) => {
    for (const general of [false, true]) {
      const read1 = await read(text, { general })
      expect(read1.outcome).toMatchObject({ status: 'unreadable' })
      expect((read1.outcome as { reason: string }).reason).toContain(reason)
      expect(read1.rows).toBe(rows)
      // The lines from the faulty row on come one by one, numbered as the file's lines.
      const lines = text.split(/\r?\n/)
      for (const [index, cells] of read1.records) expect(lines[index]!.replaceAll('"', '')).toBe(cells.join(',').replaceAll('"', ''))
    }
  })

  it('a quote fault on one line rejects that row only; later rows keep their numbers', async () => {
    const { outcome, records, rows } = await read('h,v\r\na,1\r\n"b"x",2\r\nc,3\nd,4\r\n')
    expect(outcome.status).toBe('ok')
    expect(records).toEqual([
      [0, ['h', 'v'], null],
      [1, ['a', '1'], null],
      [2, ['b"x', '2'], 'a quoted cell has text after its closing quote'],
      [3, ['c', '3'], null],
      [4, ['d', '4'], null],
    ])
    expect(rows).toBe(4)
  })

  it('a handler that stops at the header stops inside a faulty record too', async () => {
    const path = join(dir, 'stop.csv')
    writeFileSync(path, 'h,"v\r\na,1\r\nb,2\r\n')
    const seen: string[][] = []
    const outcome = await readCsv(path, { gzip: false, general: true }, (cells) => {
      seen.push(cells)
      return false
    })
    expect(seen).toEqual([['h', 'v']])
    expect(outcome).toMatchObject({ status: 'unreadable', records: 1 })
  })
})
