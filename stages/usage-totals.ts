/**
 * Usage totals (issue 7): exact sums of the accepted usage rows, grouped by everything the usage tie-out
 * (SPEC §5 USAGE_TIE_OUT) and the Azure usage sheets (SPEC §6) group or show — customer, customer name, Tier2MpnId,
 * subscription, entitlement (id, description), product, SKU, meter category, billing currency — and whether the
 * row's UsageDate is in the period. Ingest adds every accepted usage row while it streams (scaled BigInt sums,
 * no rows kept), and writes the few thousand groups to `usage_totals`; the check and the writer then read those
 * instead of scanning millions of usage_rows.
 *
 * The tables are declared in schemas/tables.ts. `usage_rows` stays the source of truth: `usageTotalsSource` hands out the table only when its marker says it
 * was built for the period and the usage rows now in the DB, else an equivalent GROUP BY over usage_rows (tests
 * and tools that insert usage rows directly get the same answers, only slower).
 *
 * In: validated usage rows (stored values); the DB. Out: the table, and SQL that reads it. Does not throw on data.
 */
import { sql, type RawBuilder } from 'kysely'
import type { Db } from '../pipeline/db.js'
import { decSum } from '../pipeline/dialect.js'
import { addScaled, plusScaled, scaledText, ZERO, type Scaled } from '../pipeline/scaled-sum.js'


/** Columns of a usage_totals group, in key order (all text, nullable where usage_rows is). */
export const TOTAL_KEY = [
  'customer_id', 'customer_name', 'tier2_mpn_id', 'subscription_id', 'entitlement_id', 'entitlement_description',
  'product_id', 'sku_id', 'meter_category', 'billing_currency',
] as const

export interface Group {
  key: (string | null)[]
  inPeriod: number
  rows: number
  quantity: Scaled
  amount: Scaled
}

const NULL_MARK = '\u0001'
const SEP = '\u0000'

/** Groups of one file, kept apart until the file is known to be usable (an unreadable file counts not at all). */
export class UsageTotals {
  readonly groups = new Map<string, Group>()
  rows = 0

  constructor(
    private readonly periodStart: string,
    private readonly periodEnd: string,
  ) {}

  /** One accepted usage row: its key cells, UsageDate and the two amounts, as stored (canonical decimals). */
  add(key: (string | null)[], usageDate: string, quantity: string, amount: string): void {
    const inPeriod = usageDate >= this.periodStart && usageDate <= this.periodEnd ? 1 : 0
    let id = inPeriod === 1 ? '1' : '0'
    let plain = true
    for (const k of key) {
      if (k === null) id += SEP + NULL_MARK
      else {
        if (k.includes(SEP) || k.includes(NULL_MARK)) plain = false
        id += SEP + k
      }
    }
    if (!plain) id = JSON.stringify([inPeriod, key]) // cells holding the separators: an unambiguous key
    let g = this.groups.get(id)
    if (g === undefined) {
      g = { key: key.slice(), inPeriod, rows: 0, quantity: ZERO, amount: ZERO }
      this.groups.set(id, g)
    }
    g.rows++
    g.quantity = addScaled(g.quantity, quantity)
    g.amount = addScaled(g.amount, amount)
    this.rows++
  }

  /** Adds another file's groups. */
  merge(other: UsageTotals): void {
    for (const [id, o] of other.groups) {
      const g = this.groups.get(id)
      if (g === undefined) this.groups.set(id, { ...o })
      else {
        g.rows += o.rows
        g.quantity = plusScaled(g.quantity, o.quantity)
        g.amount = plusScaled(g.amount, o.amount)
      }
    }
    this.rows += other.rows
  }

  /** The groups as plain data (for a worker thread to hand over). */
  toGroups(): { rows: number; groups: [string, Group][] } {
    return { rows: this.rows, groups: [...this.groups] }
  }

  static fromGroups(data: { rows: number; groups: [string, Group][] }): UsageTotals {
    const t = new UsageTotals('', '')
    for (const [id, g] of data.groups) t.groups.set(id, g)
    t.rows = data.rows
    return t
  }

  /** Replaces usage_totals and its marker (called once every file is loaded). */
  write(db: Db): void {
    const s = db.sqlite
    const insert = s.prepare(
      `insert into usage_totals (${TOTAL_KEY.join(', ')}, in_period, rows, quantity, billing_pre_tax_total)
       values (${TOTAL_KEY.map(() => '?').join(', ')}, ?, ?, ?, ?)`,
    )
    const maxId = (s.prepare('select max(usage_id) as id from usage_rows').get() as { id: number | null }).id
    s.transaction(() => {
      s.exec('delete from usage_totals; delete from usage_totals_marker')
      for (const g of this.groups.values()) insert.run(...g.key, g.inPeriod, g.rows, scaledText(g.quantity), scaledText(g.amount))
      s.prepare('insert into usage_totals_marker (period_start, period_end, max_usage_id, rows) values (?, ?, ?, ?)')
        .run(this.periodStart, this.periodEnd, maxId, this.rows)
    })()
  }
}

/**
 * SQL for a relation with usage_totals' columns for the period: the table when its marker matches the period and
 * the usage rows in the DB, else the same groups computed from usage_rows.
 */
export function usageTotalsSource(db: Db, periodStart: string, periodEnd: string): RawBuilder<unknown> {
  return totalsFresh(db, periodStart, periodEnd) ? sql`usage_totals` : usageTotalsFromRows(periodStart, periodEnd)
}

/** True when usage_totals was built by ingest for this period and still covers exactly the usage rows. */
export function totalsFresh(db: Db, periodStart: string, periodEnd: string): boolean {
  const s = db.sqlite
  const exists = s.prepare("select 1 from sqlite_master where type = 'table' and name = 'usage_totals_marker'").get()
  if (exists === undefined) return false
  const marker = s.prepare('select period_start, period_end, max_usage_id, rows from usage_totals_marker').get() as
    | { period_start: string; period_end: string; max_usage_id: number | null; rows: number }
    | undefined
  if (marker === undefined || marker.period_start !== periodStart || marker.period_end !== periodEnd) return false
  const now = s.prepare('select max(usage_id) as id from usage_rows').get() as { id: number | null }
  return now.id === marker.max_usage_id
}

function usageTotalsFromRows(periodStart: string, periodEnd: string): RawBuilder<unknown> {
  const key = sql.join(TOTAL_KEY.map((c) => sql.ref(c)))
  const inPeriod = sql`(case when usage_date >= ${periodStart} and usage_date <= ${periodEnd} then 1 else 0 end)`
  return sql`(select ${key}, ${inPeriod} as in_period, count(*) as rows,
      ${decSum(sql.ref('quantity'))} as quantity, ${decSum(sql.ref('billing_pre_tax_total'))} as billing_pre_tax_total
    from usage_rows group by ${key}, ${inPeriod})`
}
