/**
 * Test fixtures for the pricing rules: rows inserted straight into an in-memory staging DB, with defaults for
 * a plain NCE seat line (P1Y billed monthly, USD, reseller R1 with price book B1), so each case lists only
 * the columns it is about. `runPrice` runs the price stage and returns priced lines, findings and summary.
 */
import { openDb, type Db } from '../../pipeline/db.js'
import type { RunContext } from '../../pipeline/context.js'
import type { Finding } from '../../pipeline/diagnostics.js'
import { defaultSettings, type Settings } from '../../schemas/config.js'
import type {
  CustomersTable, PriceBookRulesTable, PriceListTable, PricedLinesTable, ReconLinesTable, ResellersTable,
} from '../../schemas/tables.js'
import { price, type PriceSummary } from '../../stages/price.js'

type Over<T> = Partial<{ [K in keyof T]: T[K] extends { __select__: infer S } ? S : T[K] }>

export function reconLine(lineId: number, over: Over<ReconLinesTable> = {}): ReconLinesTable {
  return {
    line_id: lineId,
    source_file: '2025-06/recon.csv',
    source_row: lineId + 1,
    customer_id: 'C1',
    customer_name: 'Customer One',
    invoice_number: 'G000000001',
    product_id: 'CFQ7TTC0LH18',
    sku_id: '0001',
    sku_name: 'Business Basic',
    product_name: 'Microsoft 365 Business Basic',
    charge_type: 'cycleCharge',
    charge_type_norm: 'cyclecharge',
    unit_price: '10',
    subtotal: '10',
    total: '10',
    currency: 'USD',
    subscription_id: 'S1',
    charge_start_date: '2025-06-01',
    effective_unit_price: '10',
    billable_quantity: '1',
    pc_to_bc_exchange_rate: '1',
    tier2_mpn_id: 'R1',
    order_date: null,
    quantity: null,
    tax_total: null,
    publisher_name: 'Microsoft Corporation',
    publisher_id: null,
    subscription_description: null,
    charge_end_date: '2025-06-30',
    term_and_billing_cycle: 'One-Year commitment for monthly/yearly billing',
    billing_frequency: 'Monthly',
    pricing_currency: 'USD',
    subscription_start_date: '2025-01-01',
    subscription_end_date: '2025-12-31',
    reference_id: null,
    promotion_id: null,
    reservation_order_id: null,
    credit_reason_code: null,
    price_adjustment_description: null,
    meter_description: null,
    availability_id: null,
    row_key: `key-${lineId}`,
    row_variant: null,
    is_duplicate: 0,
    duplicate_of: null,
    ...over,
  }
}

export function reseller(over: Partial<ResellersTable> = {}): ResellersTable {
  return {
    reseller_id: 'R1', source_file: 'reference/resellers.csv', source_row: 2, name: 'Reseller One', currency: 'USD',
    price_book: 'B1', email: null, address: null, tax_rate_percent: '0', support_plan_percent: '0',
    payment_terms_days: 30, ...over,
  }
}

export function rule(over: Partial<Omit<PriceBookRulesTable, 'rule_id'>> & { rule_id?: number } = {}): PriceBookRulesTable & { rule_id: number } {
  return {
    rule_id: 0, source_file: 'reference/pricebooks.csv', source_row: 2, price_book: 'B1', scope: 'default',
    product_id: null, sku_id: null, term_duration: null, billing_plan: null, category: null, method: 'markup',
    percent: '10', fixed_unit_price: null, effective_from: null, effective_to: null, ...over,
  } as PriceBookRulesTable & { rule_id: number }
}

export function priceRow(over: Partial<Omit<PriceListTable, 'price_id'>> = {}): Omit<PriceListTable, 'price_id'> {
  return {
    source_file: '2025-06/pricelist.csv', source_row: 2, product_id: 'CFQ7TTC0LH18', sku_id: '0001',
    term_duration: 'P1Y', billing_plan: 'Annual', currency: 'USD', unit_price: '96', erp_price: '120',
    effective_start_date: '2020-01-01', effective_end_date: null, product_title: null, sku_title: null,
    market: 'US', segment: null, ...over,
  }
}

export interface Scenario {
  lines: ReconLinesTable[]
  resellers?: ResellersTable[]
  customers?: (Omit<CustomersTable, 'source_file' | 'source_row' | 'segment'> & { segment?: string | null })[]
  /** Price book rules; rule_id = position + 1 unless given (later rows get higher ids). */
  rules?: (PriceBookRulesTable & { rule_id: number })[]
  prices?: Omit<PriceListTable, 'price_id'>[]
  settings?: Partial<Settings>
}

export interface Outcome {
  priced: PricedLinesTable[]
  findings: Finding[]
  summary: PriceSummary
  db: Db
}

function insert(db: Db, table: string, rows: object[]): void {
  for (const row of rows) {
    const cols = Object.keys(row)
    db.sqlite.prepare(`insert into ${table} (${cols.join(', ')}) values (${cols.map(() => '?').join(', ')})`)
      .run(...Object.values(row))
  }
}

export function testContext(db: Db, settings: Partial<Settings> = {}): RunContext {
  return {
    period: '2025-06', periodStart: '2025-06-01', periodEnd: '2025-06-30', inputRoot: '/nonexistent',
    periodDir: '/nonexistent/2025-06', referenceDir: '/nonexistent/reference', outputRoot: '/nonexistent/out',
    workDir: '/nonexistent/out/.tmp', settings: { ...defaultSettings(), ...settings }, db,
  }
}

/** Load a scenario into a fresh in-memory DB and run the price stage. Caller closes `db` (or ignores it). */
export async function runPrice(s: Scenario): Promise<Outcome> {
  const db = openDb(':memory:')
  insert(db, 'recon_lines', s.lines)
  insert(db, 'resellers', s.resellers ?? [reseller()])
  insert(db, 'customers', (s.customers ?? []).map((c, i) => ({ source_file: 'reference/customers.csv', source_row: i + 2, ...c })))
  insert(db, 'price_book_rules', (s.rules ?? [rule()]).map((r, i) => ({ ...r, rule_id: r.rule_id || i + 1, source_row: i + 2 })))
  insert(db, 'price_list', (s.prices ?? []).map((p, i) => ({ ...p, source_row: i + 2 })))
  const result = await price(undefined, testContext(db, s.settings))
  const priced = db.sqlite.prepare('select * from priced_lines order by line_id').all() as PricedLinesTable[]
  return { priced, findings: result.findings, summary: result.output, db }
}

/** The only priced line of a one-line scenario. */
export async function priceOne(s: Omit<Scenario, 'lines'> & { line?: Over<ReconLinesTable> }): Promise<PricedLinesTable & { findings: Finding[] }> {
  const out = await runPrice({ ...s, lines: [reconLine(1, s.line ?? {})] })
  await out.db.close()
  const [line] = out.priced
  if (!line) throw new Error('no priced line')
  return { ...line, findings: out.findings }
}
