/**
 * stages/readers/xlsx.ts: a sheet the reader skips. Excel (and exceljs) save the shared strings after the sheets, so
 * exceljs parks each sheet in a temp file and deletes it as soon as the next sheet is asked for. A skipped sheet's
 * stream was still opening that file: ENOENT, uncaught, about one read in a hundred (it failed CI once, in
 * test/ingest/files.test.ts), and the next workbook read in the same tick then lost its workbook.xml ("Cannot read
 * properties of undefined (reading 'sheets')", the file reported unreadable).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
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

describe('readXlsx, a sheet it does not read', () => {
  it.each([
    { skipped: 'the hidden first sheet', first: { name: 'Old', hidden: true }, second: 'Current', read: 'Current' },
    { skipped: 'the sheet after the one named after the kind', first: { name: 'customers', hidden: false }, second: 'Notes', read: 'customers' },
  ])('$skipped: 300 reads in a row, each of the right sheet, and no uncaught error', async ({ first, second, read }) => {
    const path = await twoSheets(first, second)
    const uncaught: unknown[] = []
    const listener = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', listener)
    try {
      for (let round = 0; round < 300; round++) {
        const seen: unknown[] = []
        const outcome = await readXlsx(path, (cells) => void seen.push(cells[0]))
        expect(outcome).toEqual({ status: 'ok', sheet: read })
        expect(seen).toEqual(['Sheet', read])
      }
      await new Promise((resolve) => setTimeout(resolve, 50)) // a late open of a deleted temp file fails here
    } finally {
      process.off('uncaughtException', listener)
    }
    expect(uncaught).toEqual([])
  })
})
