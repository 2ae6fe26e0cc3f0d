// The reconcile stage as a whole (SPEC §5): every owned rule counted, clean data silent, stable order; and the console summary.
import { describe, expect, it } from 'vitest'
import { CHECKS, formatSummary, reconcile } from '../../stages/reconcile.js'
import { RULES } from '../../pipeline/diagnostics.js'
import { azurePlanLine, makeCtx, seed } from './fixtures.js'

describe('reconcile', () => {
  it('owns the 12 SPEC §5 rules no other stage produces', () => {
    expect(CHECKS.map((c) => c.rule).sort()).toEqual([
      'AMOUNT_MISMATCH', 'MCA_NOT_CONFIRMED', 'NEGATIVE_MARGIN', 'OUT_OF_PERIOD', 'OVERLAPPING_SUBSCRIPTIONS',
      'PERPETUAL_PARTIAL_RETURN', 'PERPETUAL_RETURN_LATE', 'PREMIUM_MISMATCH', 'PRICE_MISMATCH', 'PRORATION_MISMATCH',
      'SEAT_REDUCTION_OUTSIDE_WINDOW', 'USAGE_TIE_OUT',
    ])
  })

  it('is silent on a clean month and still reports every rule at 0', async () => {
    const ctx = makeCtx()
    await seed(ctx, {
      lines: [{}, azurePlanLine()],
      priceList: [{ unit_price: '120' }, { billing_plan: 'Annual', unit_price: '114.29', erp_price: '142.86' }],
      usage: [{ billing_pre_tax_total: '3.16', billing_currency: 'CAD' }], // the Azure plan line's currency
      customers: [{}],
    })
    const { findings, output } = await reconcile(undefined, ctx)
    expect(findings).toEqual([])
    expect(Object.values(output.byRule)).toEqual(CHECKS.map(() => 0))
    await ctx.db.close()
  })

  it('returns findings in the stable order (file, row, rule), each with its SPEC severity and a message', async () => {
    const ctx = makeCtx()
    await seed(ctx, {
      lines: [{ recon: { subtotal: '60', total: '60' }, priced: { sell: '59' } }, { recon: { charge_type: 'new', subscription_id: 'sub-2' } }, azurePlanLine()],
      usage: [{ usage_date: '2026-09-01' }],
      customers: [{ mca_accepted_on: null }],
    })
    const { findings, output } = await reconcile(undefined, ctx)
    expect(findings.map((f) => [f.file, f.row, f.rule])).toEqual([
      ['', 0, 'USAGE_TIE_OUT'],
      ['2026-10/recon.csv', 2, 'AMOUNT_MISMATCH'],
      ['2026-10/recon.csv', 2, 'NEGATIVE_MARGIN'],
      ['2026-10/recon.csv', 3, 'MCA_NOT_CONFIRMED'],
      ['2026-10/recon.csv', 3, 'OVERLAPPING_SUBSCRIPTIONS'],
      ['2026-10/recon.csv', 4, 'MCA_NOT_CONFIRMED'],
      ['2026-10/usage.csv', 2, 'OUT_OF_PERIOD'],
    ])
    for (const f of findings) {
      expect(f.severity).toBe(RULES[f.rule])
      expect(f.message).toMatch(/^[^\n]+[.]$/)
      expect(f.message.length).toBeGreaterThan(40)
    }
    expect(output.byRule).toMatchObject({ AMOUNT_MISMATCH: 1, NEGATIVE_MARGIN: 1, USAGE_TIE_OUT: 1, OUT_OF_PERIOD: 1, PRICE_MISMATCH: 0 })
    await ctx.db.close()
  })
})

describe('formatSummary', () => {
  it('tabulates findings per rule and severity (SPEC §5 order), held cost per currency and where to look', () => {
    const text = formatSummary(
      [
        { rule: 'USAGE_TIE_OUT', severity: 'warning', n: 1 },
        { rule: 'PRICE_NOT_FOUND', severity: 'error', n: 2 },
        { rule: 'PRICE_DERIVED', severity: 'info', n: 1 },
        { rule: 'AMOUNT_MISMATCH', severity: 'warning', n: 1 },
      ],
      { USD: '1234.565', CAD: '-3.1', JPY: '1200.4' },
      'output/2026-10/reconciliation.xlsx',
    )
    expect(text).toBe(
      [
        'Findings           error  warning     info',
        'PRICE_NOT_FOUND        2        0        0',
        'AMOUNT_MISMATCH        0        1        0',
        'PRICE_DERIVED          0        0        1',
        'USAGE_TIE_OUT          0        1        0',
        'Total                  2        2        1',
        "Held (not invoiced), Microsoft's cost: -3.10 CAD, 1200 JPY, 1234.57 USD",
        'Where to look: output/2026-10/reconciliation.xlsx',
        '',
      ].join('\n'),
    )
  })

  it('says so when there is nothing to report', () => {
    expect(formatSummary([], {}, 'output/2026-10/reconciliation.xlsx')).toBe(
      'Findings: none\nHeld (not invoiced): none\nWhere to look: output/2026-10/reconciliation.xlsx\n',
    )
  })
})
