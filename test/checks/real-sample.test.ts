/**
 * Microsoft's own formulas (SPEC §3.4, FORMATS §1.7) hold on the real export
 * ../shared/samples/partner-center/OneTimeInvoiceLineItems.csv (2,000 rows; read in place, never copied), loaded
 * through the real discover → ingest → price stages. Skipped with a visible message when ../shared is absent.
 */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { SAMPLES_DIR } from '../shared-samples.js'
import { describe, expect, it } from 'vitest'
import { examineFile } from '../../stages/discover.js'
import { ingest } from '../../stages/ingest.js'
import { price } from '../../stages/price.js'
import { reconcile } from '../../stages/reconcile.js'
import { makeCtx } from './fixtures.js'

const SAMPLE = join(SAMPLES_DIR, 'OneTimeInvoiceLineItems.csv')
const present = existsSync(SAMPLE)
if (!present) console.warn(`[checks real sample] SKIPPED: ${SAMPLE} is absent, AMOUNT_MISMATCH not checked on real data`)

describe.skipIf(!present)('AMOUNT_MISMATCH on the real export', () => {
  it('fires on at most 3 of its 2,000 rows', async () => {
    const ctx = makeCtx()
    try {
      const discovered = await examineFile(SAMPLE, '2021-06/OneTimeInvoiceLineItems.csv')
      const ingested = await ingest([discovered], ctx)
      expect(ingested.output.files[0]).toMatchObject({ rows: 2000, accepted: 2000 })
      await price(undefined, ctx)
      const { findings } = await reconcile(undefined, ctx)
      const amount = findings.filter((f) => f.rule === 'AMOUNT_MISMATCH')
      expect(amount.length).toBeLessThanOrEqual(3)
      // What fires, and why (FORMATS §1.7 lists the export's known exceptions):
      // - row 1409, an Azure reservation `new` (1 Year Reservation, BillingFrequency Monthly), UnitPrice 2.53 USD,
      //   EffectiveUnitPrice 3.06, BillableQuantity 1, rate 1.2115, Subtotal 3.06. The seat formula on EUP gives
      //   ROUNDDOWN(3.06 × 1.2115, 2) × 1 = 3.70; Microsoft's Subtotal is ROUNDDOWN(2.53 × 1.2115, 2) = 3.06, i.e. this
      //   row's EUP is already in billing currency. A real anomaly in Microsoft's data: the warning is right.
      // Silent by design:
      // - rows 990 and 1873, customerCredit with BillableQuantity 0 (Subtotal −269.06, −1327.49): Subtotal test skipped;
      //   their Total = Subtotal + TaxTotal holds;
      // - row 1057, an Azure plan customerCredit with BillableQuantity 744: follows the usage formula (−2804.61), so
      //   the check applies the usage formula to Azure plan credits too (see stages/checks/amount-mismatch.ts);
      // - the usage row that is 0.01 off (12.75 × 39.3333333333) lies beyond the first 2,000 rows of the export; a
      //   0.01 difference is within tolerances.amount anyway (fixture in amount-mismatch.test.ts).
      expect(amount.map((f) => ({ row: f.row, expected: f.expected, actual: f.actual }))).toEqual([
        { row: 1409, expected: '3.70', actual: '3.06' },
      ])
    } finally {
      await ctx.db.close()
    }
  })
})
