// SPEC §5 PRORATION_MISMATCH: a prorated license line whose |EffectiveUnitPrice| ≠ round(UnitPrice × factor, 2) ± 0.01 (§3.3).
/**
 * In: non-duplicate license lines with priced_lines.proration_factor ≠ 1 (held or not). Out: one warning per
 * line whose effective unit price is not Microsoft's own daily proration of its unit price (half-up to 2
 * decimals, as the real export shows: 3.04 × 17/31 → 1.67). The sign is ignored (refund rows are negative).
 */
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decCmp, decMul, decRound, decSub } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { lineFields, type Check } from './common.js'

/** Microsoft rounds the prorated unit price to the cent; allow one cent either way. */
const TOLERANCE = '0.01'

export const prorationMismatch: Check = async ({ db }) => {
  const rows = await db.kysely
    .with('prorated', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .innerJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .where('p.category', '=', 'license')
        .where((eb) => eb(decCmp(sql.ref('p.proration_factor'), sql.lit('1')), '<>', 0))
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
          'r.unit_price', 'p.proration_factor', 'p.billing_days', 'p.cycle_days',
          decAbs(sql.ref('r.effective_unit_price')).as('actual'),
          decRound(decMul(sql.ref('r.unit_price'), sql.ref('p.proration_factor')), sql.lit(2)).as('expected'),
        ]),
    )
    .selectFrom('prorated')
    .selectAll()
    .where((eb) => eb(decCmp(decAbs(decSub(sql.ref('actual'), sql.ref('expected'))), sql.val(TOLERANCE)), '>', 0))
    .orderBy('line_id')
    .execute()

  return rows.map((r) =>
    finding('PRORATION_MISMATCH', {
      ...lineFields(r),
      expected: r.expected,
      actual: r.actual,
      message:
        `Prorated unit price ${r.actual} is not UnitPrice ${r.unit_price} × ${r.billing_days ?? '?'}/${r.cycle_days ?? '?'} days = ${r.expected}: ` +
        'the amounts stay as Microsoft billed them (this check holds nothing); check the charge dates of this seat change with Microsoft.',
    }),
  )
}
