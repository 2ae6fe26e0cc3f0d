/**
 * Usage sums (issue 7; SPEC §5 USAGE_TIE_OUT, §6 Azure usage sheet). Daily rated usage reaches millions of rows a
 * month, so accepted usage rows are not stored one by one: they are summed in two steps, like a map-side combiner.
 *
 * 1. While a usage file streams, `UsageCombiner` keeps exact sums (scaled BigInt) per group — customer, customer
 *    name, Tier2MpnId, subscription, entitlement (id, description), product, SKU, meter category, meter (id,
 *    name), billing currency, and whether UsageDate is in the period. At most MAX_GROUPS groups are held: then,
 *    and at the end of the file, they are written to `usage_partials` (one row per group and flush, with the
 *    file and the first and last row it covers) and forgotten. Memory is bounded whatever the file size.
 * 2. Once every file is loaded, `summariseUsage` aggregates the partials in SQL into `usage_totals`, which the
 *    tie-out check and the usage sheets read.
 *
 * Every accepted usage row is counted in exactly one partial (SPEC §6 row accounting: Σ usage_partials.rows of a
 * file = its accepted rows). Rows dated outside the period are also stored whole in `usage_rows`, because each
 * one gets its own OUT_OF_PERIOD finding and `explain` shows it.
 *
 * In: validated usage rows (stored values); the DB. Out: the two tables. Does not throw on data.
 */
import { sql } from 'kysely'
import type { Db } from '../pipeline/db.js'
import { decSum } from '../pipeline/dialect.js'
import { ExactSum } from '../pipeline/scaled-sum.js'

/** Columns of a usage group, in key order (all text, nullable where the usage schema allows an empty cell). */
export const TOTAL_KEY = [
  'customer_id', 'customer_name', 'tier2_mpn_id', 'subscription_id', 'entitlement_id', 'entitlement_description',
  'product_id', 'sku_id', 'meter_category', 'meter_id', 'meter_name', 'billing_currency',
] as const

/**
 * Groups held before a flush. A usage export lists a subscription's meters day after day, so groups repeat in
 * runs and a flush rarely splits one; ~250 bytes a group keeps the combiner near 10 MiB.
 */
export const MAX_GROUPS = 40_000

interface Group {
  key: (string | null)[]
  inPeriod: number
  rows: number
  firstRow: number
  lastRow: number
  quantity: ExactSum
  amount: ExactSum
}

const NULL_MARK = '\u0001'
const SEP = '\u0000'

/** Receives one flush of groups (in first-seen order). */
export type PartialSink = (groups: Iterable<Group>) => void

/** Exact per-group sums of one usage file, flushed to `sink` every MAX_GROUPS groups and at `finish`. */
export class UsageCombiner {
  private readonly groups = new Map<string, Group>()
  /** The previous row's group and key: daily rows of one meter come in runs, and a run skips the map. */
  private last: Group | null = null
  private readonly lastKey: (string | null)[] = []

  constructor(
    private readonly periodStart: string,
    private readonly periodEnd: string,
    private readonly sink: PartialSink,
    private readonly maxGroups = MAX_GROUPS,
  ) {}

  /** True when a UsageDate (ISO) falls in the period. */
  inPeriod(usageDate: string): boolean {
    return usageDate >= this.periodStart && usageDate <= this.periodEnd
  }

  /** One accepted usage row: its key cells, its Excel row, whether it is in the period, and the two amounts as stored. */
  add(key: readonly (string | null)[], row: number, inPeriod: boolean, quantity: string, amount: string): void {
    const g = this.sameAsLast(key, inPeriod) ? this.last! : this.find(key, inPeriod, row)
    g.rows++
    g.lastRow = row
    g.quantity.add(quantity)
    g.amount.add(amount)
  }

  private sameAsLast(key: readonly (string | null)[], inPeriod: boolean): boolean {
    const last = this.last
    if (last === null || last.inPeriod !== (inPeriod ? 1 : 0)) return false
    const lastKey = this.lastKey
    for (let k = 0; k < key.length; k++) if (key[k] !== lastKey[k]) return false
    return true
  }

  private find(key: readonly (string | null)[], inPeriod: boolean, row: number): Group {
    let id = inPeriod ? '1' : '0'
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
      if (this.groups.size >= this.maxGroups) this.flush()
      // The key is kept as parsed back from the flat id: cells may be slices of a whole CSV line.
      g = { key: plain ? keyOf(id) : (JSON.parse(id) as [number, (string | null)[]])[1], inPeriod: inPeriod ? 1 : 0, rows: 0, firstRow: row, lastRow: row, quantity: new ExactSum(), amount: new ExactSum() }
      this.groups.set(id, g)
    }
    this.last = g
    for (let k = 0; k < key.length; k++) this.lastKey[k] = key[k]!
    return g
  }

  /** Hands the held groups to the sink and forgets them. */
  flush(): void {
    if (this.groups.size === 0) return
    this.sink(this.groups.values())
    this.groups.clear()
    this.last = null
  }
}

function keyOf(id: string): (string | null)[] {
  return id.split(SEP).slice(1).map((k) => (k === NULL_MARK ? null : k))
}

/** A sink that writes one file's flushes to `usage_partials`, one transaction per flush. */
export function partialsWriter(db: Db, file: string): PartialSink {
  const s = db.sqlite
  const insert = s.prepare(
    `insert into usage_partials (source_file, first_row, last_row, ${TOTAL_KEY.join(', ')}, in_period, rows, quantity, billing_pre_tax_total)
     values (?, ?, ?, ${TOTAL_KEY.map(() => '?').join(', ')}, ?, ?, ?, ?)`,
  )
  const write = s.transaction((groups: Iterable<Group>) => {
    for (const g of groups) insert.run(file, g.firstRow, g.lastRow, ...g.key, g.inPeriod, g.rows, g.quantity.text(), g.amount.text())
  })
  return (groups) => write(groups)
}

/** Removes what a file wrote (an unreadable file is used not at all; SPEC §2). */
export function removePartials(db: Db, file: string): void {
  db.sqlite.prepare('delete from usage_partials where source_file = ?').run(file)
}

// SPEC §5 USAGE_TIE_OUT and §6 Azure usage: exact sums per usage group over every file, aggregated in SQL.
export function summariseUsage(db: Db): void {
  const key = sql.join(TOTAL_KEY.map((c) => sql.ref(c)))
  const query = sql`
    insert into usage_totals (${key}, in_period, rows, quantity, billing_pre_tax_total)
    select ${key}, in_period, sum(rows), ${decSum(sql.ref('quantity'))}, ${decSum(sql.ref('billing_pre_tax_total'))}
    from usage_partials
    group by ${key}, in_period
    order by ${key}, in_period
  `.compile(db.kysely)
  // Synchronous on the better-sqlite3 handle, so tests can summarise the rows they store without awaiting.
  db.sqlite.transaction(() => {
    db.sqlite.exec('delete from usage_totals')
    db.sqlite.prepare(query.sql).run(...(query.parameters as unknown[]))
  })()
}
