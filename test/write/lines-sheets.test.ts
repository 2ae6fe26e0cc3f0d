/**
 * A reseller with more lines than a sheet has rows (1,048,575 below the header) gets `Lines`, `Lines (2)`, …: one
 * sheet past Excel's last row is a file Excel repairs and LibreOffice cuts short (it recalculated a 10,485.77
 * subtotal as 0.01; workbook review). The limit is lowered here to 3 lines a sheet.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type ExcelJS from 'exceljs'
import { describe, expect, it } from 'vitest'
import { linesSheets, writeInvoiceWorkbook, type InvoiceLine } from '../../stages/writers/invoice-workbook.js'
import { readWorkbook, rowByLabel, sheet } from './read-back.js'

const line = (i: number): InvoiceLine => ({
  lineId: i, sourceFile: '2026-10/recon.csv', sourceRow: i + 1, customerId: 'cust-a', customerName: 'Contoso', subscriptionId: 'sub-1',
  productId: 'P1', productName: 'Product', skuId: '0001', skuName: 'SKU', category: 'license', chargeType: 'cycleCharge',
  termDuration: 'P1Y', billingPlan: 'Monthly', chargeStartDate: '2026-10-01', chargeEndDate: '2026-10-31', billingDays: 31, cycleDays: 31,
  quantity: '1', unitSellPrice: `${i}.01`, sell: `${i}.01`, explanation: 'markup',
})

describe('Lines sheets', () => {
  it('splits by the limit; one sheet when the lines fit, even none', () => {
    expect(linesSheets(7, 3)).toEqual([{ name: 'Lines', lines: 3 }, { name: 'Lines (2)', lines: 3 }, { name: 'Lines (3)', lines: 1 }])
    expect(linesSheets(3, 3)).toEqual([{ name: 'Lines', lines: 3 }])
    expect(linesSheets(0, 3)).toEqual([{ name: 'Lines', lines: 0 }])
    expect(linesSheets(1_048_576)).toEqual([{ name: 'Lines', lines: 1_048_575 }, { name: 'Lines (2)', lines: 1 }])
  })

  it('7 lines at 3 a sheet: three Lines sheets, every line once, and the subtotal sums them all', async () => {
    const filename = join(mkdtempSync(join(tmpdir(), 'csp-lines-')), 'R1.xlsx')
    const lines = [1, 2, 3, 4, 5, 6, 7].map(line)
    await writeInvoiceWorkbook({
      filename, pinned: new Date('2026-10-31T00:00:00Z'), distributorName: 'D', distributorAddress: '', distributorTaxId: '',
      invoiceNumber: 'INV-2026-10-R1', periodStart: '2026-10-01', periodEnd: '2026-10-31',
      totals: { resellerId: 'R1', name: 'R', currency: 'USD', email: null, address: null, supportPlanPercent: '0', taxRatePercent: '0', paymentTermsDays: 30, lines: 7, subtotal: '28.07', support: '0', tax: '0', total: '28.07', cost: '0', margin: '0' },
      byCustomer: [], byCategory: [], usage: [], lines, linesPerSheet: 3,
    })
    const wb = await readWorkbook(filename)
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Invoice', 'Lines', 'Lines (2)', 'Lines (3)'])
    const amounts = ['Lines', 'Lines (2)', 'Lines (3)'].map((name) => {
      const out: unknown[] = []
      sheet(wb, name).eachRow((row, n) => { if (n > 1) out.push(row.getCell(16).value) })
      expect(sheet(wb, name).getCell('A1').value).toBe('Customer ID')
      return out
    })
    expect(amounts).toEqual([[1.01, 2.01, 3.01], [4.01, 5.01, 6.01], [7.01]])
    const subtotal = rowByLabel(sheet(wb, 'Invoice'), 'Subtotal').getCell(4).value as ExcelJS.CellFormulaValue
    expect(subtotal).toEqual({ formula: "SUM(Lines!P2:P4)+SUM('Lines (2)'!P2:P4)+SUM('Lines (3)'!P2:P2)", result: 28.07 })
    expect(sheet(wb, 'Lines (3)').autoFilter).toBe('A1:R2')
  })
})
