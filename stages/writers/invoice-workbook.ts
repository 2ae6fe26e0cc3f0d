/**
 * invoices/<ResellerId>.xlsx (SPEC §6): sheets Invoice, Lines and, when the reseller has usage, Azure usage.
 *
 * In: the reseller's totals (SPEC §4.5, from SQL), its summaries by customer and category, its Azure usage
 * summary, and an async stream of its invoiced lines. Out: the workbook file, written with exceljs's streaming
 * writer so a 200,000-line reseller never sits in memory: the Invoice sheet is filled and committed first (its
 * totals come from SQL, and its SUM formula needs only the line count), then the lines are streamed.
 *
 * Totals are Excel formulas (SUM over the Lines amount column; support, tax and total referencing cells) with
 * cached results equal to our exact amounts, so Excel, LibreOffice and a reader that does not recalculate agree.
 * No cost or margin anywhere: resellers receive this file. Input text is always a string cell (safe-cells.ts).
 * Throws only on I/O failure (an unusable environment).
 */
import type ExcelJS from 'exceljs'
import { addDays } from '../../pipeline/dates.js'
import { columnLetter } from '../../pipeline/diagnostics.js'
import { Decimal, currencyNumFmt, formatMoney, minorUnits } from '../../pipeline/money.js'
import type { ResellerTotals } from '../invoice-totals.js'
import { commitWorkbook, drain, openWorkbook } from './deterministic-workbook.js'
import { DATE_NUM_FMT, INTEGER_NUM_FMT, QUANTITY_NUM_FMT, excelDate, num, protectXstrings, text, unitPriceNumFmt } from './safe-cells.js'
import { EXCEL_MAX_DATA_ROWS, HEADER_FILL, HEADER_FONT, addDataRow, printSetup, setAutoFilter, sharedStyle, tableSheetOptions, writeHeader, type ColumnSpec } from './sheet-layout.js'

export interface InvoiceLine {
  lineId: number
  sourceFile: string
  sourceRow: number
  customerId: string
  customerName: string | null
  subscriptionId: string | null
  productId: string
  productName: string | null
  skuId: string
  skuName: string | null
  category: string
  chargeType: string
  termDuration: string | null
  billingPlan: string | null
  chargeStartDate: string
  chargeEndDate: string | null
  billingDays: number | null
  cycleDays: number | null
  quantity: string
  unitSellPrice: string | null
  sell: string | null
  explanation: string
}

export interface SummaryRow {
  key: string
  name: string | null
  lines: number
  amount: string
}

export interface UsageSummaryRow {
  customerId: string
  customerName: string | null
  entitlementId: string
  entitlementDescription: string | null
  meterCategory: string
  /** The meters' Unit (null when the usage file has no Unit column). */
  unit: string | null
  currency: string
  quantity: string
  /** Σ Quantity × UnitPrice × PCToBCExchangeRate, rounded once to the currency's minor unit: never the cost. */
  retail: string
  rows: number
}

export interface InvoiceWorkbookInput {
  filename: string
  pinned: Date
  distributorName: string
  /** Empty when not set: no row. */
  distributorAddress: string
  distributorTaxId: string
  invoiceNumber: string
  periodStart: string
  periodEnd: string
  totals: ResellerTotals
  byCustomer: SummaryRow[]
  byCategory: SummaryRow[]
  usage: UsageSummaryRow[]
  lines: Iterable<InvoiceLine> | AsyncIterable<InvoiceLine>
  /** Lines per Lines sheet: Excel's row limit (tests lower it). */
  linesPerSheet?: number
}

export const LINE_COLUMNS = [
  { header: 'Customer ID', width: 38 },
  { header: 'Customer name', width: 30 },
  { header: 'Subscription ID', width: 38 },
  { header: 'Product', width: 32 },
  { header: 'SKU', width: 32 },
  { header: 'Category', width: 20 },
  { header: 'Charge type', width: 16 },
  { header: 'Term', width: 7 },
  { header: 'Plan', width: 10 },
  { header: 'Charge start', width: 12, numFmt: DATE_NUM_FMT },
  { header: 'Charge end', width: 12, numFmt: DATE_NUM_FMT },
  { header: 'Billing days', width: 8, numFmt: INTEGER_NUM_FMT },
  { header: 'Cycle days', width: 8, numFmt: INTEGER_NUM_FMT },
  { header: 'Quantity', width: 10, numFmt: QUANTITY_NUM_FMT },
  { header: 'Unit price', width: 14 },
  { header: 'Amount', width: 16 },
  { header: 'Explanation', width: 60 },
  { header: 'Source', width: 30 },
] as const satisfies readonly ColumnSpec[]

/** Column letter of the Lines sheet's Amount (the SUM formula's range). */
export const LINES_AMOUNT_COLUMN = columnLetter(LINE_COLUMNS.findIndex((c) => c.header === 'Amount'))

export const USAGE_COLUMNS = [
  { header: 'Customer ID', width: 38 },
  { header: 'Customer name', width: 30 },
  { header: 'Azure subscription ID', width: 38 },
  { header: 'Azure subscription', width: 30 },
  { header: 'Meter category', width: 24 },
  { header: 'Unit', width: 14 },
  { header: 'Quantity', width: 14, numFmt: QUANTITY_NUM_FMT },
  { header: 'Currency', width: 9 },
  { header: 'Retail amount', width: 16 },
  { header: 'Usage rows', width: 10, numFmt: INTEGER_NUM_FMT },
] as const satisfies readonly ColumnSpec[]

const USAGE_RETAIL_INDEX = USAGE_COLUMNS.findIndex((c) => c.header === 'Retail amount')
const USAGE_CURRENCY_INDEX = USAGE_COLUMNS.findIndex((c) => c.header === 'Currency')

export async function writeInvoiceWorkbook(input: InvoiceWorkbookInput): Promise<void> {
  const t = input.totals
  const wb = openWorkbook(input.filename, input.pinned, input.distributorName)
  const sheets = linesSheets(t.lines, input.linesPerSheet)
  writeInvoiceSheet(wb, input, sheets)
  await writeLinesSheets(wb, input.lines, t.currency, sheets)
  if (input.usage.length > 0) writeUsageSheet(wb, input.usage)
  await commitWorkbook(wb, input.filename, input.pinned)
}

/**
 * The height in points of a row showing `lines` lines of text: 15 a line, capped at Excel's largest row height,
 * 409 points (accountant review: a 30-line address asked for 450, which Excel may "repair"; the text still wraps,
 * and the cell keeps it all).
 */
export function rowHeight(lines: number): number {
  return Math.min(15 * lines, 409)
}

function writeInvoiceSheet(wb: ExcelJS.Workbook, input: InvoiceWorkbookInput, sheets: LinesSheet[]): void {
  const t = input.totals
  const money = currencyNumFmt(t.currency)
  const ws = wb.addWorksheet('Invoice', { pageSetup: { ...printSetup(), orientation: 'portrait' } })
  ws.columns = [{ width: 40 }, { width: 40 }, { width: 12 }, { width: 18 }]
  const add = (values: (string | number | Date | ExcelJS.CellFormulaValue | null)[], style?: (row: ExcelJS.Row) => void) => {
    const row = ws.addRow(protectXstrings(values))
    style?.(row)
    row.commit()
    return row.number
  }
  // Text with line breaks (a reseller's address, a customer name) wraps on a row tall enough for its lines, as the
  // distributor's address does: unwrapped, "1 Street\nTown" printed as "1 StreetTown" (workbooks review).
  const lineCount = (value: unknown) => (typeof value === 'string' ? value.split(/\r\n|\r|\n/).length : 1)
  const wrapped = (row: ExcelJS.Row, cells: number[], lines: number) => {
    if (lines <= 1) return
    for (const c of cells) row.getCell(c).alignment = { ...row.getCell(c).alignment, wrapText: true, vertical: 'top' }
    row.height = rowHeight(lines)
  }
  const label = (caption: string, value: string | Date | null, numFmt?: string) =>
    add([caption, value], (row) => {
      row.getCell(1).font = HEADER_FONT
      if (numFmt) row.getCell(2).numFmt = numFmt
      row.getCell(2).alignment = { horizontal: 'left' }
      wrapped(row, [2], lineCount(value))
    })

  add([text(input.distributorName)], (row) => (row.getCell(1).font = { bold: true, size: 16 }))
  if (input.distributorAddress !== '') {
    const lines = input.distributorAddress.split(/\r?\n/).length
    add([text(input.distributorAddress)], (row) => {
      row.getCell(1).alignment = { wrapText: true, vertical: 'top' }
      row.height = rowHeight(lines)
    })
  }
  if (input.distributorTaxId !== '') add([text(`Tax ID: ${input.distributorTaxId}`)])
  // A month of refunds and credits nets to the reseller's favour: the document is then a credit note, not a bill
  // (cross-output review). The sheet keeps its name (SPEC §6); the amounts and formulas are the same.
  const creditNote = t.total.startsWith('-')
  add([creditNote ? 'Credit note' : 'Invoice'], (row) => (row.getCell(1).font = { bold: true, size: 13 }))
  add([])
  label('Invoice number', text(input.invoiceNumber))
  // Dated the period's last day, the day the workbook itself is pinned to: an invoice without a date is not one an
  // accountant can book (month-end walkthrough review). The due date counts from it.
  label('Invoice date', excelDate(input.periodEnd), DATE_NUM_FMT)
  label('Reseller', text(t.name))
  label('Reseller ID', text(t.resellerId))
  label('Address', text(t.address))
  label('Email', text(t.email))
  label('Period start', excelDate(input.periodStart), DATE_NUM_FMT)
  label('Period end', excelDate(input.periodEnd), DATE_NUM_FMT)
  label('Due date', excelDate(addDays(input.periodEnd, t.paymentTermsDays)), DATE_NUM_FMT)
  label('Currency', text(t.currency))
  add([])

  const heading = (values: string[]) =>
    add(values, (row) => row.eachCell((cell) => { cell.font = HEADER_FONT; cell.fill = HEADER_FILL }))
  const summaryRow = (r: SummaryRow, withName: boolean) =>
    add([text(r.key), withName ? text(r.name) : null, r.lines, num(r.amount)], (row) => {
      row.getCell(3).numFmt = INTEGER_NUM_FMT
      row.getCell(4).numFmt = money
      wrapped(row, [2], withName ? lineCount(text(r.name)) : 1)
    })
  add(['Summary by customer'], (row) => (row.getCell(1).font = HEADER_FONT))
  heading(['Customer ID', 'Customer name', 'Lines', 'Amount'])
  for (const r of input.byCustomer) summaryRow(r, true)
  add([])
  add(['Summary by category'], (row) => (row.getCell(1).font = HEADER_FONT))
  heading(['Category', '', 'Lines', 'Amount'])
  for (const r of input.byCategory) summaryRow(r, false)
  add([])

  const places = minorUnits(t.currency)
  const subtotalFormula = sheets
    .map(({ name, lines }) => `SUM(${sheetRef(name)}!${LINES_AMOUNT_COLUMN}2:${LINES_AMOUNT_COLUMN}${lines + 1})`)
    .join('+')
  const totalStyle = (row: ExcelJS.Row, bold = false) => {
    row.getCell(1).font = { bold: true }
    row.getCell(3).numFmt = '0.00##"%"'
    row.getCell(4).numFmt = money
    if (bold) row.getCell(4).font = { bold: true }
  }
  const subtotalRow = add(
    ['Subtotal', null, null, { formula: subtotalFormula, result: num(t.subtotal) ?? 0 }],
    (row) => totalStyle(row),
  )
  const supportRowNo = subtotalRow + 1
  const supportRow = add(
    ['Support plan', null, num(t.supportPlanPercent), { formula: `ROUND(D${subtotalRow}*C${supportRowNo}/100,${places})`, result: num(t.support) ?? 0 }],
    (row) => totalStyle(row),
  )
  const taxRowNo = supportRow + 1
  const taxRow = add(
    ['Tax', null, num(t.taxRatePercent), { formula: `ROUND((D${subtotalRow}+D${supportRow})*C${taxRowNo}/100,${places})`, result: num(t.tax) ?? 0 }],
    (row) => totalStyle(row),
  )
  add(['Total', text(t.currency), null, { formula: `D${subtotalRow}+D${supportRow}+D${taxRow}`, result: num(t.total) ?? 0 }], (row) =>
    totalStyle(row, true),
  )
  if (creditNote) add(['The total is owed to the reseller: it is credited, not billed.'])
  ws.commit()
}

/** Up to 10 decimals, as unit_sell_price keeps (stages/rules/sell.ts). */
const SMALL_UNIT_PRICE_NUM_FMT = '#,##0.00########;-#,##0.00########'
/**
 * A unit price with a fraction in a currency without minor units (¥12.5): the column's `#,##0` showed 13. Two
 * decimals at most, as the column shows two beyond the cents elsewhere; in its own style, since `#,##0.##` leaves a
 * bare decimal point after whole yen in Excel.
 */
const FRACTION_UNIT_PRICE_NUM_FMT = '#,##0.0#;-#,##0.0#'

function hasFraction(value: string | null): boolean {
  return value !== null && /\.\d*[1-9]/.test(value)
}

/**
 * True for a non-zero decimal text whose magnitude is below the currency's smallest unit (0.01 USD, 1 JPY), which
 * the unit price's own format would show as 0 (¥0.336 showed 0; review).
 */
function isBelowSmallestUnit(value: string | null, places: number): boolean {
  if (value === null) return false
  const digits = value.startsWith('-') ? value.slice(1) : value
  return digits.startsWith(`0.${'0'.repeat(places)}`) && /[1-9]/.test(digits)
}

interface LinesSheet {
  name: string
  lines: number
}

/**
 * The Lines sheets of `total` lines: `Lines`, then `Lines (2)`, … when a reseller has more lines than a sheet has
 * rows (1,048,575 below the header). One sheet past that limit is a file Excel repairs and LibreOffice cuts short:
 * it recalculated a 10,485.77 subtotal as 0.01 (workbook review).
 */
export function linesSheets(total: number, perSheet = EXCEL_MAX_DATA_ROWS): LinesSheet[] {
  const count = Math.max(1, Math.ceil(total / perSheet))
  return Array.from({ length: count }, (_, i) => ({
    name: i === 0 ? 'Lines' : `Lines (${i + 1})`,
    lines: Math.min(perSheet, total - i * perSheet),
  }))
}

/** A sheet name as a formula refers to it: quoted when it holds anything but letters, digits and _. */
function sheetRef(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `'${name.replace(/'/g, "''")}'`
}

async function writeLinesSheets(
  wb: ExcelJS.Workbook,
  lines: Iterable<InvoiceLine> | AsyncIterable<InvoiceLine>,
  currency: string,
  sheets: LinesSheet[],
): Promise<void> {
  const columns: ColumnSpec[] = LINE_COLUMNS.map((c) =>
    c.header === 'Amount' ? { ...c, numFmt: currencyNumFmt(currency) } : c.header === 'Unit price' ? { ...c, numFmt: unitPriceNumFmt(currency) } : c,
  )
  // A unit price below the currency's smallest unit (an Azure meter at 0.00000036) would show as 0.00.
  const unitPriceAt = LINE_COLUMNS.findIndex((c) => c.header === 'Unit price')
  const places = minorUnits(currency)
  const expected = sheets.reduce((sum, s) => sum + s.lines, 0)
  const open = (name: string) => {
    const sheet = wb.addWorksheet(name, tableSheetOptions())
    const styles = writeHeader(sheet, columns)
    const withUnitPrice = (numFmt: string) => styles.map((st, i) => (i === unitPriceAt ? sharedStyle(numFmt) : st))
    return {
      ws: sheet, styles,
      smallStyles: withUnitPrice(SMALL_UNIT_PRICE_NUM_FMT),
      fractionStyles: places === 0 ? withUnitPrice(FRACTION_UNIT_PRICE_NUM_FMT) : styles,
    }
  }
  const rowStyles = (unitPrice: string | null) =>
    isBelowSmallestUnit(unitPrice, places) ? smallStyles : places === 0 && hasFraction(unitPrice) ? fractionStyles : styles
  let sheet = 0
  let { ws, styles, smallStyles, fractionStyles } = open(sheets[0]!.name)
  let inSheet = 0
  let n = 0
  for await (const l of lines) {
    if (inSheet === sheets[sheet]!.lines && sheet + 1 < sheets.length) {
      setAutoFilter(ws, LINE_COLUMNS.length, inSheet)
      ws.commit()
      ;({ ws, styles, smallStyles, fractionStyles } = open(sheets[++sheet]!.name))
      inSheet = 0
    }
    addDataRow(ws, [
      text(l.customerId),
      text(l.customerName),
      text(l.subscriptionId),
      text(l.productName ?? l.productId),
      text(l.skuName ?? l.skuId),
      text(l.category),
      text(l.chargeType),
      text(l.termDuration),
      text(l.billingPlan),
      excelDate(l.chargeStartDate),
      excelDate(l.chargeEndDate),
      l.billingDays,
      l.cycleDays,
      num(l.quantity),
      num(l.unitSellPrice),
      num(l.sell),
      text(l.explanation),
      text(`${l.sourceFile}:${l.sourceRow}`),
    ], rowStyles(l.unitSellPrice))
    inSheet++
    if (++n % 2000 === 0) await drain(ws)
  }
  // Note: the Invoice SUM ranges were sized from SQL's count; a mismatch would be a bug upstream of this writer.
  if (n !== expected) throw new Error(`Lines sheets got ${n} lines, totals counted ${expected}`)
  setAutoFilter(ws, LINE_COLUMNS.length, inSheet)
  ws.commit()
}

function writeUsageSheet(wb: ExcelJS.Workbook, usage: UsageSummaryRow[]): void {
  const ws = wb.addWorksheet('Azure usage', tableSheetOptions())
  const styles = writeHeader(ws, [...USAGE_COLUMNS])
  for (const u of usage) {
    const rowStyles = styles.map((st, i) => (i === USAGE_RETAIL_INDEX ? sharedStyle(currencyNumFmt(u.currency)) : st))
    addDataRow(ws, [
      text(u.customerId),
      text(u.customerName),
      text(u.entitlementId),
      text(u.entitlementDescription),
      text(u.meterCategory),
      text(u.unit),
      num(u.quantity),
      text(u.currency),
      num(u.retail),
      u.rows,
    ], rowStyles)
  }
  setAutoFilter(ws, USAGE_COLUMNS.length, usage.length)
  writeUsageTotals(ws, usage)
  ws.commit()
}

/**
 * Below the usage, after a blank row, the retail total of each currency as a SUMIF over the rows above (a
 * formula, so a filtered or edited sheet still adds up), cached as the exact sum of the rounded amounts shown.
 */
function writeUsageTotals(ws: ExcelJS.Worksheet, usage: UsageSummaryRow[]): void {
  const totals = new Map<string, Decimal>()
  for (const u of usage) totals.set(u.currency, (totals.get(u.currency) ?? new Decimal(0)).plus(u.retail))
  const last = usage.length + 1
  const currencyCol = columnLetter(USAGE_CURRENCY_INDEX)
  const retailCol = columnLetter(USAGE_RETAIL_INDEX)
  ws.addRow([]).commit()
  for (const [currency, total] of [...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const values: (string | number | ExcelJS.CellFormulaValue | null)[] = new Array(USAGE_COLUMNS.length).fill(null)
    values[0] = 'Total retail amount'
    values[USAGE_CURRENCY_INDEX] = currency
    values[USAGE_RETAIL_INDEX] = {
      formula: `SUMIF(${currencyCol}2:${currencyCol}${last},"${currency}",${retailCol}2:${retailCol}${last})`,
      result: num(formatMoney(total, currency)) ?? 0,
    }
    const row = ws.addRow(values)
    row.getCell(1).font = HEADER_FONT
    const amount = row.getCell(USAGE_RETAIL_INDEX + 1)
    amount.numFmt = currencyNumFmt(currency)
    amount.font = HEADER_FONT
    row.commit()
  }
}
