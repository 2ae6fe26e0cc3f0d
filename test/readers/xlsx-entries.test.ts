/**
 * stages/readers/xlsx-entries.ts: the two races of exceljs's streaming workbook walk, about one read in a hundred
 * of such a workbook under load. A skipped sheet parked in a temp file was deleted while its stream was opening it
 * (an uncaught ENOENT: it failed CI once, in test/ingest/files.test.ts), and a zip whose workbook.xml comes last
 * (exceljs saves it last) lost that entry when the zip's bytes ended first (the good workbook reported unreadable:
 * "Cannot read properties of undefined (reading 'sheets')"). Four reads at a time make both likelier: with
 * exceljs's own walk this test failed in one of two full runs of the suite on a loaded box.
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { crc32 } from 'node:zlib'
import ExcelJS from 'exceljs'
import unzipper from 'unzipper'
import { afterAll, describe, expect, it } from 'vitest'
import { readXlsx } from '../../stages/readers/xlsx.js'

const dir = mkdtempSync(join(tmpdir(), 'csp-xlsx-skip-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function twoSheets(first: { name: string; hidden: boolean }, second: string): Promise<string> {
  const wb = new ExcelJS.Workbook()
  const a = wb.addWorksheet(first.name, first.hidden ? { state: 'hidden' } : {})
  a.addRow(['Sheet', 'Row'])
  a.addRow([first.name, 2])
  const b = wb.addWorksheet(second)
  b.addRow(['Sheet', 'Row'])
  b.addRow([second, 2])
  const path = join(dir, `${first.name}-${second}.xlsx`)
  writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()))
  return path
}

/** A workbook of one sheet `sheet` with one cell a row, as exceljs saves it. */
async function oneColumn(name: string, sheet: string, values: unknown[]): Promise<string> {
  const wb = new ExcelJS.Workbook()
  const ws = wb.addWorksheet(sheet)
  for (const v of values) ws.addRow([v])
  const path = join(dir, `${name}-source.xlsx`)
  writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()))
  return path
}

/** A copy of the workbook at `source` whose zip entry `entry` has its text rewritten (every other entry as it was). */
async function withEntry(source: string, name: string, entry: string, rewrite: (xml: string) => string): Promise<string> {
  const entries = (await unzipper.Open.buffer(readFileSync(source))).files.filter((f) => f.type === 'File')
  expect(entries.map((e) => e.path)).toContain(entry)
  const files = await Promise.all(entries.map(async (e) => {
    const bytes = await e.buffer()
    return [e.path, e.path === entry ? Buffer.from(rewrite(bytes.toString('utf8'))) : bytes] as const
  }))
  const path = join(dir, `${name}.xlsx`)
  writeFileSync(path, storedZip(files))
  return path
}

/**
 * A one-column sheet `sheet` headed `header` whose data cells are written by `cells`, each given its cell's start tag
 * as saved (`<c r="A2" s="1"`), then the `after` values as exceljs saves them.
 */
async function withCells(name: string, sheet: string, header: string, cells: ((open: string) => string)[], after: unknown[] = []): Promise<string> {
  const placeholders = cells.map((_, i) => 111 * (i + 1))
  const path = await oneColumn(name, sheet, [header, ...placeholders, ...after])
  return withEntry(path, name, 'xl/worksheets/sheet1.xml', (xml) => cells.reduce((out, cell, i) => {
    const saved = new RegExp(`(<c r="A${i + 2}"[^>]*)><v>${placeholders[i]}</v></c>`)
    expect(out).toMatch(saved)
    return out.replace(saved, (_, open: string) => cell(open))
  }, xml))
}

/** The first cell of every row readXlsx hands over, after checking it read `sheet`. */
async function firstCells(path: string, sheet: string): Promise<unknown[]> {
  const seen: unknown[] = []
  expect(await readXlsx(path, (cells) => void seen.push(cells[0]))).toEqual({ status: 'ok', sheet })
  return seen
}

/** The uncaught errors raised while `work` runs. */
async function uncaughtDuring(work: () => Promise<void>): Promise<unknown[]> {
  const uncaught: unknown[] = []
  const listener = (error: unknown) => uncaught.push(error)
  process.on('uncaughtException', listener)
  try {
    await work()
  } finally {
    process.off('uncaughtException', listener)
  }
  return uncaught
}

/** Runs `work` with os.tmpdir() (where the walk parks sheets) a fresh folder; what is left in it afterwards. */
async function leftInTmpdir(name: string, work: () => Promise<void>): Promise<string[]> {
  const parking = join(dir, name)
  mkdirSync(parking)
  const before = process.env.TMPDIR
  process.env.TMPDIR = parking
  try {
    await work()
  } finally {
    if (before === undefined) delete process.env.TMPDIR
    else process.env.TMPDIR = before
  }
  return readdirSync(parking)
}

describe('readXlsx, a sheet it does not read', () => {
  it.each([
    { skipped: 'the hidden first sheet', first: { name: 'Old', hidden: true }, second: 'Current', read: 'Current' },
    { skipped: 'the sheet after the one named after the kind', first: { name: 'customers', hidden: false }, second: 'Notes', read: 'customers' },
  ])('$skipped: 400 reads, four at a time, each of the right sheet, and no uncaught error', async ({ first, second, read }) => {
    const path = await twoSheets(first, second)
    const uncaught = await uncaughtDuring(async () => {
      for (let round = 0; round < 100; round++) {
        const reads = await Promise.all([1, 2, 3, 4].map(async () => {
          const seen: unknown[] = []
          return { outcome: await readXlsx(path, (cells) => void seen.push(cells[0])), seen }
        }))
        for (const { outcome, seen } of reads) {
          expect(outcome).toEqual({ status: 'ok', sheet: read })
          expect(seen).toEqual(['Sheet', read])
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50)) // a late open of a deleted temp file fails here
    })
    expect(uncaught).toEqual([])
  })

  it('leaves no parked sheet behind, whether it reads to the end or stops at the first row', async () => {
    const path = await twoSheets({ name: 'Old', hidden: true }, 'Current')
    const left = await leftInTmpdir('tmp', async () => {
      expect(await readXlsx(path, () => {})).toEqual({ status: 'ok', sheet: 'Current' })
      expect(await readXlsx(path, () => false)).toEqual({ status: 'ok', sheet: 'Current' })
    })
    expect(left).toEqual([])
  })

  // Excel saves workbook.xml first and the shared strings after the sheets (the sheets are parked), exceljs saves
  // workbook.xml last; with the shared strings and rels first the sheets are read straight from the zip.
  it.each([
    { order: 'as exceljs saves it', first: [] },
    { order: 'as Excel saves it', first: ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml'] },
    { order: 'shared strings first', first: ['xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/sharedStrings.xml', 'xl/styles.xml'] },
  ])('reads the same rows whatever the order of the zip entries: $order', async ({ order, first }) => {
    const path = await twoSheets({ name: 'Old', hidden: true }, 'Current')
    const entries = (await unzipper.Open.buffer(readFileSync(path))).files.filter((f) => f.type === 'File')
    const ordered = [...first.map((name) => entries.find((e) => e.path === name)!), ...entries.filter((e) => !first.includes(e.path))]
    const reordered = join(dir, `order-${order.replace(/\W+/g, '-')}.xlsx`)
    writeFileSync(reordered, storedZip(await Promise.all(ordered.map(async (e) => [e.path, await e.buffer()] as const))))
    for (const stop of [false, true]) {
      const seen: unknown[] = []
      expect(await readXlsx(reordered, (cells) => (seen.push(cells), stop ? false : undefined))).toEqual({ status: 'ok', sheet: 'Current' })
      expect(seen).toEqual(stop ? [['Sheet', 'Row']] : [['Sheet', 'Row'], ['Current', 2]])
    }
  })

  // Adversarial review: a reader dropped before its end (a run stopped mid-read) left its parked sheets in the
  // temporary folder, up to 5.5 GB.
  it('a process that ends while a parked sheet is read leaves no parked sheet behind', async () => {
    const path = await twoSheets({ name: 'Old', hidden: true }, 'Current')
    const excelOrder = ['[Content_Types].xml', '_rels/.rels', 'xl/workbook.xml', 'xl/_rels/workbook.xml.rels', 'xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml']
    const entries = (await unzipper.Open.buffer(readFileSync(path))).files.filter((f) => f.type === 'File')
    const ordered = [...excelOrder.map((name) => entries.find((e) => e.path === name)!), ...entries.filter((e) => !excelOrder.includes(e.path))]
    const parkedFirst = join(dir, 'parked-exit.xlsx')
    writeFileSync(parkedFirst, storedZip(await Promise.all(ordered.map(async (e) => [e.path, await e.buffer()] as const))))
    const tmp = join(dir, 'tmp-exit')
    mkdirSync(tmp)
    const reader = pathToFileURL(join(import.meta.dirname, '../../stages/readers/xlsx.ts')).href
    const script = `import { readXlsx } from '${reader}'; await readXlsx(${JSON.stringify(parkedFirst)}, () => process.exit(7))`
    const out = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { env: { ...process.env, TMPDIR: tmp } })
    expect(out.status).toBe(7)
    expect(readdirSync(tmp).filter((name) => name.startsWith('csp-billing-xlsx-'))).toEqual([]) // tsx keeps its cache there too
  }, 60_000)

  // Valid OPC that some writers use: the workbook's relationships name its parts from the package root
  // (`/xl/worksheets/sheet2.xml`) or with `./`. exceljs matches only `worksheets/sheet2.xml`, so no sheet had a
  // name and a good workbook was reported as having no worksheet (review).
  it.each([
    { targets: 'absolute', rewrite: (target: string) => `/xl/${target}` },
    { targets: 'with ./', rewrite: (target: string) => `./${target}` },
  ])('reads a workbook whose relationship targets are $targets, choosing its sheets by name as before', async ({ rewrite }) => {
    const path = await twoSheets({ name: 'Old', hidden: true }, 'Current')
    const rewritten = await withEntry(path, `targets-${rewrite('x').replace(/\W+/g, '-')}`, 'xl/_rels/workbook.xml.rels', (xml) => {
      const rels = xml.replace(/Target="([^"]+)"/g, (_, target: string) => `Target="${rewrite(target)}"`)
      expect(rels).toContain(`Target="${rewrite('worksheets/sheet2.xml')}"`)
      return rels
    })
    const seen: unknown[] = []
    expect(await readXlsx(rewritten, (cells) => void seen.push(cells))).toEqual({ status: 'ok', sheet: 'Current' })
    expect(seen).toEqual([['Sheet', 'Row'], ['Current', 2]])
  })
})

describe('readXlsx, shared strings (xlsx-shared-strings.ts)', () => {
  // exceljs kept a phonetic run's reading in place of the text (a reseller named 東京商事 invoiced as ショウジ) and
  // left Excel's _xHHHH_ escapes encoded (workbook review).
  it('phonetic readings are not the text, _xHHHH_ escapes are decoded, rich runs are joined', async () => {
    const path = await oneColumn('shared', 'resellers', ['Name', 'p1', 'p2', 'p3', 'p4', 'p5'])
    const si = [
      '<si><t>Name</t></si>',
      '<si><t>東京商事</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh><rPh sb="2" eb="4"><t>ショウジ</t></rPh><phoneticPr fontId="1"/></si>',
      '<si><t xml:space="preserve">Acme_x000D_\nCorp</t></si>',
      '<si><t>_x005F_x0041_ stays</t></si>',
      '<si><r><t>Inline</t></r><r><rPr><b/></rPr><t xml:space="preserve"> Rich</t></r><rPh sb="0" eb="1"><t>X</t></rPh></si>',
      '<si><t>AT&amp;amp;T &lt;b&gt;</t></si>',
    ]
    const sst = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="6" uniqueCount="6">${si.join('')}</sst>`
    const rewritten = await withEntry(path, 'shared-strings', 'xl/sharedStrings.xml', () => sst)
    expect(await firstCells(rewritten, 'resellers')).toEqual(['Name', '東京商事', 'Acme\r\nCorp', '_x0041_ stays', 'Inline Rich', 'AT&amp;T <b>'])
  })
})

describe('readXlsx, ISO date cells (xlsx-text.ts)', () => {
  // exceljs read `<c t="d"><v>2023-04-18T00:00:00Z</v></c>` with parseFloat: serial 2023, 1905-07-15, no finding.
  it('a t="d" cell reads as its ISO text, which the date parser takes (SPEC §2)', async () => {
    const rewritten = await withCells('date-cells', 'customers', 'McaAcceptedOn', [(c) => `${c} t="d"><v>2023-04-18T00:00:00Z</v></c>`])
    expect(await firstCells(rewritten, 'customers')).toEqual(['McaAcceptedOn', '2023-04-18T00:00:00Z'])
  })
})

describe('readXlsx, escapes in inline and formula strings', () => {
  // Review: decoded only in shared strings, so `t="str"` (SheetJS writes string cells so) and inline strings kept them.
  it('_xHHHH_ is decoded once in every kind of string cell', async () => {
    const rewritten = await withCells('escapes', 'customers', 'Name', [
      (c) => `${c} t="str"><v>X_x000D_Y</v></c>`,
      (c) => `${c} t="inlineStr"><is><t>Acme_x000D_ Corp</t></is></c>`,
    ], ['_x005F_x0041_ shared'])
    expect(await firstCells(rewritten, 'customers')).toEqual(['Name', 'X\rY', 'Acme\r Corp', '_x0041_ shared'])
  })

  // Adversarial review: a lone surrogate decoded became U+FFFD in the invoices, reconciliation.xlsx and run.json.
  it('a surrogate pair is its character; a lone surrogate stays as written', async () => {
    const rewritten = await withCells('surrogates', 'customers', 'Name', [
      (c) => `${c} t="inlineStr"><is><t>Smile _xD83D__xDE00_</t></is></c>`,
      (c) => `${c} t="inlineStr"><is><t>Contoso _xD800_ Partners</t></is></c>`,
      (c) => `${c} t="inlineStr"><is><t>low _xDE00__x0041_</t></is></c>`,
      // An escape right before a pair, and a lone high surrogate before one (diff review: the pair was left encoded).
      (c) => `${c} t="inlineStr"><is><t>Tab_x0009__xD83D__xDE00_</t></is></c>`,
      (c) => `${c} t="inlineStr"><is><t>lone_xD83D__xD83D__xDE00_</t></is></c>`,
      (c) => `${c} t="inlineStr"><is><t>_x005F__xD83D__xDE00_</t></is></c>`,
    ])
    const cells = await firstCells(rewritten, 'customers')
    expect(cells).toEqual(['Name', 'Smile \u{1F600}', 'Contoso _xD800_ Partners', 'low _xDE00_A', 'Tab\t\u{1F600}', 'lone_xD83D_\u{1F600}', '_\u{1F600}'])
    expect(cells.some((c) => typeof c === 'string' && (c.includes('\uFFFD') || /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(c)))).toBe(false)
  })
})

describe('readXlsx, inline strings and formula strings (xlsx-text.ts)', () => {
  // exceljs's sheet reader kept an inline string's last run ("Contoso" "Ltd" read as "Ltd", a phonetic reading in
  // place of the text) and decoded entities twice in inline and `t="str"` cells: the text AT&amp;T read as AT&T.
  it('read as written: runs joined, readings skipped, entities decoded once', async () => {
    const rewritten = await withCells('inline', 'customers', 'Name', [
      (c) => `${c} t="inlineStr"><is><r><t>Contoso</t></r><r><rPr><b/></rPr><t xml:space="preserve"> Ltd</t></r><rPh sb="0" eb="1"><t>コントソ</t></rPh></is></c>`,
      (c) => `${c} t="inlineStr"><is><t>AT&amp;amp;T &amp;lt;b&amp;gt;</t></is></c>`,
      (c) => `${c} t="str"><f>"x"</f><v>R&amp;amp;D &amp; Co</v></c>`,
    ])
    expect(await firstCells(rewritten, 'customers')).toEqual(['Name', 'Contoso Ltd', 'AT&amp;T &lt;b&gt;', 'R&amp;D & Co'])
  })
})

describe('readXlsx, a formula with an empty value (xlsx-text.ts)', () => {
  // A script writes `<f>1+1</f><v></v>`: exceljs read the empty value as NaN, so the row was rejected as holding a
  // formula whose result is an error (usage review). It is a formula saved without its result.
  it('reads as a formula without a result; an empty value alone is an empty cell', async () => {
    const rewritten = await withCells('empty-v', 'customers', 'Name', [(c) => `${c}><f>1+1</f><v></v></c>`, (c) => `${c}><v/></c>`])
    const seen: unknown[] = []
    const problems: (string | undefined)[] = []
    expect(await readXlsx(rewritten, (cells, _row, ctx) => { seen.push(cells[0]); problems.push(ctx.cellProblems?.get(0)) })).toEqual({ status: 'ok', sheet: 'customers' })
    expect(seen.slice(0, 2)).toEqual(['Name', null])
    expect(problems[1]).toContain('saved without its result')
    expect(seen.slice(2).every((v) => v === null || v === undefined)).toBe(true) // an empty value alone: an empty cell, not NaN
  })
})

describe('readXlsx, a damaged workbook', () => {
  // unzipper reports a damaged entry on the zip, not on the entry, which then never ends, and a file cut between two
  // entries looked complete: reads hung (the run never ended, its lock and temp files left behind), or returned
  // 'ok' with what came before the cut. Each cut and each damaged spot must settle: the rows, or unreadable.
  it('a file cut anywhere, or with 16 bytes damaged anywhere, is read whole or reported unreadable, never hangs', async () => {
    const path = await twoSheets({ name: 'Old', hidden: true }, 'Current')
    const whole = readFileSync(path)
    const outcomes = new Map<string, number>()
    let uncaught: unknown[] = []
    const left = await leftInTmpdir('tmp-damaged', async () => {
      uncaught = await uncaughtDuring(async () => {
        for (const damage of ['cut', 'flip'] as const) {
          for (let at = 0; at < whole.length; at += 41) {
            const bytes = damage === 'cut' ? whole.subarray(0, at) : Buffer.from(whole.map((b, i) => (i >= at && i < at + 16 ? b ^ 0x5a : b)))
            const file = join(dir, 'damaged.xlsx')
            writeFileSync(file, bytes)
            const seen: unknown[] = []
            const outcome = await Promise.race([
              readXlsx(file, (cells) => void seen.push(cells[0])),
              new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), 5_000).unref()),
            ])
            if (outcome === 'hung') throw new Error(`the read hung: ${damage} at byte ${at}`)
            // Damage can also land in a name (a sheet's, an entry's): whatever it reads, it must settle and say why not.
            if (outcome.status === 'unreadable') expect(outcome.reason, `${damage} at byte ${at}`).toMatch(/^(it is not a valid \.xlsx workbook|the workbook cannot be read|the workbook has no worksheet)/)
            else if (damage === 'flip') expect(seen.length, `${damage} at byte ${at}`).toBeLessThanOrEqual(2)
            const key = `${damage} ${outcome.status}`
            outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
          }
        }
      })
    })
    expect(uncaught).toEqual([])
    expect(left).toEqual([])
    expect(await readXlsx(path, () => {})).toEqual({ status: 'ok', sheet: 'Current' })
    // Only the whole file reads (a cut at byte 0 is an empty file); damage mostly lands in compressed data.
    expect(outcomes.get('cut ok')).toBeUndefined()
    expect(outcomes.get('cut unreadable')).toBeGreaterThan(100)
    expect(outcomes.get('flip unreadable')).toBeGreaterThan(50)
  }, 120_000)
})

/** A zip of uncompressed entries, in the order given (APPNOTE 4.3: local headers, central directory, end record). */
function storedZip(entries: readonly (readonly [string, Buffer])[]): Buffer {
  const locals: Buffer[] = []
  const central: Buffer[] = []
  let offset = 0
  for (const [name, data] of entries) {
    const fileName = Buffer.from(name)
    const header = Buffer.alloc(30)
    header.writeUInt32LE(0x04034b50, 0)
    header.writeUInt16LE(20, 4)
    header.writeUInt32LE(crc32(data), 14)
    header.writeUInt32LE(data.length, 18)
    header.writeUInt32LE(data.length, 22)
    header.writeUInt16LE(fileName.length, 26)
    const entry = Buffer.alloc(46)
    entry.writeUInt32LE(0x02014b50, 0)
    entry.writeUInt16LE(20, 4)
    entry.writeUInt16LE(20, 6)
    header.copy(entry, 16, 14, 26) // crc and sizes
    entry.writeUInt16LE(fileName.length, 28)
    entry.writeUInt32LE(offset, 42)
    locals.push(header, fileName, data)
    central.push(entry, fileName)
    offset += header.length + fileName.length + data.length
  }
  const directory = Buffer.concat(central)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(entries.length, 8)
  end.writeUInt16LE(entries.length, 10)
  end.writeUInt32LE(directory.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, directory, end])
}

// Adversarial review: a <row> without its r attribute (valid, written by some tools) made exceljs fail with a
// JavaScript error, shown as the reason: "Cannot read properties of undefined (reading 'length')".
describe('readXlsx, a workbook exceljs cannot read', () => {
  it('is unreadable with a reason finance can act on, not a JavaScript error', async () => {
    const path = await oneColumn('row-no-r', 'customers', ['CustomerId', 'c1', 'c2'])
    const rewritten = await withEntry(path, 'row-no-r', 'xl/worksheets/sheet1.xml', (xml) => xml.replace(/<row r="\d+"/g, '<row').replace(/ r="A\d+"/g, ''))
    expect(await readXlsx(rewritten, () => {})).toEqual({
      status: 'unreadable',
      reason: expect.stringMatching(/^the workbook cannot be read: a part of it is not laid out as Excel writes it \(open it in Excel or LibreOffice and save it again as \.xlsx; the reader said: .+\)$/),
    })
  })
})
