/**
 * Daily rated usage (SPEC §2.2; FORMATS.md §2.2): detected by UsageDate + MeterId + BillingPreTaxTotal.
 * Only the ~26 columns the product uses are projected and validated (files reach millions of rows).
 */
import { opt, req, rowSchema, type ColumnDef } from './columns.js'

export const USAGE_COLUMNS: readonly ColumnDef[] = [
  req('CustomerId', 'customer_id', 'text', { lower: true }),
  req('SubscriptionId', 'subscription_id', 'text', { lower: true }),
  req('ProductId', 'product_id'),
  req('SkuId', 'sku_id', 'text', { textOnly: true }), // a number cell lost its leading zeros (0010 → 10): 26 false USAGE_TIE_OUT (usage review)
  req('UsageDate', 'usage_date', 'date'),
  req('MeterId', 'meter_id'),
  req('MeterCategory', 'meter_category'),
  req('MeterName', 'meter_name'),
  req('Quantity', 'quantity', 'decimal'),
  req('UnitPrice', 'unit_price', 'decimal'),
  req('BillingPreTaxTotal', 'billing_pre_tax_total', 'decimal'),
  req('BillingCurrency', 'billing_currency', 'text', { currency: true }),
  opt('Tier2MpnId', 'tier2_mpn_id', 'text', { aliases: ['ResellerMpnId', 'ResellerMPNID'] }),
  opt('CustomerName', 'customer_name'),
  opt('EntitlementId', 'entitlement_id', 'text', { lower: true }),
  opt('EntitlementDescription', 'entitlement_description'),
  opt('AvailabilityId', 'availability_id'),
  opt('MeterSubCategory', 'meter_sub_category'),
  opt('MeterRegion', 'meter_region'),
  opt('Unit', 'unit'),
  opt('ResourceGroup', 'resource_group'),
  opt('EffectiveUnitPrice', 'effective_unit_price', 'decimal'),
  opt('PricingPreTaxTotal', 'pricing_pre_tax_total', 'decimal'),
  opt('PricingCurrency', 'pricing_currency', 'text', { currency: true }),
  opt('PCToBCExchangeRate', 'pc_to_bc_exchange_rate', 'decimal'),
  opt('PartnerEarnedCreditPercentage', 'partner_earned_credit_percentage', 'decimal'),
]

/** The rest of Microsoft's 55-column layout (FORMATS.md §2.2): known, not loaded. */
export const USAGE_DOCUMENTED = [
  'PartnerId', 'PartnerName', 'CustomerDomainName', 'CustomerCountry', 'MpnId', 'InvoiceNumber', 'SkuName',
  'ProductName', 'PublisherName', 'PublisherId', 'SubscriptionDescription', 'ChargeStartDate', 'ChargeEndDate',
  'MeterType', 'ResourceLocation', 'ConsumedService', 'ResourceURI', 'ChargeType', 'UnitType', 'ServiceInfo1',
  'ServiceInfo2', 'Tags', 'AdditionalInfo', 'PCToBCExchangeRateDate', 'CreditPercentage', 'CreditType',
  'BenefitOrderId', 'BenefitId', 'BenefitType',
] as const

export const USAGE_DETECT = ['UsageDate', 'MeterId', 'BillingPreTaxTotal'] as const

export const usageRow = rowSchema(USAGE_COLUMNS)
