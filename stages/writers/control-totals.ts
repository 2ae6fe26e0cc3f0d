/**
 * Control totals per currency (SPEC §6): Microsoft cost of all accepted, non-duplicate reconciliation lines,
 * split into invoiced + held + retained cost, and the sell amount invoiced. Shared by run.json and the
 * reconciliation workbook so both always show the same numbers.
 *
 * `cost` is summed from recon_lines (every accepted, non-duplicate line), the three parts from priced_lines by
 * status: a line that pricing lost would make them disagree, and the workbook's difference column shows it.
 * Sums are exact (decSum); each total is rounded half-up once. Does not throw on data.
 */
import type { Db } from '../../pipeline/db.js'
import { formatMoney } from '../../pipeline/money.js'
import { decSum } from '../../pipeline/dialect.js'

export interface ControlTotal {
  currency: string
  cost: string
  invoicedCost: string
  heldCost: string
  retainedCost: string
  sell: string
  /** The same sums unrounded: the workbook writes these so its Difference column shows only real gaps, not rounding. */
  exact: { cost: string; invoicedCost: string; heldCost: string; retainedCost: string; sell: string }
}

export async function controlTotals(db: Db): Promise<ControlTotal[]> {
  const accepted = await db.kysely
    .selectFrom('recon_lines')
    .where('is_duplicate', '=', 0)
    .groupBy('currency')
    .select((eb) => ['currency', decSum(eb.ref('subtotal')).as('cost')])
    .execute()
  const byStatus = await db.kysely
    .selectFrom('priced_lines')
    .groupBy(['currency', 'status'])
    .select((eb) => ['currency', 'status', decSum(eb.ref('cost')).as('cost'), decSum(eb.ref('sell')).as('sell')])
    .execute()

  const currencies = [...new Set([...accepted.map((r) => r.currency), ...byStatus.map((r) => r.currency)])].sort()
  return currencies.map((currency) => {
    const part = (status: string) => byStatus.find((r) => r.currency === currency && r.status === status)
    const exact = {
      cost: accepted.find((r) => r.currency === currency)?.cost ?? '0',
      invoicedCost: part('invoiced')?.cost ?? '0',
      heldCost: part('held')?.cost ?? '0',
      retainedCost: part('retained')?.cost ?? '0',
      sell: part('invoiced')?.sell ?? '0',
    }
    return {
      currency,
      cost: formatMoney(exact.cost, currency),
      invoicedCost: formatMoney(exact.invoicedCost, currency),
      heldCost: formatMoney(exact.heldCost, currency),
      retainedCost: formatMoney(exact.retainedCost, currency),
      sell: formatMoney(exact.sell, currency),
      exact,
    }
  })
}
