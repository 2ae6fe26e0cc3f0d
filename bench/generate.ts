/**
 * Scale generator for the benchmark (issue 7): a synthetic Partner Center month of any size, in the same formats as
 * the committed sample (scripts/generate-sample.ts): `dir/<period>/` gets the daily rated usage CSV (55 columns, BOM,
 * CRLF, quoted), the invoice reconciliation CSV and the NCE price list .xlsx; `dir/reference/` the resellers,
 * price books and customers sheets.
 *
 * In: { dir, period, usageRows, reconLines, seed }. Out: the files written and the usage file's size in bytes.
 * Deterministic (seeded PRNG; every id derived from the seed and the thing's index). Streaming: rows go straight
 * to fs WriteStreams with backpressure; memory holds only the customer list and one key's rows at a time.
 *
 * Shape: billing currency EUR (so Azure lines carry a 15-decimal USD→EUR PCToBCExchangeRate and usage a
 * 16-decimal EffectiveUnitPrice), ~50 resellers, ~2,000 customers (23 % with non-ASCII names), 2 % of customers
 * with Tier2MpnId 0 (mapped by customers.csv). ~90 % of recon lines are Azure plan meter lines — one per
 * (customer, subscription, meter) — whose Subtotal ties out with the Σ of that key's usage rows within SPEC §5
 * tolerance (Σ − Subtotal is in [0, 0.02)); the rest are clean P1Y/Monthly license cycle charges priced from the
 * price list. Every line finds a price book rule; the month should give no errors.
 *
 * CLI: npx tsx bench/generate.ts --out DIR --period 2026-10 --usage-rows 1000000 --recon-lines 50000 --seed 1
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { canonical, dec } from '../pipeline/money.js'
import { addDays, addMonths, daysInMonth } from '../pipeline/dates.js'
import { derive, type Rng } from '../scripts/synthetic/prng.js'
import { BOM, plainLine, quotedLine } from '../scripts/synthetic/csv.js'
import { CUSTOMERS_HEADER, PRICEBOOKS_HEADER, RECON_HEADER, RESELLERS_HEADER, USAGE_HEADER, inOrder } from '../scripts/synthetic/headers.js'
import { LICENSES, METERS, type Meter } from '../scripts/synthetic/catalog.js'
import { cycleContaining, cyclePrice, periodEnd } from '../scripts/synthetic/microsoft.js'
import { azureLine, seatLine, usageRow, type Billing, type CustomerRef } from '../scripts/synthetic/records.js'
import { priceListRows, termPriceOn, writePriceListXlsx } from '../scripts/synthetic/price-list.js'
import { customerName, resellerName } from './synthetic/names.js'
import { compileTemplate, slot } from './synthetic/template.js'
import { TextSink } from './synthetic/writer.js'
import { fromScaled, rescale, toScaled } from './synthetic/scaled.js'

export interface GenerateMonthOptions {
  /** Input root: files go to `dir/<period>/` and `dir/reference/`. */
  dir: string
  /** `YYYY-MM` (calendar month, periodStartDay 1). */
  period: string
  usageRows: number
  reconLines: number
  seed: number
}

const CURRENCY = 'EUR'
const MAX_CUSTOMERS = 2000
const MAX_RESELLERS = 50
const CUSTOMERS_PER_RESELLER = 40
const USAGE_ROWS_PER_KEY_TARGET = 22
const LICENSE_SHARE = 0.1
const PRICE_BOOKS = ['BASIC', 'LICENSE-ERP', 'AZURE-ERP'] as const
const ANNUAL_MONTHLY_PREMIUM_FROM = '2025-04-01'
/** Decimal scales of the per-row fixed-point arithmetic: EUP 16, quantity 8, FX rate 15, daily amounts 10. */
const EUP_SCALE = 16
const QTY_SCALE = 8
const RATE_SCALE = 15
const AMOUNT_SCALE = 10

interface Customer extends CustomerRef {
  resellerId: string
  mcaAcceptedOn: string
}

export async function generateMonth(opts: GenerateMonthOptions): Promise<{ files: string[]; usageBytes: number }> {
  const { dir, period, seed } = opts
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new Error(`period must be YYYY-MM, got '${period}'`)
  const usageRows = Math.max(0, Math.floor(opts.usageRows))
  const reconLines = Math.max(0, Math.floor(opts.reconLines))
  const year = Number(period.slice(0, 4)), month = Number(period.slice(5, 7))
  const days = daysInMonth(year, month)
  const periodStart = `${period}-01`
  const periodLast = `${period}-${String(days).padStart(2, '0')}`

  // How the lines split: Azure keys need at least one usage row each.
  let azureLines = reconLines - Math.floor(reconLines * LICENSE_SHARE)
  if (azureLines > usageRows) azureLines = usageRows
  if (usageRows > 0 && azureLines === 0) throw new Error('usageRows > 0 needs reconLines ≥ 1 (usage rows belong to Azure plan lines)')
  const licenseLines = reconLines - azureLines
  const customerCount = clamp(Math.ceil(Math.max(azureLines, licenseLines) / USAGE_ROWS_PER_KEY_TARGET), 1, MAX_CUSTOMERS)
  const resellerCount = clamp(Math.ceil(customerCount / CUSTOMERS_PER_RESELLER), 1, MAX_RESELLERS)

  const root = derive(seed, 'month', period)
  const invoiceNumber = `G0${String(root.int(10_000_000, 99_999_999))}`
  const billing: Billing = { partnerId: root.guid(), partnerName: 'Northwind Distribution GmbH', mpnId: String(root.int(1_000_000, 9_999_999)), invoiceNumber, currency: CURRENCY }
  // One monthly USD→EUR rate with 15 decimals, as real exports carry.
  const rate = canonical(dec(0.82 + root.next() * 0.1).toDecimalPlaces(15))

  const resellers = Array.from({ length: resellerCount }, (_, k) => {
    const rng = derive(seed, 'reseller', k)
    return { id: String(4_100_000 + k * 1373), name: resellerName(rng), priceBook: PRICE_BOOKS[k % PRICE_BOOKS.length] ?? 'BASIC', tax: rng.pick(['0', '7', '19', '20']), support: rng.pick(['0', '2.5', '5']), terms: rng.pick(['30', '45', '60']) }
  })
  const customers: Customer[] = Array.from({ length: customerCount }, (_, c) => {
    const rng = derive(seed, 'customer', c)
    const company = customerName(rng, c)
    const reseller = resellers[c % resellerCount]
    const resellerId = reseller?.id ?? '0'
    const mca = addDays('2023-01-01', rng.int(0, 900))
    return { id: rng.guid(), name: company.name, domain: company.domain, country: company.country, tier2: c % 50 === 3 ? '0' : resellerId, resellerId, mcaAcceptedOn: mca }
  })

  const periodDir = join(dir, period)
  const referenceDir = join(dir, 'reference')
  await mkdir(periodDir, { recursive: true })
  await mkdir(referenceDir, { recursive: true })
  const usagePath = join(periodDir, `DailyRatedUsage_${period}.csv`)
  const reconPath = join(periodDir, `InvoiceReconciliation_${invoiceNumber}.csv`)
  const usage = new TextSink(usagePath)
  const recon = new TextSink(reconPath)
  await usage.write(BOM + quotedLine(USAGE_HEADER))
  await recon.write(BOM + quotedLine(RECON_HEADER))

  // ---- Azure plan: key i = (customer i mod C, meter slot j = i div C); one recon line + its usage rows ----
  const ratedOn = addDays(periodLast, 2)
  const rateScaled = toScaled(rate, RATE_SCALE)
  const dayText = Array.from({ length: days + 1 }, (_, d) => `${period.slice(5, 7)}/${String(d).padStart(2, '0')}/${period.slice(0, 4)}`)
  const chargeEnd = addDays(periodLast, 1)
  for (let i = 0; i < azureLines; i++) {
    const c = i % customerCount
    const j = Math.floor(i / customerCount)
    const customer = customers[c] as Customer
    const subIndex = Math.floor(j / METERS.length)
    const meter = METERS[(j + c * 7) % METERS.length] as Meter
    const sub = derive(seed, 'subscription', c, subIndex)
    const subscriptionId = sub.guid()
    const entitlementId = sub.guid()
    const keyRng = derive(seed, 'key', i)
    // Tier and PEC discounts make the real EffectiveUnitPrice a 16-decimal number.
    const eup = canonical(dec(meter.unitPrice).times('0.85').times(1 - keyRng.next() * 0.08).toDecimalPlaces(16))
    const rows = Math.floor(usageRows / azureLines) + (i < usageRows % azureLines ? 1 : 0)
    const record = usageRow({
      billing, customer, meter, subscriptionId, entitlementId, entitlementDescription: `Azure subscription ${subIndex + 1}`,
      chargeStart: periodStart, chargeEnd, usageDate: periodStart, resourceGroup: slot(1), resourceUri: slot(2), quantity: slot(3),
      effectiveUnitPrice: eup, billingPreTaxTotal: slot(4), pricingPreTaxTotal: slot(5), rate, rateDate: periodStart,
    })
    record.UsageDate = slot(0) // usageRow formats dates; the template fills the day per row
    const fill = compileTemplate(quotedLine(inOrder(USAGE_HEADER, record)))
    const eupScaled = toScaled(eup, EUP_SCALE)
    let billable = 0n
    const resourcesPerDay = Math.max(1, Math.ceil(rows / days))
    const group = `rg-${customer.domain.slice(0, 12)}-${meter.resourceLocation}`
    const uriPrefix = `/subscriptions/${entitlementId}/resourceGroups/${group}/providers/${meter.consumedService}/resources/res-`
    let chunk = ''
    for (let r = 0; r < rows; r++) {
      const day = rows <= days ? Math.floor((r * days) / rows) + 1 : (r % days) + 1
      const resource = rows <= days ? 1 : Math.floor(r / days) + 1
      const quantity = dailyQuantity(keyRng, meter)
      billable += quantity
      const pricing = eupScaled * quantity // scale EUP_SCALE + QTY_SCALE
      chunk += fill([
        dayText[day] ?? '',
        group,
        `${uriPrefix}${resource}-of-${resourcesPerDay}`,
        fromScaled(quantity, QTY_SCALE),
        fromScaled(rescale(pricing * rateScaled, EUP_SCALE + QTY_SCALE + RATE_SCALE, AMOUNT_SCALE), AMOUNT_SCALE),
        fromScaled(rescale(pricing, EUP_SCALE + QTY_SCALE, AMOUNT_SCALE), AMOUNT_SCALE),
      ])
      if (chunk.length >= 1 << 20) {
        await usage.write(chunk)
        chunk = ''
      }
    }
    await usage.write(chunk)
    await recon.write(quotedLine(inOrder(RECON_HEADER, azureLine({
      billing, customer, meter, subscriptionId, orderId: keyRng.token(32) + '1', alternateId: keyRng.hex(12), orderDate: ratedOn,
      periodStart, periodEnd: periodLast, effectiveUnitPrice: eup, billableQuantity: fromScaled(billable, QTY_SCALE), rate,
      referenceId: keyRng.guid(), reservationOrderId: keyRng.hex(64).toUpperCase(),
    }))))
  }

  // ---- License seats: clean cycle charges priced from the price list (EUR-priced, rate 1) ----
  const priceList = priceListRows(CURRENCY)
  for (let k = 0; k < licenseLines; k++) {
    const c = k % customerCount
    const customer = customers[c] as Customer
    const product = LICENSES[(Math.floor(k / customerCount) + c) % LICENSES.length] ?? LICENSES[0]
    if (!product) break
    const rng = derive(seed, 'license', k)
    // Term start 1–11 months before the period, on a random day; P1Y/Monthly prices exist from April 2025 only.
    let termStart = addMonths(periodStart, -rng.int(1, 11))
    termStart = addDays(termStart, rng.int(0, daysInMonth(Number(termStart.slice(0, 4)), Number(termStart.slice(5, 7))) - 1))
    const monthly = termStart >= ANNUAL_MONTHLY_PREMIUM_FROM
    if (!monthly) termStart = addDays(periodStart, rng.int(0, days - 1)) // an annual renewal inside the period instead
    const plan = monthly ? 'Monthly' : 'Annual'
    const anniversary = addMonths(termStart, (year - Number(termStart.slice(0, 4))) * 12 + (month - Number(termStart.slice(5, 7))))
    const cycle = cycleContaining(termStart, monthly ? 1 : 12, anniversary)
    const row = termPriceOn(priceList, product.productId, product.skuId, 'P1Y', plan, termStart)
    if (!row) continue // not reached: every product has P1Y rows from 2024-01-01 and P1Y/Monthly from 2025-04-01
    const unitPrice = cyclePrice(row.unitPrice, 'P1Y', plan)
    const orderId = rng.hex(12)
    const quantity = rng.int(1, 250)
    await recon.write(quotedLine(inOrder(RECON_HEADER, seatLine({
      billing, customer, product, chargeType: monthly ? 'cycleCharge' : 'renew', orderId, alternateId: orderId, orderDate: cycle.start,
      unitPrice, effectiveUnitPrice: unitPrice, quantity, billableQuantity: quantity, chargeStart: cycle.start, chargeEnd: cycle.end,
      termText: monthly ? 'One-Year commitment for monthly/yearly billing' : 'One-Year commitment for yearly billing',
      billingFrequency: monthly ? 'Monthly' : 'Annual', pricingCurrency: CURRENCY, rate: '1', rateDate: periodStart,
      subscriptionId: rng.guid(), subscriptionStart: termStart, subscriptionEnd: periodEnd(termStart, 12), referenceId: rng.guid(),
      publisherName: 'Microsoft Corporation', priceAdjustment: '["Price for given term"]', productQualifiers: product.addOn ? '["AddOn"]' : '',
    }))))
  }

  const usageBytes = await usage.close()
  await recon.close()

  // ---- Price list and reference sheets ----
  const priceListPath = join(periodDir, `PriceList_NCE_${period}.xlsx`)
  await writePriceListXlsx(priceListPath, priceList, 'DE', periodLast)
  const resellersPath = join(referenceDir, 'resellers.csv')
  await writeFile(resellersPath, plainLine(RESELLERS_HEADER) + resellers.map((r) => plainLine(inOrder(RESELLERS_HEADER, {
    ResellerId: r.id, Name: r.name, Currency: CURRENCY, PriceBook: r.priceBook, Email: `billing@reseller-${r.id}.example`,
    Address: `${r.id.slice(-3)} Hauptstraße, Berlin`, TaxRatePercent: r.tax, SupportPlanPercent: r.support, PaymentTermsDays: r.terms,
  }))).join(''))
  const pricebooksPath = join(referenceDir, 'pricebooks.csv')
  await writeFile(pricebooksPath, plainLine(PRICEBOOKS_HEADER) + [
    { PriceBook: 'BASIC', Scope: 'default', Method: 'markup', Percent: '12' },
    { PriceBook: 'LICENSE-ERP', Scope: 'default', Method: 'markup', Percent: '8' },
    { PriceBook: 'LICENSE-ERP', Scope: 'category', Category: 'license', Method: 'erp-discount', Percent: '10' },
    { PriceBook: 'AZURE-ERP', Scope: 'default', Method: 'markup', Percent: '15' },
    { PriceBook: 'AZURE-ERP', Scope: 'category', Category: 'azure-plan', Method: 'erp-discount', Percent: '4' },
  ].map((p) => plainLine(inOrder(PRICEBOOKS_HEADER, p))).join(''))
  const customersPath = join(referenceDir, 'customers.csv')
  await writeFile(customersPath, plainLine(CUSTOMERS_HEADER) + customers.map((c) => plainLine([c.id, c.resellerId, c.mcaAcceptedOn])).join(''))

  return { files: [usagePath, reconPath, priceListPath, resellersPath, pricebooksPath, customersPath], usageBytes }
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n))
}

/** A daily quantity in the meter's typical range with the meter's number of decimals, as an integer at QTY_SCALE. */
function dailyQuantity(rng: Rng, meter: Meter): bigint {
  const [min, max] = meter.dailyQuantity
  const units = Math.round((min + rng.next() * (max - min)) * 10 ** meter.quantityDecimals)
  return BigInt(units) * 10n ** BigInt(QTY_SCALE - meter.quantityDecimals)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string' },
      period: { type: 'string', default: '2026-10' },
      'usage-rows': { type: 'string', default: '1000000' },
      'recon-lines': { type: 'string', default: '50000' },
      seed: { type: 'string', default: '1' },
    },
  })
  if (!values.out) {
    console.error('usage: npx tsx bench/generate.ts --out DIR [--period 2026-10] [--usage-rows 1000000] [--recon-lines 50000] [--seed 1]')
    process.exit(2)
  }
  const started = Date.now()
  const result = await generateMonth({
    dir: values.out, period: values.period, usageRows: Number(values['usage-rows']), reconLines: Number(values['recon-lines']), seed: Number(values.seed),
  })
  for (const file of result.files) console.log(file)
  console.log(`usage: ${result.usageBytes} bytes; ${((Date.now() - started) / 1000).toFixed(1)} s`)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  await main()
}
