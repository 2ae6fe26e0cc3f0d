/**
 * The NCE license-based price list (FORMATS.md §4.1, SPEC §2.3) for the synthetic catalogue, and its XLSX writer.
 * In: catalogue, currency. Out: rows with whole-term UnitPrice and ERP Price; an .xlsx written with exceljs whose
 * dates are real Excel dates and whose bytes are stable across runs (workbook dates pinned, zip timestamps pinned).
 * Term prices follow the premiums in SPEC §4.3 so that no PREMIUM_MISMATCH fires: P1Y/Monthly = P1Y/Annual × 1.05
 * (rows from 2025-04-01, when that premium started), P1M/Monthly = P1Y/Annual ÷ 12 × 1.20.
 */
import { writeFile } from 'node:fs/promises'
import ExcelJS from 'exceljs'
import { canonical, dec } from '../../pipeline/money.js'
import { addDays } from '../../pipeline/dates.js'
import { LICENSES, SOFTWARE_SUBSCRIPTION, type LicenseProduct } from './catalog.js'
import { PRICELIST_HEADER } from './headers.js'
import { pinZipTimestamps } from './zip-pin.js'

export interface PriceListRow {
  productTitle: string
  productId: string
  skuId: string
  skuTitle: string
  termDuration: 'P1M' | 'P1Y' | 'P3Y'
  billingPlan: 'Monthly' | 'Annual' | 'Triennial'
  currency: string
  /** Whole-term price. */
  unitPrice: string
  erpPrice: string
  effectiveStart: string
  /** null = open-ended (written as 9999-11-30, Microsoft's placeholder). */
  effectiveEnd: string | null
  tags: string
}

export const PRICE_LIST_START = '2024-01-01'
export const ANNUAL_MONTHLY_PREMIUM_FROM = '2025-04-01'
const OPEN_END = '9999-11-30'
const ERP_FACTOR = '1.25'

/** Every price-list row of the catalogue, in a stable order. */
export function priceListRows(currency: string): PriceListRow[] {
  const rows: PriceListRow[] = []
  for (const product of LICENSES) {
    for (const span of priceSpans(product)) rows.push(...termRows(product, span, currency))
  }
  const sw = SOFTWARE_SUBSCRIPTION
  rows.push({
    productTitle: sw.productName, productId: sw.productId, skuId: sw.skuId, skuTitle: sw.skuName, termDuration: 'P1Y',
    billingPlan: 'Annual', currency, unitPrice: sw.annual, erpPrice: money(dec(sw.annual).times(ERP_FACTOR)),
    effectiveStart: PRICE_LIST_START, effectiveEnd: null, tags: 'Software',
  })
  return rows
}

interface Span {
  annual: string
  start: string
  end: string | null
}

function priceSpans(product: LicenseProduct): Span[] {
  if (!product.previous) return [{ annual: product.annual, start: PRICE_LIST_START, end: null }]
  return [
    { annual: product.previous.annual, start: PRICE_LIST_START, end: product.previous.until },
    { annual: product.annual, start: addDays(product.previous.until, 1), end: null },
  ]
}

function termRows(product: LicenseProduct, span: Span, currency: string): PriceListRow[] {
  const base = {
    productTitle: product.productName, productId: product.productId, skuId: product.skuId, skuTitle: product.skuName,
    currency, effectiveEnd: span.end, tags: product.addOn ? 'License; AddOn' : 'License',
  }
  const annual = dec(span.annual)
  const row = (termDuration: PriceListRow['termDuration'], billingPlan: PriceListRow['billingPlan'], price: ReturnType<typeof dec>, start: string): PriceListRow => ({
    ...base, termDuration, billingPlan, unitPrice: money(price), erpPrice: money(price.times(ERP_FACTOR)), effectiveStart: start,
  })
  const rows = [row('P1Y', 'Annual', annual, span.start)]
  if (span.end === null || span.end >= ANNUAL_MONTHLY_PREMIUM_FROM) {
    const start = span.start > ANNUAL_MONTHLY_PREMIUM_FROM ? span.start : ANNUAL_MONTHLY_PREMIUM_FROM
    rows.push(row('P1Y', 'Monthly', annual.times('1.05'), start))
  }
  if (!product.noMonthlyTermRow) rows.push(row('P1M', 'Monthly', annual.div(12).times('1.2'), span.start))
  if (product.triennial) rows.push(row('P3Y', 'Triennial', annual.times(3), span.start))
  return rows
}

function money(value: ReturnType<typeof dec>): string {
  return canonical(value.toDecimalPlaces(2))
}

/** Whole-term price of a product on a date (the row a correct pricing stage must find), or null. */
export function termPriceOn(rows: readonly PriceListRow[], productId: string, skuId: string, term: string, plan: string, date: string): PriceListRow | null {
  let best: PriceListRow | null = null
  for (const r of rows) {
    if (r.productId !== productId || r.skuId !== skuId || r.termDuration !== term || r.billingPlan !== plan) continue
    if (r.effectiveStart > date || (r.effectiveEnd !== null && r.effectiveEnd < date)) continue
    if (!best || r.effectiveStart > best.effectiveStart) best = r
  }
  return best
}

/** Write the price list as .xlsx: numbers as numeric cells, dates as Excel dates, byte-stable. */
export async function writePriceListXlsx(path: string, rows: readonly PriceListRow[], market: string, pinnedDate: string): Promise<void> {
  const workbook = new ExcelJS.Workbook()
  const pinned = new Date(`${pinnedDate}T00:00:00Z`)
  workbook.creator = 'Partner Center'
  workbook.created = pinned
  workbook.modified = pinned
  const sheet = workbook.addWorksheet('Price list')
  sheet.addRow([...PRICELIST_HEADER])
  for (const r of rows) {
    sheet.addRow([
      r.productTitle, r.productId, r.skuId, r.skuTitle, 'Microsoft Corporation', `${r.skuTitle}, ${r.termDuration} term, ${r.billingPlan} billing`, '',
      r.termDuration, r.billingPlan, market, r.currency, Number(r.unitPrice), '', '', excelDate(r.effectiveStart),
      excelDate(r.effectiveEnd ?? OPEN_END), r.tags, Number(r.erpPrice), 'Commercial',
    ])
  }
  for (const column of [15, 16]) sheet.getColumn(column).numFmt = 'm/d/yyyy'
  sheet.getColumn(3).numFmt = '@' // SkuId stays text ('0001')
  const buffer = Buffer.from(await workbook.xlsx.writeBuffer())
  await writeFile(path, pinZipTimestamps(buffer, pinnedDate))
}

function excelDate(iso: string): Date {
  return new Date(`${iso}T00:00:00Z`)
}
