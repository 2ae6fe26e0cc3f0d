/**
 * Settings file `csp-billing.config.json` (SPEC §2.5). Every field has a default, so no file = all defaults.
 * Unknown fields are rejected so that a typo (`periodStartdays`) is not silently ignored.
 */
import { z } from './zod.js'

const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal written as a string, e.g. "0.01"')
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')

export const premiumSchema = z.strictObject({
  termDuration: z.enum(['P1M', 'P1Y', 'P3Y']),
  billingPlan: z.enum(['Monthly', 'Annual', 'Triennial']),
  percent: z.union([decimalText, z.number().nonnegative()]).transform((v) => String(v)),
  from: isoDate,
})

export const settingsSchema = z.strictObject({
  distributorName: z.string().min(1).default('CSP Distributor'),
  invoicePrefix: z.string().regex(/^[A-Za-z0-9_-]{1,16}$/, 'must be 1–16 letters, digits, _ or -').default('INV'),
  periodStartDay: z.number().int().min(1).max(28).default(1),
  tolerances: z
    .strictObject({
      amount: decimalText.default('0.01'),
      usageTieOutPer100Rows: decimalText.default('0.01'),
      usageTieOutMin: decimalText.default('0.05'),
      premium: decimalText.default('0.005'),
    })
    .prefault({}),
  cancellationWindowDays: z.number().int().nonnegative().default(7),
  perpetualReturnWindowDays: z.number().int().nonnegative().default(30),
  premiums: z.array(premiumSchema).default([
    { termDuration: 'P1M', billingPlan: 'Monthly', percent: '20', from: '2022-03-01' },
    { termDuration: 'P1Y', billingPlan: 'Monthly', percent: '5', from: '2025-04-01' },
  ]),
  creditsPolicy: z.enum(['pass-through', 'retain']).default('pass-through'),
  strict: z.boolean().default(false),
})

export type Settings = z.output<typeof settingsSchema>
export type Premium = z.output<typeof premiumSchema>

export function defaultSettings(): Settings {
  return settingsSchema.parse({})
}
