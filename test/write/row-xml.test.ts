// row-xml.ts renders data rows itself; these tests hold it to exceljs's own rendering, byte for byte.
import type ExcelJS from 'exceljs'
import fc from 'fast-check'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { commitWorkbook, openWorkbook } from '../../stages/writers/deterministic-workbook.js'
import { writeRowXml, type RowValue } from '../../stages/writers/row-xml.js'
import { addDataRow, setAutoFilter, sharedStyle, tableSheetOptions, writeHeader, type CellStyle, type ColumnSpec } from '../../stages/writers/sheet-layout.js'
import { readWorkbook, sheet, zipEntry } from './read-back.js'

const PINNED = new Date('2026-10-31T00:00:00Z')
const COLUMNS: ColumnSpec[] = [
  { header: 'Text', width: 20 },
  { header: 'Amount', width: 14, numFmt: '#,##0.00;-#,##0.00' },
  { header: 'Date', width: 12, numFmt: 'yyyy-mm-dd' },
  { header: 'Count', width: 8, numFmt: '#,##0' },
  { header: 'Plain', width: 10 },
]

/** exceljs's own path: what addDataRow did before row-xml.ts. */
function exceljsRow(ws: ExcelJS.Worksheet, values: RowValue[], styles: CellStyle[]): void {
  const row = ws.addRow(values)
  for (let i = 0; i < styles.length; i++) row.getCell(i + 1).style = styles[i] as CellStyle
  row.commit()
}

/** One workbook of two sheets: a data sheet written row by row with `add`, then a note row and a second sheet. */
async function write(rows: RowValue[][], add: typeof exceljsRow, perRowStyle = false): Promise<string> {
  const file = join(mkdtempSync(join(tmpdir(), 'row-xml-')), 'book.xlsx')
  const wb = openWorkbook(file, PINNED, 'test')
  const ws = wb.addWorksheet('Data', tableSheetOptions())
  const styles = writeHeader(ws, COLUMNS)
  for (const values of rows) {
    // Per-row styles as the held-lines sheet builds them: a currency format picked per row.
    const rowStyles = perRowStyle ? styles.map((s, i) => (i === 1 ? sharedStyle(values[4] === null ? '0.000' : '#,##0.00;-#,##0.00') : s)) : styles
    add(ws, values, rowStyles)
  }
  ws.addRow(['… a note row after the data, through exceljs']).commit()
  setAutoFilter(ws, COLUMNS.length, rows.length)
  ws.commit()
  const other = wb.addWorksheet('Other', tableSheetOptions())
  const otherStyles = writeHeader(other, [{ header: 'When', width: 12 }, { header: 'Value', width: 12, numFmt: '0.0000' }])
  add(other, [new Date('2026-10-01T00:00:00Z'), 1.5], otherStyles)
  other.commit()
  await commitWorkbook(wb, file, PINNED)
  return file
}

async function entries(file: string): Promise<string[]> {
  return Promise.all(['xl/worksheets/sheet1.xml', 'xl/worksheets/sheet2.xml', 'xl/styles.xml'].map((e) => zipEntry(file, e)))
}

const WORKED: RowValue[][] = [
  ['plain text', 1234.5, new Date('2026-10-01T00:00:00Z'), 31, 'x'],
  ['=HYPERLINK("http://evil")', -0.01, null, 0, null],
  ['<tag> & "quotes" \'apos\'', 1e-7, new Date('2026-10-31T00:00:00Z'), -5, '+1'],
  ['tab\tnew\nline\rcr \u007f del \u0001 ctl', 123456789012.34, null, null, ''],
  [null, null, null, null, null], // no values: exceljs writes nothing but the row number is used
  ['Ünïcødé 🧾 日本語', 0, new Date('2024-02-29T00:00:00Z'), 2 ** 53, '@SUM(A1)'],
  [null, 5, null, null, null],
]

describe('row-xml: data rows rendered as exceljs renders them', () => {
  it('writes worked examples byte-identical to exceljs: cells, styles.xml, later sheets, a note row after', async () => {
    const [mine, theirs] = await Promise.all([write(WORKED, addDataRow), write(WORKED, exceljsRow)])
    expect(await entries(mine)).toEqual(await entries(theirs))
    const ws = sheet(await readWorkbook(mine), 'Data')
    expect(ws.getCell('A3').value).toBe('=HYPERLINK("http://evil")') // text stays text
    expect(ws.getCell('B2').numFmt).toBe('#,##0.00;-#,##0.00')
    expect(ws.getCell('C2').value).toEqual(new Date('2026-10-01T00:00:00Z'))
    expect(ws.getCell('A6').value).toBeNull() // the all-null row
    expect(ws.getCell('A9').value).toBe('… a note row after the data, through exceljs')
  })

  it('per-row styles register in the same order as exceljs registers them', async () => {
    const [mine, theirs] = await Promise.all([write(WORKED, addDataRow, true), write(WORKED, exceljsRow, true)])
    expect(await entries(mine)).toEqual(await entries(theirs))
  })

  it('random rows: same bytes as exceljs', async () => {
    const text = fc.oneof(fc.string({ unit: 'binary', maxLength: 12 }), fc.constantFrom('&', '<', '"', "'", '\u007f', '\u0000'))
    const value = fc.oneof(
      fc.constant(null),
      text,
      fc.double({ noNaN: true }),
      fc.integer(),
      fc.date({ min: new Date('1990-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }),
    )
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(value, { minLength: 0, maxLength: COLUMNS.length }), { maxLength: 20 }), async (rows) => {
        const [mine, theirs] = await Promise.all([write(rows, addDataRow, true), write(rows, exceljsRow, true)])
        expect(await entries(mine)).toEqual(await entries(theirs))
      }),
      { numRuns: 40 },
    )
  })

  it('leaves to exceljs what it cannot prove identical', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'row-xml-')), 'book.xlsx')
    const wb = openWorkbook(file, PINNED, 'test')
    const ws = wb.addWorksheet('Data')
    const styles = [sharedStyle(undefined), sharedStyle(undefined)]
    expect(writeRowXml(ws, ['before the header'], styles)).toBe(false) // sheet data not started
    writeHeader(ws, [{ header: 'A', width: 5 }, { header: 'B', width: 5 }])
    expect(writeRowXml(ws, ['a', 'b', 'c'], styles)).toBe(false) // more values than styles
    expect(writeRowXml(ws, [true as unknown as RowValue], styles)).toBe(false) // a boolean
    expect(writeRowXml(ws, [{ formula: 'A1' } as unknown as RowValue], styles)).toBe(false) // a formula
    ws.addRow(['pending']) // not committed
    expect(writeRowXml(ws, ['a'], styles)).toBe(false)
  })
})
