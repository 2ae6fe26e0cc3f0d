/**
 * Generate the committed synthetic sample month `input/sample/2026-10/` and `input/sample/reference/` (issue 3).
 * Run: `npx tsx scripts/generate-sample.ts [outRoot]` (default `input/sample`).
 * In: nothing but the fixed seed below. Out: the reconciliation CSV (+ a "resend" copy of two rows), the daily rated
 * usage .csv.gz, the NCE price list .xlsx and the three reference sheets — byte-identical on every run.
 * Every company, id and price is invented. Every line obeys Microsoft's rules (SPEC §3) except the deliberate
 * findings listed in input/sample/README.md. Throws only if the output folder cannot be written.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import { canonical, dec } from '../pipeline/money.js'
import { addDays, addMonths, daysBetween } from '../pipeline/dates.js'
import { Rng } from './synthetic/prng.js'
import { BOM, plainLine, quotedLine } from './synthetic/csv.js'
import {
  CUSTOMERS_HEADER, PRICEBOOKS_HEADER, RECON_HEADER, RESELLERS_HEADER, USAGE_HEADER, inOrder,
  type PriceBookColumn, type ResellerColumn,
} from './synthetic/headers.js'
import { LICENSES, MARKETPLACE, METERS, PERPETUAL, RESERVATION, SOFTWARE_SUBSCRIPTION, license, type LicenseProduct, type Meter } from './synthetic/catalog.js'
import { TERM_MONTHS, PLAN_MONTHS, cycleContaining, cyclePrice, num, periodEnd, proratedEup, type Plan, type Term } from './synthetic/microsoft.js'
import { azureLine, seatLine, usageRow, type Billing, type CustomerRef, type ReconRecord, type UsageRecord } from './synthetic/records.js'
import { priceListRows, termPriceOn, writePriceListXlsx } from './synthetic/price-list.js'

export const SAMPLE_SEED = 20261031
export const PERIOD = '2026-10'
const PERIOD_START = '2026-10-01'
const PERIOD_END = '2026-10-31'
/** Microsoft rates the month's Azure consumption a couple of days after it ends (recon OrderDate). */
const RATED_ON = '2026-11-02'
export const INVOICE_NUMBER = 'G052610001'
export const RECON_FILE = `InvoiceReconciliation_${INVOICE_NUMBER}.csv`
export const RESEND_FILE = `InvoiceReconciliation_${INVOICE_NUMBER}_resend.csv`
export const USAGE_FILE = `DailyRatedUsage_${PERIOD}.csv.gz`
export const PRICE_LIST_FILE = `PriceList_NCE_${PERIOD}.xlsx`
const CURRENCY = 'USD'
const RATE = '1'

interface Reseller {
  id: string
  name: string
  priceBook: string
  email: string
  address: string
  tax: string
  support: string
  terms: string
}

const RESELLERS: readonly Reseller[] = [
  { id: '4410021', name: 'Wingtip Cloud Partners', priceBook: 'STANDARD', email: 'billing@wingtipcloud.example', address: '12 Harbor Way, Suite 300, Portland, OR 97201', tax: '0', support: '0', terms: '30' },
  { id: '5120448', name: 'Fabrikam Solutions', priceBook: 'STANDARD', email: 'ap@fabrikam-solutions.example', address: '400 Market Street, Denver, CO 80202', tax: '8.25', support: '5', terms: '45' },
  { id: '6203315', name: 'Litware Systems', priceBook: 'GOLD', email: 'finance@litware.example', address: '77 Elm Avenue, Austin, TX 78701', tax: '0', support: '0', terms: '30' },
  { id: '6890072', name: 'Proseware Networks', priceBook: 'GOLD', email: 'invoices@proseware.example', address: '1 Commerce Plaza, Columbus, OH 43215', tax: '7', support: '3', terms: '60' },
  { id: '7001234', name: 'Relecloud Services', priceBook: 'CUSTOM', email: 'billing@relecloud.example', address: '950 Pine Street, Seattle, WA 98101', tax: '6.5', support: '2.5', terms: '30' },
]

type PriceBookRow = Partial<Record<PriceBookColumn, string>>

/** Price books (SPEC §2.4): every line of the sample finds a rule; one rule is superseded mid-2026. */
const PRICE_BOOKS: readonly PriceBookRow[] = [
  { PriceBook: 'STANDARD', Scope: 'default', Method: 'markup', Percent: '15' },
  { PriceBook: 'STANDARD', Scope: 'category', Category: 'license', Method: 'erp-discount', Percent: '12', EffectiveFrom: '2026-01-01', EffectiveTo: '2026-06-30' },
  { PriceBook: 'STANDARD', Scope: 'category', Category: 'license', Method: 'erp-discount', Percent: '10', EffectiveFrom: '2026-07-01' },
  { PriceBook: 'STANDARD', Scope: 'category', Category: 'reservation', Method: 'markup', Percent: '8' },
  { PriceBook: 'STANDARD', Scope: 'category', Category: 'marketplace', Method: 'markup', Percent: '10' },
  { PriceBook: 'GOLD', Scope: 'default', Method: 'markup', Percent: '10' },
  { PriceBook: 'GOLD', Scope: 'category', Category: 'license', Method: 'erp-discount', Percent: '15' },
  { PriceBook: 'GOLD', Scope: 'category', Category: 'azure-plan', Method: 'erp-discount', Percent: '5' },
  { PriceBook: 'GOLD', Scope: 'category', Category: 'software-subscription', Method: 'markup', Percent: '6' },
  { PriceBook: 'CUSTOM', Scope: 'default', Method: 'markup', Percent: '12' },
  { PriceBook: 'CUSTOM', Scope: 'product', ProductId: license('premium').productId, Method: 'markup', Percent: '8' },
  { PriceBook: 'CUSTOM', Scope: 'sku', ProductId: license('exo1').productId, SkuId: license('exo1').skuId, Method: 'markup', Percent: '9' },
  // Note: a promotional fixed price below Microsoft's cost (3.36 per month): the sample's NEGATIVE_MARGIN case.
  { PriceBook: 'CUSTOM', Scope: 'sku', ProductId: license('teams').productId, SkuId: license('teams').skuId, TermDuration: 'P1Y', BillingPlan: 'Monthly', Method: 'fixed', FixedUnitPrice: '3.00', EffectiveFrom: '2026-09-01' },
]

interface CustomerSpec {
  key: string
  name: string
  domain: string
  resellerId: string
  /** Tier2MpnId on Microsoft's lines: '0' = no reseller on record (the customers sheet maps it). */
  tier2: string
  mcaAcceptedOn: string
  /** Number of Azure plan meters (0 = no Azure plan). */
  azureMeters: number
  /** Extra clean P1Y/Monthly seats (cycle charges) on top of the scripted lifecycle. */
  fillers: number
}

const CUSTOMERS: readonly CustomerSpec[] = [
  { key: 'contoso', name: 'Contoso Dental', domain: 'contosodental.onmicrosoft.com', resellerId: '4410021', tier2: '4410021', mcaAcceptedOn: '2023-04-18', azureMeters: 10, fillers: 3 },
  { key: 'alpine', name: 'Alpine Ski House', domain: 'alpineskihouse.example', resellerId: '4410021', tier2: '4410021', mcaAcceptedOn: '2024-01-09', azureMeters: 0, fillers: 4 },
  { key: 'coho', name: 'Coho Winery', domain: 'cohowinery.onmicrosoft.com', resellerId: '4410021', tier2: '4410021', mcaAcceptedOn: '2023-11-30', azureMeters: 9, fillers: 3 },
  { key: 'fourth', name: 'Fourth Coffee', domain: 'fourthcoffee.example', resellerId: '5120448', tier2: '5120448', mcaAcceptedOn: '2024-06-02', azureMeters: 10, fillers: 4 },
  { key: 'lucerne', name: 'Lucerne Publishing', domain: 'lucernepublishing.onmicrosoft.com', resellerId: '5120448', tier2: '5120448', mcaAcceptedOn: '2023-08-21', azureMeters: 0, fillers: 5 },
  { key: 'margie', name: "Margie's Travel", domain: 'margiestravel.onmicrosoft.com', resellerId: '5120448', tier2: '5120448', mcaAcceptedOn: '2025-02-14', azureMeters: 0, fillers: 4 },
  { key: 'trey', name: 'Trey Research', domain: 'treyresearch.example', resellerId: '6203315', tier2: '6203315', mcaAcceptedOn: '2023-05-05', azureMeters: 12, fillers: 4 },
  { key: 'wwi', name: 'Wide World Importers', domain: 'wideworldimporters.onmicrosoft.com', resellerId: '6203315', tier2: '6203315', mcaAcceptedOn: '2024-09-12', azureMeters: 9, fillers: 5 },
  { key: 'humongous', name: 'Humongous Insurance', domain: 'humongousinsurance.example', resellerId: '6203315', tier2: '6203315', mcaAcceptedOn: '2025-07-01', azureMeters: 0, fillers: 3 },
  { key: 'adventure', name: 'Adventure Works Cycles', domain: 'adventureworks.onmicrosoft.com', resellerId: '6890072', tier2: '6890072', mcaAcceptedOn: '2023-02-27', azureMeters: 11, fillers: 5 },
  { key: 'tailspin', name: 'Tailspin Toys', domain: 'tailspintoys.example', resellerId: '6890072', tier2: '6890072', mcaAcceptedOn: '2024-03-15', azureMeters: 0, fillers: 4 },
  // Note: accepted the MCA after its October purchase: the sample's MCA_NOT_CONFIRMED case.
  { key: 'gdi', name: 'Graphic Design Institute', domain: 'graphicdesigninstitute.onmicrosoft.com', resellerId: '6890072', tier2: '6890072', mcaAcceptedOn: '2026-10-20', azureMeters: 0, fillers: 2 },
  { key: 'woodgrove', name: 'Woodgrove Bank', domain: 'woodgrovebank.example', resellerId: '7001234', tier2: '7001234', mcaAcceptedOn: '2023-10-10', azureMeters: 10, fillers: 4 },
  { key: 'vanarsdel', name: 'VanArsdel Ltd', domain: 'vanarsdel.onmicrosoft.com', resellerId: '7001234', tier2: '7001234', mcaAcceptedOn: '2024-12-03', azureMeters: 0, fillers: 4 },
  { key: 'munson', name: "Munson's Pickles and Preserves", domain: 'munsonspickles.onmicrosoft.com', resellerId: '7001234', tier2: '7001234', mcaAcceptedOn: '2025-05-20', azureMeters: 0, fillers: 3 },
  // Note: Microsoft has no reseller on record for this customer (Tier2MpnId 0); customers.csv maps it to Relecloud.
  { key: 'bellows', name: 'Bellows College', domain: 'bellowscollege.example', resellerId: '7001234', tier2: '0', mcaAcceptedOn: '2024-08-26', azureMeters: 9, fillers: 3 },
]

interface Customer extends CustomerRef {
  spec: CustomerSpec
}

/** One NCE seat subscription and the term in force during the period. */
interface Seats {
  customer: Customer
  product: LicenseProduct
  term: Term
  plan: Plan
  /** Recon BillingFrequency: 'Monthly', 'Annual', or '' (upfront). */
  frequency: string
  termStart: string
  subscriptionId: string
  orderId: string
}

const PRICE_LIST = priceListRows(CURRENCY)

const TERM_TEXT: Record<string, string> = {
  'P1M/Monthly': 'One-Month commitment for monthly billing',
  'P1Y/Monthly': 'One-Year commitment for monthly/yearly billing',
  'P1Y/Annual': 'One-Year commitment for yearly billing',
  'P3Y/Triennial': 'Three-Year commitment for monthly/yearly billing',
}

/** Build every file's content. Pure: the same call gives the same bytes. */
export async function buildSample(): Promise<{ recon: string; resend: string; usageCsv: string; resellers: string; pricebooks: string; customers: string }> {
  const rng = new Rng(SAMPLE_SEED)
  const billing: Billing = {
    partnerId: rng.guid(),
    partnerName: 'Northwind Distribution LLC',
    mpnId: '3958120',
    invoiceNumber: INVOICE_NUMBER,
    currency: CURRENCY,
  }
  const customers = new Map<string, Customer>()
  for (const spec of CUSTOMERS) {
    customers.set(spec.key, { spec, id: rng.guid(), name: spec.name, domain: spec.domain, country: 'US', tier2: spec.tier2 })
  }
  const cust = (key: string): Customer => {
    const c = customers.get(key)
    if (!c) throw new Error(`unknown customer ${key}`) // programmer error
    return c
  }

  const lines: ReconRecord[] = []
  const resendRows: ReconRecord[] = []
  const seats = (customer: Customer, productKey: string, term: Term, plan: Plan, frequency: string, termStart: string): Seats => ({
    customer, product: license(productKey), term, plan, frequency, termStart, subscriptionId: rng.guid(), orderId: rng.hex(12),
  })

  /** Cycle price of a subscription: price-list term price on the term start (SPEC §2.3), or derived with the premium. */
  const unitPriceOf = (s: Seats): string => {
    const row = termPriceOn(PRICE_LIST, s.product.productId, s.product.skuId, s.term, s.plan, s.termStart)
    if (row) return cyclePrice(row.unitPrice, s.term, s.plan)
    const annual = termPriceOn(PRICE_LIST, s.product.productId, s.product.skuId, 'P1Y', 'Annual', s.termStart)
    if (!annual || s.term !== 'P1M') throw new Error(`no price for ${s.product.key} ${s.term}/${s.plan}`) // programmer error
    return canonical(dec(annual.unitPrice).div(12).times('1.2'))
  }

  /** A line on a seat subscription; EUP is the full cycle price unless given. */
  const seatRecord = (s: Seats, o: { chargeType: string; orderDate: string; chargeStart: string; chargeEnd: string; quantity: number; eup?: string; referenceId?: string; subtotalOffset?: string }): ReconRecord => {
    const unitPrice = unitPriceOf(s)
    return seatLine({
      billing, customer: s.customer, product: s.product, chargeType: o.chargeType, orderId: s.orderId, alternateId: s.orderId,
      orderDate: o.orderDate, unitPrice, effectiveUnitPrice: o.eup ?? unitPrice, quantity: o.quantity, billableQuantity: o.quantity,
      chargeStart: o.chargeStart, chargeEnd: o.chargeEnd, termText: TERM_TEXT[`${s.term}/${s.plan}`] ?? '', billingFrequency: s.frequency,
      pricingCurrency: CURRENCY, rate: RATE, rateDate: PERIOD_START, subscriptionId: s.subscriptionId, subscriptionStart: s.termStart,
      subscriptionEnd: periodEnd(s.termStart, TERM_MONTHS[s.term]), referenceId: o.referenceId ?? rng.guid(),
      publisherName: 'Microsoft Corporation', priceAdjustment: '["Price for given term"]',
      productQualifiers: s.product.addOn ? '["AddOn"]' : '', subtotalOffset: o.subtotalOffset,
    })
  }

  /** The full charge cycle of the subscription that starts in the period (new, renew or cycleCharge). */
  const fullCycle = (s: Seats, chargeType: string, quantity: number, subtotalOffset?: string): ReconRecord => {
    const cycle = cycleContaining(s.termStart, PLAN_MONTHS[s.plan], octoberDay(s.termStart))
    return seatRecord(s, { chargeType, orderDate: cycle.start, chargeStart: cycle.start, chargeEnd: cycle.end, quantity, subtotalOffset })
  }

  /** A seat change on `date` (SPEC §3.3): refund of the old count and charge of the new count, one ReferenceId. */
  const seatChange = (s: Seats, chargeType: 'addQuantity' | 'removeQuantity', date: string, from: number, to: number): ReconRecord[] => {
    const cycle = cycleContaining(s.termStart, PLAN_MONTHS[s.plan], date)
    const eup = proratedEup(unitPriceOf(s), date, cycle.end, cycle.days)
    const referenceId = rng.guid()
    return [
      seatRecord(s, { chargeType, orderDate: date, chargeStart: cycle.start, chargeEnd: cycle.end, quantity: from, eup: num(dec(eup).neg()), referenceId }),
      seatRecord(s, { chargeType, orderDate: date, chargeStart: date, chargeEnd: cycle.end, quantity: to, eup, referenceId }),
    ]
  }

  const cancel = (s: Seats, date: string, quantity: number): ReconRecord => {
    const cycle = cycleContaining(s.termStart, PLAN_MONTHS[s.plan], date)
    const eup = proratedEup(unitPriceOf(s), date, cycle.end, cycle.days)
    return seatRecord(s, { chargeType: 'cancelImmediate', orderDate: date, chargeStart: cycle.start, chargeEnd: cycle.end, quantity, eup: num(dec(eup).neg()) })
  }

  const other = (c: Customer, o: {
    product: { productId: string; skuId: string; availabilityId: string; productName: string; skuName: string }
    chargeType: string; orderDate: string; unitPrice: string; quantity: number; chargeStart: string; chargeEnd: string | null
    termText: string; frequency: string; subscriptionStart: string | null; subscriptionEnd: string | null; publisherName: string
    publisherId?: string; unitType?: string; reservationOrderId?: string; rateDate?: string; orderId?: string
  }): ReconRecord => {
    const orderId = o.orderId ?? rng.token(32) + '1'
    return seatLine({
      billing, customer: c, product: o.product, chargeType: o.chargeType, orderId, alternateId: rng.hex(12), orderDate: o.orderDate,
      unitPrice: o.unitPrice, effectiveUnitPrice: o.unitPrice, quantity: o.quantity, billableQuantity: o.quantity, chargeStart: o.chargeStart,
      chargeEnd: o.chargeEnd, termText: o.termText, billingFrequency: o.frequency, pricingCurrency: CURRENCY, rate: RATE,
      rateDate: o.rateDate ?? o.chargeStart, subscriptionId: rng.guid(), subscriptionStart: o.subscriptionStart, subscriptionEnd: o.subscriptionEnd,
      referenceId: rng.guid(), publisherName: o.publisherName, publisherId: o.publisherId, unitType: o.unitType,
      reservationOrderId: o.reservationOrderId,
    })
  }

  // ---- Scripted lifecycles, reseller by reseller (see input/sample/README.md) ----
  const used = new Map<string, Set<string>>()
  const use = (c: Customer, productKey: string): void => {
    const set = used.get(c.spec.key) ?? new Set<string>()
    set.add(productKey)
    used.set(c.spec.key, set)
  }
  const scripted = (c: Customer, productKey: string, term: Term, plan: Plan, frequency: string, termStart: string): Seats => {
    use(c, productKey)
    return seats(c, productKey, term, plan, frequency, termStart)
  }

  // Wingtip Cloud Partners (STANDARD)
  const contoso = cust('contoso')
  lines.push(fullCycle(scripted(contoso, 'premium', 'P1Y', 'Monthly', 'Monthly', '2025-12-04'), 'cycleCharge', 18))
  const contosoExo = scripted(contoso, 'exo1', 'P1Y', 'Monthly', 'Monthly', '2026-05-20')
  lines.push(fullCycle(contosoExo, 'cycleCharge', 10))
  lines.push(...seatChange(contosoExo, 'addQuantity', '2026-10-27', 10, 15))
  // P1M Defender: the price list has no P1M row for it, so pricing derives the ERP price (PRICE_DERIVED).
  lines.push(fullCycle(scripted(contoso, 'defender', 'P1M', 'Monthly', 'Monthly', '2026-10-09'), 'renew', 18))

  const alpine = cust('alpine')
  lines.push(fullCycle(scripted(alpine, 'standard', 'P1Y', 'Annual', 'Annual', '2026-10-15'), 'renew', 25))
  lines.push(fullCycle(scripted(alpine, 'teams', 'P1Y', 'Monthly', 'Monthly', '2026-03-09'), 'cycleCharge', 8))
  lines.push(fullCycle(scripted(alpine, 'pbi', 'P1M', 'Monthly', 'Monthly', '2026-10-03'), 'renew', 4))

  const coho = cust('coho')
  lines.push(fullCycle(scripted(coho, 'basic', 'P1Y', 'Monthly', 'Monthly', '2026-10-28'), 'renew', 12))
  lines.push(other(coho, {
    product: RESERVATION, chargeType: 'cycleCharge', orderDate: '2026-10-12', unitPrice: RESERVATION.unitPrice, quantity: 2,
    chargeStart: '2026-10-12', chargeEnd: '2026-11-11', termText: '1 Year Reservation', frequency: 'Monthly',
    subscriptionStart: '2026-03-12', subscriptionEnd: '2027-03-11', publisherName: 'Microsoft', unitType: '1 Hour', reservationOrderId: rng.guid(),
  }))

  // Fabrikam Solutions (STANDARD)
  const fourth = cust('fourth')
  const fourthPremium = scripted(fourth, 'premium', 'P1Y', 'Monthly', 'Monthly', '2026-10-08')
  lines.push(fullCycle(fourthPremium, 'new', 20))
  lines.push(...seatChange(fourthPremium, 'removeQuantity', '2026-10-12', 20, 15)) // 4 days into the term: allowed

  const lucerne = cust('lucerne')
  lines.push(fullCycle(scripted(lucerne, 'e3', 'P1Y', 'Monthly', 'Monthly', '2026-02-11'), 'cycleCharge', 30)) // term started before the April price rise

  const margie = cust('margie')
  const margieStandard = scripted(margie, 'standard', 'P1Y', 'Monthly', 'Monthly', '2026-09-24')
  // Note: 20 days into the term, outside the 7-day window: SEAT_REDUCTION_OUTSIDE_WINDOW on both lines of the pair.
  lines.push(...seatChange(margieStandard, 'removeQuantity', '2026-10-14', 14, 10))
  lines.push(fullCycle(margieStandard, 'cycleCharge', 10))
  lines.push(fullCycle(scripted(margie, 'exo1', 'P1Y', 'Monthly', 'Monthly', '2026-01-31'), 'cycleCharge', 6)) // end-of-month anniversary

  // Litware Systems (GOLD)
  const trey = cust('trey')
  lines.push(fullCycle(scripted(trey, 'e3', 'P1Y', 'Monthly', 'Monthly', '2026-06-03'), 'cycleCharge', 45))
  lines.push(fullCycle(scripted(trey, 'bc', 'P3Y', 'Triennial', '', '2026-10-05'), 'new', 3))

  const wwi = cust('wwi')
  lines.push(fullCycle(scripted(wwi, 'premium', 'P1Y', 'Monthly', 'Monthly', '2026-04-22'), 'cycleCharge', 60))
  lines.push(other(wwi, {
    product: MARKETPLACE, chargeType: 'renew', orderDate: '2026-10-11', unitPrice: MARKETPLACE.unitPrice, quantity: 10,
    chargeStart: '2026-10-11', chargeEnd: '2026-11-10', termText: '1 Month Subscription', frequency: '',
    subscriptionStart: '2026-10-11', subscriptionEnd: '2026-11-10', publisherName: MARKETPLACE.publisherName, publisherId: MARKETPLACE.publisherId,
  }))

  const humongous = cust('humongous')
  const humongousStandard = scripted(humongous, 'standard', 'P1Y', 'Annual', 'Annual', '2026-10-02')
  lines.push(fullCycle(humongousStandard, 'new', 5))
  lines.push(cancel(humongousStandard, '2026-10-05', 5)) // 3 days into the term: allowed, prorated refund
  lines.push(fullCycle(scripted(humongous, 'pbi', 'P1Y', 'Monthly', 'Monthly', '2026-08-14'), 'cycleCharge', 9))
  lines.push(other(humongous, {
    product: SOFTWARE_SUBSCRIPTION, chargeType: 'new', orderDate: '2026-10-19', unitPrice: SOFTWARE_SUBSCRIPTION.annual, quantity: 2,
    chargeStart: '2026-10-19', chargeEnd: '2027-10-18', termText: '1 Year Subscription', frequency: '',
    subscriptionStart: '2026-10-19', subscriptionEnd: '2027-10-18', publisherName: 'Microsoft Corporation', orderId: rng.hex(12),
  }))

  // Proseware Networks (GOLD)
  const adventure = cust('adventure')
  lines.push(fullCycle(scripted(adventure, 'premium', 'P1Y', 'Monthly', 'Monthly', '2025-11-17'), 'cycleCharge', 35))
  lines.push(other(adventure, {
    product: PERPETUAL, chargeType: 'new', orderDate: '2026-10-22', unitPrice: PERPETUAL.unitPrice, quantity: 4,
    chargeStart: '2026-10-22', chargeEnd: null, termText: '', frequency: '', subscriptionStart: null, subscriptionEnd: null,
    publisherName: 'Microsoft Corporation', orderId: rng.hex(12),
  }))

  const tailspin = cust('tailspin')
  // Note: Subtotal 0.05 above Microsoft's formula: the sample's AMOUNT_MISMATCH case.
  lines.push(fullCycle(scripted(tailspin, 'basic', 'P1Y', 'Monthly', 'Monthly', '2026-07-06'), 'cycleCharge', 40, '0.05'))
  lines.push(fullCycle(scripted(tailspin, 'exo2', 'P1M', 'Monthly', 'Monthly', '2026-10-18'), 'renew', 5))

  const gdi = cust('gdi')
  lines.push(fullCycle(scripted(gdi, 'basic', 'P1M', 'Monthly', 'Monthly', '2026-10-14'), 'new', 7))

  // Relecloud Services (CUSTOM)
  const woodgrove = cust('woodgrove')
  lines.push(fullCycle(scripted(woodgrove, 'premium', 'P1Y', 'Monthly', 'Monthly', '2026-01-26'), 'cycleCharge', 22))
  lines.push(fullCycle(scripted(woodgrove, 'teams', 'P1Y', 'Monthly', 'Monthly', '2026-05-02'), 'cycleCharge', 12)) // fixed price below cost

  const vanarsdel = cust('vanarsdel')
  lines.push(fullCycle(scripted(vanarsdel, 'e3', 'P1Y', 'Annual', '', '2026-10-29'), 'renew', 15)) // renewal at the new price
  lines.push(fullCycle(scripted(vanarsdel, 'defender', 'P1Y', 'Monthly', 'Monthly', '2026-02-19'), 'cycleCharge', 15))

  const munson = cust('munson')
  lines.push(fullCycle(scripted(munson, 'standard', 'P1Y', 'Monthly', 'Monthly', '2026-08-30'), 'cycleCharge', 6))
  lines.push(fullCycle(scripted(munson, 'exo1', 'P1M', 'Monthly', 'Monthly', '2026-10-07'), 'renew', 3))

  const bellows = cust('bellows')
  lines.push(fullCycle(scripted(bellows, 'basic', 'P1Y', 'Monthly', 'Monthly', '2026-03-01'), 'cycleCharge', 80))

  // ---- Filler seats: clean P1Y/Monthly cycle charges, one subscription per product per customer ----
  const fillerProducts = LICENSES.filter((p) => !['teams', 'bc'].includes(p.key))
  for (const c of customers.values()) {
    const taken = used.get(c.spec.key) ?? new Set<string>()
    const choices = fillerProducts.filter((p) => !taken.has(p.key))
    for (let i = 0; i < c.spec.fillers && choices.length > 0; i++) {
      const product = choices.splice(rng.int(0, choices.length - 1), 1)[0]
      if (!product) break
      const termStart = addDays('2025-11-01', rng.int(0, daysBetween('2025-11-01', '2026-09-30')))
      const line = fullCycle(scripted(c, product.key, 'P1Y', 'Monthly', 'Monthly', termStart), 'cycleCharge', rng.int(1, 60))
      lines.push(line)
      if (i === 0 && (c.spec.key === 'alpine' || c.spec.key === 'lucerne')) resendRows.push(line) // Microsoft re-sent these two rows
    }
  }

  // ---- Azure plan: usage rows per resource × day, one recon line per meter (ties out by construction) ----
  const usageRows: UsageRecord[] = []
  for (const c of customers.values()) {
    if (c.spec.azureMeters === 0) continue
    const subscriptionId = rng.guid()
    const entitlementId = rng.guid()
    const pool = [...METERS]
    for (let m = 0; m < c.spec.azureMeters; m++) {
      const meter = pool.splice(rng.int(0, pool.length - 1), 1)[0]
      if (!meter) break
      const eup = canonical(dec(meter.unitPrice).times('0.85')) // 15% partner earned credit
      const resources = rng.int(1, 3)
      let billable = dec(0)
      for (let day = 1; day <= 31; day++) {
        for (let r = 1; r <= resources; r++) {
          const quantity = dailyQuantity(rng, meter)
          billable = billable.plus(quantity)
          usageRows.push(usageRecord(billing, c, meter, subscriptionId, entitlementId, `2026-10-${String(day).padStart(2, '0')}`, r, quantity, eup))
        }
      }
      lines.push(azureLine({
        billing, customer: c, meter, subscriptionId, orderId: rng.token(32) + '1', alternateId: rng.hex(12), orderDate: RATED_ON,
        periodStart: PERIOD_START, periodEnd: PERIOD_END, effectiveUnitPrice: eup, billableQuantity: canonical(billable), rate: RATE,
        referenceId: rng.guid(), reservationOrderId: rng.hex(64).toUpperCase(),
      }))
      if (c.spec.key === 'contoso' && m === 0) {
        // Note: a late row for September that Microsoft carried into October's file: OUT_OF_PERIOD, not in the tie-out.
        usageRows.push(usageRecord(billing, c, meter, subscriptionId, entitlementId, '2026-09-30', 1, dailyQuantity(rng, meter), eup))
      }
    }
    if (c.spec.key === 'fourth') {
      // An Azure credit for September (category credit: passed through at cost, not part of the usage tie-out).
      const meter = METERS[0] as Meter
      lines.push(seatLine({
        billing, customer: c, product: meter, chargeType: 'customerCredit', orderId: rng.token(32) + '1', alternateId: rng.hex(12),
        orderDate: '2026-10-21', unitPrice: '125', effectiveUnitPrice: '-125', quantity: 1, billableQuantity: 1, chargeStart: '2026-09-01',
        chargeEnd: '2026-09-30', termText: meter.termText, billingFrequency: '', pricingCurrency: CURRENCY, rate: RATE, rateDate: '2026-09-30',
        subscriptionId, subscriptionStart: null, subscriptionEnd: null, referenceId: rng.guid(), publisherName: 'Microsoft',
        subscriptionDescription: 'Azure plan', unitType: meter.unitType, creditReasonCode: 'Azure Credit Offer',
      }))
    }
  }

  const recon = BOM + quotedLine(RECON_HEADER) + lines.map((l) => quotedLine(inOrder(RECON_HEADER, l))).join('')
  const resend = BOM + quotedLine(RECON_HEADER) + resendRows.map((l) => quotedLine(inOrder(RECON_HEADER, l))).join('')
  const usageCsv = BOM + quotedLine(USAGE_HEADER) + usageRows.map((u) => quotedLine(inOrder(USAGE_HEADER, u))).join('')

  const resellers = plainLine(RESELLERS_HEADER) + RESELLERS.map((r) => plainLine(inOrder<ResellerColumn>(RESELLERS_HEADER, {
    ResellerId: r.id, Name: r.name, Currency: CURRENCY, PriceBook: r.priceBook, Email: r.email, Address: r.address,
    TaxRatePercent: r.tax, SupportPlanPercent: r.support, PaymentTermsDays: r.terms,
  }))).join('')
  const pricebooks = plainLine(PRICEBOOKS_HEADER) + PRICE_BOOKS.map((p) => plainLine(inOrder(PRICEBOOKS_HEADER, p))).join('')
  const customersCsv = plainLine(CUSTOMERS_HEADER) + [...customers.values()]
    .map((c) => plainLine([c.id, c.spec.resellerId, c.spec.mcaAcceptedOn])).join('')
  return { recon, resend, usageCsv, resellers, pricebooks, customers: customersCsv }
}

/** The day in October on which a term that started on `termStart` has its monthly anniversary. */
function octoberDay(termStart: string): string {
  const months = (2026 - Number(termStart.slice(0, 4))) * 12 + (10 - Number(termStart.slice(5, 7)))
  return addMonths(termStart, months)
}

function dailyQuantity(rng: Rng, meter: Meter): string {
  const [min, max] = meter.dailyQuantity
  const value = min + rng.next() * (max - min)
  return canonical(dec(value.toFixed(meter.quantityDecimals)))
}

function usageRecord(billing: Billing, c: Customer, meter: Meter, subscriptionId: string, entitlementId: string, usageDate: string, resource: number, quantity: string, eup: string): UsageRecord {
  const amount = canonical(dec(eup).times(quantity).times(RATE))
  const slug = c.spec.key
  const resourceGroup = `rg-${slug}-${meter.resourceLocation}`
  return usageRow({
    billing, customer: c, meter, subscriptionId, entitlementId, entitlementDescription: 'Azure subscription 1', chargeStart: PERIOD_START,
    chargeEnd: '2026-11-01', usageDate, resourceGroup,
    resourceUri: `/subscriptions/${entitlementId}/resourceGroups/${resourceGroup}/providers/${meter.consumedService}/resources/${slug}-${meter.meterName.toLowerCase().replaceAll(' ', '-')}-${resource}`,
    quantity, effectiveUnitPrice: eup, billingPreTaxTotal: amount, pricingPreTaxTotal: canonical(dec(eup).times(quantity)), rate: RATE, rateDate: PERIOD_START,
  })
}

/** Write the sample under `outRoot` (`<outRoot>/2026-10/…`, `<outRoot>/reference/…`); returns the paths written. */
export async function generateSample(outRoot: string): Promise<string[]> {
  const periodDir = join(outRoot, PERIOD)
  const referenceDir = join(outRoot, 'reference')
  await mkdir(periodDir, { recursive: true })
  await mkdir(referenceDir, { recursive: true })
  const s = await buildSample()
  const files: Array<[string, string | Buffer]> = [
    [join(periodDir, RECON_FILE), s.recon],
    [join(periodDir, RESEND_FILE), s.resend],
    [join(periodDir, USAGE_FILE), gzipSync(Buffer.from(s.usageCsv, 'utf8'), { level: 9 })],
    [join(referenceDir, 'resellers.csv'), s.resellers],
    [join(referenceDir, 'pricebooks.csv'), s.pricebooks],
    [join(referenceDir, 'customers.csv'), s.customers],
  ]
  for (const [path, content] of files) await writeFile(path, content)
  const priceListPath = join(periodDir, PRICE_LIST_FILE)
  await writePriceListXlsx(priceListPath, PRICE_LIST, 'US', PERIOD_END)
  return [...files.map(([path]) => path), priceListPath]
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const outRoot = process.argv[2] ?? 'input/sample'
  const written = await generateSample(outRoot)
  for (const path of written) console.log(path)
}
