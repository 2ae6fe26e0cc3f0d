/**
 * Fixture builder for the reconciliation checks: an in-memory staging DB seeded with minimal rows.
 *
 * Every builder starts from a clean default (a P1Y/Monthly license seat cycle charge of 5 × 10.00 USD, invoiced
 * at 55.00 to reseller R1, with consistent recon_lines and priced_lines rows) so a fixture states only the cells
 * its rule is about. `seed` accepts any mix of lines, price-list rows, usage rows and customers; whole-pipeline
 * fixtures can reuse it to top up a DB that ingest/price already filled (line ids continue after the last one).
 */
import { storeUsageRows } from '../usage/store-usage.js'
import type { Insertable } from 'kysely'
import { openDb } from '../../pipeline/db.js'
import { parseDecimal } from '../../pipeline/money.js'
import { normaliseChargeType } from '../../schemas/kinds/reconciliation.js'
import { periodBounds, type RunContext } from '../../pipeline/context.js'
import type { Finding } from '../../pipeline/diagnostics.js'
import { defaultSettings, settingsSchema, type Settings } from '../../schemas/config.js'
import type {
  CustomersTable, PriceListTable, PricedLinesTable, ReconLinesTable, UsageRowsTable,
} from '../../schemas/tables.js'

export const RECON_FILE = '2026-10/recon.csv'
export const USAGE_FILE = '2026-10/usage.csv'
export const PRICELIST_FILE = 'reference/pricelist.csv'

export interface LineSpec {
  recon?: Partial<ReconLinesTable>
  /** Overrides for the priced_lines row; `null` = the line was not priced (no priced_lines row). */
  priced?: Partial<PricedLinesTable> | null
}

export interface Seed {
  lines?: LineSpec[]
  priceList?: Partial<Insertable<PriceListTable>>[]
  usage?: Partial<Insertable<UsageRowsTable>>[]
  customers?: Partial<CustomersTable>[]
}

/** Write decimals the way ingest stores them (canonical text: '3.20' → '3.2'), so fixtures may use invoice notation. */
function canonicalize<T extends object>(row: T, columns: readonly string[]): T {
  const out = { ...row } as Record<string, unknown>
  for (const c of columns) {
    const v = out[c]
    if (typeof v !== 'string') continue
    const parsed = parseDecimal(v)
    if (typeof parsed === 'string') out[c] = parsed
  }
  return out as T
}

const RECON_DECIMALS = ['unit_price', 'subtotal', 'total', 'effective_unit_price', 'billable_quantity', 'pc_to_bc_exchange_rate', 'quantity', 'tax_total']
const PRICED_DECIMALS = ['proration_factor', 'percent', 'fixed_unit_price', 'erp_cycle_price', 'list_cycle_price', 'cost', 'sell_exact', 'sell', 'unit_sell_price']
const PRICE_DECIMALS = ['unit_price', 'erp_price']
const USAGE_DECIMALS = ['quantity', 'unit_price', 'effective_unit_price', 'billing_pre_tax_total', 'pricing_pre_tax_total', 'pc_to_bc_exchange_rate']

export function reconLine(lineId: number, o: Partial<ReconLinesTable> = {}): ReconLinesTable {
  return canonicalize({
    line_id: lineId,
    source_file: RECON_FILE,
    source_row: lineId + 1,
    customer_id: 'cust-1',
    customer_name: 'Contoso',
    invoice_number: 'G000000001',
    product_id: 'CFQ7TTC0LH0J',
    sku_id: '0001',
    sku_name: 'Microsoft 365 Business Basic',
    product_name: 'Microsoft 365 Business Basic',
    charge_type: 'cycleCharge',
    charge_type_norm: normaliseChargeType(o.charge_type ?? 'cycleCharge'),
    unit_price: '10',
    subtotal: '50',
    total: '50',
    currency: 'USD',
    subscription_id: 'sub-1',
    charge_start_date: '2026-10-01',
    effective_unit_price: '10',
    billable_quantity: '5',
    pc_to_bc_exchange_rate: '1',
    tier2_mpn_id: 'R1',
    order_date: '2026-10-01',
    quantity: '5',
    tax_total: '0',
    publisher_name: 'Microsoft',
    publisher_id: null,
    subscription_description: null,
    charge_end_date: '2026-10-31',
    term_and_billing_cycle: 'One-Year commitment for monthly/yearly billing',
    billing_frequency: 'Monthly',
    pricing_currency: 'USD',
    subscription_start_date: '2026-01-01',
    subscription_end_date: '2026-12-31',
    reference_id: null,
    promotion_id: null,
    reservation_order_id: null,
    credit_reason_code: null,
    price_adjustment_description: null,
    meter_description: null,
    availability_id: null,
    row_key: `row-${lineId}`,
    row_variant: null,
    is_duplicate: 0,
    duplicate_of: null,
    ...o,
  }, RECON_DECIMALS)
}

export function pricedLine(recon: ReconLinesTable, o: Partial<PricedLinesTable> = {}): PricedLinesTable {
  return canonicalize({
    line_id: recon.line_id,
    status: 'invoiced',
    hold_rule: null,
    reseller_id: recon.tier2_mpn_id,
    currency: recon.currency,
    category: 'license',
    term_duration: 'P1Y',
    billing_plan: 'Monthly',
    term_start: recon.subscription_start_date ?? recon.charge_start_date,
    event_date: recon.order_date !== null && recon.order_date > recon.charge_start_date ? recon.order_date : recon.charge_start_date,
    cycle_start: recon.charge_start_date,
    cycle_end: recon.charge_end_date,
    billing_days: 31,
    cycle_days: 31,
    proration_factor: '1',
    price_book: 'standard',
    rule_id: 1,
    rule_date: null,
    rule_scope: 'default',
    method: 'markup',
    percent: '10',
    fixed_unit_price: null,
    erp_cycle_price: null,
    list_cycle_price: null,
    price_derived: 0,
    premium_percent: null,
    premium_from: null,
    cost: recon.subtotal,
    sell_exact: '55',
    sell: '55',
    unit_sell_price: '11',
    explanation: '',
    ...o,
  }, PRICED_DECIMALS)
}

export function priceListRow(priceId: number, o: Partial<Insertable<PriceListTable>> = {}): Insertable<PriceListTable> {
  return canonicalize({
    price_id: priceId,
    source_file: PRICELIST_FILE,
    source_row: priceId + 1,
    product_id: 'CFQ7TTC0LH0J',
    sku_id: '0001',
    term_duration: 'P1Y',
    billing_plan: 'Monthly',
    currency: 'USD',
    unit_price: '120',
    erp_price: '150',
    effective_start_date: '2026-01-01',
    effective_end_date: null,
    product_title: null,
    sku_title: null,
    market: 'US',
    segment: 'Commercial',
    ...o,
  }, PRICE_DECIMALS)
}

export function usageRow(usageId: number, o: Partial<Insertable<UsageRowsTable>> = {}): Insertable<UsageRowsTable> {
  return canonicalize({
    usage_id: usageId,
    source_file: USAGE_FILE,
    source_row: usageId + 1,
    customer_id: 'cust-1',
    customer_name: 'Contoso',
    tier2_mpn_id: 'R1',
    subscription_id: 'azure-plan-1',
    entitlement_id: 'azure-sub-1',
    entitlement_description: null,
    product_id: 'DZH318Z0BP0L',
    sku_id: '004P',
    availability_id: null,
    usage_date: '2026-10-15',
    meter_id: 'meter-1',
    meter_category: 'Storage',
    meter_sub_category: null,
    meter_name: 'S4 Disks',
    meter_region: null,
    unit: null,
    resource_group: null,
    quantity: '1',
    unit_price: '1',
    effective_unit_price: null,
    billing_pre_tax_total: '1',
    billing_currency: 'USD',
    pricing_pre_tax_total: null,
    pricing_currency: null,
    pc_to_bc_exchange_rate: null,
    partner_earned_credit_percentage: null,
    ...o,
  }, USAGE_DECIMALS)
}

/** An Azure plan meter line (usage formula): 1.3056 USD × 2.00016 at rate 1.2115 → 3.16 CAD (billing currency), as in FORMATS §1.7. */
export function azurePlanLine(o: Partial<ReconLinesTable> = {}, p: Partial<PricedLinesTable> = {}): LineSpec {
  return {
    recon: {
      product_id: 'DZH318Z0BP0L', sku_id: '004P', charge_type: 'new', subscription_id: 'azure-plan-1',
      subscription_description: 'Azure plan', unit_price: '1.536', effective_unit_price: '1.3056',
      billable_quantity: '2.00016', quantity: '1', pc_to_bc_exchange_rate: '1.2115', subtotal: '3.16',
      tax_total: '0', total: '3.16', currency: 'CAD', pricing_currency: 'USD', term_and_billing_cycle: '1 Disk/Month',
      billing_frequency: null, subscription_start_date: null, subscription_end_date: null,
      charge_start_date: '2026-10-01', charge_end_date: '2026-10-31', order_date: '2026-11-03', ...o,
    },
    priced: {
      category: 'azure-plan', term_duration: null, billing_plan: null, term_start: null, event_date: '2026-10-01',
      cycle_start: null, cycle_end: null, billing_days: null, cycle_days: null, sell: '3.48', sell_exact: '3.476', ...p,
    },
  }
}

/**
 * Insert a seed; line/price/usage ids continue after the rows already there. Usage rows are stored as ingest
 * stores them (summed; whole only when outside the run's period). Returns the recon lines inserted.
 */
export async function seed(run: Pick<RunContext, 'db' | 'periodStart' | 'periodEnd'>, s: Seed): Promise<ReconLinesTable[]> {
  const db = run.db
  const k = db.kysely
  const next = (table: string, id: string): number =>
    (db.sqlite.prepare(`select coalesce(max(${id}), 0) as m from ${table}`).get() as { m: number }).m + 1
  const firstLine = next('recon_lines', 'line_id')
  const recon = (s.lines ?? []).map((l, i) => reconLine(firstLine + i, l.recon))
  for (const [i, r] of recon.entries()) {
    await k.insertInto('recon_lines').values(r).execute()
    const priced = s.lines?.[i]?.priced
    if (priced !== null) await k.insertInto('priced_lines').values(pricedLine(r, priced)).execute()
  }
  const firstPrice = next('price_list', 'price_id')
  for (const [i, o] of (s.priceList ?? []).entries()) await k.insertInto('price_list').values(priceListRow(firstPrice + i, o)).execute()
  const firstUsage = next('usage_rows', 'usage_id')
  if (s.usage !== undefined) {
    // A usage file was given (`usage: []`: one with no rows), as ingest records it.
    db.sqlite.prepare(`insert into input_files (file, kind, sha256, rows, accepted) values (?, 'usage', '', ?, ?)`).run(USAGE_FILE, s.usage.length, s.usage.length)
    storeUsageRows(db, run.periodStart, run.periodEnd, s.usage.map((o, i) => usageRow(firstUsage + i, o)))
  }
  for (const [i, o] of (s.customers ?? []).entries()) {
    await k.insertInto('customers').values({
      customer_id: 'cust-1', source_file: 'reference/customers.csv', source_row: i + 2, reseller_id: 'R1',
      mca_accepted_on: '2020-01-01', ...o,
    }).execute()
  }
  return recon
}

/** A RunContext for period 2026-10 over an in-memory DB; settings are merged over the defaults (periodStartDay sets the bounds). */
export function makeCtx(settings: Record<string, unknown> = {}): RunContext {
  const parsed: Settings = Object.keys(settings).length === 0 ? defaultSettings() : settingsSchema.parse(settings)
  const { start, end } = periodBounds('2026-10', parsed.periodStartDay)
  return {
    period: '2026-10', periodStart: start, periodEnd: end,
    inputRoot: 'input', periodDir: 'input/2026-10', referenceDir: 'input/reference',
    outputRoot: 'output', workDir: 'output/.tmp-2026-10',
    settings: parsed,
    db: openDb(':memory:'),
  }
}

/** The fields a fixture's expectation compares. */
export interface Expected {
  rule: string
  file: string
  row: number
  expected: string | null
  actual: string | null
}

export function brief(f: Finding): Expected {
  return { rule: f.rule, file: f.file, row: f.row, expected: f.expected ?? null, actual: f.actual ?? null }
}
