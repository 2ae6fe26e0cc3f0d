// SPEC §5 MCA_NOT_CONFIRMED: a new/addQuantity/convert line for a listed customer whose McaAcceptedOn is empty or later than the order.
/**
 * In: non-duplicate lines (held or not) joined to `customers` (customers not listed there are not checked).
 * The order date is OrderDate, or the event date when the line has none. Out: one warning per line.
 * Purchases need the customer's acceptance of the Microsoft Customer Agreement first.
 */
import { sql } from '../../pipeline/kysely.js'
import { finding } from '../../pipeline/diagnostics.js'
import { lineFields, type Check } from './common.js'

export const mcaNotConfirmed: Check = async ({ db }) => {
  const rows = await db.kysely
    .with('purchases', (qb) =>
      qb
        .selectFrom('recon_lines as r')
        .innerJoin('customers as c', 'c.customer_id', 'r.customer_id')
        .leftJoin('priced_lines as p', 'p.line_id', 'r.line_id')
        .where('r.is_duplicate', '=', 0)
        .where('r.charge_type_norm', 'in', ['new', 'addquantity', 'convert'])
        .select([
          'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
          'r.charge_type', 'c.source_file as customers_file',
          sql<string | null>`nullif(trim(c.mca_accepted_on), '')`.as('accepted_on'),
          sql<string>`coalesce(r.order_date, p.event_date, r.charge_start_date)`.as('ordered_on'),
        ]),
    )
    .selectFrom('purchases')
    .selectAll()
    .where((eb) => eb.or([eb('accepted_on', 'is', null), eb('accepted_on', '>', eb.ref('ordered_on'))]))
    .orderBy('line_id')
    .execute()

  return rows.map((r) =>
    finding('MCA_NOT_CONFIRMED', {
      ...lineFields(r),
      expected: r.ordered_on,
      actual: r.accepted_on,
      message:
        (r.accepted_on === null
          ? `Customer ${r.customer_id} has no Microsoft Customer Agreement date in ${r.customers_file}`
          : `Customer ${r.customer_id} accepted the Microsoft Customer Agreement on ${r.accepted_on}, after this ${r.charge_type} on ${r.ordered_on}`) +
        ': the amounts stay as Microsoft billed them (this check holds nothing); get the acceptance confirmed and record McaAcceptedOn.',
    }),
  )
}
