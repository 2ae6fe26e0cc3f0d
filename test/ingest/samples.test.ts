/**
 * Real Partner Center exports (read in place from ../shared/samples, never copied): header mapping after a BOM
 * and quoted header, full-precision decimals, row counts. Skipped with a visible message when the folder is absent.
 */
import { existsSync, symlinkSync } from 'node:fs'
import { resolve } from 'node:path'
import { SAMPLES_DIR } from '../shared-samples.js'
import { afterEach, describe, expect, it } from 'vitest'
import { inputFiles, makeInput, runIngest, type TestInput } from './context.js'

const SAMPLES = SAMPLES_DIR
const present = existsSync(SAMPLES)
if (!present) console.warn(`[ingest samples] SKIPPED: ${SAMPLES} is absent, real-export tests not run`)

describe.skipIf(!present)('real Partner Center exports', () => {
  let input: TestInput
  afterEach(async () => input.cleanup())

  /** Link the sample into the temp period folder (a symlink: the file itself stays where it is). */
  function link(name: string): void {
    symlinkSync(resolve(SAMPLES, name), resolve(input.ctx.periodDir, name))
  }

  it('OneTimeInvoiceLineItems.csv (BOM, quoted header, CRLF): 2,000 accepted, 0 rejected', async () => {
    input = makeInput()
    link('OneTimeInvoiceLineItems.csv')
    const { findings, discovered } = await runIngest(input.ctx)
    expect(discovered.map((d) => d.kind)).toEqual(['reconciliation'])
    expect(findings.filter((f) => f.rule !== 'DUPLICATE_LINE')).toEqual([])
    const [file] = inputFiles(input.ctx)
    expect(file).toMatchObject({ file: '2026-10/OneTimeInvoiceLineItems.csv', kind: 'reconciliation', rows: 2000, accepted: 2000, rejected: 0 })
    expect(JSON.parse(file!.unknown_columns)).toEqual([])
    const first = input.ctx.db.sqlite.prepare('select * from recon_lines where line_id = 1').get() as Record<string, unknown>
    expect(first).toMatchObject({
      source_row: 2, customer_id: 'baf00b3a-3dce-4b83-a82c-e4ffaee51f84', sku_id: '004P', charge_type: 'new',
      charge_type_norm: 'new', unit_price: '1.536', subtotal: '3.16', total: '3.57', tax_total: '0.41',
      billable_quantity: '2.00016', effective_unit_price: '1.3056', pc_to_bc_exchange_rate: '1.2115',
      charge_start_date: '2021-06-01', charge_end_date: '2021-06-30', order_date: '2021-07-03', currency: 'CAD',
      price_adjustment_description: '["15.0% Partner earned credit for services managed"]', tier2_mpn_id: null,
    })
    // A 10-decimal BillableQuantity survives exactly (TESTING-NOTES: long decimals).
    const longest = input.ctx.db.sqlite
      .prepare(`select billable_quantity from recon_lines where billable_quantity like '%.__________' limit 1`)
      .get() as { billable_quantity: string } | undefined
    expect(longest?.billable_quantity).toMatch(/^\d+\.\d{10}$/)
    const ids = input.ctx.db.sqlite.prepare('select min(line_id) a, max(line_id) b, count(*) n from recon_lines').get()
    expect(ids).toEqual({ a: 1, b: 2000, n: 2000 })
  })

  // Note: 11 physical lines and no final newline, so 10 data rows (`wc -l` says 10 and misleads: it counts newlines).
  it('G004733043_OneTimeInvoiceLineItems.csv (no BOM, unquoted): 10 accepted, 0 rejected', async () => {
    input = makeInput()
    link('G004733043_OneTimeInvoiceLineItems.csv')
    const { findings } = await runIngest(input.ctx)
    expect(findings.filter((f) => f.rule !== 'DUPLICATE_LINE')).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'reconciliation', rows: 10, accepted: 10, rejected: 0 })
  })

  // Note: 10 physical lines, no final newline: header + 9 data rows.
  it('G004733043_DailyRatedusageLineItems.csv (usage, 51-column 2021 layout): 9 accepted, 0 rejected', async () => {
    input = makeInput()
    link('G004733043_DailyRatedusageLineItems.csv')
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    const [file] = inputFiles(input.ctx)
    expect(file).toMatchObject({ kind: 'usage', rows: 9, accepted: 9, rejected: 0 })
    expect(JSON.parse(file!.unknown_columns)).toEqual([])
    const first = input.ctx.db.sqlite.prepare('select * from usage_rows order by source_row limit 1').get() as Record<string, unknown>
    expect(first).toMatchObject({
      source_row: 2, sku_id: '003J', usage_date: '2021-06-25', meter_category: 'Log Analytics', quantity: '0.00000641',
      unit_price: '2.99', billing_pre_tax_total: '0', billing_currency: 'EUR', pricing_currency: 'USD',
      pc_to_bc_exchange_rate: '0.818498056067117', // 15 decimals, unchanged
      effective_unit_price: '0', tier2_mpn_id: null,
    })
  })
})
