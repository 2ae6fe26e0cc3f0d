/**
 * Invoice totals per reseller (SPEC §4.5).
 *
 * In: the staging DB (priced_lines with status `invoiced`, resellers). Out: one ResellerTotals per reseller with at
 * least one invoiced line, sorted by resellerId. A reseller whose lines are all held gets nothing (SPEC §4.1).
 *
 * subtotal = Σ rounded line amounts (priced_lines.sell is already rounded half-up to the minor unit);
 * support = round(subtotal × SupportPlanPercent/100); tax = round((subtotal + support) × TaxRatePercent/100);
 * total = subtotal + support + tax; cost = Σ Microsoft Subtotal, exact, rounded half-up once; margin = subtotal − cost.
 * Sums run exactly in SQL (decSum); the few roundings run in decimal.js. Every amount is returned as text with
 * exactly the currency's minor-unit decimals. Does not throw on data.
 */
import type { Db } from '../pipeline/db.js'
import { dec, formatMoney, roundMoney } from '../pipeline/money.js'
import { decSum } from '../pipeline/dialect.js'

export interface ResellerTotals {
  resellerId: string
  name: string
  currency: string
  email: string | null
  address: string | null
  supportPlanPercent: string
  taxRatePercent: string
  paymentTermsDays: number
  /** Number of invoiced lines. */
  lines: number
  subtotal: string
  support: string
  tax: string
  total: string
  cost: string
  margin: string
}

export async function resellerTotals(db: Db): Promise<ResellerTotals[]> {
  const rows = await db.kysely
    .selectFrom('priced_lines as p')
    .innerJoin('resellers as r', 'r.reseller_id', 'p.reseller_id')
    .where('p.status', '=', 'invoiced')
    .groupBy(['r.reseller_id', 'r.name', 'r.currency', 'r.email', 'r.address', 'r.support_plan_percent', 'r.tax_rate_percent', 'r.payment_terms_days'])
    .select((eb) => [
      'r.reseller_id as resellerId',
      'r.name as name',
      'r.currency as currency',
      'r.email as email',
      'r.address as address',
      'r.support_plan_percent as supportPlanPercent',
      'r.tax_rate_percent as taxRatePercent',
      'r.payment_terms_days as paymentTermsDays',
      eb.fn.countAll<number>().as('lines'),
      decSum(eb.ref('p.sell')).as('sellSum'),
      decSum(eb.ref('p.cost')).as('costSum'),
    ])
    .orderBy('r.reseller_id')
    .execute()
  return rows.map((r) => ({
    resellerId: r.resellerId,
    name: r.name,
    currency: r.currency,
    email: r.email,
    address: r.address,
    supportPlanPercent: r.supportPlanPercent,
    taxRatePercent: r.taxRatePercent,
    paymentTermsDays: r.paymentTermsDays,
    lines: Number(r.lines),
    ...invoiceAmounts(r.sellSum, r.costSum, r.supportPlanPercent, r.taxRatePercent, r.currency),
  }))
}

/** SPEC §4.5 arithmetic on exact sums; separated so it can be tested with worked examples. */
export function invoiceAmounts(
  sellSum: string,
  costSum: string,
  supportPlanPercent: string,
  taxRatePercent: string,
  currency: string,
): Pick<ResellerTotals, 'subtotal' | 'support' | 'tax' | 'total' | 'cost' | 'margin'> {
  // Lines are rounded already; rounding the sum again only guards against a line stored with extra decimals.
  const subtotal = roundMoney(sellSum, currency)
  const support = roundMoney(subtotal.times(dec(supportPlanPercent)).div(100), currency)
  const tax = roundMoney(subtotal.plus(support).times(dec(taxRatePercent)).div(100), currency)
  const total = subtotal.plus(support).plus(tax)
  const cost = roundMoney(costSum, currency)
  return {
    subtotal: formatMoney(subtotal, currency),
    support: formatMoney(support, currency),
    tax: formatMoney(tax, currency),
    total: formatMoney(total, currency),
    cost: formatMoney(cost, currency),
    margin: formatMoney(subtotal.minus(cost), currency),
  }
}
