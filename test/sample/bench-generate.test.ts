/**
 * bench/generate.ts at small scale: exact row counts, Microsoft's formulas on every recon line, usage that ties out
 * with the Azure plan lines (SPEC §5 tolerance), references that cover every line, and determinism.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Decimal, dec } from '../../pipeline/money.js'
import { generateMonth } from '../../bench/generate.js'
import { RECON_HEADER, USAGE_HEADER } from '../../scripts/synthetic/headers.js'

type Row = Record<string, string>

function parseCsv(text: string): { header: string[]; rows: Row[] } {
  const parsed = Papa.parse<Row>(text.startsWith('\uFEFF') ? text.slice(1) : text, { header: true, skipEmptyLines: true })
  return { header: parsed.meta.fields ?? [], rows: parsed.data }
}

const truncate2 = (x: Decimal): Decimal => x.toDecimalPlaces(2, Decimal.ROUND_DOWN)
const OPTS = { period: '2026-10', usageRows: 2000, reconLines: 200, seed: 42 }

describe('generateMonth (small scale)', () => {
  let dirA = ''
  let dirB = ''
  let files: string[] = []
  let usageBytes = 0
  const read = async (name: string, dir = dirA): Promise<string> => readFile(files.map((f) => f.replace(dirA, dir)).find((f) => basename(f) === name) ?? join(dir, name), 'utf8')

  beforeAll(async () => {
    dirA = await mkdtemp(join(tmpdir(), 'csp-bench-a-'))
    dirB = await mkdtemp(join(tmpdir(), 'csp-bench-b-'))
    const result = await generateMonth({ dir: dirA, ...OPTS })
    files = result.files
    usageBytes = result.usageBytes
    await generateMonth({ dir: dirB, ...OPTS })
  })
  afterAll(async () => {
    for (const dir of [dirA, dirB]) if (dir) await rm(dir, { recursive: true, force: true })
  })

  const fileNamed = (prefix: string): string => basename(files.find((f) => basename(f).startsWith(prefix)) ?? '')

  it('writes usage, reconciliation, price list and the three reference sheets', () => {
    expect(files.map((f) => basename(f)).sort()).toEqual([
      'DailyRatedUsage_2026-10.csv', fileNamed('InvoiceReconciliation_'), 'PriceList_NCE_2026-10.xlsx', 'customers.csv', 'pricebooks.csv', 'resellers.csv',
    ].sort())
    expect(fileNamed('InvoiceReconciliation_')).toMatch(/^InvoiceReconciliation_G0\d{8}\.csv$/)
  })

  it('is deterministic: same seed, same bytes', async () => {
    for (const f of files) {
      const a = await readFile(f)
      const b = await readFile(f.replace(dirA, dirB))
      expect(a.equals(b), basename(f)).toBe(true)
    }
  })

  it('has exactly the requested row counts, in the Partner Center layout', async () => {
    const usageText = await read('DailyRatedUsage_2026-10.csv')
    expect(usageText.startsWith('\uFEFF"PartnerId"')).toBe(true)
    expect(Buffer.byteLength(usageText, 'utf8')).toBe(usageBytes)
    const usage = parseCsv(usageText)
    expect(usage.header).toEqual([...USAGE_HEADER])
    expect(usage.rows).toHaveLength(2000)
    expect(usageText.split('\r\n')).toHaveLength(2002)
    const recon = parseCsv(await read(fileNamed('InvoiceReconciliation_')))
    expect(recon.header).toEqual([...RECON_HEADER])
    expect(recon.rows).toHaveLength(200)
    expect(recon.rows.filter((r) => r.SubscriptionDescription === 'Azure plan')).toHaveLength(180)
  })

  it('uses long real-looking decimals and some non-ASCII customer names', async () => {
    const usage = parseCsv(await read('DailyRatedUsage_2026-10.csv')).rows
    const first = usage[0] as Row
    expect(first.PCToBCExchangeRate).toMatch(/^0\.\d{15}$/)
    expect(usage.some((r) => /^0\.\d{16}$/.test(r.EffectiveUnitPrice ?? ''))).toBe(true)
    const nonAscii = usage.filter((r) => /[^ -~]/.test(r.CustomerName ?? '')).length / usage.length
    expect(nonAscii).toBeGreaterThan(0.05)
    expect(nonAscii).toBeLessThan(0.5)
  })

  it("every recon line satisfies Microsoft's Subtotal/Total formulas (SPEC §3.4)", async () => {
    const recon = parseCsv(await read(fileNamed('InvoiceReconciliation_'))).rows
    for (const r of recon) {
      const eup = dec(r.EffectiveUnitPrice), rate = dec(r.PCToBCExchangeRate), qty = dec(r.BillableQuantity)
      const expected = r.SubscriptionDescription === 'Azure plan' ? truncate2(truncate2(eup.times(qty)).times(rate)) : truncate2(eup.times(rate)).times(qty)
      expect(dec(r.Subtotal).eq(expected), r.ReferenceId).toBe(true)
      expect(dec(r.Total).eq(dec(r.Subtotal).plus(dec(r.TaxTotal))), r.ReferenceId).toBe(true)
    }
  })

  it('usage ties out per (customer, subscription, product, sku): 0 ≤ Σ BillingPreTaxTotal − Subtotal < 0.02', async () => {
    const usage = parseCsv(await read('DailyRatedUsage_2026-10.csv')).rows
    const recon = parseCsv(await read(fileNamed('InvoiceReconciliation_'))).rows.filter((r) => r.SubscriptionDescription === 'Azure plan')
    const key = (r: Row): string => [r.CustomerId, r.SubscriptionId, r.ProductId, r.SkuId].join('|')
    const sums = new Map<string, Decimal>()
    const quantities = new Map<string, Decimal>()
    for (const r of usage) {
      expect(r.UsageDate).toMatch(/^10\/\d{2}\/2026$/)
      sums.set(key(r), (sums.get(key(r)) ?? dec(0)).plus(dec(r.BillingPreTaxTotal)))
      quantities.set(key(r), (quantities.get(key(r)) ?? dec(0)).plus(dec(r.Quantity)))
    }
    expect(new Set(recon.map(key)).size).toBe(recon.length)
    expect(sums.size).toBe(recon.length)
    for (const r of recon) {
      const diff = (sums.get(key(r)) ?? dec(0)).minus(dec(r.Subtotal))
      expect(diff.gte(0) && diff.lt('0.02'), `${key(r)} diff ${diff.toString()}`).toBe(true)
      expect(quantities.get(key(r))?.eq(dec(r.BillableQuantity)), key(r)).toBe(true)
    }
  })

  it('reference sheets cover every line: resellers, customers (incl. Tier2MpnId 0) and a default rule per price book', async () => {
    const resellers = parseCsv(await read('resellers.csv')).rows
    const customers = parseCsv(await read('customers.csv')).rows
    const books = parseCsv(await read('pricebooks.csv')).rows
    const resellerIds = new Set(resellers.map((r) => r.ResellerId))
    const customerMap = new Map(customers.map((c) => [c.CustomerId, c.ResellerId]))
    for (const r of resellers) {
      expect(r.ResellerId).toMatch(/^[A-Za-z0-9_-]{1,64}$/)
      expect(books.some((b) => b.PriceBook === r.PriceBook && b.Scope === 'default'), r.PriceBook).toBe(true)
    }
    const recon = parseCsv(await read(fileNamed('InvoiceReconciliation_'))).rows
    let zeroTier2 = 0
    for (const r of recon) {
      const reseller = r.Tier2MpnId && r.Tier2MpnId !== '0' ? r.Tier2MpnId : customerMap.get(r.CustomerId ?? '')
      expect(resellerIds.has(reseller), r.CustomerId).toBe(true)
      if (r.Tier2MpnId === '0') zeroTier2++
      expect(r.Currency).toBe('EUR')
    }
    expect(zeroTier2).toBeGreaterThan(0)
  })
})
