/**
 * Invoice reconciliation (SPEC §2.1; FORMATS.md §1.3): detected by TermAndBillingCycle + BillableQuantity.
 * Columns the product uses, in the order of recon_lines; the row schema validates and converts them.
 * Empty CustomerName, InvoiceNumber, SkuName, ProductName and SubscriptionId are allowed (SPEC §2).
 */
import { columnIndex, opt, req, rowSchema, type ColumnDef, type RowValues } from './columns.js'

export const RECONCILIATION_COLUMNS: readonly ColumnDef[] = [
  req('CustomerId', 'customer_id', 'text', { lower: true }),
  req('CustomerName', 'customer_name', 'text', { emptyOk: true }),
  req('InvoiceNumber', 'invoice_number', 'text', { emptyOk: true }),
  req('ProductId', 'product_id'),
  req('SkuId', 'sku_id', 'text', { textOnly: true }),
  req('SkuName', 'sku_name', 'text', { emptyOk: true }),
  req('ProductName', 'product_name', 'text', { emptyOk: true }),
  req('ChargeType', 'charge_type'),
  req('UnitPrice', 'unit_price', 'decimal'),
  req('Subtotal', 'subtotal', 'decimal'),
  req('Total', 'total', 'decimal', { aliases: ['TotalForCustomer'] }),
  req('Currency', 'currency', 'text', { currency: true }),
  req('SubscriptionId', 'subscription_id', 'text', { emptyOk: true, lower: true }),
  req('ChargeStartDate', 'charge_start_date', 'date'),
  req('EffectiveUnitPrice', 'effective_unit_price', 'decimal'),
  req('BillableQuantity', 'billable_quantity', 'decimal'),
  req('PCToBCExchangeRate', 'pc_to_bc_exchange_rate', 'decimal'),
  opt('Tier2MpnId', 'tier2_mpn_id', 'text', { aliases: ['ResellerMpnId', 'ResellerMPNID'] }),
  opt('OrderDate', 'order_date', 'date'),
  opt('Quantity', 'quantity', 'decimal'),
  opt('TaxTotal', 'tax_total', 'decimal'),
  opt('PublisherName', 'publisher_name'),
  opt('PublisherId', 'publisher_id'),
  opt('SubscriptionDescription', 'subscription_description'),
  opt('ChargeEndDate', 'charge_end_date', 'date'),
  opt('TermAndBillingCycle', 'term_and_billing_cycle'),
  opt('BillingFrequency', 'billing_frequency'),
  opt('PricingCurrency', 'pricing_currency', 'text', { currency: true }),
  opt('SubscriptionStartDate', 'subscription_start_date', 'date'),
  opt('SubscriptionEndDate', 'subscription_end_date', 'date'),
  opt('ReferenceId', 'reference_id'),
  opt('PromotionId', 'promotion_id'),
  opt('ReservationOrderId', 'reservation_order_id'),
  opt('CreditReasonCode', 'credit_reason_code'),
  opt('PriceAdjustmentDescription', 'price_adjustment_description'),
  opt('MeterDescription', 'meter_description'),
  opt('AvailabilityId', 'availability_id'),
]

/** Documented in FORMATS.md §1.3 but not used: not "unknown", simply not loaded. */
export const RECONCILIATION_DOCUMENTED = [
  'PartnerId', 'CustomerDomainName', 'CustomerCountry', 'MpnId', 'OrderId', 'UnitType', 'AlternateId',
  'PCToBCExchangeRateDate', 'ProductQualifiers',
] as const

export const RECONCILIATION_DETECT = ['TermAndBillingCycle', 'BillableQuantity'] as const

const CHARGE_START = columnIndex(RECONCILIATION_COLUMNS, 'ChargeStartDate')
const CHARGE_END = columnIndex(RECONCILIATION_COLUMNS, 'ChargeEndDate')
/** Year 9999 is a placeholder in Microsoft's price lists (FORMATS.md §3): on a charge it is no date a cycle can be
 * counted from (a cycle past 9999-12-31 crashed pricing) or to (12/31/9999 billed 2,912,412 days of a seat). */
const PLACEHOLDER_YEARS = '9000'

/**
 * Rows whose charged period is not one (review): a ChargeEndDate before ChargeStartDate gave negative billing
 * days, which the sign of the cost turned into a positive sale (fixed 14 sold 2.00 for a 12.00 charge), or 0.00
 * when one day before; a placeholder year 9000+ on either date. Rejected naming the cell, never priced.
 */
export const reconciliationRow = rowSchema(RECONCILIATION_COLUMNS, (values: RowValues, addIssue) => {
  const start = values[CHARGE_START] as string
  const end = values[CHARGE_END] as string | null
  if (start >= PLACEHOLDER_YEARS) addIssue(CHARGE_START, 'is a placeholder date (year 9000 or later), not the start of a charge')
  if (end !== null && end >= PLACEHOLDER_YEARS) addIssue(CHARGE_END, 'is a placeholder date (year 9000 or later), not the end of a charge')
  else if (end !== null && end < start) addIssue(CHARGE_END, `is before ChargeStartDate ${start}: the charge would cover a negative number of days`)
})

/**
 * ChargeType is case-insensitive (SPEC §2). `Purchase` means `new` (SPEC §2.1), and `Refund` and `Cancel` mean
 * `cancelImmediate`: Microsoft, quoted in FORMATS.md §1.5, "the value Purchase is mapped to New and the value Refund
 * is mapped to Cancel". Without it a Refund 19 days into a P1Y term raised no SEAT_REDUCTION_OUTSIDE_WINDOW.
 */
export function normaliseChargeType(chargeType: string): string {
  const lower = chargeType.toLowerCase()
  if (lower === 'purchase') return 'new'
  return lower === 'refund' || lower === 'cancel' ? 'cancelimmediate' : lower
}
