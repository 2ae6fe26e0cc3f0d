/**
 * NCE license-based price list (SPEC §2.3; FORMATS.md §4.1): detected by TermDuration + BillingPlan + ERP Price.
 * UnitPrice and ERP Price are whole-term prices; an empty EffectiveEndDate means open-ended.
 */
import { opt, req, rowSchema, type ColumnDef } from './columns.js'

/** SPEC §2.3's terms and billing plans, as the rules compare them ('p1y' or 'monthly' in a sheet is stored so). */
export const TERM_DURATIONS = ['P1M', 'P1Y', 'P3Y'] as const
export const BILLING_PLANS = ['Monthly', 'Annual', 'Triennial', 'OneTime', 'None'] as const

export const PRICELIST_COLUMNS: readonly ColumnDef[] = [
  req('ProductId', 'product_id'),
  req('SkuId', 'sku_id'),
  req('TermDuration', 'term_duration', 'text', { spellings: TERM_DURATIONS }),
  req('BillingPlan', 'billing_plan', 'text', { spellings: BILLING_PLANS }),
  req('Currency', 'currency', 'text', { currency: true }),
  req('UnitPrice', 'unit_price', 'decimal'),
  req('ERP Price', 'erp_price', 'decimal'),
  req('EffectiveStartDate', 'effective_start_date', 'date'),
  req('EffectiveEndDate', 'effective_end_date', 'date', { emptyOk: true }),
  opt('ProductTitle', 'product_title'),
  opt('SkuTitle', 'sku_title'),
  opt('Market', 'market'),
  opt('Segment', 'segment'),
]

/** FORMATS.md §4.1 header, plus EndofSaleDate (preview) and Tags (no staging column yet). */
export const PRICELIST_DOCUMENTED = [
  'Publisher', 'SkuDescription', 'UnitOfMeasure', 'PricingTierRangeMin', 'PricingTierRangeMax', 'EndofSaleDate',
  'Tags',
] as const

export const PRICELIST_DETECT = ['TermDuration', 'BillingPlan', 'ERP Price'] as const

export const pricelistRow = rowSchema(PRICELIST_COLUMNS)
