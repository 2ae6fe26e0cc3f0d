/**
 * Stores already-validated usage rows the way ingest does (stages/usage-totals.ts) — summed through a combiner
 * into usage_partials, rows outside the period also whole in usage_rows — and re-summarises usage_totals.
 * For check and writer fixtures that seed the DB without reading files.
 */
import type { Insertable } from 'kysely'
import type { Db } from '../../pipeline/db.js'
import type { UsageRowsTable } from '../../schemas/tables.js'
import { partialsWriter, summariseUsage } from '../../stages/usage-totals.js'
import { TOTAL_KEY, UsageCombiner } from '../../stages/usage-combiner.js'

export function storeUsageRows(db: Db, periodStart: string, periodEnd: string, rows: readonly Insertable<UsageRowsTable>[]): void {
  const byFile = new Map<string, Insertable<UsageRowsTable>[]>()
  for (const r of rows) {
    const list = byFile.get(r.source_file)
    if (list === undefined) byFile.set(r.source_file, [r])
    else list.push(r)
  }
  const columns = Object.keys(rows[0] ?? {})
  const insert = columns.length > 0 ? db.sqlite.prepare(`insert into usage_rows (${columns.join(', ')}) values (${columns.map((c) => `@${c}`).join(', ')})`) : null
  for (const [file, list] of byFile) {
    const combiner = new UsageCombiner(periodStart, periodEnd, partialsWriter(db, file))
    for (const r of list) {
      const inPeriod = combiner.inPeriod(r.usage_date)
      if (!inPeriod) insert?.run(r)
      combiner.add(TOTAL_KEY.map((c) => r[c] ?? null), r.source_row, inPeriod, r.quantity, r.billing_pre_tax_total)
    }
    combiner.flush()
  }
  summariseUsage(db)
}
