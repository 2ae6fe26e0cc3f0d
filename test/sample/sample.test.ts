/**
 * The committed sample month (input/sample) is exactly what scripts/generate-sample.ts writes, and its data obey
 * Microsoft's rules (SPEC §3) except for the deliberate findings listed in input/sample/README.md.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { gunzipSync } from 'node:zlib'
import Papa from 'papaparse'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Decimal, dec } from '../../pipeline/money.js'
import { addMonths, daysBetween } from '../../pipeline/dates.js'
import { PERIOD, PRICE_LIST_FILE, RECON_FILE, RESEND_FILE, USAGE_FILE, generateSample } from '../../scripts/generate-sample.js'
import { RECON_HEADER, USAGE_HEADER } from '../../scripts/synthetic/headers.js'

const SAMPLE_ROOT = join(import.meta.dirname, '../../input/sample')
const periodFile = (name: string): string => join(SAMPLE_ROOT, PERIOD, name)

type Row = Record<string, string>

function parseCsv(text: string): { header: string[]; rows: Row[] } {
  const clean = text.startsWith('\uFEFF') ? text.slice(1) : text
  const parsed = Papa.parse<Row>(clean, { header: true, skipEmptyLines: true })
  return { header: parsed.meta.fields ?? [], rows: parsed.data }
}

const iso = (us: string): string => `${us.slice(6, 10)}-${us.slice(0, 2)}-${us.slice(3, 5)}`
const truncate2 = (x: Decimal): Decimal => x.toDecimalPlaces(2, Decimal.ROUND_DOWN)

/** SPEC §3.1 category, first match. */
function category(r: Row): string {
  if (r.ChargeType?.toLowerCase() === 'customercredit') return 'credit'
  if (r.SubscriptionDescription === 'Azure plan') return 'azure-plan'
  const term = r.TermAndBillingCycle ?? ''
  if (term.includes('Reservation')) return 'reservation'
  if (term.includes('Savings Plan')) return 'savings-plan'
  if (r.PublisherName && !r.PublisherName.startsWith('Microsoft') && r.PublisherId) return 'marketplace'
  if (term.includes('Subscription')) return 'software-subscription'
  if (term === '' && (r.ChargeEndDate ?? '') === '') return 'perpetual'
  return 'license'
}

/** SPEC §3.4. */
function expectedSubtotal(r: Row): Decimal {
  const eup = dec(r.EffectiveUnitPrice), rate = dec(r.PCToBCExchangeRate), qty = dec(r.BillableQuantity)
  return category(r) === 'azure-plan' ? truncate2(truncate2(eup.times(qty)).times(rate)) : truncate2(eup.times(rate)).times(qty)
}

describe('committed sample month', () => {
  let tmp = ''
  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'csp-sample-'))
    await generateSample(tmp)
  })
  afterAll(async () => {
    if (tmp) await rm(tmp, { recursive: true, force: true })
  })

  it.each([
    [PERIOD, RECON_FILE], [PERIOD, RESEND_FILE], [PERIOD, USAGE_FILE], [PERIOD, PRICE_LIST_FILE],
    ['reference', 'resellers.csv'], ['reference', 'pricebooks.csv'], ['reference', 'customers.csv'],
  ])('%s/%s is byte-identical to a fresh generator run', async (folder, name) => {
    // Note: the .gz is compared after gunzip: deflate output may differ between zlib builds (Node versions, OSes).
    const unzip = (b: Buffer): Buffer => (name.endsWith('.gz') ? gunzipSync(b) : b)
    const committed = unzip(await readFile(join(SAMPLE_ROOT, folder, name)))
    const fresh = unzip(await readFile(join(tmp, folder, name)))
    expect(fresh.equals(committed), `${relative(process.cwd(), join(SAMPLE_ROOT, folder, name))} differs: re-run npx tsx scripts/generate-sample.ts`).toBe(true)
  })
})

describe('sample reconciliation obeys Microsoft rules', async () => {
  const text = await readFile(periodFile(RECON_FILE), 'utf8')
  const { header, rows } = parseCsv(text)

  it('has the real layout: BOM, CRLF, all fields quoted, the current 46-column header', () => {
    expect(text.startsWith('\uFEFF"PartnerId","CustomerId"')).toBe(true)
    expect(text.split('\r\n').length).toBe(rows.length + 2)
    expect(header).toEqual([...RECON_HEADER])
    expect(rows.length).toBeGreaterThanOrEqual(150)
    expect(rows.length).toBeLessThanOrEqual(300)
  })

  it('Subtotal follows §3.4 on every line except the one deliberate AMOUNT_MISMATCH (0.05 over)', () => {
    const off = rows.filter((r) => !dec(r.Subtotal).eq(expectedSubtotal(r)))
    expect(off).toHaveLength(1)
    const [bad] = off
    expect(bad?.CustomerName).toBe('Tailspin Toys')
    expect(dec(bad?.Subtotal).minus(expectedSubtotal(bad as Row)).toString()).toBe('0.05')
  })

  it('Total = Subtotal + TaxTotal on every line', () => {
    for (const r of rows) expect(dec(r.Total).eq(dec(r.Subtotal).plus(dec(r.TaxTotal))), r.ReferenceId).toBe(true)
  })

  it('prorated license lines use round(UnitPrice × billing days ÷ cycle days, 2) (SPEC §3.3)', () => {
    const changes = rows.filter((r) => ['addQuantity', 'removeQuantity', 'cancelImmediate'].includes(r.ChargeType ?? ''))
    expect(changes).toHaveLength(7)
    for (const r of changes) {
      const termStart = iso(r.SubscriptionStartDate ?? '')
      const event = [iso(r.ChargeStartDate ?? ''), iso(r.OrderDate ?? '')].sort().at(-1) ?? ''
      const planMonths = r.BillingFrequency === 'Monthly' ? 1 : 12
      let k = 0
      while (addMonths(termStart, (k + 1) * planMonths) <= event) k++
      const cycleDays = daysBetween(addMonths(termStart, k * planMonths), addMonths(termStart, (k + 1) * planMonths))
      const billingDays = daysBetween(event, iso(r.ChargeEndDate ?? '')) + 1
      const expected = dec(r.UnitPrice).times(billingDays).div(cycleDays).toDecimalPlaces(2, Decimal.ROUND_HALF_UP)
      expect(dec(r.EffectiveUnitPrice).abs().toString(), `${r.ChargeType} ${r.CustomerName}`).toBe(expected.toString())
    }
  })

  it('refund/charge pairs share a ReferenceId, refund first and negative', () => {
    const pairs = rows.filter((r) => r.ChargeType === 'addQuantity' || r.ChargeType === 'removeQuantity')
    const byRef = new Map<string, Row[]>()
    for (const r of pairs) byRef.set(r.ReferenceId ?? '', [...(byRef.get(r.ReferenceId ?? '') ?? []), r])
    expect(byRef.size).toBe(3)
    for (const group of byRef.values()) {
      expect(group).toHaveLength(2)
      expect(dec(group[0]?.EffectiveUnitPrice).isNeg()).toBe(true)
      expect(dec(group[1]?.EffectiveUnitPrice).eq(dec(group[0]?.EffectiveUnitPrice).neg())).toBe(true)
    }
  })

  it('covers every product category of SPEC §3.1', () => {
    const categories = new Set(rows.map(category))
    for (const c of ['license', 'azure-plan', 'reservation', 'marketplace', 'software-subscription', 'perpetual', 'credit']) {
      expect(categories.has(c), c).toBe(true)
    }
  })

  it('the resend file repeats two rows of the main file exactly (DUPLICATE_LINE)', async () => {
    const resend = parseCsv(await readFile(periodFile(RESEND_FILE), 'utf8'))
    expect(resend.rows).toHaveLength(2)
    const lines = new Set(text.split('\r\n').slice(1))
    const resendText = (await readFile(periodFile(RESEND_FILE), 'utf8')).split('\r\n').slice(1, 3)
    for (const line of resendText) expect(lines.has(line)).toBe(true)
  })

  it('daily usage ties out with the Azure plan lines per (customer, subscription, product, sku) within SPEC §5 tolerance', async () => {
    const usageText = gunzipSync(await readFile(periodFile(USAGE_FILE))).toString('utf8')
    const usage = parseCsv(usageText)
    expect(usage.header).toEqual([...USAGE_HEADER])
    expect(usage.rows.length).toBeGreaterThan(2000)
    const key = (r: Row): string => [r.CustomerId, r.SubscriptionId, r.ProductId, r.SkuId].join('|')
    const inPeriod = usage.rows.filter((r) => (r.UsageDate ?? '').startsWith('10/') && (r.UsageDate ?? '').endsWith('/2026'))
    expect(usage.rows.length - inPeriod.length).toBe(1) // the OUT_OF_PERIOD row
    const usageSum = new Map<string, { sum: Decimal; rows: number }>()
    for (const r of inPeriod) {
      const entry = usageSum.get(key(r)) ?? { sum: dec(0), rows: 0 }
      usageSum.set(key(r), { sum: entry.sum.plus(dec(r.BillingPreTaxTotal)), rows: entry.rows + 1 })
    }
    const recon = new Map<string, Decimal>()
    for (const r of rows.filter((x) => category(x) === 'azure-plan')) recon.set(key(r), (recon.get(key(r)) ?? dec(0)).plus(dec(r.Subtotal)))
    expect([...recon.keys()].sort()).toEqual([...usageSum.keys()].sort())
    for (const [k, { sum, rows: n }] of usageSum) {
      const tolerance = Decimal.max(dec('0.05'), dec('0.01').times(n).div(100))
      expect(sum.minus(recon.get(k) ?? 0).abs().lte(tolerance), k).toBe(true)
    }
  })
})
