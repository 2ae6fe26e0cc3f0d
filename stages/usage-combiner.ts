/**
 * The usage combiner (issue 7; stages/usage-totals.ts has the whole picture): exact sums per usage group of one
 * file's accepted rows, at most MAX_GROUPS held, flushed as plain rows to a sink. Pure and light to import: the
 * worker thread of a split usage file (stages/usage-half.ts) runs it too.
 */
import { ExactSum } from '../pipeline/scaled-sum.js'

/**
 * Columns of a usage group, in key order (all text, nullable where the usage schema allows an empty cell). The
 * retail price (UnitPrice, in the pricing currency) and PCToBCExchangeRate are part of the key so that a group's
 * retail amount is exact, Σ Quantity × UnitPrice × rate, without a product per row: a meter's price and the
 * month's rate rarely change within a month, and when they do the group splits. Unit (optional in SPEC §2.2) is in
 * the key so that the Azure usage sheet never adds hours to gigabytes: a meter has one unit, so it splits no group.
 * PricingCurrency too: without a rate, the retail amount is in that currency (stages/writers/invoice-data.ts).
 */
export const TOTAL_KEY = [
  'customer_id', 'customer_name', 'tier2_mpn_id', 'subscription_id', 'entitlement_id', 'entitlement_description',
  'product_id', 'sku_id', 'meter_category', 'meter_id', 'meter_name', 'unit', 'billing_currency', 'unit_price',
  'pc_to_bc_exchange_rate', 'pricing_currency',
] as const

/**
 * Groups held before a flush. When an export lists a subscription's meters day after day, groups come in runs
 * and a flush rarely splits one. When it lists every meter of day 1, then of day 2, a month with more groups
 * than this flushes every group every day, and ingest slows to storing a partial row per usage row: a
 * day-ordered 200,000-row month with ~9,000 groups took 4.25 s to ingest at 8,192 and 1.83 s at 65,536. At
 * 32,768 the 1 M- and 4 M-row bench months peak within noise of 8,192 (447–458 MiB at 4 M); this bound was
 * lowered to 8,192 for RSS before pretenuring was turned off (pipeline/gc.ts), which is what cost the memory.
 */
export const MAX_GROUPS = 32_768

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

/** The first `count` cells of a plain group id (see `find`), null where the id has NULL_MARK. */
function cellsOf(id: string, count: number): (string | null)[] {
  const cells: (string | null)[] = id.split(SEP, count)
  for (let k = 0; k < count; k++) if (cells[k] === NULL_MARK) cells[k] = null
  return cells
}

/** One flushed group as stored: first_row, last_row, ...TOTAL_KEY, in_period, rows, quantity, billing_pre_tax_total. */
export type PartialRow = (string | number | null)[]

/** Receives one flush of groups (in first-seen order); plain data, so a worker thread can post it. */
export type PartialSink = (rows: PartialRow[]) => void

/** Columns of a PartialRow, in order. */
export const PARTIAL_COLUMNS = ['first_row', 'last_row', ...TOTAL_KEY, 'in_period', 'rows', 'quantity', 'billing_pre_tax_total'] as const

/** Exact per-group sums of one usage file, flushed to `sink` when MAX_GROUPS groups are held and by `flush`. */
export class UsageCombiner {
  private readonly groups = new Map<string, Group>()
  /** The previous row's group and key: daily rows of one meter come in runs, and a run skips the map. */
  private last: Group | null = null
  private readonly lastKey: (string | null)[] = []
  /** Reused by `find`: the key's cells (NULL_MARK for null) and then in_period, joined into a group id. */
  private readonly parts: string[] = []

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
    const parts = this.parts
    let plain = true
    for (let k = 0; k < key.length; k++) {
      const cell = key[k]!
      if (cell === null) parts[k] = NULL_MARK
      else {
        if (cell.includes(SEP) || cell.includes(NULL_MARK)) plain = false
        parts[k] = cell
      }
    }
    parts[key.length] = inPeriod ? '1' : '0'
    // Cells holding the separators get an unambiguous JSON id. Either id is a new flat string: join and
    // stringify copy, so a group pins no CSV line (its cells may be slices of one, ~1 KB each).
    const id = plain ? parts.join(SEP) : JSON.stringify([inPeriod, key])
    let g = this.groups.get(id)
    if (g === undefined) {
      if (this.groups.size >= this.maxGroups) this.flush()
      // The group's cells are cut from its id (once per group), not kept from the row.
      const flatKey = plain ? cellsOf(id, key.length) : (JSON.parse(id) as [boolean, (string | null)[]])[1]
      g = { key: flatKey, inPeriod: inPeriod ? 1 : 0, rows: 0, firstRow: row, lastRow: row, quantity: new ExactSum(), amount: new ExactSum() }
      this.groups.set(id, g)
    }
    this.last = g
    for (let k = 0; k < key.length; k++) this.lastKey[k] = key[k]!
    return g
  }

  /** Hands the held groups to the sink and forgets them. */
  flush(): void {
    if (this.groups.size === 0) return
    const rows: PartialRow[] = []
    for (const g of this.groups.values()) rows.push([g.firstRow, g.lastRow, ...g.key, g.inPeriod, g.rows, g.quantity.text(), g.amount.text()])
    this.sink(rows)
    this.groups.clear()
    this.last = null
  }
}
