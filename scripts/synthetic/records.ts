/**
 * Builders for Partner Center rows shared by both generators: one reconciliation line or usage row as a map from
 * Microsoft's column name to cell text, with every amount computed by Microsoft's formulas (microsoft.ts).
 * In: plain descriptions (ids, prices, dates). Out: `Partial<Record<Column, string>>`. Never throws.
 */
import { dec } from '../../pipeline/money.js'
import type { Meter } from './catalog.js'
import type { ReconColumn, UsageColumn } from './headers.js'
import { num, seatSubtotal, total, usDate, usageSubtotal } from './microsoft.js'

export type ReconRecord = Partial<Record<ReconColumn, string>>
export type UsageRecord = Partial<Record<UsageColumn, string>>

export const PEC_DESCRIPTION = '["15.0% Partner earned credit for services managed"]'

/** Who is billed: the distributor (partner), the reseller and the customer. */
export interface Billing {
  partnerId: string
  partnerName: string
  mpnId: string
  invoiceNumber: string
  currency: string
}

export interface CustomerRef {
  id: string
  name: string
  domain: string
  country: string
  /** Tier2MpnId as written on the line ('0' when Microsoft has no reseller on record). */
  tier2: string
}

export interface ProductRef {
  productId: string
  skuId: string
  availabilityId: string
  productName: string
  skuName: string
}

/** A seat-formula line (license, software subscription, reservation, marketplace, perpetual, credit). */
export interface SeatLine {
  billing: Billing
  customer: CustomerRef
  product: ProductRef
  chargeType: string
  orderId: string
  alternateId: string
  orderDate: string
  unitPrice: string
  effectiveUnitPrice: string
  quantity: number | string
  billableQuantity: number | string
  chargeStart: string
  chargeEnd: string | null
  termText: string
  billingFrequency: string
  pricingCurrency: string
  rate: string
  rateDate: string
  subscriptionId: string
  subscriptionStart: string | null
  subscriptionEnd: string | null
  referenceId: string
  publisherName: string
  publisherId?: string
  subscriptionDescription?: string
  priceAdjustment?: string
  unitType?: string
  meterDescription?: string
  reservationOrderId?: string
  creditReasonCode?: string
  productQualifiers?: string
  taxTotal?: string
  /** Deliberate error added to the Subtotal and Total (the AMOUNT_MISMATCH case); '0' otherwise. */
  subtotalOffset?: string
}

export function seatLine(l: SeatLine): ReconRecord {
  const exact = seatSubtotal(l.effectiveUnitPrice, l.rate, String(l.billableQuantity))
  const subtotal = l.subtotalOffset ? num(dec(exact).plus(l.subtotalOffset)) : exact
  const tax = l.taxTotal ?? '0'
  // Note: Object.assign, not object spread: spreading into a 46-key literal is ~40× slower here (bench generator).
  return Object.assign(parties(l.billing, l.customer), productCells(l.product), {
    OrderId: l.orderId,
    OrderDate: usDate(l.orderDate),
    ChargeType: l.chargeType,
    UnitPrice: num(l.unitPrice),
    Quantity: String(l.quantity),
    Subtotal: subtotal,
    TaxTotal: tax,
    Total: total(subtotal, tax),
    Currency: l.billing.currency,
    PriceAdjustmentDescription: l.priceAdjustment ?? '',
    PublisherName: l.publisherName,
    PublisherId: l.publisherId ?? '',
    SubscriptionDescription: l.subscriptionDescription ?? '',
    SubscriptionId: l.subscriptionId,
    ChargeStartDate: usDate(l.chargeStart),
    ChargeEndDate: l.chargeEnd === null ? '' : usDate(l.chargeEnd),
    TermAndBillingCycle: l.termText,
    EffectiveUnitPrice: num(l.effectiveUnitPrice),
    UnitType: l.unitType ?? '',
    AlternateId: l.alternateId,
    BillableQuantity: String(l.billableQuantity),
    BillingFrequency: l.billingFrequency,
    PricingCurrency: l.pricingCurrency,
    PCToBCExchangeRate: l.rate,
    PCToBCExchangeRateDate: usDate(l.rateDate),
    MeterDescription: l.meterDescription ?? '',
    ReservationOrderId: l.reservationOrderId ?? '',
    CreditReasonCode: l.creditReasonCode ?? '',
    SubscriptionStartDate: l.subscriptionStart === null ? '' : usDate(l.subscriptionStart),
    SubscriptionEndDate: l.subscriptionEnd === null ? '' : usDate(l.subscriptionEnd),
    ReferenceId: l.referenceId,
    ProductQualifiers: l.productQualifiers ?? '',
    PromotionId: '',
  })
}

/** One Azure plan meter line of the reconciliation: the month's total of one meter on one Azure plan subscription. */
export interface AzureLine {
  billing: Billing
  customer: CustomerRef
  meter: Meter
  subscriptionId: string
  orderId: string
  alternateId: string
  /** The day Microsoft rated the month (after the period end). */
  orderDate: string
  periodStart: string
  periodEnd: string
  effectiveUnitPrice: string
  /** Σ of the usage rows' Quantity (exact). */
  billableQuantity: string
  rate: string
  referenceId: string
  reservationOrderId: string
}

export function azureLine(l: AzureLine): ReconRecord {
  const subtotal = usageSubtotal(l.effectiveUnitPrice, l.billableQuantity, l.rate)
  const m = l.meter
  return Object.assign(parties(l.billing, l.customer), {
    OrderId: l.orderId,
    OrderDate: usDate(l.orderDate),
    ProductId: m.productId,
    SkuId: m.skuId,
    AvailabilityId: m.availabilityId,
    SkuName: m.skuName,
    ProductName: m.productName,
    ChargeType: 'new',
    UnitPrice: num(m.unitPrice),
    Quantity: '1',
    Subtotal: subtotal,
    TaxTotal: '0',
    Total: subtotal,
    Currency: l.billing.currency,
    PriceAdjustmentDescription: PEC_DESCRIPTION,
    PublisherName: 'Microsoft',
    PublisherId: '',
    SubscriptionDescription: 'Azure plan',
    SubscriptionId: l.subscriptionId,
    ChargeStartDate: usDate(l.periodStart),
    ChargeEndDate: usDate(l.periodEnd),
    TermAndBillingCycle: m.termText,
    EffectiveUnitPrice: num(l.effectiveUnitPrice),
    UnitType: m.unitType,
    AlternateId: l.alternateId,
    BillableQuantity: l.billableQuantity,
    BillingFrequency: '',
    PricingCurrency: 'USD',
    PCToBCExchangeRate: l.rate,
    PCToBCExchangeRateDate: usDate(l.periodEnd),
    MeterDescription: meterDescription(m),
    ReservationOrderId: l.reservationOrderId,
    CreditReasonCode: '',
    SubscriptionStartDate: '',
    SubscriptionEndDate: '',
    ReferenceId: l.referenceId,
    ProductQualifiers: '',
    PromotionId: '',
  })
}

export function meterDescription(m: Meter): string {
  return `${m.productName} - ${m.meterName} - ${m.meterRegion}`
}

/** One daily rated usage row (FORMATS.md §2.2). Amounts are passed in (the caller keeps the running sums). */
export interface UsageRowSpec {
  billing: Billing
  customer: CustomerRef
  meter: Meter
  subscriptionId: string
  entitlementId: string
  entitlementDescription: string
  chargeStart: string
  chargeEnd: string
  usageDate: string
  resourceGroup: string
  resourceUri: string
  quantity: string
  effectiveUnitPrice: string
  billingPreTaxTotal: string
  pricingPreTaxTotal: string
  rate: string
  rateDate: string
}

export function usageRow(u: UsageRowSpec): UsageRecord {
  const m = u.meter
  return {
    PartnerId: u.billing.partnerId,
    PartnerName: u.billing.partnerName,
    CustomerId: u.customer.id,
    CustomerName: u.customer.name,
    CustomerDomainName: u.customer.domain,
    CustomerCountry: u.customer.country,
    MpnId: u.billing.mpnId,
    Tier2MpnId: u.customer.tier2,
    InvoiceNumber: u.billing.invoiceNumber,
    ProductId: m.productId,
    SkuId: m.skuId,
    AvailabilityId: m.availabilityId,
    SkuName: m.skuName,
    ProductName: m.productName,
    PublisherName: 'Microsoft',
    PublisherId: '',
    SubscriptionDescription: 'Azure plan',
    SubscriptionId: u.subscriptionId,
    ChargeStartDate: usDate(u.chargeStart),
    ChargeEndDate: usDate(u.chargeEnd),
    UsageDate: usDate(u.usageDate),
    MeterType: m.unit,
    MeterCategory: m.meterCategory,
    MeterId: m.meterId,
    MeterSubCategory: m.meterSubCategory,
    MeterName: m.meterName,
    MeterRegion: m.meterRegion,
    Unit: m.unit,
    ResourceLocation: m.resourceLocation.toUpperCase(),
    ConsumedService: m.consumedService,
    ResourceGroup: u.resourceGroup,
    ResourceURI: u.resourceUri,
    ChargeType: 'New',
    UnitPrice: num(m.unitPrice),
    Quantity: u.quantity,
    UnitType: m.unitType,
    BillingPreTaxTotal: u.billingPreTaxTotal,
    BillingCurrency: u.billing.currency,
    PricingPreTaxTotal: u.pricingPreTaxTotal,
    PricingCurrency: 'USD',
    ServiceInfo1: '',
    ServiceInfo2: '',
    Tags: '',
    AdditionalInfo: '',
    EffectiveUnitPrice: u.effectiveUnitPrice,
    PCToBCExchangeRate: u.rate,
    PCToBCExchangeRateDate: usDate(u.rateDate),
    EntitlementId: u.entitlementId,
    EntitlementDescription: u.entitlementDescription,
    PartnerEarnedCreditPercentage: '15',
    CreditPercentage: '15',
    CreditType: 'Partner Earned Credit Applied',
    BenefitOrderId: '',
    BenefitId: '',
    BenefitType: '',
  }
}

function parties(b: Billing, c: CustomerRef): ReconRecord {
  return {
    PartnerId: b.partnerId,
    CustomerId: c.id,
    CustomerName: c.name,
    CustomerDomainName: c.domain,
    CustomerCountry: c.country,
    InvoiceNumber: b.invoiceNumber,
    MpnId: b.mpnId,
    Tier2MpnId: c.tier2,
  }
}

function productCells(p: ProductRef): ReconRecord {
  return { ProductId: p.productId, SkuId: p.skuId, AvailabilityId: p.availabilityId, SkuName: p.skuName, ProductName: p.productName }
}
