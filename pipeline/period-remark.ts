/**
 * A remark for the end-of-run summary when no reconciliation line starts or changes in the run's period (its
 * ChargeStartDate or OrderDate; an annual charge covers later months too, so its end is not asked): the month's
 * files run under another --period (June's export run as 2021-07 was invoiced as July's, with no word; real-samples
 * review). Not a finding: SPEC §5 has no rule for it, and a month may legitimately bill only earlier cycles' changes.
 */
import type { Db } from './db.js'

export function periodMismatch(db: Db, periodStart: string, periodEnd: string): string | null {
  const r = db.sqlite.prepare(
    `select count(*) as n, min(charge_start_date) as first, max(charge_start_date) as last,
       sum(charge_start_date between @start and @end or order_date between @start and @end) as inside
     from recon_lines where is_duplicate = 0`,
  ).get({ start: periodStart, end: periodEnd }) as { n: number; first: string | null; last: string | null; inside: number | null }
  if (r.n === 0 || (r.inside ?? 0) > 0) return null
  return `Period: none of the ${r.n} reconciliation line${r.n === 1 ? '' : 's'} starts or changes in the period ${periodStart} – ${periodEnd} (their ChargeStartDates run from ${r.first} to ${r.last}): check that --period is the month of these files`
}
