/**
 * Invoices of a run of consecutive resellers (sorted by id), written with one ordered pass over their invoiced
 * lines. The write stage hands one run to the side thread (pipeline/side-thread.ts) and writes the other itself;
 * each opens its own pass on its own SQLite connection, so the two never share a statement.
 *
 * In: the staging DB and one job per reseller (everything but the lines, which are read here). Out: the files.
 * Throws only on I/O failure (an unusable environment).
 */
import type { Db } from '../../pipeline/db.js'
import { invoicedLines, usageSummaries } from './invoice-data.js'
import { writeInvoiceWorkbook, type InvoiceLine, type InvoiceWorkbookInput } from './invoice-workbook.js'

/**
 * One reseller's invoice workbook, all but its lines and its Azure usage rows, which the thread that writes it
 * reads. Plain data: it crosses to the side thread as is.
 */
export type InvoiceJob = Omit<InvoiceWorkbookInput, 'lines' | 'usage'>

export async function writeInvoices(db: Db, jobs: readonly InvoiceJob[]): Promise<void> {
  const first = jobs[0]
  const last = jobs[jobs.length - 1]
  if (first === undefined || last === undefined) return
  // Only these resellers' usage: each thread sums its own (~0.45 s for all of the 1 M bench month's usage groups),
  // where one summed all of it for both at the start of the write stage while the other waited for it (~0.3 s).
  const range = { from: first.totals.resellerId, to: last.totals.resellerId }
  const usage = await usageSummaries(db, range)
  const lines = new LineCursor(invoicedLines(db, range))
  try {
    for (const job of jobs) {
      const id = job.totals.resellerId
      await writeInvoiceWorkbook({ ...job, usage: usage.get(id) ?? [], lines: lines.of(id) })
    }
  } finally {
    lines.close()
  }
}

/**
 * CPU of the rows written besides the invoice lines, in invoice lines (one invoice line ≈ 47 µs, measured on the
 * 1 M-row bench month; a month of 1,000,000 rejected usage rows for the others): a row of a reconciliation.xlsx
 * sheet ≈ 20 µs, a line of exceptions.csv ≈ 7.8 µs (the finding's read included in both). Re-measured
 * 2026-11-24 once rows were rendered by row-xml.ts (before: 77, 31 and 7 µs, so 0.4 and 0.1).
 */
export const SHEET_ROW = 0.4
export const CSV_LINE = 0.15

/**
 * Splits the jobs into a first run for this thread and a last run for the side thread, so that each thread's
 * share of all the work comes as close to half as whole resellers allow. Besides the invoice lines, `besides`
 * counts what each thread writes anyway, in invoice lines (SHEET_ROW, CSV_LINE): `here` this thread's
 * reconciliation.xlsx, `side` the side thread's exceptions.csv. The first reseller always stays here.
 */
export function splitJobs(jobs: readonly InvoiceJob[], besides: { here: number; side: number }): [InvoiceJob[], InvoiceJob[]] {
  const half = (jobs.reduce((n, j) => n + j.totals.lines, 0) + besides.here + besides.side) / 2
  let side = besides.side
  let at = jobs.length
  while (at > 1) {
    const next = side + jobs[at - 1]!.totals.lines
    if (Math.abs(half - next) >= Math.abs(half - side)) break
    side = next
    at--
  }
  return [jobs.slice(0, at), jobs.slice(at)]
}

type ResellerLine = InvoiceLine & { resellerId: string }

/** One ordered pass over invoiced lines, handed out reseller by reseller (jobs and lines share the order). */
class LineCursor {
  private pending: IteratorResult<ResellerLine> | null = null

  constructor(private readonly source: Generator<ResellerLine>) {}

  private peek(): IteratorResult<ResellerLine> {
    this.pending ??= this.source.next()
    return this.pending
  }

  *of(resellerId: string): Generator<InvoiceLine> {
    for (;;) {
      const next = this.peek()
      if (next.done || next.value.resellerId > resellerId) return
      this.pending = null
      if (next.value.resellerId === resellerId) yield next.value
    }
  }

  close(): void {
    this.source.return(undefined) // ends the SQLite statement so the connection is free again
  }
}
