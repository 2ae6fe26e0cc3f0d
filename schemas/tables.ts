/**
 * Staging database: DDL and the kysely `Database` type that mirrors it.
 *
 * Money/decimal representation: canonical decimal TEXT (see pipeline/money.ts) — exact at any scale, so the
 * 16-decimal unit prices and 15-decimal exchange rates of real exports survive unrounded. Dates: ISO
 * `YYYY-MM-DD` TEXT. Every row of an input-derived table carries `source_file` + `source_row` (Excel row
 * number, header = 1) so any output can point back at its spreadsheet cell.
 *
 * Layers: input tables (recon_lines, usage_rows, price_list, price_book_rules, resellers, customers) are
 * written only by stages/load.ts; priced_lines only by stages/price.ts; findings by every stage.
 */
import type { Generated } from 'kysely'

/** A usage group and its exact sums: the columns usage_partials and usage_totals share. */
const USAGE_GROUP_COLUMNS = `
  customer_id text not null,
  customer_name text,
  tier2_mpn_id text,
  subscription_id text not null,
  entitlement_id text,
  entitlement_description text,
  product_id text not null,
  sku_id text not null,
  meter_category text not null,
  meter_id text not null,
  meter_name text not null,
  unit text,                        -- Unit of the meter (null when the file has no Unit column)
  billing_currency text not null,
  unit_price text not null,         -- UnitPrice: retail price per unit, in the pricing currency
  pc_to_bc_exchange_rate text,      -- PCToBCExchangeRate (null when the file has none: taken as 1)
  pricing_currency text,            -- PricingCurrency: the retail amount's currency when there is no rate
  in_period integer not null,       -- 1 when period start <= usage_date <= period end
  rows integer not null,
  quantity text not null,           -- exact Σ quantity, canonical decimal text
  billing_pre_tax_total text not null
`.slice(1)

export const DDL = `
create table if not exists input_files (
  file_id integer primary key,
  file text not null,               -- path relative to the --input root, e.g. '2026-10/recon.csv'
  kind text not null,               -- reconciliation|usage|pricelist|pricebooks|resellers|customers|ignored|unreadable
  sha256 text not null,
  rows integer not null default 0,
  accepted integer not null default 0,
  rejected integer not null default 0,
  unknown_columns text not null default '[]'  -- JSON array of header names the product does not know
) strict;

create table if not exists findings (
  finding_id integer primary key,
  rule text not null,
  severity text not null,
  file text not null,
  row integer not null,
  reseller_id text,
  customer_id text,
  subscription_id text,
  expected text,
  actual text,
  message text not null,
  column_name text,
  value text,
  line_id integer                   -- recon_lines.line_id when the finding is about one reconciliation line
) strict;
-- The order every output reads findings in: an index, not a sort (a month of rejected rows is a million findings).
create index if not exists findings_order on findings (file, row, rule, message, finding_id);

create table if not exists recon_lines (
  line_id integer primary key,      -- stable: file-name order, then row
  source_file text not null,
  source_row integer not null,
  customer_id text not null,
  customer_name text,
  invoice_number text,
  product_id text not null,
  sku_id text not null,
  sku_name text,
  product_name text,
  charge_type text not null,        -- as written in the file
  charge_type_norm text not null,   -- lower case, 'purchase' → 'new'
  unit_price text not null,
  subtotal text not null,
  total text not null,
  currency text not null,
  subscription_id text,
  charge_start_date text not null,
  effective_unit_price text not null,
  billable_quantity text not null,
  pc_to_bc_exchange_rate text not null,
  tier2_mpn_id text,
  order_date text,
  quantity text,
  tax_total text,
  publisher_name text,
  publisher_id text,
  subscription_description text,
  charge_end_date text,
  term_and_billing_cycle text,
  billing_frequency text,
  pricing_currency text,
  subscription_start_date text,
  subscription_end_date text,
  reference_id text,
  promotion_id text,
  reservation_order_id text,
  credit_reason_code text,
  price_adjustment_description text,
  meter_description text,
  availability_id text,
  row_key text not null,            -- sha1 of (lower-cased column name, trimmed cell text by value) pairs (load.ts rowKey): DUPLICATE_LINE
  row_variant text,                 -- the id and name cells as written where the key took them by value ('SkuId 0024'); null when none
  is_duplicate integer not null default 0,
  duplicate_of integer              -- line_id of the earlier identical row
) strict;

create table if not exists usage_rows (
  usage_id integer primary key,
  source_file text not null,
  source_row integer not null,
  customer_id text not null,
  customer_name text,
  tier2_mpn_id text,
  subscription_id text not null,
  entitlement_id text,
  entitlement_description text,
  product_id text not null,
  sku_id text not null,
  availability_id text,
  usage_date text not null,
  meter_id text not null,
  meter_category text not null,
  meter_sub_category text,
  meter_name text not null,
  meter_region text,
  unit text,
  resource_group text,
  quantity text not null,
  unit_price text not null,
  effective_unit_price text,
  billing_pre_tax_total text not null,
  billing_currency text not null,
  pricing_pre_tax_total text,
  pricing_currency text,
  pc_to_bc_exchange_rate text,
  partner_earned_credit_percentage text
) strict;

-- Accepted usage rows are summed, not stored one by one (stages/usage-totals.ts): ingest writes exact sums per
-- usage group for runs of rows of one file (usage_partials), then SQL aggregates them into usage_totals, which the
-- tie-out and the usage sheets read. usage_rows keeps only the rows reported one by one (OUT_OF_PERIOD).
create table if not exists usage_partials (
  partial_id integer primary key,
  source_file text not null,
  first_row integer not null,       -- Excel rows of the first and last usage row summed here
  last_row integer not null,
${USAGE_GROUP_COLUMNS}) strict;
create table if not exists usage_totals (
${USAGE_GROUP_COLUMNS}) strict;

create table if not exists price_list (
  price_id integer primary key,
  source_file text not null,
  source_row integer not null,
  product_id text not null,
  sku_id text not null,
  term_duration text not null,
  billing_plan text not null,
  currency text not null,
  unit_price text not null,         -- whole-term price (SPEC §2.3)
  erp_price text not null,          -- whole-term price
  effective_start_date text not null,
  effective_end_date text,          -- null = open-ended
  product_title text,
  sku_title text,
  market text,
  segment text
) strict;

create table if not exists price_book_rules (
  rule_id integer primary key,
  source_file text not null,
  source_row integer not null,
  price_book text not null,
  scope text not null,              -- sku|product|category|default
  product_id text,
  sku_id text,
  term_duration text,
  billing_plan text,
  category text,
  method text not null,             -- markup|erp-discount|fixed
  percent text,
  fixed_unit_price text,
  effective_from text,              -- null = always
  effective_to text
) strict;

create table if not exists resellers (
  reseller_id text primary key,
  source_file text not null,
  source_row integer not null,
  name text not null,
  currency text not null,
  price_book text not null,
  email text,
  address text,
  tax_rate_percent text not null default '0',
  support_plan_percent text not null default '0',
  payment_terms_days integer not null default 30
) strict;

create table if not exists customers (
  customer_id text primary key,
  source_file text not null,
  source_row integer not null,
  reseller_id text not null,
  mca_accepted_on text,
  segment text                      -- commercial|education|government|charity; null = commercial
) strict;

create table if not exists priced_lines (
  line_id integer primary key,      -- = recon_lines.line_id; one row per accepted, non-duplicate line
  status text not null,             -- invoiced|held|retained
  hold_rule text,                   -- the one error that holds the line (SPEC §4.1)
  reseller_id text,
  currency text not null,           -- billing currency of the line
  category text not null,           -- SPEC §3.1
  term_duration text,               -- P1M|P1Y|P3Y, null when unknown
  billing_plan text,                -- Monthly|Annual|Triennial, null when unknown
  term_start text,                  -- current term start (SPEC §3.2)
  event_date text not null,         -- SPEC §3.3
  cycle_start text,
  cycle_end text,
  billing_days integer,
  cycle_days integer,
  proration_factor text not null,   -- exact decimal (billing days ÷ cycle days, or 1)
  price_book text,
  rule_id integer,                  -- price_book_rules.rule_id that matched
  rule_date text,                   -- the date the rule was in force on: the event date, or for a refund the
                                    -- event date of the charge it reverses (SPEC §4.4); null for credits
  rule_scope text,
  method text,                      -- markup|erp-discount|fixed|pass-through
  percent text,
  fixed_unit_price text,
  erp_cycle_price text,             -- price-list ERP cycle price used (erp-discount), pricing currency
  list_cycle_price text,            -- price-list UnitPrice cycle price on the term start, when found
  list_price_id integer,            -- price_list.price_id of the line's term/plan row on the term start, when found
  annual_price_id integer,          -- price_list.price_id of the P1Y/Annual row on the term start (SPEC §4.3 source)
  price_derived integer not null default 0,  -- 1 when derived from P1Y/Annual with a premium (SPEC §4.3)
  premium_percent text,
  premium_from text,                -- from when that premium is in force (settings.premiums from), with premium_percent
  cost text not null,               -- Microsoft Subtotal (billing currency)
  sell_exact text,                  -- unrounded sell amount, sign of cost
  sell text,                        -- rounded half-up to the currency minor unit (SPEC §4.5); null when held/retained
  unit_sell_price text,             -- sell ÷ |BillableQuantity| (display only), null when quantity is 0
  explanation text not null default ''  -- short human-readable computation, shown on the Lines sheet
) strict;
`

export interface InputFilesTable {
  file_id: Generated<number>
  file: string
  kind: string
  sha256: string
  rows: number
  accepted: number
  rejected: number
  unknown_columns: string
}

export interface FindingsTable {
  finding_id: Generated<number>
  rule: string
  severity: string
  file: string
  row: number
  reseller_id: string | null
  customer_id: string | null
  subscription_id: string | null
  expected: string | null
  actual: string | null
  message: string
  column_name: string | null
  value: string | null
  line_id: number | null
}

export interface ReconLinesTable {
  line_id: number
  source_file: string
  source_row: number
  customer_id: string
  customer_name: string | null
  invoice_number: string | null
  product_id: string
  sku_id: string
  sku_name: string | null
  product_name: string | null
  charge_type: string
  charge_type_norm: string
  unit_price: string
  subtotal: string
  total: string
  currency: string
  subscription_id: string | null
  charge_start_date: string
  effective_unit_price: string
  billable_quantity: string
  pc_to_bc_exchange_rate: string
  tier2_mpn_id: string | null
  order_date: string | null
  quantity: string | null
  tax_total: string | null
  publisher_name: string | null
  publisher_id: string | null
  subscription_description: string | null
  charge_end_date: string | null
  term_and_billing_cycle: string | null
  billing_frequency: string | null
  pricing_currency: string | null
  subscription_start_date: string | null
  subscription_end_date: string | null
  reference_id: string | null
  promotion_id: string | null
  reservation_order_id: string | null
  credit_reason_code: string | null
  price_adjustment_description: string | null
  meter_description: string | null
  availability_id: string | null
  row_key: string
  row_variant: string | null
  is_duplicate: number
  duplicate_of: number | null
}

export interface UsageRowsTable {
  usage_id: Generated<number>
  source_file: string
  source_row: number
  customer_id: string
  customer_name: string | null
  tier2_mpn_id: string | null
  subscription_id: string
  entitlement_id: string | null
  entitlement_description: string | null
  product_id: string
  sku_id: string
  availability_id: string | null
  usage_date: string
  meter_id: string
  meter_category: string
  meter_sub_category: string | null
  meter_name: string
  meter_region: string | null
  unit: string | null
  resource_group: string | null
  quantity: string
  unit_price: string
  effective_unit_price: string | null
  billing_pre_tax_total: string
  billing_currency: string
  pricing_pre_tax_total: string | null
  pricing_currency: string | null
  pc_to_bc_exchange_rate: string | null
  partner_earned_credit_percentage: string | null
}

export interface PriceListTable {
  price_id: Generated<number>
  source_file: string
  source_row: number
  product_id: string
  sku_id: string
  term_duration: string
  billing_plan: string
  currency: string
  unit_price: string
  erp_price: string
  effective_start_date: string
  effective_end_date: string | null
  product_title: string | null
  sku_title: string | null
  market: string | null
  segment: string | null
}

export interface PriceBookRulesTable {
  rule_id: Generated<number>
  source_file: string
  source_row: number
  price_book: string
  scope: string
  product_id: string | null
  sku_id: string | null
  term_duration: string | null
  billing_plan: string | null
  category: string | null
  method: string
  percent: string | null
  fixed_unit_price: string | null
  effective_from: string | null
  effective_to: string | null
}

export interface ResellersTable {
  reseller_id: string
  source_file: string
  source_row: number
  name: string
  currency: string
  price_book: string
  email: string | null
  address: string | null
  tax_rate_percent: string
  support_plan_percent: string
  payment_terms_days: number
}

export interface CustomersTable {
  customer_id: string
  source_file: string
  source_row: number
  reseller_id: string
  mca_accepted_on: string | null
  segment: string | null
}

export interface PricedLinesTable {
  line_id: number
  status: 'invoiced' | 'held' | 'retained'
  hold_rule: string | null
  reseller_id: string | null
  currency: string
  category: string
  term_duration: string | null
  billing_plan: string | null
  term_start: string | null
  event_date: string
  cycle_start: string | null
  cycle_end: string | null
  billing_days: number | null
  cycle_days: number | null
  proration_factor: string
  price_book: string | null
  rule_id: number | null
  rule_date: string | null
  rule_scope: string | null
  method: string | null
  percent: string | null
  fixed_unit_price: string | null
  erp_cycle_price: string | null
  list_cycle_price: string | null
  /** Optional so fixtures may omit them (the columns default to null). Read by `explain` to name the source row. */
  list_price_id?: number | null
  annual_price_id?: number | null
  price_derived: number
  premium_percent: string | null
  premium_from: string | null
  cost: string
  sell_exact: string | null
  sell: string | null
  unit_sell_price: string | null
  explanation: string
}

export interface UsageTotalsTable {
  customer_id: string
  customer_name: string | null
  tier2_mpn_id: string | null
  subscription_id: string
  entitlement_id: string | null
  entitlement_description: string | null
  product_id: string
  sku_id: string
  meter_category: string
  meter_id: string
  meter_name: string
  unit: string | null
  billing_currency: string
  unit_price: string
  pc_to_bc_exchange_rate: string | null
  in_period: number
  rows: number
  quantity: string
  billing_pre_tax_total: string
}
export interface UsagePartialsTable extends UsageTotalsTable {
  partial_id: Generated<number>
  source_file: string
  first_row: number
  last_row: number
}

export interface Database {
  input_files: InputFilesTable
  findings: FindingsTable
  recon_lines: ReconLinesTable
  usage_rows: UsageRowsTable
  usage_totals: UsageTotalsTable
  usage_partials: UsagePartialsTable
  price_list: PriceListTable
  price_book_rules: PriceBookRulesTable
  resellers: ResellersTable
  customers: CustomersTable
  priced_lines: PricedLinesTable
}
