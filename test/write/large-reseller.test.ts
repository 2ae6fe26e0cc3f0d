/**
 * A reseller with 200,000 invoiced lines is written with the streaming writer (PERFORMANCE-NOTES h1): bounded
 * memory and time, and the Invoice SUM covers every line. The DB is generated in SQL (recursive CTE) so the
 * test measures the writer, not the fixture.
 */
import { describe, expect, it } from 'vitest'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import ExcelJS from 'exceljs'
import { write } from '../../stages/write.js'
import { Fixture } from './fixture.js'
import { zipEntry } from './read-back.js'
import { parseWorkbookEntries } from '../../stages/readers/xlsx-entries.js'

const LINES = 200_000

function bigDb(): Fixture {
  const f = new Fixture()
  f.inputFile('2026-10/recon.csv', 'reconciliation', LINES)
  f.reseller({ id: 'BIG', currency: 'USD', tax: '7', support: '2' })
  f.db.sqlite.exec(`
    with recursive n(i) as (select 1 union all select i + 1 from n where i < ${LINES})
    insert into recon_lines (line_id, source_file, source_row, customer_id, customer_name, product_id, sku_id, sku_name, product_name,
      charge_type, charge_type_norm, unit_price, subtotal, total, currency, subscription_id, charge_start_date, charge_end_date,
      effective_unit_price, billable_quantity, pc_to_bc_exchange_rate, tier2_mpn_id, row_key)
    select i, '2026-10/recon.csv', i + 1, printf('cust-%04d', i % 500), printf('Customer %d', i % 500), 'CFQ7TTC0LF8Q', '0001',
      'Microsoft 365 E3', 'Microsoft 365 E3', 'cycleCharge', 'cyclecharge', '36', (i % 997) || '.2', (i % 997) || '.2', 'USD',
      printf('sub-%d', i % 3000), '2026-10-01', '2026-10-31', '36', '1', '1', 'BIG', 'k' || i
    from n;
    insert into priced_lines (line_id, status, reseller_id, currency, category, term_duration, billing_plan, event_date, billing_days,
      cycle_days, proration_factor, method, cost, sell_exact, sell, unit_sell_price, explanation)
    select line_id, 'invoiced', 'BIG', 'USD', 'license', 'P1Y', 'Monthly', '2026-10-01', 31, 31, '1', 'markup', subtotal,
      (line_id % 997) || '.25', (line_id % 997) || '.25', (line_id % 997) || '.25', 'markup'
    from recon_lines;
  `)
  return f
}

describe('large reseller', () => {
  it(`writes ${LINES.toLocaleString('en')} lines with the streaming writer in bounded memory`, async () => {
    const f = bigDb()
    const ctx = f.context()
    let peak = process.memoryUsage().rss
    const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss) }, 50)
    const started = performance.now()
    const { output } = await write({ exitCode: 0 }, ctx)
    const seconds = (performance.now() - started) / 1000
    clearInterval(sampler)
    peak = Math.max(peak, process.memoryUsage().rss)
    console.log(`large reseller: ${LINES} lines written in ${seconds.toFixed(1)} s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB`)
    expect(seconds).toBeLessThan(60)
    expect(peak).toBeLessThan(600 * 2 ** 20)

    // Σ (i mod 997) + 0.25 per line, exactly.
    let cents = 0
    for (let i = 1; i <= LINES; i++) cents += (i % 997) * 100 + 25
    const subtotal = (cents / 100).toFixed(2)
    expect(output.runJson.resellers[0]).toMatchObject({ resellerId: 'BIG', lines: LINES, subtotal })

    const path = join(ctx.workDir, 'invoices/BIG.xlsx')
    const invoice = await zipEntry(path, 'xl/worksheets/sheet1.xml')
    expect(invoice).toContain(`<f>SUM(Lines!P2:P${LINES + 1})</f><v>${Number(subtotal)}</v>`)

    // Stream the Lines sheet back: every line is there, in order.
    const reader = new ExcelJS.stream.xlsx.WorkbookReader(createReadStream(path), { worksheets: 'emit', sharedStrings: 'ignore', hyperlinks: 'ignore', styles: 'ignore' })
    // exceljs's own zip walk deletes a parked sheet's temp file while it may still be opening (an uncaught ENOENT
    // failed a full run of the suite): walked as the product walks it (stages/readers/xlsx-entries.ts).
    ;(reader as unknown as { parse: unknown }).parse = parseWorkbookEntries
    let rows = 0
    let last: ExcelJS.Row | null = null
    for await (const ws of reader) {
      if ((ws as unknown as { name: string }).name !== 'Lines') continue
      for await (const row of ws) {
        rows++
        last = row
      }
    }
    expect(rows).toBe(LINES + 1)
    expect(last?.getCell(1).value).toBe('cust-0499')
  }, 120_000)
})
