/**
 * Test fixture builder for the write stage: a staging DB built directly with inserts (no ingest/pricing), and a
 * RunContext pointing at a temp workDir. Values are SPEC-shaped: canonical decimal text, ISO dates.
 */
import { storeUsageRows } from '../usage/store-usage.js'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDb, type Db } from '../../pipeline/db.js'
import { periodBounds, type RunContext } from '../../pipeline/context.js'
import { defaultSettings, type Settings } from '../../schemas/config.js'
import { insertFindings } from '../../pipeline/findings-store.js'
import { finding, type Finding, type Rule } from '../../pipeline/diagnostics.js'

export interface ResellerSeed {
  id: string
  name?: string
  currency?: string
  tax?: string
  support?: string
  terms?: number
  email?: string | null
  address?: string | null
}

export interface LineSeed {
  reseller: string | null
  customerId?: string
  customerName?: string | null
  subscriptionId?: string
  productName?: string
  skuName?: string
  status?: 'invoiced' | 'held' | 'retained'
  holdRule?: string | null
  currency?: string
  category?: string
  chargeType?: string
  cost: string
  sell?: string | null
  quantity?: string
  unitSellPrice?: string | null
  chargeStart?: string
  chargeEnd?: string | null
  duplicate?: boolean
  file?: string
  explanation?: string
}

export interface UsageSeed {
  customerId: string
  tier2?: string | null
  subscriptionId?: string
  entitlementId?: string
  category?: string
  quantity: string
  amount: string
  date?: string
  currency?: string
  unitPrice?: string
  rate?: string
  unit?: string | null
  pricingCurrency?: string
}

export class Fixture {
  readonly db: Db
  private lineId = 0
  private row = 1

  constructor() {
    this.db = openDb(':memory:')
  }

  inputFile(file: string, kind: string, rows: number, rejected = 0, unknown: string[] = []): this {
    this.db.sqlite
      .prepare('insert into input_files (file, kind, sha256, rows, accepted, rejected, unknown_columns) values (?, ?, ?, ?, ?, ?, ?)')
      .run(file, kind, 'a'.repeat(64), rows, rows - rejected, rejected, JSON.stringify(unknown))
    return this
  }

  reseller(r: ResellerSeed): this {
    this.db.sqlite
      .prepare(
        `insert into resellers (reseller_id, source_file, source_row, name, currency, price_book, email, address,
          tax_rate_percent, support_plan_percent, payment_terms_days) values (?, 'reference/resellers.csv', 2, ?, ?, 'std', ?, ?, ?, ?, ?)`,
      )
      .run(r.id, r.name ?? `Reseller ${r.id}`, r.currency ?? 'USD', r.email ?? null, r.address ?? null, r.tax ?? '0', r.support ?? '0', r.terms ?? 30)
    return this
  }

  customer(customerId: string, resellerId: string): this {
    this.db.sqlite
      .prepare("insert into customers (customer_id, source_file, source_row, reseller_id) values (?, 'reference/customers.csv', 2, ?)")
      .run(customerId, resellerId)
    return this
  }

  line(l: LineSeed): number {
    const id = ++this.lineId
    const row = ++this.row
    const currency = l.currency ?? 'USD'
    const status = l.status ?? 'invoiced'
    this.db.sqlite
      .prepare(
        `insert into recon_lines (line_id, source_file, source_row, customer_id, customer_name, product_id, sku_id, sku_name,
          product_name, charge_type, charge_type_norm, unit_price, subtotal, total, currency, subscription_id, charge_start_date,
          charge_end_date, effective_unit_price, billable_quantity, pc_to_bc_exchange_rate, tier2_mpn_id, row_key, is_duplicate)
         values (?, ?, ?, ?, ?, 'CFQ7TTC0LF8Q', '0001', ?, ?, ?, lower(?), '10', ?, ?, ?, ?, ?, ?, '10', ?, '1', ?, ?, ?)`,
      )
      .run(id, l.file ?? '2026-10/recon.csv', row, l.customerId ?? 'cust-1', l.customerName === undefined ? 'Contoso' : l.customerName,
        l.skuName ?? 'Microsoft 365 E3', l.productName ?? 'Microsoft 365 E3', l.chargeType ?? 'cycleCharge', l.chargeType ?? 'cycleCharge',
        l.cost, l.cost, currency, l.subscriptionId ?? 'sub-1', l.chargeStart ?? '2026-10-01', l.chargeEnd === undefined ? '2026-10-31' : l.chargeEnd,
        l.quantity ?? '1', l.reseller, `key-${id}`, l.duplicate ? 1 : 0)
    if (l.duplicate) return id
    this.db.sqlite
      .prepare(
        `insert into priced_lines (line_id, status, hold_rule, reseller_id, currency, category, term_duration, billing_plan,
          event_date, billing_days, cycle_days, proration_factor, method, cost, sell_exact, sell, unit_sell_price, explanation)
         values (?, ?, ?, ?, ?, ?, 'P1Y', 'Monthly', ?, 31, 31, '1', 'markup', ?, ?, ?, ?, ?)`,
      )
      .run(id, status, l.holdRule ?? (status === 'held' ? 'NO_PRICE_RULE' : null), l.reseller, currency, l.category ?? 'license',
        l.chargeStart ?? '2026-10-01', l.cost, status === 'invoiced' ? (l.sell ?? l.cost) : null, status === 'invoiced' ? (l.sell ?? l.cost) : null,
        status === 'invoiced' ? (l.unitSellPrice === undefined ? (l.sell ?? l.cost) : l.unitSellPrice) : null,
        l.explanation ?? 'markup 10% on cost')
    return id
  }

  usage(u: UsageSeed): this {
    return this.usageRows([u])
  }

  /** Usage rows summed by one combiner, as one file's rows are (interleaved groups keep their row ranges). */
  usageRows(seeds: UsageSeed[]): this {
    const { start, end } = periodBounds('2026-10', 1)
    storeUsageRows(this.db, start, end, seeds.map((u) => ({
      source_file: '2026-10/usage.csv', source_row: ++this.row, customer_id: u.customerId, customer_name: 'Contoso', tier2_mpn_id: u.tier2 ?? null,
      subscription_id: u.subscriptionId ?? 'azplan-1', entitlement_id: u.entitlementId ?? 'ent-1', entitlement_description: 'Prod subscription', product_id: 'DZH318Z0BPS6',
      sku_id: '0001', usage_date: u.date ?? '2026-10-05', meter_id: 'm1', meter_category: u.category ?? 'Virtual Machines', meter_name: 'D2 v3',
      unit: u.unit === undefined ? '1 Hour' : u.unit, quantity: u.quantity, unit_price: u.unitPrice ?? '0.1', billing_pre_tax_total: u.amount, billing_currency: u.currency ?? 'USD',
      pc_to_bc_exchange_rate: u.rate ?? null, pricing_currency: u.pricingCurrency ?? null,
    })))
    return this
  }

  finding(rule: Rule, fields: Partial<Omit<Finding, 'rule' | 'severity'>> = {}): this {
    insertFindings(this.db, [finding(rule, { file: '2026-10/recon.csv', row: 2, message: `${rule} happened`, ...fields })])
    return this
  }

  context(workDir = mkdtempSync(join(tmpdir(), 'csp-write-')), settings: Partial<Settings> = {}): RunContext {
    const s = { ...defaultSettings(), distributorName: 'Northwind Distribution', invoicePrefix: 'NW', ...settings }
    const { start, end } = periodBounds('2026-10', s.periodStartDay)
    return {
      period: '2026-10',
      periodStart: start,
      periodEnd: end,
      inputRoot: '/nonexistent/input',
      periodDir: '/nonexistent/input/2026-10',
      referenceDir: '/nonexistent/input/reference',
      outputRoot: '/nonexistent/output',
      workDir,
      settings: s,
      db: this.db,
    }
  }
}
