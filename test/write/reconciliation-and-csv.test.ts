/**
 * reconciliation.xlsx, exceptions.csv and run.json (SPEC §6) on the sample DB, plus the SPEC §4.5 arithmetic.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Papa from 'papaparse'
import type ExcelJS from 'exceljs'
import { write } from '../../stages/write.js'
import { invoiceAmounts } from '../../stages/invoice-totals.js'
import { runJsonSchema } from '../../schemas/run-json.js'
import { csvField, guardText, guardValue, writeExceptionsCsv } from '../../stages/writers/exceptions-csv.js'
import { EXPECTED, sampleDb } from './sample-db.js'
import { headers, readWorkbook, sheet, zipEntry } from './read-back.js'
import type { WriteOutput } from '../../stages/write.js'

let workDir = ''
let recon: ExcelJS.Workbook
let output: WriteOutput

beforeAll(async () => {
  const ctx = sampleDb().context()
  workDir = ctx.workDir
  output = (await write({ exitCode: 1 }, ctx)).output
  recon = await readWorkbook(join(workDir, 'reconciliation.xlsx'))
})

describe('SPEC §4.5 invoice arithmetic', () => {
  it.each([
    // sellSum, costSum, support%, tax%, currency → subtotal, support, tax, total, cost, margin
    ['160.65', '144.5', '5', '8.25', 'USD', ['160.65', '8.03', '13.92', '182.60', '144.50', '16.15']],
    ['6912', '6100', '0', '10', 'JPY', ['6912', '0', '691', '7603', '6100', '812']],
    ['0.05', '0.045', '10', '10', 'USD', ['0.05', '0.01', '0.01', '0.07', '0.05', '0.00']], // half-up at each step
    ['-10.00', '-9', '0', '20', 'EUR', ['-10.00', '0.00', '-2.00', '-12.00', '-9.00', '-1.00']],
    ['100', '99.995', '0', '0', 'USD', ['100.00', '0.00', '0.00', '100.00', '100.00', '0.00']], // cost rounded once
  ])('%s / %s at support %s%% tax %s%% %s', (sell, cost, support, tax, cur, expected) => {
    const r = invoiceAmounts(sell, cost, support, tax, cur)
    expect([r.subtotal, r.support, r.tax, r.total, r.cost, r.margin]).toEqual(expected)
  })
})

describe('reconciliation.xlsx', () => {
  it('has the five sheets in order', () => {
    expect(recon.worksheets.map((w) => w.name)).toEqual(['Control totals', 'Margin by reseller', 'Exceptions', 'Rejected rows', 'Held lines'])
  })

  it('Control totals: cost = invoiced + held + retained, Difference is a formula cached at 0, not highlighted', () => {
    const ws = sheet(recon, 'Control totals')
    const usd = ws.getRow(3)
    expect(usd.getCell(1).value).toBe('USD')
    expect([2, 3, 4, 5, 7].map((c) => usd.getCell(c).value)).toEqual([221.845, 144.5, 82.345, -5, 160.65])
    const diff = usd.getCell(6)
    expect((diff.value as ExcelJS.CellFormulaValue).formula).toBe('B3-(C3+D3+E3)')
    expect(diff.fill?.type === 'pattern' && diff.fill.pattern !== 'none').toBe(false)
    expect((usd.getCell(8).value as ExcelJS.CellFormulaValue).result).toBeCloseTo(16.15, 10)
    expect(usd.getCell(2).numFmt).toBe('[$USD] #,##0.00;-[$USD] #,##0.00')
    expect(ws.getRow(2).getCell(2).numFmt).toBe('[$JPY] #,##0;-[$JPY] #,##0')
  })

  it('Control totals: cached results are written even when 0 (exceljs reads a 0 result back as absent)', async () => {
    const xml = await zipEntry(join(workDir, 'reconciliation.xlsx'), 'xl/worksheets/sheet1.xml')
    expect(xml).toContain('<f>B3-(C3+D3+E3)</f><v>0</v>')
    expect(xml).toContain('<conditionalFormatting sqref="F2:F3"><cfRule type="expression" dxfId="0" priority="1"><formula>ROUND(F2,6)&lt;&gt;0</formula>')
  })

  it('Control totals: a line lost between recon and pricing shows a non-zero, highlighted difference', async () => {
    const f = sampleDb()
    f.db.sqlite.exec("delete from priced_lines where status = 'held' and currency = 'USD' and cost = '70'")
    const ctx = f.context()
    await write({ exitCode: 1 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'reconciliation.xlsx')), 'Control totals')
    const diff = ws.getRow(3).getCell(6)
    expect((diff.value as ExcelJS.CellFormulaValue).result).toBe(70)
    expect(diff.fill).toMatchObject({ type: 'pattern', pattern: 'solid' })
  })

  it('Margin by reseller: subtotal, cost, margin formula', () => {
    const ws = sheet(recon, 'Margin by reseller')
    const r1 = ws.getRow(2)
    expect(r1.getCell(1).value).toBe('R1')
    expect(r1.getCell(5).value).toBe(160.65)
    expect(r1.getCell(9).value).toBe(144.5)
    expect(r1.getCell(10).value).toEqual({ formula: 'E2-I2', result: 16.15 })
    expect(ws.rowCount).toBe(3) // R3 has no invoiced line
    expect(r1.getCell(4).numFmt).toBe('#,##0') // Lines: a count (its header's format does not reach rows added so)
  })

  // Reconciliation review: a month that nets to a credit showed a positive margin as −7.16 % (margin ÷ a negative sell).
  it('Margin by reseller: the margin % has the margin\'s sign when the month nets to a credit', async () => {
    const f = sampleDb()
    f.reseller({ id: 'R4', name: 'Credit Month', currency: 'USD' })
    f.line({ reseller: 'R4', customerId: 'cust-r4', cost: '40', sell: '44.00' })
    f.line({ reseller: 'R4', customerId: 'cust-r4', cost: '-100', sell: '-100.00', category: 'credit', chargeType: 'customerCredit' })
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'reconciliation.xlsx')), 'Margin by reseller')
    let row: ExcelJS.Row | undefined
    ws.eachRow((r) => { if (r.getCell(1).value === 'R4') row = r })
    // sell −56.00, cost −60.00: margin +4.00, 4 ÷ |−56| = +7.14 %
    expect((row!.getCell(10).value as ExcelJS.CellFormulaValue).result).toBe(4)
    const pct = row!.getCell(11).value as ExcelJS.CellFormulaValue
    expect(pct.formula).toBe(`IF(E${row!.number}=0,0,J${row!.number}/ABS(E${row!.number}))`)
    expect(pct.result).toBeCloseTo(4 / 56, 12)
  })

  it('Exceptions: every finding in stable order; formula-like ids stay text', () => {
    const ws = sheet(recon, 'Exceptions')
    expect(headers(ws).slice(0, 10)).toEqual(['Rule', 'Severity', 'File', 'Row', 'Reseller ID', 'Customer ID', 'Subscription ID', 'Expected', 'Actual', 'Message'])
    const rules = [2, 3, 4, 5].map((r) => ws.getRow(r).getCell(1).value)
    expect(rules).toEqual(['USAGE_TIE_OUT', 'NEGATIVE_MARGIN', 'NO_PRICE_RULE', 'REJECTED_ROW'])
    const cmd = ws.getRow(3).getCell(6)
    expect(cmd.value).toBe('=cmd|/C calc')
    expect(cmd.type).toBe(3)
  })

  it('Rejected rows: file, row, column, value, message', () => {
    const row = sheet(recon, 'Rejected rows').getRow(2)
    expect([1, 2, 3, 4, 5].map((c) => row.getCell(c).value)).toEqual(['REJECTED_ROW', '2026-10/recon.csv', 14, 'UnitPrice (P)', '1,234.56'])
    expect(sheet(recon, 'Rejected rows').rowCount).toBe(2)
  })

  it('Held lines: source, hold rule, reseller, customer, cost', () => {
    const ws = sheet(recon, 'Held lines')
    const rows: unknown[][] = []
    ws.eachRow((r, n) => { if (n > 1) rows.push([r.getCell(1).value, r.getCell(2).value, r.getCell(3).value, r.getCell(4).value, r.getCell(10).value]) })
    expect(rows).toEqual([
      ['2026-10/recon.csv:9', 'NO_PRICE_RULE', 'R3', 'cust-h', 70],
      ['2026-10/recon.csv:10', 'UNKNOWN_RESELLER', 'R9', 'cust-u', 12.345],
      ['2026-10/recon.csv:13', 'CURRENCY_MISMATCH', 'R2', 'cust-j', 300],
    ])
  })
})

describe('exceptions.csv', () => {
  it('header, RFC 4180 quoting, formula guard on text, numbers untouched, stable order', () => {
    const text = readFileSync(join(workDir, 'exceptions.csv'), 'utf8')
    expect(text.startsWith('\uFEFFrule,severity,file,row,resellerId,customerId,subscriptionId,expected,actual,message\r\n')).toBe(true)
    const parsed = Papa.parse<string[]>(text.slice(1), { skipEmptyLines: true })
    expect(parsed.errors).toEqual([])
    const rows = parsed.data.slice(1)
    expect(rows.map((r) => r[0])).toEqual(['USAGE_TIE_OUT', 'NEGATIVE_MARGIN', 'NO_PRICE_RULE', 'REJECTED_ROW'])
    const neg = rows[1] as string[]
    expect(neg).toEqual(['NEGATIVE_MARGIN', 'warning', '2026-10/recon.csv', '3', 'R1', "'=cmd|/C calc", 'sub-1', '45.5', '-10.00', 'sell 10.00 is below cost 45.5, "check the price book"'])
    expect(text).toContain('"sell 10.00 is below cost 45.5, ""check the price book"""')
    expect(rows[0]?.slice(2, 4)).toEqual(['', '0'])
  })

  it.each([
    ['=1+1', "'=1+1"], ['+1-2', "'+1-2"], ['-5x', "'-5x"], ['@SUM(A1)', "'@SUM(A1)"], ['\tx', "'\tx"], ['plain', 'plain'], ['', ''],
    // Read with `;` as the list separator, each part after a `;` is a cell of its own (accountant review).
    ['X;=1+2', "X;'=1+2"], ['=a;+b;c;@d', "'=a;'+b;c;'@d"], ['a; =b', 'a; =b'], ['a;b', 'a;b'],
  ])('guardText(%j) = %j', (input, out) => expect(guardText(input)).toBe(out))

  // Adversarial review: a rejected row's 20 MB id made a 20 MB exceptions.csv line.
  it('guardText keeps a field within Excel\'s cell limit', () => {
    expect(guardText('A'.repeat(40_000))).toBe('A'.repeat(32_767))
  })

  it.each([['-5', '-5'], ['-10.00', '-10.00'], ['+3.5', '+3.5'], ['-5 days', "'-5 days"], ['=2', "'=2"]])('guardValue(%j) = %j', (input, out) =>
    expect(guardValue(input)).toBe(out))

  it.each([['a,b', '"a,b"'], ['say "hi"', '"say ""hi"""'], ['two\nlines', '"two\nlines"'], ['x', 'x']])('csvField(%j)', (input, out) =>
    expect(csvField(input)).toBe(out))

  it('no findings → header only', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'csp-exceptions-')), 'exceptions.csv')
    writeExceptionsCsv(path, [])
    expect(readFileSync(path, 'utf8')).toBe('\uFEFFrule,severity,file,row,resellerId,customerId,subscriptionId,expected,actual,message\r\n')
  })
})

describe('run.json', () => {
  it('validates against its schema, matches what write() returned, 2-space indent, keys in SPEC order', () => {
    const text = readFileSync(join(workDir, 'run.json'), 'utf8')
    const json: unknown = JSON.parse(text)
    expect(runJsonSchema.safeParse(json).success).toBe(true)
    expect(json).toEqual(output.runJson)
    expect(text).toBe(`${JSON.stringify(json, null, 2)}\n`)
    expect(Object.keys(json as object)).toEqual(['period', 'inputs', 'rows', 'resellers', 'controlTotals', 'exceptions', 'exitCode'])
  })

  it('row accounting, reseller totals with minor-unit decimals, control totals, exception counts', () => {
    const r = output.runJson
    expect(r.rows).toEqual({ read: 21, accepted: 20, rejected: 1, duplicates: 1, invoiced: 7, held: 3, retained: 1 })
    expect(r.resellers.map((x) => x.resellerId)).toEqual(['R1', 'R2'])
    expect(r.resellers[0]).toMatchObject({ ...EXPECTED.R1, file: 'invoices/R1.xlsx', currency: 'USD', name: 'Fabrikam, Inc.' })
    expect(r.resellers[1]).toMatchObject({ ...EXPECTED.R2, file: 'invoices/R2.xlsx', currency: 'JPY' })
    expect(r.controlTotals).toEqual([
      { currency: 'JPY', cost: '6400', invoicedCost: '6100', heldCost: '300', retainedCost: '0', sell: '6912' },
      { currency: 'USD', cost: '221.85', invoicedCost: '144.50', heldCost: '82.35', retainedCost: '-5.00', sell: '160.65' },
    ])
    expect(r.exceptions).toEqual({ NEGATIVE_MARGIN: 1, NO_PRICE_RULE: 1, REJECTED_ROW: 1, USAGE_TIE_OUT: 1 })
    expect(Object.keys(r.exceptions)).toEqual([...Object.keys(r.exceptions)].sort())
    expect(r.inputs[0]).toMatchObject({ file: '2026-10/recon.csv', unknownColumns: ['PartnerTenantId'] })
    expect(r.exitCode).toBe(1)
    expect(output.files).toEqual(['exceptions.csv', 'invoices/R1.xlsx', 'invoices/R2.xlsx', 'reconciliation.xlsx', 'run.json'])
  })

  it('the schema rejects money with the wrong number of decimals for its currency', () => {
    const bad = structuredClone(output.runJson)
    ;(bad.resellers[1] as { total: string }).total = '7603.00' // JPY has no minor unit
    const res = runJsonSchema.safeParse(bad)
    expect(res.success).toBe(false)
    const bad2 = structuredClone(output.runJson)
    ;(bad2.controlTotals[1] as { cost: string }).cost = '221.8'
    expect(runJsonSchema.safeParse(bad2).success).toBe(false)
  })
})
