/**
 * SPEC §2: IDs stay text, `0001` ≠ `1`. A price list re-saved by Excel (SkuId 0001 → the number 1) therefore
 * does not price a line of SKU 0001: the line is held PRICE_NOT_FOUND, visibly, rather than matched by guess.
 */
import { createHash } from 'node:crypto'
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { afterAll, describe, expect, it } from 'vitest'
import { openDb } from '../../pipeline/db.js'
import { runPipeline } from '../../pipeline/run.js'

const BASE = join(import.meta.dirname, '..', 'diagnostics', 'base', 'input')
const PERIOD = '2026-10'
const roots: string[] = []
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })))

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
  it('stay as written in every kind, and 1 does not price a line of SKU 0001 (SPEC §2)', async () => {
    const padded = await month((text) => text, false)
    expect(padded.seat).toMatchObject({ status: 'invoiced', method: 'erp-discount', hold_rule: null })
    // The price list alone re-saved by Excel: its SkuId cells are numbers, read as the text 1.
    const priceListOnly = (text: string, file: string) => (/PriceList/.test(file) ? text.replace(/,0001,/g, ',1,') : text)
    for (const xlsx of [false, true]) {
      const stripped = await month(priceListOnly, xlsx)
      expect((stripped.skus as { kind: string; sku_id: string }[]).filter((s) => s.kind === 'list').map((s) => s.sku_id)).toSatisfy((ids: string[]) => ids.length > 0 && ids.every((id) => id === '1'))
      expect((stripped.skus as { kind: string; sku_id: string }[]).filter((s) => s.kind === 'recon').map((s) => s.sku_id)).toSatisfy((ids: string[]) => ids.length > 0 && ids.every((id) => id === '0001'))
      expect(stripped.seat).toMatchObject({ status: 'held', hold_rule: 'PRICE_NOT_FOUND', sell: null })
      expect(stripped.exceptions).toContain('PRICE_NOT_FOUND')
      expect(stripped.outcome.exitCode).toBe(1)
    }
  }, 60_000)
})
