/**
 * Invoice workbooks (SPEC §6): values, formulas with cached results, number formats (USD, JPY), real dates,
 * frozen panes, autofilter, print titles, text safety, and no cost/margin anywhere.
 */
import { beforeAll, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type ExcelJS from 'exceljs'
import { write } from '../../stages/write.js'
import { readXlsx } from '../../stages/readers/xlsx.js'
import { EXPECTED, INJECTED_NAMES, sampleDb } from './sample-db.js'
import { Fixture } from './fixture.js'
import { headers, readWorkbook, rowByLabel, sheet, zipEntry } from './read-back.js'

let workDir = ''
let r1: ExcelJS.Workbook
let r2: ExcelJS.Workbook

beforeAll(async () => {
  const f = sampleDb()
  const ctx = f.context()
  workDir = ctx.workDir
  await write({ exitCode: 1 }, ctx)
  r1 = await readWorkbook(join(workDir, 'invoices/R1.xlsx'))
  r2 = await readWorkbook(join(workDir, 'invoices/R2.xlsx'))
})

describe('invoice files', () => {
  it('one workbook per reseller with an invoiced line; none for a reseller whose lines are all held', () => {
    expect(existsSync(join(workDir, 'invoices/R1.xlsx'))).toBe(true)
    expect(existsSync(join(workDir, 'invoices/R2.xlsx'))).toBe(true)
    expect(existsSync(join(workDir, 'invoices/R3.xlsx'))).toBe(false)
  })

  it('sheets in order: Invoice, Lines, Azure usage', () => {
    expect(r1.worksheets.map((w) => w.name)).toEqual(['Invoice', 'Lines', 'Azure usage'])
  })
})

describe('Invoice sheet', () => {
  it('header block: distributor, reseller, invoice number, real dates, due date = period end + terms', () => {
    const ws = sheet(r1, 'Invoice')
    expect(ws.getCell('A1').value).toBe('Northwind Distribution')
    expect(rowByLabel(ws, 'Invoice number').getCell(2).value).toBe('NW-2026-10-R1')
    expect(rowByLabel(ws, 'Reseller').getCell(2).value).toBe('Fabrikam, Inc.')
    expect(rowByLabel(ws, 'Reseller ID').getCell(2).value).toBe('R1')
    expect(rowByLabel(ws, 'Address').getCell(2).value).toBe('1 Main St, Springfield')
    expect(rowByLabel(ws, 'Email').getCell(2).value).toBe('ap@fabrikam.example')
    expect(rowByLabel(ws, 'Currency').getCell(2).value).toBe('USD')
    const start = rowByLabel(ws, 'Period start').getCell(2)
    expect(start.value).toEqual(new Date('2026-10-01T00:00:00Z'))
    expect(start.numFmt).toBe('yyyy-mm-dd')
    expect(rowByLabel(ws, 'Period end').getCell(2).value).toEqual(new Date('2026-10-31T00:00:00Z'))
    expect(rowByLabel(ws, 'Due date').getCell(2).value).toEqual(new Date('2026-12-15T00:00:00Z')) // +45 days
    // An invoice without a date (month-end walkthrough review): dated the period's last day, as the workbook is.
    const dated = rowByLabel(ws, 'Invoice date').getCell(2)
    expect([dated.value, dated.numFmt]).toEqual([new Date('2026-10-31T00:00:00Z'), 'yyyy-mm-dd'])
  })

  it('the distributor\'s address and tax ID under its name when set (no rows when not), and the totals still add up', async () => {
    expect(sheet(r1, 'Invoice').getCell('A2').value).toBe('Invoice')
    const ctx = sampleDb().context(undefined, { distributorAddress: '1 Example Street\nLondon EC1A 1AA', distributorTaxId: '=GB123' })
    await write({ exitCode: 1 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'invoices/R1.xlsx')), 'Invoice')
    expect([ws.getCell('A1').value, ws.getCell('A2').value, ws.getCell('A3').value, ws.getCell('A4').value])
      .toEqual(['Northwind Distribution', '1 Example Street\nLondon EC1A 1AA', 'Tax ID: =GB123', 'Invoice'])
    expect(ws.getCell('A2').alignment).toMatchObject({ wrapText: true })
    const sub = rowByLabel(ws, 'Subtotal').number
    expect((rowByLabel(ws, 'Total').getCell(4).value as ExcelJS.CellFormulaValue).formula).toBe(`D${sub}+D${sub + 1}+D${sub + 2}`)
  })

  it('a month that nets to the reseller\'s favour is titled a credit note, with the same amounts and formulas', async () => {
    expect(sheet(r1, 'Invoice').getCell('A2').value).toBe('Invoice')
    const f = sampleDb()
    f.line({ reseller: 'R1', customerId: 'cust-a', cost: '-900', sell: '-1000.00', quantity: '-10', unitSellPrice: '100', chargeType: 'removeQuantity' })
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'invoices/R1.xlsx')), 'Invoice')
    expect(ws.getCell('A2').value).toBe('Credit note')
    const total = rowByLabel(ws, 'Total')
    expect((total.getCell(4).value as ExcelJS.CellFormulaValue).result).toBeLessThan(0)
    expect(ws.getRow(total.number + 1).getCell(1).value).toBe('The total is owed to the reseller: it is credited, not billed.')
  })

  it.each([
    ['Subtotal', 'SUM(Lines!P2:P6)', EXPECTED.R1.subtotal],
    ['Support plan', 'ROUND(D{sub}*C{sup}/100,2)', EXPECTED.R1.support],
    ['Tax', 'ROUND((D{sub}+D{sup})*C{tax}/100,2)', EXPECTED.R1.tax],
    ['Total', 'D{sub}+D{sup}+D{tax}', EXPECTED.R1.total],
  ])('%s is a formula (%s) whose cached result is our exact amount %s', (label, formula, amount) => {
    const ws = sheet(r1, 'Invoice')
    const rows = { sub: rowByLabel(ws, 'Subtotal').number, sup: rowByLabel(ws, 'Support plan').number, tax: rowByLabel(ws, 'Tax').number }
    const cell = rowByLabel(ws, label).getCell(4)
    const v = cell.value as ExcelJS.CellFormulaValue
    expect(v.formula).toBe(formula.replace('{sub}', String(rows.sub)).replaceAll('{sub}', String(rows.sub)).replaceAll('{sup}', String(rows.sup)).replaceAll('{tax}', String(rows.tax)))
    expect(v.result).toBe(Number(amount))
    expect(cell.numFmt).toBe('[$USD] #,##0.00;-[$USD] #,##0.00')
  })

  it('support and tax rates are numeric cells the formulas read', () => {
    const ws = sheet(r1, 'Invoice')
    expect(rowByLabel(ws, 'Support plan').getCell(3).value).toBe(5)
    expect(rowByLabel(ws, 'Tax').getCell(3).value).toBe(8.25)
  })

  it('JPY invoice: 0-decimal format and ROUND to 0 places', () => {
    const ws = sheet(r2, 'Invoice')
    const tax = rowByLabel(ws, 'Tax').getCell(4)
    expect((tax.value as ExcelJS.CellFormulaValue).formula).toMatch(/,0\)$/)
    expect((tax.value as ExcelJS.CellFormulaValue).result).toBe(691)
    expect(tax.numFmt).toBe('[$JPY] #,##0;-[$JPY] #,##0')
    expect((rowByLabel(ws, 'Total').getCell(4).value as ExcelJS.CellFormulaValue).result).toBe(7603)
    expect(sheet(r2, 'Lines').getCell('P2').numFmt).toBe('[$JPY] #,##0;-[$JPY] #,##0')
  })

  it('summary by customer and by category', () => {
    const ws = sheet(r1, 'Invoice')
    const start = rowByLabel(ws, 'Customer ID').number
    const customers = [1, 2, 3].map((i) => ws.getRow(start + i)).map((r) => [r.getCell(1).value, r.getCell(2).value, r.getCell(3).value, r.getCell(4).value])
    expect(customers).toEqual([
      ['cust-a', INJECTED_NAMES[0], 3, 140.55],
      ['cust-b', INJECTED_NAMES[1], 1, 20.1],
      ['cust-c', INJECTED_NAMES[2], 1, 0],
    ])
    const cat = rowByLabel(ws, 'Category').number
    expect([1, 2].map((i) => [ws.getRow(cat + i).getCell(1).value, ws.getRow(cat + i).getCell(4).value])).toEqual([
      ['azure-plan', 20.1],
      ['license', 140.55],
    ])
  })
})

describe('Lines sheet', () => {
  it('one row per invoiced line, ordered by customer then line, with the SPEC columns', () => {
    const ws = sheet(r1, 'Lines')
    expect(headers(ws)).toEqual([
      'Customer ID', 'Customer name', 'Subscription ID', 'Product', 'SKU', 'Category', 'Charge type', 'Term', 'Plan', 'Charge start',
      'Charge end', 'Billing days', 'Cycle days', 'Quantity', 'Unit price', 'Amount', 'Explanation', 'Source',
    ])
    expect(ws.actualRowCount).toBe(1 + EXPECTED.R1.lines)
    const amounts = [2, 3, 4, 5, 6].map((r) => ws.getRow(r).getCell(16).value)
    expect(amounts).toEqual([100, 50.55, -10, 20.1, 0])
    expect(ws.getCell('R2').value).toBe('2026-10/recon.csv:2')
    expect(ws.getCell('Q2').value).toBe("price book markup on Microsoft's charge = 100.00") // pricing's text names the cost: not shown
  })

  it('real dates with a date format; empty charge end stays empty', () => {
    const ws = sheet(r1, 'Lines')
    expect(ws.getCell('J2').value).toEqual(new Date('2026-10-01T00:00:00Z'))
    expect(ws.getCell('J2').numFmt).toBe('yyyy-mm-dd')
    expect(ws.getCell('K2').value).toEqual(new Date('2026-10-31T00:00:00Z'))
    expect(ws.getCell('K5').value).toBeNull() // the azure-plan line has no ChargeEndDate
  })

  it('numbers are numbers with currency formats (USD)', () => {
    const ws = sheet(r1, 'Lines')
    expect(ws.getCell('P3').value).toBe(50.55)
    expect(ws.getCell('P3').numFmt).toBe('[$USD] #,##0.00;-[$USD] #,##0.00')
    expect(ws.getCell('O3').value).toBe(16.85)
    expect(ws.getCell('N2').value).toBe(10)
    expect(ws.getCell('L2').value).toBe(31)
  })

  it('header row frozen, autofilter over all rows, print titles, landscape fit to width', async () => {
    const ws = sheet(r1, 'Lines')
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 })
    const xml = await zipEntry(join(workDir, 'invoices/R1.xlsx'), 'xl/worksheets/sheet2.xml')
    expect(xml).toContain('<autoFilter ref="A1:R6"/>')
    expect(xml).toMatch(/<pageSetup[^>]*orientation="landscape"/)
    expect(xml).toMatch(/<pageSetup[^>]*fitToWidth="1"/)
    expect(xml).toMatch(/<pageSetup[^>]*fitToHeight="0"/)
    expect(xml).toContain('<pageSetUpPr fitToPage="1"/>')
    const book = await zipEntry(join(workDir, 'invoices/R1.xlsx'), 'xl/workbook.xml')
    expect(book).toContain(`<definedName name="_xlnm.Print_Titles" localSheetId="1">&apos;Lines&apos;!$1:$1</definedName>`)
    expect(book).toContain(`<definedName name="_xlnm.Print_Titles" localSheetId="2">&apos;Azure usage&apos;!$1:$1</definedName>`)
  })

  it('no cost or margin anywhere in a reseller workbook', async () => {
    for (const wb of [r1, r2]) {
      for (const ws of wb.worksheets) {
        ws.eachRow((row) => row.eachCell((c) => expect(String(c.value)).not.toMatch(/\b(cost|margin)\b/i)))
      }
    }
    // and the Microsoft cost amounts themselves do not appear as cell values
    const values: unknown[] = []
    sheet(r1, 'Lines').eachRow((row) => row.eachCell((c) => values.push(c.value)))
    expect(values).not.toContain(45.5)
    expect(values).not.toContain(90)
  })
})

describe('Invoice sheet, text with line breaks', () => {
  // Workbooks review: a reseller address "1 Street\nTown" printed as "1 StreetTown" (no wrap text).
  it('wraps on a row tall enough for its lines', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R9', name: 'Wrap Ltd', currency: 'USD', address: '1 Street\nTown\nCountry' })
    f.line({ reseller: 'R9', customerId: 'cust-w', cost: '10', sell: '11' })
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'invoices/R9.xlsx')), 'Invoice')
    const row = rowByLabel(ws, 'Address')
    expect(row.getCell(2).value).toBe('1 Street\nTown\nCountry')
    expect(row.getCell(2).alignment).toMatchObject({ wrapText: true, vertical: 'top' })
    expect(row.height).toBe(45)
    expect(rowByLabel(ws, 'Reseller').getCell(2).alignment?.wrapText).toBeUndefined()
  })

  // Accountant review: 30 lines asked for a 450-point row, above Excel's 409.
  it('a row never asks for more than Excel\'s 409 points, and keeps all its text', async () => {
    const f = new Fixture()
    const address = Array.from({ length: 30 }, (_, i) => `Line ${i}`).join('\n')
    f.reseller({ id: 'R9', name: 'Tall Ltd', currency: 'USD', address })
    f.line({ reseller: 'R9', customerId: 'cust-w', cost: '10', sell: '11' })
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const row = rowByLabel(sheet(await readWorkbook(join(ctx.workDir, 'invoices/R9.xlsx')), 'Invoice'), 'Address')
    expect([row.height, row.getCell(2).value]).toEqual([409, address])
  })
})

describe('Lines sheet unit prices', () => {
  /** Value and number format of every unit price on `reseller`'s Lines sheet, with one more line written. */
  async function unitPrices(reseller: string, line: Parameters<ReturnType<typeof sampleDb>['line']>[0]): Promise<[unknown, string][]> {
    const f = sampleDb()
    f.line(line)
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, `invoices/${reseller}.xlsx`)), 'Lines')
    const col = headers(ws).indexOf('Unit price') + 1
    const cells: [unknown, string][] = []
    ws.eachRow((row, n) => { if (n > 1) cells.push([row.getCell(col).value, row.getCell(col).numFmt]) })
    return cells
  }

  it('a unit price below a cent shows its digits (up to 10 decimals); others keep the 2–4 decimal format', async () => {
    const cells = await unitPrices('R1', { reseller: 'R1', customerId: 'cust-z', cost: '3.6', sell: '3.96', quantity: '10000000', unitSellPrice: '0.000000396', category: 'azure-plan', chargeEnd: null })
    expect(cells).toContainEqual([0.000000396, '#,##0.00########;-#,##0.00########'])
    expect(cells).toContainEqual([16.85, '#,##0.00##;-#,##0.00##'])
  })

  it('below the smallest unit of a 0-decimal currency (¥0.336, which the yen format showed as 0)', async () => {
    const cells = await unitPrices('R2', { reseller: 'R2', customerId: 'cust-j', cost: '3000', sell: '3360', quantity: '10000', unitSellPrice: '0.336', currency: 'JPY' })
    expect(cells).toContainEqual([0.336, '#,##0.00########;-#,##0.00########'])
    expect(cells.filter(([v]) => v !== 0.336).every(([, fmt]) => fmt === '#,##0;-#,##0')).toBe(true)
  })

  it('a yen unit price with a fraction shows it (¥12.5 showed 13); whole yen keep the 0-decimal format', async () => {
    const cells = await unitPrices('R2', { reseller: 'R2', customerId: 'cust-j', cost: '100', sell: '125', quantity: '10', unitSellPrice: '12.5', currency: 'JPY' })
    expect(cells).toContainEqual([12.5, '#,##0.0#;-#,##0.0#'])
    expect(cells.filter(([v]) => v !== 12.5).every(([, fmt]) => fmt === '#,##0;-#,##0')).toBe(true)
  })
})

describe('text safety', () => {
  it.each(INJECTED_NAMES)('%s stays a literal text cell, never a formula or number', async (name) => {
    const cells: ExcelJS.Cell[] = []
    for (const ws of r1.worksheets) ws.eachRow((row) => row.eachCell((c) => { if (c.value === name) cells.push(c) }))
    expect(cells.length).toBeGreaterThan(0)
    for (const c of cells) {
      expect(c.type).toBe(3) // ExcelJS.ValueType.String
      expect(c.formula).toBeUndefined()
    }
  })

  it('the raw sheet XML has no <f> except the totals we wrote', async () => {
    const lines = await zipEntry(join(workDir, 'invoices/R1.xlsx'), 'xl/worksheets/sheet2.xml')
    expect(lines).not.toContain('<f>')
    const invoice = await zipEntry(join(workDir, 'invoices/R1.xlsx'), 'xl/worksheets/sheet1.xml')
    expect(invoice.match(/<f>/g)?.length).toBe(4)
    expect(invoice).not.toContain('<f>HYPERLINK')
  })
})

describe('text that reads as an escape', () => {
  // ECMA-376 reads `_x0041_` in a string as "A" (Excel does): such text is written as an inline string with its
  // underscore escaped, which Excel and LibreOffice both read as typed (workbook review).
  it('is an inline string with _x005F_, read back as typed, on the Lines and Invoice sheets', async () => {
    const f = sampleDb()
    f.line({ reseller: 'R1', customerId: 'cust-x', customerName: 'Contoso_x0041_Suite', cost: '1', sell: '1.10' })
    const ctx = f.context(undefined, { distributorName: 'North_x0057_ind' })
    await write({ exitCode: 0 }, ctx)
    const path = join(ctx.workDir, 'invoices/R1.xlsx')
    const lines = await zipEntry(path, 'xl/worksheets/sheet2.xml')
    expect(lines).toContain('t="inlineStr"><is><r><t>Contoso_x005F_x0041_Suite</t></r></is>')
    expect(await zipEntry(path, 'xl/worksheets/sheet1.xml')).toContain('<t>North_x005F_x0057_ind</t>')
    // Read back as typed: by exceljs (the Lines cell) and by this product's reader (the Invoice sheet, its first).
    const names: unknown[] = []
    sheet(await readWorkbook(path), 'Lines').eachRow((row) => names.push(row.getCell(2).value))
    expect(names).toContainEqual({ richText: [{ text: 'Contoso_x0041_Suite' }] })
    const first: unknown[] = []
    await readXlsx(path, (cells) => void first.push(cells[0]))
    expect(first[0]).toBe('North_x0057_ind')
  })
})

describe('Azure usage sheet', () => {
  it('usage per customer → Azure subscription → meter category → unit; attribution by Tier2MpnId, customers map, invoiced lines', () => {
    const ws = sheet(r1, 'Azure usage')
    expect(headers(ws)).toEqual(['Customer ID', 'Customer name', 'Azure subscription ID', 'Azure subscription', 'Meter category', 'Unit', 'Quantity', 'Currency', 'Retail amount', 'Usage rows'])
    const rows: unknown[][] = []
    ws.eachRow((row, n) => { if (n > 1) rows.push([row.getCell(1).value, row.getCell(3).value, row.getCell(5).value, row.getCell(6).value, row.getCell(7).value, row.getCell(8).value, row.getCell(9).value]) })
    // cust-a: 2 in-period rows by Tier2MpnId (the 2026-09-30 row is out of period); cust-b: Tier2MpnId 0 → customers map.
    // Retail, never the cost (BillingPreTaxTotal 1.125 + 0.7 and 3.333): (2.5 + 1.5) × 0.52 = 2.08; 4 × 0.98 × 0.9 = 3.528 → 3.53.
    // Then a blank row and the retail total per currency: 2.08 + 3.53.
    expect(rows.slice(0, 2)).toEqual([
      ['cust-a', 'ent-1', 'Virtual Machines', '1 Hour', 4, 'USD', 2.08],
      ['cust-b', 'ent-1', 'Storage', '1 Hour', 4, 'USD', 3.53],
    ])
    expect(ws.getCell('A5').value).toBe('Total retail amount')
    expect(ws.getCell('H5').value).toBe('USD')
    expect(ws.getCell('I5').value).toEqual({ formula: 'SUMIF(H2:H3,"USD",I2:I3)', result: 5.61 })
    expect(ws.getCell('I5').numFmt).toBe('[$USD] #,##0.00;-[$USD] #,##0.00')
    expect(ws.getCell('I2').numFmt).toBe('[$USD] #,##0.00;-[$USD] #,##0.00')
    const jp: unknown[][] = []
    sheet(r2, 'Azure usage').eachRow((row, n) => { if (n > 1) jp.push([row.getCell(1).value, row.getCell(9).value]) })
    // no Tier2MpnId, no mapping → the reseller of cust-j's invoiced lines; 10 × 0.12 USD × 152.35 = 182.82 → 183 JPY
    expect(jp).toEqual([['cust-j', 183], ['Total retail amount', { formula: 'SUMIF(H2:H2,"JPY",I2:I2)', result: 183 }]])
  })

  it('quantities of different units are never added: one row per unit, a file without Unit gets an empty one', async () => {
    const f = sampleDb()
    f.usage({ customerId: 'cust-a', tier2: 'R1', quantity: '7', amount: '1', unitPrice: '0.5', unit: '1 GB/Month' })
    f.usage({ customerId: 'cust-a', tier2: 'R1', quantity: '3', amount: '1', unitPrice: '0.25', unit: null, currency: 'EUR' })
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'invoices/R1.xlsx')), 'Azure usage')
    const rows: unknown[][] = []
    ws.eachRow((row, n) => { if (n > 1) rows.push([row.getCell(1).value, row.getCell(5).value, row.getCell(6).value, row.getCell(7).value, row.getCell(8).value, row.getCell(9).value]) })
    expect(rows).toEqual([
      ['cust-a', 'Virtual Machines', null, 3, 'EUR', 0.75],
      ['cust-a', 'Virtual Machines', '1 GB/Month', 7, 'USD', 3.5],
      ['cust-a', 'Virtual Machines', '1 Hour', 4, 'USD', 2.08],
      ['cust-b', 'Storage', '1 Hour', 4, 'USD', 3.53],
      ['Total retail amount', null, null, null, 'EUR', { formula: 'SUMIF(H2:H5,"EUR",I2:I5)', result: 0.75 }],
      ['Total retail amount', null, null, null, 'USD', { formula: 'SUMIF(H2:H5,"USD",I2:I5)', result: 9.11 }],
    ])
  })

  it('no Azure usage sheet when the reseller has no usage', async () => {
    const f = sampleDb()
    f.db.sqlite.exec('delete from usage_rows; delete from usage_partials; delete from usage_totals')
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const wb = await readWorkbook(join(ctx.workDir, 'invoices/R1.xlsx'))
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Invoice', 'Lines'])
  })
})

// Accountant review: a customer renamed within the month was summarised by the name that sorts last.
describe('Summary by customer names', () => {
  it('a customer is shown by the name on its latest line', async () => {
    const f = new Fixture()
    f.reseller({ id: 'R9', name: 'Names Ltd', currency: 'USD' })
    f.line({ reseller: 'R9', customerId: 'cust-n', customerName: 'Zeta Old Name', cost: '10', chargeStart: '2026-10-01' })
    f.line({ reseller: 'R9', customerId: 'cust-n', customerName: 'Alpha New Name', cost: '10', chargeStart: '2026-10-20' })
    f.line({ reseller: 'R9', customerId: 'cust-n', customerName: '', cost: '10', chargeStart: '2026-10-25' })
    const ctx = f.context()
    await write({ exitCode: 0 }, ctx)
    const ws = sheet(await readWorkbook(join(ctx.workDir, 'invoices/R9.xlsx')), 'Invoice')
    const names: unknown[] = []
    ws.eachRow((row) => row.eachCell((c) => names.push(c.value)))
    expect(names).toContain('Alpha New Name')
    expect(names).not.toContain('Zeta Old Name')
  })
})
