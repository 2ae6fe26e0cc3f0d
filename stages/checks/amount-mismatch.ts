// SPEC §5 AMOUNT_MISMATCH: Subtotal vs Microsoft's own formula (§3.4) beyond tolerances.amount, or Total ≠ Subtotal + TaxTotal.
/**
 * In: non-duplicate recon_lines (held or not), priced_lines.category. Out: one warning per line that breaks
 * either test. The Subtotal test is skipped when BillableQuantity is 0 (credits: nothing to derive it from).
 * Azure plan lines use the usage formula, every other line the seat formula (§3.4). Exact decimals; no throw.
 * Note: "Azure plan line" here includes Azure plan credits (SubscriptionDescription "Azure plan", ChargeType
 * customerCredit), although §3.1 files them under `credit`: Microsoft computes them with the usage formula
 * (real export row 1057: ROUNDDOWN(ROUNDDOWN(−3 × 744, 2) × 1.25655, 2) = −2804.61; the seat formula gives −2797.44).
 */
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decAdd, decCmp, decMul, decSign, decSub, decTrunc } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { moneyText } from '../../pipeline/money.js'
import { lineFields, type Check } from './common.js'

const eup = sql.ref('r.effective_unit_price')
const qty = sql.ref('r.billable_quantity')
const rate = sql.ref('r.pc_to_bc_exchange_rate')
const subtotal = sql.ref('r.subtotal')
const cents = sql.lit(2)

/** Microsoft's formulas (§3.4); ROUNDDOWN = truncate toward zero. */
const seatSubtotal = decMul(decTrunc(decMul(eup, rate), cents), qty)
const usageSubtotal = decTrunc(decMul(decTrunc(decMul(eup, qty), cents), rate), cents)

/** Usage formula applies to the Azure plan's meters and to its credits (see the note above). */
const usesUsageFormula = sql<boolean>`(p.category = 'azure-plan' or lower(trim(r.subscription_description)) = 'azure plan')`


export const amountMismatch: Check = async ({ db, settings }) => {
  const tolerance = sql.val(settings.tolerances.amount)
  const rows = await db.kysely
    .with('amounts', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .leftJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
          'r.subtotal', 'r.total', 'r.currency',
          sql<string>`case when ${decSign(qty)} = 0 then null
                           when ${usesUsageFormula} then ${usageSubtotal} else ${seatSubtotal} end`.as('expected_subtotal'),
          decAdd(subtotal, sql`coalesce(r.tax_total, '0')`).as('expected_total'),
        ]),
    )
    .selectFrom('amounts as a')
    .selectAll()
    .select([
      sql<number>`coalesce(${decCmp(decAbs(decSub(sql.ref('a.subtotal'), sql.ref('a.expected_subtotal'))), tolerance)} > 0, 0)`.as('subtotal_off'),
      sql<number>`${decCmp(sql.ref('a.total'), sql.ref('a.expected_total'))} <> 0`.as('total_off'),
    ])
    // Identical text is an equal amount: most lines skip the exact comparisons (UDF calls, ~0.3 s per 50,000 lines).
    .where((eb) =>
      eb.or([
        eb.and([
          eb('a.subtotal', '<>', eb.ref('a.expected_subtotal')),
          eb(decCmp(decAbs(decSub(sql.ref('a.subtotal'), sql.ref('a.expected_subtotal'))), tolerance), '>', 0),
        ]),
        eb.and([
          eb('a.total', '<>', eb.ref('a.expected_total')),
          eb(decCmp(sql.ref('a.total'), sql.ref('a.expected_total')), '<>', 0),
        ]),
      ]),
    )
    .orderBy('a.line_id')
    .execute()

  return rows.map((r) => {
    const subtotalOff = r.subtotal_off === 1
    const totalOff = r.total_off === 1
    const both = subtotalOff && totalOff
    // In the currency's decimals (105 → 105.00), never rounded: finance compares them with Microsoft's invoice.
    const m = (value: string) => moneyText(value, r.currency)
    return finding('AMOUNT_MISMATCH', {
      ...lineFields(r),
      expected: m(subtotalOff ? r.expected_subtotal : r.expected_total),
      actual: m(subtotalOff ? r.subtotal : r.total),
      message: subtotalOff
        ? `Microsoft's Subtotal ${m(r.subtotal)} ${r.currency} is not what its own formula gives (${m(r.expected_subtotal)})` +
          (both ? ` and Total ${m(r.total)} ≠ Subtotal + TaxTotal (${m(r.expected_total)})` : '') +
          ': the amounts stay as Microsoft billed them (this check holds nothing); raise it with Microsoft if the difference matters.'
        : `Microsoft's Total ${m(r.total)} ${r.currency} ≠ Subtotal + TaxTotal (${m(r.expected_total)}): the amounts stay as Microsoft billed them (this check holds nothing); check the tax on Microsoft's invoice.`,
    })
  })
}
