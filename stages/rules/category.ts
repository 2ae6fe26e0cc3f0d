// SPEC §3.1 — product category of each non-duplicate reconciliation line (Microsoft's heuristic, first match).
/**
 * Reads recon_lines (is_duplicate = 0). Writes int_lines_categorized: the columns pricing needs, normalised
 * (pricing currency falls back to the billing currency at a rate of 1; text matched lower-cased), plus `category`.
 * Order matters and is the SPEC's: credit · azure-plan · reservation · savings-plan · marketplace ·
 * software-subscription · perpetual · license. Azure plan is also a line whose ProductName or SkuName is "Azure
 * plan": Microsoft's entitlement line for the plan has no SubscriptionDescription (FORMATS §1.6, real export rows
 * 32, 410, 1078, 1660, 1877), and the SPEC's perpetual test took it for perpetual software. Never throws on data.
 */
import type { RawBuilder } from 'kysely'
import { sql } from '../../pipeline/kysely.js'
import { decCmp } from '../../pipeline/dialect.js'
import { replaceTable, type RulesDb } from './table.js'

/** The normalised input columns the later rules read (this first layer carries them for all of them). */
const INPUT_COLUMNS = [
  'source_file', 'source_row', 'customer_id', 'subscription_id', 'tier2_mpn_id', 'product_id', 'sku_id',
  'charge_type_norm', 'currency', 'pricing_currency', 'unit_price', 'subtotal', 'effective_unit_price',
  'billable_quantity', 'pc_to_bc_exchange_rate', 'charge_start_date', 'charge_end_date', 'order_date',
  'subscription_start_date', 'subscription_end_date', 'term_text', 'frequency_text', 'description_text',
  'publisher_text', 'publisher_id',
] as const

export { CATEGORIES, type Category } from '../../schemas/kinds/categories.js'

/**
 * The currency a line is priced in (SPEC §4.2: the ERP price is in it, × PCToBCExchangeRate into the billing
 * currency): PricingCurrency; without one, the billing currency only when the rate is 1. With another rate the
 * line is not priced in its billing currency, and taking that row converted an EUR price by a USD → EUR rate
 * (212.63 sold for 233.89; review): null, so no price-list row matches and PRICE_NOT_FOUND says why.
 */
export function pricingCurrencySql(line: string): RawBuilder<string | null> {
  const col = (c: string) => sql.ref(`${line}.${c}`)
  return sql<string | null>`upper(trim(coalesce(nullif(trim(${col('pricing_currency')}), ''),
    case when ${decCmp(col('pc_to_bc_exchange_rate'), sql.lit('1'))} = 0 then ${col('currency')} end)))`
}

export async function categorizeLines(db: RulesDb): Promise<void> {
  await replaceTable(db, 'int_lines_categorized', [...INPUT_COLUMNS, 'category'], sql`
    with lines as (
      select
        line_id, source_file, source_row, customer_id, subscription_id, tier2_mpn_id, product_id, sku_id,
        charge_type_norm, upper(trim(currency)) as currency,
        ${pricingCurrencySql('recon_lines')} as pricing_currency,
        unit_price, subtotal, effective_unit_price, billable_quantity, pc_to_bc_exchange_rate,
        charge_start_date, charge_end_date, order_date, subscription_start_date, subscription_end_date,
        lower(coalesce(trim(term_and_billing_cycle), '')) as term_text,
        lower(coalesce(trim(billing_frequency), '')) as frequency_text,
        lower(coalesce(trim(subscription_description), '')) as description_text,
        lower(coalesce(trim(product_name), '')) = 'azure plan' or lower(coalesce(trim(sku_name), '')) = 'azure plan' as names_azure_plan,
        lower(coalesce(trim(publisher_name), '')) as publisher_text,
        coalesce(trim(publisher_id), '') as publisher_id
      from recon_lines
      where is_duplicate = 0
    ),
    final as (
      select lines.*,
        case
          when charge_type_norm = 'customercredit' then 'credit'
          when description_text = 'azure plan' then 'azure-plan'
          -- The Azure plan's own entitlement line (price 0, no SubscriptionDescription, TermAndBillingCycle or
          -- ChargeEndDate: FORMATS §1.6's caveat) read as perpetual software, held PRICE_NOT_FOUND under erp-discount.
          when names_azure_plan then 'azure-plan'
          when term_text like '%reservation%' then 'reservation'
          when term_text like '%savings plan%' then 'savings-plan'
          -- Microsoft spelled as people abbreviate it ("Microsoft Corp.") is still Microsoft: a license line with a
          -- PublisherId took the marketplace rule without a word (credits review).
          when publisher_id <> '' and publisher_text not in ('microsoft', 'microsoft corporation', 'microsoft corp', 'microsoft corp.') then 'marketplace'
          when term_text like '%subscription%' then 'software-subscription'
          when term_text = '' and charge_end_date is null then 'perpetual'
          else 'license'
        end as category
      from lines
    )
    select * from final`)
}
