/**
 * LibreOffice recalculates our invoice and gets our totals (TESTING-NOTES: headless conversion shows cached
 * values unless the profile says "always recalculate", so the test first proves the profile works on a scratch
 * workbook whose cached value is deliberately wrong). Skipped, visibly, only when `soffice` is not installed.
 */
import { describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { write } from '../../stages/write.js'
import { commitWorkbook, openWorkbook } from '../../stages/writers/deterministic-workbook.js'
import { writeInvoiceWorkbook, type InvoiceLine } from '../../stages/writers/invoice-workbook.js'
import { EXPECTED, sampleDb } from './sample-db.js'

const hasSoffice = spawnSync('soffice', ['--version'], { encoding: 'utf8' }).status === 0
if (!hasSoffice) console.warn('SKIPPED libreoffice.test.ts: soffice is not installed (apt-get install -y libreoffice-calc); CI installs it')

function recalculatingProfile(): string {
  const prof = mkdtempSync(join(tmpdir(), 'lo-profile-'))
  mkdirSync(join(prof, 'user'), { recursive: true })
  writeFileSync(
    join(prof, 'user', 'registrymodifications.xcu'),
    `<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
`,
  )
  return prof
}

/** Convert every sheet of `book` to CSV with a recalculating profile; returns sheet name → rows of cells. */
function recalculatedCsv(book: string, sheets: string[]): Map<string, string[][]> {
  const out = mkdtempSync(join(tmpdir(), 'lo-out-'))
  execFileSync('soffice', [
    `-env:UserInstallation=file://${recalculatingProfile()}`, '--headless', '--norestore',
    '--convert-to', 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1', '--outdir', out, book,
  ], { stdio: 'pipe', timeout: 120_000 })
  const base = book.split('/').pop()!.replace(/\.xlsx$/, '')
  return new Map(sheets.map((s) => [s, parseCsv(readFileSync(join(out, `${base}-${s}.csv`), 'utf8'))]))
}

function parseCsv(text: string): string[][] {
  return text.split(/\r?\n/).filter((l) => l !== '').map((line) => {
    const cells: string[] = []
    let cur = ''
    let quoted = false
    for (let i = 0; i < line.length; i++) {
      const ch = line[i]
      if (quoted && ch === '"' && line[i + 1] === '"') { cur += '"'; i++ } else if (ch === '"') quoted = !quoted
      else if (ch === ',' && !quoted) { cells.push(cur); cur = '' } else cur += ch
    }
    cells.push(cur)
    return cells
  })
}

const amount = (s: string | undefined) => Number((s ?? '').replace(/,/g, ''))

describe.skipIf(!hasSoffice)('LibreOffice recalculation', () => {
  it('the profile really recalculates: a deliberately wrong cached value is replaced', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lo-scratch-'))
    const file = join(dir, 'scratch.xlsx')
    const pinned = new Date('2026-10-31T00:00:00Z')
    const wb = openWorkbook(file, pinned, 'test')
    const ws = wb.addWorksheet('Sheet1')
    ws.addRow([2, 3, { formula: 'A1+B1', result: 999 }]).commit()
    ws.commit()
    await commitWorkbook(wb, file, pinned)
    const csv = recalculatedCsv(file, ['Sheet1'])
    expect(csv.get('Sheet1')?.[0]).toEqual(['2', '3', '5'])
  }, 180_000)

  it('LibreOffice computes the same invoice totals as our exact arithmetic (USD and JPY)', async () => {
    const f = sampleDb()
    // Text that reads as an escape (_x0041_ is "A" in ECMA-376): written escaped in an inline string, shown as typed.
    f.line({ reseller: 'R1', customerId: 'cust-x', customerName: 'Contoso_x0041_Suite', cost: '0', sell: '0' })
    const ctx = f.context()
    await write({ exitCode: 1 }, ctx)
    for (const [id, expected] of [['R1', EXPECTED.R1], ['R2', EXPECTED.R2]] as const) {
      const csv = recalculatedCsv(join(ctx.workDir, `invoices/${id}.xlsx`), ['Invoice', 'Lines', 'Azure usage'])
      const rows = csv.get('Invoice') ?? []
      const valueOf = (label: string) => amount(rows.find((r) => r[0] === label)?.[3])
      expect(valueOf('Subtotal')).toBe(Number(expected.subtotal))
      expect(valueOf('Support plan')).toBe(Number(expected.support))
      expect(valueOf('Tax')).toBe(Number(expected.tax))
      expect(valueOf('Total')).toBe(Number(expected.total))
      // text that looks like a formula is still the literal text after LibreOffice loads it
      const lines = csv.get('Lines') ?? []
      if (id === 'R1') expect(lines.map((r) => r[1])).toContain('=HYPERLINK("http://x","y")')
      if (id === 'R1') expect(lines.map((r) => r[1])).toContain('Contoso_x0041_Suite')
      // the usage sheet's retail total is a formula LibreOffice recomputes to the sum of the amounts shown
      const usage = csv.get('Azure usage') ?? []
      const total = usage.find((r) => r[0] === 'Total retail amount')
      const shown = usage.slice(1).filter((r) => r[0] !== '' && r !== total).map((r) => amount(r[8]))
      expect(amount(total?.[8])).toBe(id === 'R1' ? 5.61 : 183)
      expect(shown.reduce((a, b) => a + b, 0)).toBeCloseTo(amount(total?.[8]), 9)
    }
    const control = recalculatedCsv(join(ctx.workDir, 'reconciliation.xlsx'), ['Control totals']).get('Control totals') ?? []
    expect(control.slice(1).map((r) => [r[0], amount(r[5]), amount(r[7])])).toEqual([['JPY', 0, 812], ['USD', 0, 16.15]])
  }, 300_000)

  it('a subtotal over several Lines sheets (quoted sheet names) recalculates to the sum of every line', async () => {
    const filename = join(mkdtempSync(join(tmpdir(), 'lo-lines-')), 'R1.xlsx')
    const lines = [1, 2, 3, 4, 5].map((i): InvoiceLine => ({
      lineId: i, sourceFile: 'r.csv', sourceRow: i + 1, customerId: 'c', customerName: null, subscriptionId: null, productId: 'P', productName: null,
      skuId: '1', skuName: null, category: 'license', chargeType: 'new', termDuration: null, billingPlan: null, chargeStartDate: '2026-10-01',
      chargeEndDate: null, billingDays: null, cycleDays: null, quantity: '1', unitSellPrice: `${i}.5`, sell: `${i}.5`, explanation: '',
    }))
    await writeInvoiceWorkbook({
      filename, pinned: new Date('2026-10-31T00:00:00Z'), distributorName: 'D', distributorAddress: '', distributorTaxId: '',
      invoiceNumber: 'I', periodStart: '2026-10-01', periodEnd: '2026-10-31',
      // cached values deliberately wrong: LibreOffice must compute 17.50, 0.88 (5 %) and 18.38
      totals: { resellerId: 'R1', name: 'R', currency: 'USD', email: null, address: null, supportPlanPercent: '5', taxRatePercent: '0', paymentTermsDays: 30, lines: 5, subtotal: '1', support: '1', tax: '0', total: '2', cost: '0', margin: '0' },
      byCustomer: [], byCategory: [], usage: [], lines, linesPerSheet: 2,
    })
    const rows = recalculatedCsv(filename, ['Invoice']).get('Invoice') ?? []
    const valueOf = (label: string) => amount(rows.find((r) => r[0] === label)?.[3])
    expect([valueOf('Subtotal'), valueOf('Support plan'), valueOf('Total')]).toEqual([17.5, 0.88, 18.38])
  }, 180_000)
})
