/**
 * SkuIds are four characters, but the price list's documentation writes `1` for `0001`, real exports carry `4`,
 * `24` and `96`, and a sheet re-saved by Excel turns `0001` into the number 1 (FORMATS.md §4.1). Every kind pads
 * all-digit SkuIds to four (schemas/kinds/columns.ts `padSkuId`), so a line still meets its price-list row, its
 * price-book rule and its usage whichever way each file wrote the id.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { runPipeline } from '../../pipeline/run.js'
import { padSkuId } from '../../schemas/kinds/columns.js'
import { sampleCopy } from '../cli/helpers.js'

const BASE = join(import.meta.dirname, '..', 'diagnostics', 'base', 'input')
const PERIOD = '2026-10'
const roots: string[] = []
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })))

describe('padSkuId', () => {
  it.each([
    ['1', '0001'], ['24', '0024'], ['096', '0096'], ['0001', '0001'], ['003J', '003J'], ['4A', '4A'],
    ['12345', '12345'], ['0', '0000'], ['DZH318Z0BQ3Q', 'DZH318Z0BQ3Q'], ['1.0', '1.0'], ['-1', '-1'],
  ])('%s → %s', (raw, stored) => expect(padSkuId(raw)).toBe(stored))
})

/** The base diagnostic month with an sku-scope erp-discount rule for the seat line, its SkuIds rewritten by `edit`. */
async function month(edit: (text: string, file: string) => string, priceListAsXlsx: boolean) {
  const root = mkdtempSync(join(tmpdir(), 'csp-sku-'))
  roots.push(root)
  cpSync(BASE, join(root, 'input'), { recursive: true })
  const books = join(root, 'input', 'reference', 'pricebooks.csv')
  writeFileSync(books, `${readFileSync(books, 'utf8').trimEnd()}\nBOOK1,sku,CFQ7TTC0AAA1,0001,,,,erp-discount,20,,,\n`)
  for (const dir of [join(root, 'input', PERIOD), join(root, 'input', 'reference')]) {
    for (const f of readdirSync(dir)) writeFileSync(join(dir, f), edit(readFileSync(join(dir, f), 'utf8'), f))
  }
  if (priceListAsXlsx) {
    // As Excel keeps a re-saved price list: the SkuId cells are numbers.
    const csvPath = join(root, 'input', PERIOD, 'PriceList_NCE_2026-10.csv')
    const [header, ...rows] = readFileSync(csvPath, 'utf8').trimEnd().split('\n').map((l) => l.split(','))
    const book = new ExcelJS.Workbook()
    const sheet = book.addWorksheet('Prices')
    sheet.addRow(header)
    const sku = header!.indexOf('SkuId')
    for (const row of rows) sheet.addRow(row.map((c, i) => (i === sku ? Number(c) : c)))
    await book.xlsx.writeFile(csvPath.replace(/\.csv$/, '.xlsx'))
    rmSync(csvPath)
  }
  const outcome = await runPipeline({
    period: PERIOD, inputRoot: join(root, 'input'), outputRoot: join(root, 'output'), configPath: join(root, 'none.json'), configExplicit: false,
  })
  const out = join(root, 'output', PERIOD)
  const db = openDb(join(out, 'staging.sqlite'), { readonly: true })
  const skus = db.sqlite.prepare(`
    select 'recon' as kind, sku_id from recon_lines union all select 'list', sku_id from price_list
    union all select 'book', sku_id from price_book_rules where sku_id is not null
    union all select 'usage', sku_id from usage_totals order by 1, 2`).all()
  const seat = db.sqlite.prepare(`select p.status, p.method, p.sell, p.hold_rule from priced_lines p
    join recon_lines r using (line_id) where r.product_id = 'CFQ7TTC0AAA1'`).get()
  await db.close()
  const invoice = createHash('sha256').update(readFileSync(join(out, 'invoices', '1000001.xlsx'))).digest('hex')
  return { outcome, skus, seat, invoice, exceptions: readFileSync(join(out, 'exceptions.csv'), 'utf8') }
}

describe('SkuIds written without their leading zeros', () => {
  it('price, check and tie out exactly as the padded ids do', async () => {
    const padded = await month((text) => text, false)
    expect(padded.seat).toMatchObject({ status: 'invoiced', method: 'erp-discount', hold_rule: null })
    const stripped = (text: string, file: string) => {
      // Each file writes the id differently: `1` in the price list and the price book, `01` on the license
      // line, `001` in the Azure line and the usage.
      const short = /PriceList|pricebooks/.test(file) ? '1' : /azure|Usage/i.test(file) ? '001' : '01'
      return text.replace(/,0001,/g, `,${short},`)
    }
    for (const xlsx of [false, true]) {
      const short = await month(stripped, xlsx)
      expect(short.outcome.exitCode).toBe(padded.outcome.exitCode)
      expect(short.skus).toEqual(padded.skus)
      expect(new Set((short.skus as { sku_id: string }[]).map((s) => s.sku_id))).toEqual(new Set(['0001']))
      expect(short.seat).toEqual(padded.seat)
      expect(short.exceptions).toBe(padded.exceptions)
      expect(short.invoice).toBe(padded.invoice)
    }
  }, 60_000)
})

describe('a resend whose SkuIds lost their leading zeros', () => {
  it('is still DUPLICATE_LINE, so nothing is billed twice', async () => {
    const run = async (edit: (text: string) => string) => {
      const copy = sampleCopy()
      roots.push(copy.root)
      const resend = join(copy.input, PERIOD, 'InvoiceReconciliation_G052610001_resend.csv')
      writeFileSync(resend, edit(readFileSync(resend, 'utf8')))
      const outcome = await runPipeline({ period: PERIOD, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
      return { outcome, runJson: JSON.parse(readFileSync(join(copy.output, PERIOD, 'run.json'), 'utf8')) as { rows: Record<string, number>; controlTotals: unknown } }
    }
    const asSent = await run((t) => t)
    const resaved = await run((t) => t.replaceAll('"0001"', '"1"')) // as Excel keeps it
    expect(asSent.runJson.rows.duplicates).toBe(2)
    expect(resaved.runJson.rows).toEqual(asSent.runJson.rows)
    expect(resaved.runJson.controlTotals).toEqual(asSent.runJson.controlTotals)
    expect(resaved.outcome.exitCode).toBe(asSent.outcome.exitCode)
  }, 60_000)
})
