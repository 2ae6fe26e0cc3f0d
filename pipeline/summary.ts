/**
 * The invoicing half of the end-of-run summary: resellers invoiced and totals per currency, from run.json
 * (so the terminal shows exactly what CI reads). Exact: sums in decimal.js, shown with the currency's decimals.
 */
import type { RunJson } from '../schemas/run-json.js'
import { dec, formatMoney } from './money.js'

export function formatInvoiceSummary(runJson: RunJson): string {
  const byCurrency = new Map<string, { resellers: number; subtotal: ReturnType<typeof dec>; total: ReturnType<typeof dec> }>()
  for (const r of runJson.resellers) {
    const t = byCurrency.get(r.currency) ?? { resellers: 0, subtotal: dec(0), total: dec(0) }
    byCurrency.set(r.currency, { resellers: t.resellers + 1, subtotal: t.subtotal.plus(r.subtotal), total: t.total.plus(r.total) })
  }
  const lines = [`Invoices: ${runJson.resellers.length} reseller(s); rows read ${runJson.rows.read}, rejected ${runJson.rows.rejected}, duplicates ${runJson.rows.duplicates}, invoiced ${runJson.rows.invoiced}, held ${runJson.rows.held}, retained ${runJson.rows.retained}`]
  lines.push(`${'Currency'.padEnd(10)}${'Resellers'.padStart(10)}${'Subtotal'.padStart(18)}${'Total'.padStart(18)}`)
  for (const [currency, t] of [...byCurrency].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(`${currency.padEnd(10)}${String(t.resellers).padStart(10)}${formatMoney(t.subtotal, currency).padStart(18)}${formatMoney(t.total, currency).padStart(18)}`)
  }
  return lines.join('\n')
}
