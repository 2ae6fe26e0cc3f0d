/**
 * A reconciliation workbook with two visible sheets, Sheet1 and Sheet2, each with the reconciliation header and one
 * 200 USD line: only Sheet1 was read (SPEC §2: one sheet per workbook), and Sheet2's line was neither invoiced nor in
 * the control totals, on a run that exited 0 with no word (inputs review). The run summary (and --json's remarks)
 * now names the sheet read and the visible sheets not read (pipeline/sheets-remark.ts); hidden sheets, chart sheets,
 * one-sheet workbooks and CSV files get no remark; run.json keeps its shape.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { examineFile } from '../../stages/discover.js'
import { chooseSheet, otherVisibleSheets, readXlsx, type XlsxSheets } from '../../stages/readers/xlsx.js'
import { sheetsRemarks } from '../../pipeline/sheets-remark.js'
import { cli, sampleCopy, sampleReconRow } from '../cli/helpers.js'

const dir = mkdtempSync(join(tmpdir(), 'csp-sheets-remark-'))
const roots: string[] = [dir]
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })))

const RESELLERS = ['ResellerId', 'Name', 'Currency', 'PriceBook']

interface SheetSpec {
  name: string
  rows: unknown[][]
  state?: 'hidden' | 'veryHidden'
}

async function workbook(file: string, sheets: SheetSpec[]): Promise<string> {
  const wb = new ExcelJS.Workbook()
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, s.state === undefined ? {} : { state: s.state })
    for (const row of s.rows) ws.addRow(row)
  }
  const path = join(dir, file)
  writeFileSync(path, Buffer.from(await wb.xlsx.writeBuffer()))
  return path
}

const resellerRows = (id: string) => [RESELLERS, [id, 'Contoso', 'USD', 'Standard']]

describe('sheets not read: discover and the remark', () => {
  it('a two-sheet reconciliation-like workbook: the remark names the sheet read and every other visible sheet, in workbook order', async () => {
    const path = await workbook('resellers.xlsx', [
      { name: 'Sheet1', rows: resellerRows('R1') },
      { name: 'Old', rows: resellerRows('R0'), state: 'hidden' },
      { name: 'Sheet2', rows: resellerRows('R2') },
      { name: 'Notes', rows: [] },
    ])
    const found = await examineFile(path, '2026-10/resellers.xlsx')
    expect(found).toMatchObject({ kind: 'resellers', sheets: { read: 'Sheet1', notRead: ['Sheet2', 'Notes'] } })
    expect(sheetsRemarks([found])).toEqual([
      "Sheets not read: 2026-10/resellers.xlsx was read from its sheet 'Sheet1'; its other sheets 'Sheet2', 'Notes' were not (one sheet is read per workbook): if they hold rows to be read, save each as its own file and run again (a hidden sheet is not named here)",
    ])
  })

  it('the sheet named after the kind is read, and the visible sheet before it is named (singular)', async () => {
    const path = await workbook('named.xlsx', [
      { name: 'Notes', rows: [['read me']] },
      { name: 'Resellers', rows: resellerRows('R1') },
    ])
    const found = await examineFile(path, 'reference/named.xlsx')
    expect(found.sheets).toEqual({ read: 'Resellers', notRead: ['Notes'] })
    expect(sheetsRemarks([found])).toEqual([
      "Sheets not read: reference/named.xlsx was read from its sheet 'Resellers'; its other sheet 'Notes' was not (one sheet is read per workbook): if it holds rows to be read, save it as its own file and run again (a hidden sheet is not named here)",
    ])
  })

  it('no remark for a one-sheet workbook, one whose other sheets are all hidden, or a CSV', async () => {
    const one = await examineFile(await workbook('one.xlsx', [{ name: 'Sheet1', rows: resellerRows('R1') }]), '2026-10/one.xlsx')
    const hidden = await examineFile(await workbook('hidden.xlsx', [
      { name: 'Sheet1', rows: resellerRows('R1') },
      { name: 'Old', rows: resellerRows('R0'), state: 'hidden' },
      { name: 'Older', rows: resellerRows('R0'), state: 'veryHidden' },
    ]), '2026-10/hidden.xlsx')
    const csvPath = join(dir, 'resellers.csv')
    writeFileSync(csvPath, `${RESELLERS.join(',')}\r\nR1,Contoso,USD,Standard\r\n`)
    const csv = await examineFile(csvPath, '2026-10/resellers.csv')
    for (const f of [one, hidden, csv]) {
      expect(f.kind).toBe('resellers')
      expect('sheets' in f).toBe(false) // DiscoveredFile as before: no key at all
    }
    expect(sheetsRemarks([one, hidden, csv])).toEqual([])
  })

  it('an unusable workbook whose first sheet is empty names the sheet that was not read; a reference workbook not used gets none', async () => {
    const path = await workbook('empty-first.xlsx', [
      { name: 'Sheet1', rows: [] },
      { name: 'Sheet2', rows: resellerRows('R1') },
    ])
    const found = await examineFile(path, '2026-10/empty-first.xlsx')
    expect(found).toMatchObject({ kind: 'unreadable', reason: 'it has no header row (no text at all, or only blank lines)', sheets: { read: 'Sheet1', notRead: ['Sheet2'] } })
    expect(sheetsRemarks([found])).toHaveLength(1)
    expect(sheetsRemarks([{ ...found, kind: 'ignored' }])).toEqual([])
  })

  it('readXlsx tells the sheets once, on a full read as on a read stopped at the header; its outcome keeps its shape', async () => {
    const path = await workbook('told.xlsx', [
      { name: 'Sheet1', rows: resellerRows('R1') },
      { name: 'Sheet2', rows: resellerRows('R2') },
    ])
    for (const stop of [false, true]) {
      const told: XlsxSheets[] = []
      const outcome = await readXlsx(path, () => (stop ? false : undefined), undefined, (s) => told.push(s))
      expect(outcome).toEqual({ status: 'ok', sheet: 'Sheet1' })
      expect(told).toEqual([{ read: 'Sheet1', notRead: ['Sheet2'] }])
    }
  })

  it('chart sheets hold no rows and are not named', () => {
    const reader = {
      model: { sheets: [
        { name: 'Data', rId: 'rId1' },
        { name: 'Chart1', rId: 'rId2' },
        { name: 'More', rId: 'rId3', state: 'visible' },
        { name: 'Gone', rId: 'rId4', state: 'hidden' },
      ] },
      workbookRels: [
        { Id: 'rId1', Target: 'worksheets/sheet1.xml', Type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet' },
        { Id: 'rId2', Target: 'chartsheets/sheet1.xml', Type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet' },
        { Id: 'rId3', Target: 'worksheets/sheet2.xml', Type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet' },
        { Id: 'rId4', Target: 'worksheets/sheet3.xml', Type: 'http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet' },
      ],
    }
    expect(otherVisibleSheets(reader, 'Data')).toEqual(['More'])
    // A chart sheet first in the workbook is not the sheet read: it was, and the workbook "had no worksheet".
    const chartFirst = { ...reader, model: { sheets: [reader.model.sheets[1]!, reader.model.sheets[0]!, reader.model.sheets[2]!] } }
    expect(chooseSheet(chartFirst)).toBe('Data')
  })
})

describe('sheets not read: a run', () => {
  it('a reconciliation workbook of two visible sheets: Sheet1 is read, and --json names Sheet2 as not read; run.json keeps its shape', async () => {
    const copy = sampleCopy()
    roots.push(copy.root)
    const period = join(copy.input, '2026-10')
    const { header, variant } = sampleReconRow(period)
    // Each sheet's line a different customer and subscription, so neither is a duplicate of the other or of the sample's.
    const line = (i: number) => variant({
      CustomerId: `${i}0000000-1111-1111-1111-111111111111`,
      SubscriptionId: `${i}0000000-2222-2222-2222-222222222222`,
    })
    const wb = new ExcelJS.Workbook()
    wb.addWorksheet('Sheet1').addRows([header, line(1)])
    wb.addWorksheet('Sheet2').addRows([header, line(2)])
    mkdirSync(period, { recursive: true })
    writeFileSync(join(period, 'recon.xlsx'), Buffer.from(await wb.xlsx.writeBuffer()))
    const r = cli(['run', '--period', '2026-10', '--input', copy.input, '--output', copy.output, '--json'])
    const json = JSON.parse(r.stdout) as { exitCode: number; remarks: string[] }
    expect(json.remarks.filter((m) => m.startsWith('Sheets not read:'))).toEqual([
      "Sheets not read: 2026-10/recon.xlsx was read from its sheet 'Sheet1'; its other sheet 'Sheet2' was not (one sheet is read per workbook): if it holds rows of the month, save it as its own file and run again (a hidden sheet is not named here)",
    ])
    const runJson = JSON.parse(readFileSync(join(copy.output, '2026-10', 'run.json'), 'utf8')) as { inputs: Record<string, unknown>[] }
    const recon = runJson.inputs.find((i) => i.file === '2026-10/recon.xlsx')
    expect(Object.keys(recon ?? {})).toEqual(['file', 'kind', 'sha256', 'rows', 'accepted', 'rejected', 'unknownColumns'])
    expect(recon).toMatchObject({ kind: 'reconciliation', rows: 1 })
  }, 120_000)
})
