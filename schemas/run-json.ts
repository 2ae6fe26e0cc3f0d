/**
 * run.json (SPEC §6): the machine-readable summary CI and auditors read. The writer validates its object with
 * this schema before writing, so a run never publishes a run.json that breaks the contract.
 *
 * Money fields are strings with exactly the currency's minor-unit decimals (checked per entry against its
 * `currency`); counts are non-negative integers; the row-accounting identities of SPEC §6 are checked too.
 */
import { z } from './zod.js'
import { minorUnits } from '../pipeline/money.js'

const count = z.number().int().nonnegative()
const money = z.string().regex(/^-?\d+(\.\d+)?$/, 'must be a decimal amount written as a string, e.g. "12.30"')
const currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code')

/** Every money field of `entry` has exactly minorUnits(entry.currency) decimals. */
function moneyDecimals<T extends { currency: string }>(fields: (keyof T & string)[]) {
  return (entry: T, ctx: z.RefinementCtx) => {
    const places = minorUnits(entry.currency)
    for (const field of fields) {
      const value = String(entry[field])
      const decimals = value.includes('.') ? value.length - value.indexOf('.') - 1 : 0
      if (decimals !== places) {
        ctx.addIssue({ code: 'custom', path: [field], message: `${field} '${value}' must have ${places} decimals for ${entry.currency}` })
      }
    }
  }
}

export const runJsonInputSchema = z.strictObject({
  file: z.string().min(1),
  kind: z.enum(['reconciliation', 'usage', 'pricelist', 'pricebooks', 'resellers', 'customers', 'ignored', 'unreadable']),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  rows: count,
  accepted: count,
  rejected: count,
  unknownColumns: z.array(z.string()),
}).refine((i) => i.rows === i.accepted + i.rejected, { message: 'rows must equal accepted + rejected' })

const resellerFields = ['subtotal', 'support', 'tax', 'total', 'cost', 'margin'] as const
export const runJsonResellerSchema = z.strictObject({
  resellerId: z.string().min(1),
  name: z.string(),
  currency,
  lines: count,
  subtotal: money,
  support: money,
  tax: money,
  total: money,
  cost: money,
  margin: money,
  file: z.string().regex(/^invoices\/[A-Za-z0-9_-]+\.xlsx$/),
}).superRefine(moneyDecimals([...resellerFields]))

const controlFields = ['cost', 'invoicedCost', 'heldCost', 'retainedCost', 'sell'] as const
export const runJsonControlTotalSchema = z.strictObject({
  currency,
  cost: money,
  invoicedCost: money,
  heldCost: money,
  retainedCost: money,
  sell: money,
}).superRefine(moneyDecimals([...controlFields]))

export const runJsonSchema = z.strictObject({
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  inputs: z.array(runJsonInputSchema),
  rows: z.strictObject({
    read: count,
    accepted: count,
    rejected: count,
    duplicates: count,
    invoiced: count,
    held: count,
    retained: count,
  }),
  resellers: z.array(runJsonResellerSchema),
  controlTotals: z.array(runJsonControlTotalSchema),
  exceptions: z.record(z.string().regex(/^[A-Z_]+$/), count),
  exitCode: z.union([z.literal(0), z.literal(1), z.literal(2)]),
}).refine((r) => r.rows.read === r.rows.accepted + r.rows.rejected, { message: 'rows.read must equal rows.accepted + rows.rejected', path: ['rows'] })

export type RunJson = z.infer<typeof runJsonSchema>
export type RunJsonInput = z.infer<typeof runJsonInputSchema>
export type RunJsonReseller = z.infer<typeof runJsonResellerSchema>
export type RunJsonControlTotal = z.infer<typeof runJsonControlTotalSchema>
