// SPEC §5 PERPETUAL_RETURN_LATE and PERPETUAL_PARTIAL_RETURN: perpetual-software returns vs their purchase.
/**
 * In: non-duplicate perpetual lines (priced_lines.category 'perpetual', held or not). A return is a perpetual
 * line with negative cost (Subtotal). Its purchase is the positive perpetual line with the same SubscriptionId
 * in the run — the latest one on or before the return's event date (then the later line). Out:
 * - PERPETUAL_RETURN_LATE when the return's event date is more than perpetualReturnWindowDays after the
 *   purchase's event date, or, with no purchase in the run, after the return's own ChargeStartDate;
 * - PERPETUAL_PARTIAL_RETURN when |BillableQuantity| of the return ≠ the purchase's (only with a purchase in the run).
 */
import { sql } from '../../pipeline/kysely.js'
import { decAbs, decCmp, decSign, daysBetweenSql } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { lineFields, type Check, type CheckContext } from './common.js'

/** Every return with its matched purchase (null columns when none is in the run). */
async function returnsWithPurchase({ db }: CheckContext) {
  return db.kysely
    .with('perpetual', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .innerJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .where('p.category', '=', 'perpetual')
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
          'r.charge_start_date', 'r.billable_quantity', 'p.event_date', decSign(sql.ref('p.cost')).as('sign'),
        ]),
    )
    .with('matched', (qb) =>
      qb
        .selectFrom('perpetual as ret')
        .leftJoin('perpetual as buy', (join) =>
          join
            .onRef('buy.subscription_id', '=', 'ret.subscription_id')
            .on('buy.sign', '>', 0)
            .onRef('buy.event_date', '<=', 'ret.event_date'),
        )
        .where('ret.sign', '<', 0)
        .selectAll('ret')
        .select([
          'buy.source_row as purchase_row',
          'buy.source_file as purchase_file',
          'buy.event_date as purchase_date',
          'buy.billable_quantity as purchase_quantity',
          sql<number>`row_number() over (partition by ret.line_id order by buy.event_date desc, buy.line_id desc)`.as('rank'),
        ]),
    )
    .selectFrom('matched')
    .selectAll()
    .select([
      sql<string>`coalesce(purchase_date, charge_start_date)`.as('bought_on'),
      daysBetweenSql(sql`coalesce(purchase_date, charge_start_date)`, sql.ref('event_date')).as('days_after_purchase'),
      decAbs(sql.ref('billable_quantity')).as('returned_quantity'),
      sql<number | null>`${decCmp(decAbs(sql.ref('billable_quantity')), decAbs(sql.ref('purchase_quantity')))} <> 0`.as('quantity_differs'),
    ])
    .where('rank', '=', 1)
    .orderBy('line_id')
    .execute()
}

export const perpetualReturnLate: Check = async (ctx) => {
  const window = ctx.settings.perpetualReturnWindowDays
  const rows = (await returnsWithPurchase(ctx)).filter((r) => r.days_after_purchase > window)
  return rows.map((r) =>
    finding('PERPETUAL_RETURN_LATE', {
      ...lineFields(r),
      expected: String(window),
      actual: String(r.days_after_purchase),
      message:
        `Perpetual software returned on ${r.event_date}, ${r.days_after_purchase} days after its purchase on ${r.bought_on}` +
        (r.purchase_row === null ? ' (ChargeStartDate; no purchase in this run)' : ` (${r.purchase_file}:${r.purchase_row})`) +
        `, beyond the ${window}-day return window: the amounts stay as Microsoft billed them (this check holds nothing); confirm with Microsoft that the credit is final.`,
    }),
  )
}

export const perpetualPartialReturn: Check = async (ctx) => {
  const rows = (await returnsWithPurchase(ctx)).filter((r) => r.quantity_differs === 1)
  return rows.map((r) =>
    finding('PERPETUAL_PARTIAL_RETURN', {
      ...lineFields(r),
      expected: r.purchase_quantity,
      actual: r.returned_quantity,
      message:
        `Perpetual software return of ${r.returned_quantity} units against a purchase of ${r.purchase_quantity} (${r.purchase_file ?? ''}:${r.purchase_row ?? ''}): ` +
        'Microsoft refunds perpetual purchases whole; check the return with Microsoft before crediting the reseller.',
    }),
  )
}
