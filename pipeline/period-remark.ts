/**
 * Remarks for the end-of-run summary when reconciliation lines do not start or change in the run's period (their
 * ChargeStartDate or OrderDate; an annual charge covers later months too, so its end is not asked): the month's
 * files run under another --period (June's export run as 2021-07 was invoiced as July's, with no word; real-samples
 * review), or last month's export left in this month's folder (its lines were billed a second time; two-months
 * review). Not findings: SPEC §5 has no rule for them, and a file may legitimately hold only late refunds.
 */
import type { Db } from './db.js'

interface FileDates {
  file: string
  n: number
  first: string
  last: string
  inside: number
}

export function periodRemarks(db: Db, periodStart: string, periodEnd: string): string[] {
  const files = db.sqlite.prepare(
    `select source_file as file, count(*) as n, min(charge_start_date) as first, max(charge_start_date) as last,
       sum(case when charge_start_date between @start and @end or order_date between @start and @end then 1 else 0 end) as inside
     from recon_lines where is_duplicate = 0 group by source_file order by source_file`,
  ).all({ start: periodStart, end: periodEnd }) as FileDates[]
  const outside = files.filter((f) => f.inside === 0)
  const period = `${periodStart} – ${periodEnd}`
  if (outside.length === 0) return []
  if (outside.length === files.length) {
    const n = files.reduce((sum, f) => sum + f.n, 0)
    const first = files.reduce((min, f) => (f.first < min ? f.first : min), files[0]!.first)
    const last = files.reduce((max, f) => (f.last > max ? f.last : max), files[0]!.last)
    return [`Period: none of the ${n} reconciliation line${n === 1 ? '' : 's'} starts or changes in the period ${period} (their ChargeStartDates run from ${first} to ${last}): check that --period is the month of these files`]
  }
  return outside.map((f) => `Period: none of the ${f.n} line${f.n === 1 ? '' : 's'} of ${f.file} starts or changes in the period ${period} (ChargeStartDates ${f.first} to ${f.last}), while the other reconciliation files' lines do: if it is an earlier month's export, remove it (its lines are invoiced in this run) and run again`)
}
