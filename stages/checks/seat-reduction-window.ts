// SPEC §5 SEAT_REDUCTION_OUTSIDE_WINDOW: a removeQuantity/cancelImmediate line on a P1Y/P3Y term more than cancellationWindowDays after the term start.
/**
 * In: non-duplicate lines (held or not) with priced_lines.term_duration/term_start/event_date. Out: one
 * warning per line — both the refund and the charge row of a pair carry the charge type, so each is reported.
 * Microsoft allows seat reductions and cancellations only in the first days of a term (FORMATS §5), so a
 * late one means Microsoft's policy changed or an exception was granted: a person should confirm it.
 */
import { sql } from '../../pipeline/kysely.js'
import { daysBetweenSql } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { lineFields, type Check } from './common.js'

export const seatReductionOutsideWindow: Check = async ({ db, settings }) => {
  const window = settings.cancellationWindowDays
  const rows = await db.kysely
    .with('reductions', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .innerJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .where('r.charge_type_norm', 'in', ['removequantity', 'cancelimmediate'])
        .where('p.term_duration', 'in', ['P1Y', 'P3Y'])
        .where('p.term_start', 'is not', null)
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
          'r.charge_type', 'p.term_duration', 'p.term_start', 'p.event_date',
          daysBetweenSql(sql.ref('p.term_start'), sql.ref('p.event_date')).as('days_into_term'),
        ]),
    )
    .selectFrom('reductions')
    .selectAll()
    .where('days_into_term', '>', window)
    .orderBy('line_id')
    .execute()

  return rows.map((r) =>
    finding('SEAT_REDUCTION_OUTSIDE_WINDOW', {
      ...lineFields(r),
      expected: String(window),
      actual: String(r.days_into_term),
      message:
        `${r.charge_type} on ${r.event_date} is ${r.days_into_term} days into the ${r.term_duration} term that started ${r.term_start ?? ''}, ` +
        `outside the ${window}-day cancellation window: the amounts stay as Microsoft billed them (this check holds nothing); confirm with Microsoft that the refund is final.`,
    }),
  )
}
