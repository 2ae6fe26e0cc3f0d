/**
 * reconciliation.xlsx (SPEC §6), for the distributor's finance team only: sheets Control totals, Margin by
 * reseller, Exceptions, Rejected rows, Held lines, and, when credits are retained (creditsPolicy retain, SPEC
 * §4.4), Retained credits: each credit line the distributor keeps, so the control total's retained cost can be
 * traced line by line as the held cost can; and, when the run made some, Remarks.
 *
 * In: control totals per currency, reseller totals (with cost and margin), all findings in stable order, the
 * held lines and the retained ones. Out: the workbook file (exceljs streaming writer, pinned dates).
 *
 * Control totals: cost of all accepted, non-duplicate lines = invoiced + held + retained cost; the Difference
 * column is an Excel formula (cached with our exact difference, normally 0), filled red when not zero —
 * statically when we know it is not zero, and by conditional formatting when someone edits the sheet.
 * Throws only on I/O failure.
 */
import type ExcelJS from 'exceljs'
import { currencyNumFmt, dec } from '../../pipeline/money.js'
import type { Finding } from '../../pipeline/diagnostics.js'
import type { FindingList } from '../../pipeline/findings-store.js'
import type { ResellerTotals } from '../invoice-totals.js'
import type { ControlTotal } from './control-totals.js'
import { commitWorkbook, drain, openWorkbook } from './deterministic-workbook.js'
import { INTEGER_NUM_FMT, PERCENT_NUM_FMT, num, protectXstrings, text } from './safe-cells.js'
import { ALERT_FILL, EXCEL_MAX_DATA_ROWS, addDataRow, setAutoFilter, sharedStyle, tableSheetOptions, writeHeader, type CellStyle, type ColumnSpec } from './sheet-layout.js'

export interface HeldLine {
  lineId: number
  sourceFile: string
  sourceRow: number
  holdRule: string | null
  resellerId: string | null
  customerId: string
  customerName: string | null
  subscriptionId: string | null
  product: string | null
  chargeType: string
  currency: string
  cost: string
}

export interface ReconciliationWorkbookInput {
  filename: string
  pinned: Date
  creator: string
  controlTotals: ControlTotal[]
  resellers: ResellerTotals[]
  /** Every finding, and those of REJECTED_RULES, in the stable order (pipeline/findings-store.ts). */
  findings: FindingList
  rejected: FindingList
  heldLines: Iterable<HeldLine> | AsyncIterable<HeldLine>
  /** Given only under creditsPolicy retain: the sheet is there exactly when credits are retained. */
  retainedLines?: Iterable<HeldLine> | AsyncIterable<HeldLine>
  /** The run summary's remarks (pipeline/run.ts): the sheet is there exactly when there are some. */
  remarks?: readonly string[]
}


export const REJECTED_RULES = new Set(['REJECTED_ROW', 'MISSING_COLUMN', 'UNREADABLE_FILE'])

export async function writeReconciliationWorkbook(input: ReconciliationWorkbookInput): Promise<void> {
  const wb = openWorkbook(input.filename, input.pinned, input.creator)
  writeControlTotals(wb, input.controlTotals)
  writeMargins(wb, input.resellers)
  await writeExceptions(wb, input.findings)
  await writeRejected(wb, input.rejected)
  await writeLines(wb, 'Held lines', input.heldLines)
  if (input.retainedLines !== undefined) await writeLines(wb, 'Retained credits', input.retainedLines)
  if (input.remarks !== undefined && input.remarks.length > 0) writeRemarks(wb, input.remarks)
  await commitWorkbook(wb, input.filename, input.pinned)
}

/**
 * Remarks: what the run summary says beside the findings (an earlier month's export in the folder, a sub-folder
 * not read, a misspelled column). They were on the console only, and the checklist archives output/<period>/
 * (README review); SPEC §6's run.json keeps its shape, so they are kept here.
 */
function writeRemarks(wb: ExcelJS.Workbook, remarks: readonly string[]): void {
  const ws = wb.addWorksheet('Remarks', tableSheetOptions())
  const columns: ColumnSpec[] = [{ header: 'Remark', width: 160 }]
  const styles = writeHeader(ws, columns)
  for (const remark of remarks) addDataRow(ws, [text(remark)], styles)
  setAutoFilter(ws, columns.length, remarks.length)
  ws.commit()
}

function writeControlTotals(wb: ExcelJS.Workbook, totals: ControlTotal[]): void {
  const ws = wb.addWorksheet('Control totals', tableSheetOptions())
  writeHeader(ws, [
    { header: 'Currency', width: 10 },
    { header: 'Cost of accepted lines', width: 22 },
    { header: 'Invoiced cost', width: 18 },
    { header: 'Held cost', width: 18 },
    { header: 'Retained cost', width: 18 },
    { header: 'Difference', width: 16 },
    { header: 'Sell (invoiced)', width: 18 },
    { header: 'Margin', width: 18 },
  ])
  totals.forEach((c, i) => {
    const r = i + 2
    // Note: cells hold the exact sums (shown rounded by the number format), so rounding each part separately
    // can never make the Difference show a cent that is not there; run.json carries the rounded values.
    const e = c.exact
    const difference = dec(e.cost).minus(dec(e.invoicedCost)).minus(dec(e.heldCost)).minus(dec(e.retainedCost))
    const margin = dec(e.sell).minus(dec(e.invoicedCost))
    const row = ws.addRow([
      text(c.currency),
      num(e.cost),
      num(e.invoicedCost),
      num(e.heldCost),
      num(e.retainedCost),
      { formula: `B${r}-(C${r}+D${r}+E${r})`, result: difference.toNumber() },
      num(e.sell),
      { formula: `G${r}-C${r}`, result: margin.toNumber() },
    ])
    for (let col = 2; col <= 8; col++) row.getCell(col).numFmt = currencyNumFmt(c.currency)
    if (!difference.isZero()) row.getCell(6).fill = ALERT_FILL
    row.commit()
  })
  if (totals.length > 0) {
    // Note: ROUND guards against float noise (0.1+0.2) making an exact reconciliation look broken.
    ws.addConditionalFormatting({
      ref: `F2:F${totals.length + 1}`,
      rules: [{ type: 'expression', priority: 1, formulae: ['ROUND(F2,6)<>0'], style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: 'FFFFC7CE' } } } }],
    })
  }
  setAutoFilter(ws, 8, totals.length)
  ws.commit()
}

function writeMargins(wb: ExcelJS.Workbook, resellers: ResellerTotals[]): void {
  const ws = wb.addWorksheet('Margin by reseller', tableSheetOptions())
  writeHeader(ws, [
    { header: 'Reseller ID', width: 16 },
    { header: 'Reseller', width: 30 },
    { header: 'Currency', width: 10 },
    { header: 'Lines', width: 10, numFmt: INTEGER_NUM_FMT },
    { header: 'Subtotal (sell)', width: 18 },
    { header: 'Support', width: 14 },
    { header: 'Tax', width: 14 },
    { header: 'Total', width: 18 },
    { header: 'Cost', width: 18 },
    { header: 'Margin', width: 18 },
    { header: 'Margin %', width: 10, numFmt: PERCENT_NUM_FMT },
  ])
  resellers.forEach((t, i) => {
    const r = i + 2
    const sell = dec(t.subtotal)
    // Over the subtotal's size, so the percent has the margin's sign: a month that nets to a credit showed a
    // positive margin as −7.16 % (reconciliation review).
    const ratio = sell.isZero() ? 0 : dec(t.margin).div(sell.abs()).toNumber()
    const row = ws.addRow(protectXstrings([
      text(t.resellerId),
      text(t.name),
      text(t.currency),
      t.lines,
      num(t.subtotal),
      num(t.support),
      num(t.tax),
      num(t.total),
      num(t.cost),
      { formula: `E${r}-I${r}`, result: num(t.margin) ?? 0 },
      { formula: `IF(E${r}=0,0,J${r}/ABS(E${r}))`, result: ratio },
    ]))
    row.getCell(4).numFmt = INTEGER_NUM_FMT
    for (let col = 5; col <= 10; col++) row.getCell(col).numFmt = currencyNumFmt(t.currency)
    row.getCell(11).numFmt = PERCENT_NUM_FMT // header formats do not reach rows added with addRow: showed 0.114681289796288
    row.commit()
  })
  setAutoFilter(ws, 11, resellers.length)
  ws.commit()
}

const EXCEPTION_COLUMNS: ColumnSpec[] = [
  { header: 'Rule', width: 28 },
  { header: 'Severity', width: 9 },
  { header: 'File', width: 30 },
  { header: 'Row', width: 8, numFmt: INTEGER_NUM_FMT },
  { header: 'Reseller ID', width: 14 },
  { header: 'Customer ID', width: 38 },
  { header: 'Subscription ID', width: 38 },
  { header: 'Expected', width: 16 },
  { header: 'Actual', width: 16 },
  { header: 'Message', width: 80 },
  { header: 'Column', width: 20 },
  { header: 'Value', width: 20 },
]

async function writeExceptions(wb: ExcelJS.Workbook, findings: FindingList): Promise<void> {
  const ws = wb.addWorksheet('Exceptions', tableSheetOptions())
  const styles = writeHeader(ws, EXCEPTION_COLUMNS)
  // Note: expected/actual stay text: they are whatever the rule compared (amounts, dates, ids), exactly as reported.
  const n = await writeRows(ws, styles, findings, (f: Finding) => [
    f.rule, f.severity, text(f.file), f.row, text(f.resellerId), text(f.customerId), text(f.subscriptionId),
    text(f.expected), text(f.actual), text(f.message), text(f.column), text(f.value),
  ])
  setAutoFilter(ws, EXCEPTION_COLUMNS.length, n)
  ws.commit()
}

async function writeRejected(wb: ExcelJS.Workbook, findings: FindingList): Promise<void> {
  const ws = wb.addWorksheet('Rejected rows', tableSheetOptions())
  const columns: ColumnSpec[] = [
    { header: 'Rule', width: 18 },
    { header: 'File', width: 30 },
    { header: 'Row', width: 8, numFmt: INTEGER_NUM_FMT },
    { header: 'Column', width: 24 },
    { header: 'Value', width: 30 },
    { header: 'Message', width: 80 },
  ]
  const styles = writeHeader(ws, columns)
  const n = await writeRows(ws, styles, findings, (f: Finding) => [f.rule, text(f.file), f.row, text(f.column), text(f.value), text(f.message)])
  setAutoFilter(ws, columns.length, n)
  ws.commit()
}

/** Held lines (with the rule that holds each) or retained credits (no rule: creditsPolicy keeps them all). */
async function writeLines(wb: ExcelJS.Workbook, title: 'Held lines' | 'Retained credits', lines: Iterable<HeldLine> | AsyncIterable<HeldLine>): Promise<void> {
  const withRule = title === 'Held lines'
  const ws = wb.addWorksheet(title, tableSheetOptions())
  const columns: ColumnSpec[] = [
    { header: 'Source', width: 30 },
    ...(withRule ? [{ header: 'Hold rule', width: 20 }] : []),
    { header: 'Reseller ID', width: 14 },
    { header: 'Customer ID', width: 38 },
    { header: 'Customer name', width: 30 },
    { header: 'Subscription ID', width: 38 },
    { header: 'Product', width: 32 },
    { header: 'Charge type', width: 16 },
    { header: 'Currency', width: 9 },
    { header: 'Cost', width: 16 },
  ]
  const styles = writeHeader(ws, columns)
  const costColumn = columns.length - 1
  let n = 0
  let skipped = 0
  for await (const l of lines) {
    if (n >= EXCEL_MAX_DATA_ROWS - 1) {
      skipped++ // keep draining the query; reported in one row below
      continue
    }
    addDataRow(ws, [
      text(`${l.sourceFile}:${l.sourceRow}`), ...(withRule ? [text(l.holdRule)] : []), text(l.resellerId), text(l.customerId),
      text(l.customerName), text(l.subscriptionId), text(l.product), text(l.chargeType), text(l.currency), num(l.cost),
    ], styles.map((st, i) => (i === costColumn ? sharedStyle(currencyNumFmt(l.currency)) : st)))
    if (++n % 2000 === 0) await drain(ws)
  }
  if (skipped > 0) ws.addRow([`… ${skipped} more ${title.toLowerCase()}: query priced_lines in staging.sqlite`]).commit()
  setAutoFilter(ws, columns.length, n)
  ws.commit()
}

type CellValue = string | number | null

/** Stream rows into a sheet; past Excel's row limit, one last row says how many were left out (they are in exceptions.csv). */
async function writeRows<T>(ws: ExcelJS.Worksheet, styles: CellStyle[], items: { total: number; rows: Iterable<T> }, toRow: (item: T) => CellValue[]): Promise<number> {
  let n = 0
  for (const item of items.rows) {
    if (n === EXCEL_MAX_DATA_ROWS - 1 && items.total > EXCEL_MAX_DATA_ROWS) {
      ws.addRow([`… ${items.total - n} more rows: see exceptions.csv`]).commit()
      return n + 1
    }
    addDataRow(ws, toRow(item), styles)
    if (++n % 2000 === 0) await drain(ws)
  }
  return n
}
