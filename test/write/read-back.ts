/** Helpers to read written outputs back for assertions (exceljs reader; raw XML of a zip entry via JSZip, exceljs's own dependency). */
import ExcelJS from 'exceljs'
import JSZip from 'jszip'
import { readFileSync } from 'node:fs'

export async function readWorkbook(path: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(path)
  return wb
}

export function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name)
  if (!ws) throw new Error(`no sheet ${name}; sheets: ${wb.worksheets.map((w) => w.name).join(', ')}`)
  return ws
}

/** Find the row whose column A equals `label`. */
export function rowByLabel(ws: ExcelJS.Worksheet, label: string): ExcelJS.Row {
  for (let i = 1; i <= ws.rowCount; i++) if (ws.getRow(i).getCell(1).value === label) return ws.getRow(i)
  throw new Error(`no row labelled ${label}`)
}

/** Header texts of row 1. */
export function headers(ws: ExcelJS.Worksheet): string[] {
  const out: string[] = []
  ws.getRow(1).eachCell((c) => out.push(String(c.value)))
  return out
}

/** Raw XML of one entry of an xlsx (zip), for assertions exceljs's reader hides. */
export async function zipEntry(path: string, entry: string): Promise<string> {
  const zip = await JSZip.loadAsync(readFileSync(path))
  const file = zip.file(entry)
  if (!file) throw new Error(`no ${entry} in ${path}: ${Object.keys(zip.files).join(', ')}`)
  return file.async('string')
}
