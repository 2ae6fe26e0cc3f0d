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
  const rows = [...byCurrency].sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, t]) => [currency, String(t.resellers), formatMoney(t.subtotal, currency), formatMoney(t.total, currency)])
  // Columns as wide as their widest value, two spaces apart: fixed widths ran an 18-digit subtotal into the total.
  const table = [['Currency', 'Resellers', 'Subtotal', 'Total'], ...rows]
  const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)))
  for (const r of table) lines.push(r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]! + 2))).join('').trimEnd())
  return lines.join('\n')
}
