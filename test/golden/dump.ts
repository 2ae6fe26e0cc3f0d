/**
 * Canonical text dump of a workbook for golden files: one line per non-empty cell,
 * `Sheet!B7 = 1234.56 [#,##0.00]`, formulas as `=SUM(...) → cached`, plus frozen panes and autofilter.
 * Reviewed like code: a diff in a golden file is a change in what accountants see.
 */
import ExcelJS from 'exceljs'

export async function dumpWorkbook(path: string): Promise<string> {
  const wb = new ExcelJS.Workbook()
  await wb.xlsx.readFile(path)
  const out: string[] = []
  wb.eachSheet((ws) => {
    const view = (ws.views ?? [])[0] as { state?: string; ySplit?: number; xSplit?: number } | undefined
    out.push(`# sheet ${ws.name}${view?.state === 'frozen' ? ` frozen x=${view.xSplit ?? 0} y=${view.ySplit ?? 0}` : ''}${ws.autoFilter ? ` autofilter ${JSON.stringify(ws.autoFilter)}` : ''}`)
    ws.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        out.push(`${ws.name}!${cell.address} = ${show(cell)}${cell.numFmt ? ` [${cell.numFmt}]` : ''}`)
      })
    })
  })
  return `${out.join('\n')}\n`
}

function show(cell: ExcelJS.Cell): string {
  const v = cell.value
  if (v === null || v === undefined) return ''
  if (v instanceof Date) return `date ${v.toISOString().slice(0, 10)}`
  // Note: exceljs's reader drops a cached result of 0 (`<v>0</v>` reads back as undefined); the XML holds it.
  if (typeof v === 'object' && 'formula' in v) return `=${v.formula} → ${JSON.stringify(v.result instanceof Date ? v.result.toISOString().slice(0, 10) : v.result)}`
  if (typeof v === 'object' && 'richText' in v) return JSON.stringify(v.richText.map((r) => r.text).join(''))
  if (typeof v === 'string') return JSON.stringify(v)
  return String(v)
}
