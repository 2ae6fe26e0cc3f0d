// SPEC §5 AMOUNT_MISMATCH / §3.4 Microsoft's formulas: worked examples from FORMATS §1.7–1.8.
import { describe, expect, it } from 'vitest'
import { reconcile } from '../../stages/reconcile.js'
import { azurePlanLine, brief, makeCtx, RECON_FILE, seed, type Expected, type Seed } from './fixtures.js'

interface Case { name: string; given: Seed; expect: Expected[] }

const hit = (row: number, expected: string, actual: string): Expected =>
  ({ rule: 'AMOUNT_MISMATCH', file: RECON_FILE, row, expected, actual })

const cases: Case[] = [
  // Positive: one finding per broken line.
  { name: 'seat Subtotal off by 0.02', given: { lines: [{ recon: { subtotal: '50.02', total: '50.02' } }] }, expect: [hit(2, '50.00', '50.02')] },
  {
    name: 'seat formula truncates EUP × rate before × quantity (real RI: 194.51 × 1.2115 → 235.64 × 3 = 706.92)',
    given: { lines: [{ recon: { effective_unit_price: '194.51', unit_price: '194.51', pc_to_bc_exchange_rate: '1.2115', billable_quantity: '3', subtotal: '706.95', total: '706.95' } }] },
    expect: [hit(2, '706.92', '706.95')],
  },
  { name: 'usage Subtotal off by 0.02', given: { lines: [azurePlanLine({ subtotal: '3.18', total: '3.18' })] }, expect: [hit(2, '3.16', '3.18')] },
  { name: 'Total ≠ Subtotal + TaxTotal by 0.01', given: { lines: [{ recon: { tax_total: '0.41', total: '50.40' } }] }, expect: [hit(2, '50.41', '50.40')] },
  {
    name: 'both broken → one finding, the Subtotal one',
    given: { lines: [{ recon: { subtotal: '60', total: '61' } }] },
    expect: [hit(2, '50.00', '60.00')],
  },
  {
    name: 'held and unpriced lines are checked too (usage formula from SubscriptionDescription)',
    given: { lines: [azurePlanLine({ subtotal: '3.20', total: '3.20' }, { status: 'held', hold_rule: 'UNKNOWN_RESELLER', sell: null }), { ...azurePlanLine({ subtotal: '3.30', total: '3.30' }), priced: null }] },
    expect: [hit(2, '3.16', '3.20'), hit(3, '3.16', '3.30')],
  },
  // Negative: silent on Microsoft's own arithmetic and within tolerance.
  { name: 'clean seat line', given: { lines: [{}] }, expect: [] },
  { name: 'clean usage line (3.16 by the usage formula; the seat formula would give 3.17 × 2.00016)', given: { lines: [azurePlanLine()] }, expect: [] },
  { name: 'exactly 0.01 off is within tolerance', given: { lines: [{ recon: { subtotal: '50.01', total: '50.01' } }] }, expect: [] },
  {
    name: 'refund row: −1.67 × 15 = −25.05 (truncation toward zero)',
    given: { lines: [{ recon: { charge_type: 'addQuantity', effective_unit_price: '-1.67', unit_price: '3.04', billable_quantity: '15', subtotal: '-25.05', total: '-25.05' } }] },
    expect: [],
  },
  {
    name: 'customerCredit with BillableQuantity 0: Subtotal taken as given; Total still checked and fine',
    given: { lines: [{ recon: { charge_type: 'customerCredit', billable_quantity: '0', effective_unit_price: '0', subtotal: '-12.34', total: '-12.34', tax_total: null } }] },
    expect: [],
  },
  {
    name: 'Azure plan credit with a quantity follows the usage formula (real row: −3 × 744 at 1.25655 → −2804.61)',
    given: { lines: [azurePlanLine({ charge_type: 'customerCredit', unit_price: '3', effective_unit_price: '-3', billable_quantity: '744', pc_to_bc_exchange_rate: '1.25655', subtotal: '-2804.61', tax_total: '-364.6', total: '-3169.21' }, { category: 'credit' })] },
    expect: [],
  },
  // §3.4 usage formula, the INNER ROUNDDOWN: EUP 0.0376 × qty 31.5 = 1.1844 → ROUNDDOWN 1.18; 1.18 × rate 9.5 = 11.21
  // → 11.21. Without the inner truncation: 1.1844 × 9.5 = 11.2518 → 11.25 (0.04 off, beyond the 0.01 tolerance).
  {
    name: 'usage formula truncates EUP × quantity before × rate: 0.0376 × 31.5 → 1.18 × 9.5 = 11.21 is Microsoft\'s; 11.25 (no inner truncation) is off',
    given: {
      lines: [
        azurePlanLine({ effective_unit_price: '0.0376', unit_price: '0.0376', billable_quantity: '31.5', pc_to_bc_exchange_rate: '9.5', subtotal: '11.21', total: '11.21' }),
        azurePlanLine({ effective_unit_price: '0.0376', unit_price: '0.0376', billable_quantity: '31.5', pc_to_bc_exchange_rate: '9.5', subtotal: '11.25', total: '11.25' }),
      ],
    },
    expect: [hit(3, '11.21', '11.25')],
  },
  // The same on a credit (truncation toward zero): −0.0376 × 31.5 = −1.1844 → −1.18; × 9.5 = −11.21 → −11.21.
  // Without the inner truncation: −11.2518 → −11.25.
  {
    name: 'usage formula inner truncation on a negative line: −11.21 is Microsoft\'s; −11.25 is off',
    given: {
      lines: [
        azurePlanLine({ effective_unit_price: '-0.0376', unit_price: '0.0376', billable_quantity: '31.5', pc_to_bc_exchange_rate: '9.5', subtotal: '-11.21', total: '-11.21' }),
        azurePlanLine({ effective_unit_price: '-0.0376', unit_price: '0.0376', billable_quantity: '31.5', pc_to_bc_exchange_rate: '9.5', subtotal: '-11.25', total: '-11.25' }),
      ],
    },
    expect: [hit(3, '-11.21', '-11.25')],
  },
  { name: 'duplicates are not checked', given: { lines: [{ recon: { subtotal: '99', total: '99', is_duplicate: 1, duplicate_of: 1 }, priced: null }] }, expect: [] },
]

describe('AMOUNT_MISMATCH', () => {
  it('compares amounts, not their text: 50.00 and 50.0 with no tax are the 50 of the formula', async () => {
    const ctx = makeCtx()
    await seed(ctx, { lines: [{}] })
    // Ingest stores canonical text, so only a hand-edited staging DB can hold these; the check must still agree.
    ctx.db.sqlite.prepare(`update recon_lines set subtotal = '50.00', tax_total = null, total = '50.0'`).run()
    const { findings } = await reconcile(undefined, ctx)
    expect(findings.filter((f) => f.rule === 'AMOUNT_MISMATCH')).toEqual([])
    await ctx.db.close()
  })

  it.each(cases)('$name', async ({ given, expect: want }) => {
    const ctx = makeCtx()
    await seed(ctx, given)
    const { findings } = await reconcile(undefined, ctx)
    expect(findings.filter((f) => f.rule === 'AMOUNT_MISMATCH').map(brief)).toEqual(want)
    await ctx.db.close()
  })
})
