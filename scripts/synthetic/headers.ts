/**
 * Column lists of the files the synthetic generators write, in Microsoft's order (FORMATS.md §1.3, §2.2, §4.1) and
 * the distributor reference sheets (SPEC §2.4). Pure data.
 */

/** Invoice reconciliation, "Expected current header" of FORMATS.md §1.3 (45 columns + Tier2MpnId). */
export const RECON_HEADER = [
  'PartnerId', 'CustomerId', 'CustomerName', 'CustomerDomainName', 'CustomerCountry', 'InvoiceNumber', 'MpnId',
  'Tier2MpnId', 'OrderId', 'OrderDate', 'ProductId', 'SkuId', 'AvailabilityId', 'SkuName', 'ProductName', 'ChargeType',
  'UnitPrice', 'Quantity', 'Subtotal', 'TaxTotal', 'Total', 'Currency', 'PriceAdjustmentDescription', 'PublisherName',
  'PublisherId', 'SubscriptionDescription', 'SubscriptionId', 'ChargeStartDate', 'ChargeEndDate', 'TermAndBillingCycle',
  'EffectiveUnitPrice', 'UnitType', 'AlternateId', 'BillableQuantity', 'BillingFrequency', 'PricingCurrency',
  'PCToBCExchangeRate', 'PCToBCExchangeRateDate', 'MeterDescription', 'ReservationOrderId', 'CreditReasonCode',
  'SubscriptionStartDate', 'SubscriptionEndDate', 'ReferenceId', 'ProductQualifiers', 'PromotionId',
] as const
export type ReconColumn = (typeof RECON_HEADER)[number]

/** Daily rated usage, current 55-column layout (FORMATS.md §2.2). */
export const USAGE_HEADER = [
  'PartnerId', 'PartnerName', 'CustomerId', 'CustomerName', 'CustomerDomainName', 'CustomerCountry', 'MpnId',
  'Tier2MpnId', 'InvoiceNumber', 'ProductId', 'SkuId', 'AvailabilityId', 'SkuName', 'ProductName', 'PublisherName',
  'PublisherId', 'SubscriptionDescription', 'SubscriptionId', 'ChargeStartDate', 'ChargeEndDate', 'UsageDate',
  'MeterType', 'MeterCategory', 'MeterId', 'MeterSubCategory', 'MeterName', 'MeterRegion', 'Unit', 'ResourceLocation',
  'ConsumedService', 'ResourceGroup', 'ResourceURI', 'ChargeType', 'UnitPrice', 'Quantity', 'UnitType',
  'BillingPreTaxTotal', 'BillingCurrency', 'PricingPreTaxTotal', 'PricingCurrency', 'ServiceInfo1', 'ServiceInfo2',
  'Tags', 'AdditionalInfo', 'EffectiveUnitPrice', 'PCToBCExchangeRate', 'PCToBCExchangeRateDate', 'EntitlementId',
  'EntitlementDescription', 'PartnerEarnedCreditPercentage', 'CreditPercentage', 'CreditType', 'BenefitOrderId',
  'BenefitId', 'BenefitType',
] as const
export type UsageColumn = (typeof USAGE_HEADER)[number]

/** NCE license-based price list (FORMATS.md §4.1; `Segment` as the 2024/25 downloads add it). */
export const PRICELIST_HEADER = [
  'ProductTitle', 'ProductId', 'SkuId', 'SkuTitle', 'Publisher', 'SkuDescription', 'UnitOfMeasure', 'TermDuration',
  'BillingPlan', 'Market', 'Currency', 'UnitPrice', 'PricingTierRangeMin', 'PricingTierRangeMax', 'EffectiveStartDate',
  'EffectiveEndDate', 'Tags', 'ERP Price', 'Segment',
] as const
export type PriceListColumn = (typeof PRICELIST_HEADER)[number]

export const RESELLERS_HEADER = [
  'ResellerId', 'Name', 'Currency', 'PriceBook', 'Email', 'Address', 'TaxRatePercent', 'SupportPlanPercent',
  'PaymentTermsDays',
] as const
export type ResellerColumn = (typeof RESELLERS_HEADER)[number]

export const PRICEBOOKS_HEADER = [
  'PriceBook', 'Scope', 'ProductId', 'SkuId', 'TermDuration', 'BillingPlan', 'Category', 'Method', 'Percent',
  'FixedUnitPrice', 'EffectiveFrom', 'EffectiveTo',
] as const
export type PriceBookColumn = (typeof PRICEBOOKS_HEADER)[number]

export const CUSTOMERS_HEADER = ['CustomerId', 'ResellerId', 'McaAcceptedOn'] as const
export type CustomerColumn = (typeof CUSTOMERS_HEADER)[number]

/** Cells of one row in header order; missing columns are empty. */
export function inOrder<C extends string>(header: readonly C[], values: Partial<Record<C, string>>): string[] {
  return header.map((column) => values[column] ?? '')
}
