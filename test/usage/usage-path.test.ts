/**
 * Issue 7: usage through the whole ingest → check path. Usage CSVs go through the fast tokenizer and the
 * combiner (stages/usage-totals.ts): partial sums per file, aggregated in SQL into usage_totals, which
 * USAGE_TIE_OUT reads; OUT_OF_PERIOD reads the rows stored whole. Synthetic data only.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { RECON_HEADER, reconRow } from '../fixtures/ingest/builders.js'
import { inputFiles, makeInput, runIngest, type TestInput } from '../ingest/context.js'
import { usageTieOut } from '../../stages/checks/usage-tie-out.js'
import { outOfPeriod } from '../../stages/checks/out-of-period.js'
import { USAGE_HEADER as LAYOUT_55 } from '../../scripts/synthetic/headers.js'

let input: TestInput
afterEach(async () => input?.cleanup())

const RECON = [...RECON_HEADER, 'SubscriptionDescription']
/** An Azure plan line billing `subtotal` for (cust-1, azure-1, DZH318Z0BP0L, 004P). */
const azureLine = (subtotal: string, o: Record<string, string> = {}) =>
  reconRow({ SubscriptionId: 'azure-1', ProductId: 'DZH318Z0BP0L', SkuId: '004P', SubscriptionDescription: 'Azure plan', Subtotal: subtotal, Total: subtotal, ...o }, RECON)

const USAGE = ['CustomerId', 'CustomerName', 'SubscriptionId', 'ProductId', 'SkuId', 'UsageDate', 'MeterId', 'MeterCategory', 'MeterName', 'Quantity', 'UnitPrice', 'BillingPreTaxTotal', 'BillingCurrency', 'EntitlementId', 'Tier2MpnId']
const usageRow = (total: string, date = '10/15/2026', o: Record<string, string> = {}) => {
  const d: Record<string, string> = {
    CustomerId: 'cust-1', CustomerName: 'Contoso "Test", Ltd', SubscriptionId: 'azure-1', ProductId: 'DZH318Z0BP0L', SkuId: '004P', UsageDate: date,
    MeterId: 'm-1', MeterCategory: 'Storage', MeterName: 'LRS', Quantity: '1.5', UnitPrice: '0.1', BillingPreTaxTotal: total,
    BillingCurrency: 'EUR', EntitlementId: 'ent-1', Tier2MpnId: '1234567', ...o,
  }
  return USAGE.map((c) => d[c] ?? '')
}
const csv = (rows: string[][]) => `\uFEFF${rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join('\r\n')}\r\n`

async function run(lines: string[][], usage: string[][]) {
  input = makeInput()
  input.write('recon.csv', csv([RECON, ...lines]))
  input.write('usage.csv', csv([USAGE, ...usage]))
  const { findings } = await runIngest(input.ctx)
  const ctx = input.ctx
  const check = { db: ctx.db, settings: ctx.settings, periodStart: ctx.periodStart, periodEnd: ctx.periodEnd }
  // SPEC §6: every accepted usage row is summed exactly once.
  const usageFile = inputFiles(ctx).find((f) => f.kind === 'usage')!
  expect((ctx.db.sqlite.prepare('select sum(rows) n from usage_partials').get() as { n: number }).n).toBe(usageFile.accepted)
  return { ingestFindings: findings, tie: await usageTieOut(check), out: await outOfPeriod(check) }
}

const tie = (expected: string, actual: string, customerId = 'cust-1') => expect.objectContaining({ rule: 'USAGE_TIE_OUT', file: '', row: 0, expected, actual, customerId })

describe('usage tie-out through ingest', () => {
  it('matches within tolerance: no finding (0.04 off, min tolerance 0.05)', async () => {
    const r = await run([azureLine('3.16')], [usageRow('1.58'), usageRow('1.54')])
    expect(r.ingestFindings).toEqual([])
    expect(r.tie).toEqual([])
  })

  it('breaks beyond tolerance: one aggregate finding with exact sums', async () => {
    const r = await run([azureLine('3.16')], [usageRow('1.5'), usageRow('1.6000000001')])
    expect(r.tie).toEqual([tie('3.16', '3.1000000001')])
  })

  it('a key on one side only counts, in both directions', async () => {
    const r = await run([azureLine('3.16')], [usageRow('3.16', '10/02/2026', { CustomerId: 'cust-2' })])
    expect(r.tie).toEqual([tie('3.16', '0.00'), tie('0.00', '3.16', 'cust-2')])
  })

  it('out-of-period rows are reported one by one and left out of the tie-out', async () => {
    const r = await run([azureLine('3.16')], [usageRow('3.16'), usageRow('100', '09/30/2026'), usageRow('7', '11/01/2026')])
    expect(r.tie).toEqual([])
    expect(r.out.map((f) => [f.rule, f.row, f.actual])).toEqual([['OUT_OF_PERIOD', 3, '2026-09-30'], ['OUT_OF_PERIOD', 4, '2026-11-01']])
  })

  it('rejected usage rows are not summed', async () => {
    const r = await run([azureLine('3.16')], [usageRow('3.16'), usageRow('not-a-number')])
    expect(r.ingestFindings.map((f) => [f.rule, f.row])).toEqual([['REJECTED_ROW', 3]])
    expect(r.tie).toEqual([])
  })
})

describe('usage layouts and the fast tokenizer', () => {
  /** Microsoft's current 55-column layout, and the 51-column one without the four newest columns. */
  const LAYOUT_51 = LAYOUT_55.filter((c) => !['CreditType', 'BenefitOrderId', 'BenefitId', 'BenefitType'].includes(c))
  const row = (header: readonly string[], i: number) =>
    header.map((c) => ({ CustomerId: 'cust-1', SubscriptionId: 'azure-1', ProductId: 'DZH318Z0BP0L', SkuId: '004P', UsageDate: `10/${String(1 + (i % 28)).padStart(2, '0')}/2026`,
      MeterId: 'm-1', MeterCategory: 'Virtual Machines', MeterName: 'D2 v3', Quantity: '2', UnitPrice: '0.5', BillingPreTaxTotal: '1.25', BillingCurrency: 'EUR',
      CustomerName: 'Société Générale Test' } as Record<string, string>)[c] ?? '')

  it.each([
    ['55-column', LAYOUT_55],
    ['51-column', LAYOUT_51],
  ])('%s layout: every row accepted, sums exact', async (_name, header) => {
    input = makeInput()
    input.write('usage.csv', csv([[...header], ...Array.from({ length: 40 }, (_, i) => row(header, i))]))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'usage', rows: 40, accepted: 40, rejected: 0, unknown_columns: '[]' })
    expect(input.ctx.db.sqlite.prepare('select sum(rows) n, billing_pre_tax_total t, customer_name c from usage_totals').get()).toEqual({ n: 40, t: '50', c: 'Société Générale Test' })
  })

  it('LF endings, unquoted cells, no BOM, a quoted newline: same rows and row numbers', async () => {
    input = makeInput()
    const plain = (total: string) => usageRow(total, '10/15/2026', { CustomerName: 'Contoso Test' })
    const lines = [USAGE.join(','), plain('1').join(','), '', `"cust-1","multi\nline",${plain('2').slice(2).join(',')}`, plain('3').join(',')]
    input.write('usage.csv', `${lines.join('\n')}\n`)
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select first_row f, last_row l, rows n, customer_name c from usage_partials order by partial_id').all()).toEqual([
      { f: 2, l: 5, n: 2, c: 'Contoso Test' }, { f: 4, l: 4, n: 1, c: 'multi\nline' },
    ])
  })

  it('text off the common case after rows were loaded (a bare quote): the file is read again by papaparse, rows counted once', async () => {
    input = makeInput()
    const rows = Array.from({ length: 50 }, (_, i) => usageRow(String(i + 1), '10/15/2026', { CustomerName: 'Contoso Test' }).join(','))
    rows.push(usageRow('51', '10/15/2026', { CustomerName: 'Contoso Test', MeterName: 'odd"name' }).join(','))
    input.write('usage.csv', `${[USAGE.join(','), ...rows].join('\r\n')}\r\n`)
    await runIngest(input.ctx)
    const file = inputFiles(input.ctx)[0]!
    expect(file).toMatchObject({ rows: 51, accepted: 51, rejected: 0 }) // papaparse keeps a bare quote as text
    expect((input.ctx.db.sqlite.prepare('select sum(rows) n from usage_partials').get() as { n: number }).n).toBe(file.accepted)
    expect((input.ctx.db.sqlite.prepare('select sum(rows) n from usage_totals').get() as { n: number }).n).toBe(file.accepted)
  })
})
