/**
 * Settings file `csp-billing.config.json` (SPEC §2.5). Every field has a default, so no file = all defaults.
 * Unknown fields are rejected so that a typo (`periodStartdays`) is not silently ignored.
 */
import { Decimal } from 'decimal.js'
import { z } from './zod.js'

const decimalText = z.string().regex(/^\d+(\.\d+)?$/, 'must be a non-negative decimal written as a string, e.g. "0.01"')
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  // 2022-02-30 matches the pattern; a premium dated so would never be in force, and lines would be held for it.
  .refine((v) => {
    const day = new Date(`${v}T00:00:00Z`)
    return !Number.isNaN(day.getTime()) && day.toISOString().startsWith(v)
  }, 'is not a date in the calendar')

/**
 * A premium percent: decimal text, or a JSON number turned into plain decimal text (1e-7 → "0.0000001", not
 * "1e-7", which would reach the PRICE_DERIVED message). At most 100: Microsoft's premiums are 5 and 20 %, and a
 * typo of 1e21 billed a 21-digit subtotal.
 */
const premiumPercent = z
  .union([decimalText, z.number().nonnegative().finite()])
  .transform((v) => new Decimal(v).toFixed())
  .refine((v) => new Decimal(v).lte(100), 'must be at most 100 (percent)')

export const premiumSchema = z.strictObject({
  termDuration: z.enum(['P1M', 'P1Y', 'P3Y']),
  billingPlan: z.enum(['Monthly', 'Annual', 'Triennial']),
  percent: premiumPercent,
  from: isoDate,
})

/**
 * The terms and plans a premium can price (SPEC §3.2's table, less P1Y/Annual, the base every premium applies to):
 * a premium for another pair was accepted and never used, while finance believed it priced those lines.
 */
const PREMIUM_PAIRS = ['P1M/Monthly', 'P1Y/Monthly', 'P3Y/Monthly', 'P3Y/Annual', 'P3Y/Triennial']

/** Two premiums for the same term and plan from the same day: which one applies would be a guess (pricing and the
 * PREMIUM_MISMATCH check once guessed differently). */
const distinctPremiums = z.array(premiumSchema).superRefine((premiums, ctx) => {
  const seen = new Map<string, number>()
  premiums.forEach((p, i) => {
    const pair = `${p.termDuration}/${p.billingPlan}`
    if (!PREMIUM_PAIRS.includes(pair)) {
      ctx.addIssue({ code: 'custom', path: [i], message: `${pair} is not a term and plan a premium can price (one of ${PREMIUM_PAIRS.join(', ')}; P1Y/Annual is the price premiums start from)` })
    }
    const key = `${p.termDuration}/${p.billingPlan}/${p.from}`
    const first = seen.get(key)
    if (first === undefined) seen.set(key, i)
    else ctx.addIssue({ code: 'custom', path: [i], message: `repeats premiums[${first}] (${p.termDuration} ${p.billingPlan} from ${p.from}): keep one` })
  })
})

export const settingsSchema = z.strictObject({
  // Trimmed: a name of spaces only headed every invoice with nothing (reference review).
  distributorName: z.string().trim().min(1, 'must name the distributor (it heads every invoice)').default('CSP Distributor'),
  // Printed under the name on every invoice when set: an invoice an accountant can book names its issuer's
  // address and tax registration (SPEC §6 says only "distributor"). Lines of the address are separated by "\n".
  distributorAddress: z.string().max(1000).default(''),
  distributorTaxId: z.string().max(64).default(''),
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
  premiums: distinctPremiums.default([
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
