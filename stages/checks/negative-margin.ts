// SPEC §5 NEGATIVE_MARGIN: an invoiced line with Subtotal > 0 whose rounded sell amount is below its Subtotal.
/**
 * In: non-duplicate lines with priced_lines.status 'invoiced' (the only check that skips held lines). Out: one
 * warning per line sold below Microsoft's cost — usually a price-book rule or a fixed price that is too low.
 */
import { sql } from '../../pipeline/kysely.js'
import { decCmp, decSign, decSub } from '../../pipeline/dialect.js'
import { finding } from '../../pipeline/diagnostics.js'
import { moneyText } from '../../pipeline/money.js'
import { lineFields, type Check } from './common.js'

export const negativeMargin: Check = async ({ db }) => {
  const rows = await db.kysely
    .selectFrom('recon_lines as r')
    .innerJoin('priced_lines as p', 'p.line_id', 'r.line_id')
    .where('r.is_duplicate', '=', 0)
    .where('p.status', '=', 'invoiced')
    .where('p.sell', 'is not', null)
    .where((eb) => eb(decSign(sql.ref('r.subtotal')), '>', 0))
    .where((eb) => eb(decCmp(sql.ref('p.sell'), sql.ref('r.subtotal')), '<', 0))
    .select([
      'r.line_id', 'r.source_file', 'r.source_row', 'p.reseller_id', 'r.customer_id', 'r.subscription_id',
      'r.subtotal', 'p.sell', 'p.currency', 'p.method', 'p.price_book', 'p.rule_scope',
      decSub(sql.ref('p.sell'), sql.ref('r.subtotal')).as('margin'),
    ])
    .orderBy('r.line_id')
    .execute()

  return rows.map((r) =>
    finding('NEGATIVE_MARGIN', {
      ...lineFields(r),
      expected: moneyText(r.subtotal, r.currency),
      actual: moneyText(r.sell, r.currency),
      message:
        `Sold at ${moneyText(r.sell, r.currency) ?? ''} ${r.currency}, below Microsoft's cost ${moneyText(r.subtotal, r.currency)} (margin ${moneyText(r.margin, r.currency)}), by the ${r.method ?? ''} rule ` +
        `(${r.rule_scope ?? ''}) of price book ${r.price_book ?? ''}: invoiced as computed; review that price-book rule.`,
    }),
  )
}
