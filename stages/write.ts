/**
 * Write: the outputs accountants and CI consume (SPEC §6), into ctx.workDir (the lead's run.ts renames it into
 * `<output>/<period>/` afterwards): `invoices/<ResellerId>.xlsx`, `reconciliation.xlsx`, `exceptions.csv`,
 * `run.json`.
 *
 * In: the exit code the runner decided, and the staging DB (read only: input_files, findings, recon_lines,
 * usage_totals, resellers, customers, priced_lines) plus ctx.settings and the period. Out: the run.json object
 * and the list of files written (relative to ctx.workDir). Adds no findings.
 *
 * Determinism: every read is ordered, workbook dates and zip entry dates are pinned to the period end, so the
 * same DB gives byte-identical files. Throws only for an unusable environment (I/O) or a writer bug.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { RunContext, StageResult } from '../pipeline/context.js'
import type { Db } from '../pipeline/db.js'
import { findingCounts, findingList } from '../pipeline/findings-store.js'
import type { RunJson } from '../schemas/run-json.js'
import { resellerTotals } from './invoice-totals.js'
import { controlTotals } from './writers/control-totals.js'
import { pinnedDate } from './writers/deterministic-workbook.js'
import { writeExceptionsCsv } from './writers/exceptions-csv.js'
import { isInside, uniqueStems } from './writers/file-names.js'
import { heldLines, resellerSummaries } from './writers/invoice-data.js'
import { CSV_LINE, SHEET_ROW, splitJobs, writeInvoices, type InvoiceJob } from './writers/invoice-batch.js'
import { REJECTED_RULES, writeReconciliationWorkbook } from './writers/reconciliation-workbook.js'
import { buildRunJson, runJsonText } from './writers/run-json.js'

export interface WriteInput {
  exitCode: 0 | 1
  /** The run summary's remarks, kept in reconciliation.xlsx. */
  remarks?: readonly string[]
}

export interface WriteOutput {
  runJson: RunJson
  /** Files written, relative to ctx.workDir, sorted. */
  files: string[]
}

export async function write(input: WriteInput, ctx: RunContext): Promise<StageResult<WriteOutput>> {
  const { db, settings } = ctx
  const pinned = pinnedDate(ctx.periodEnd)
  const files: string[] = []

  // With a side thread, exceptions.csv and the last resellers' invoices are written there while this thread
  // writes the first ones and reconciliation.xlsx (pipeline/side-thread.ts); the files are the same bytes either way.
  const csvPath = join(ctx.workDir, 'exceptions.csv')
  const csvOnSide = ctx.side?.run({ type: 'exceptions', path: csvPath }) // needs nothing from here: queued first
  csvOnSide?.catch(() => undefined) // handled below
  const totals = await resellerTotals(db)
  const stems = uniqueStems(totals.map((t) => t.resellerId))
  const invoiceFiles = new Map(totals.map((t) => [t.resellerId, `invoices/${stems.get(t.resellerId) ?? '_'}.xlsx`]))
  for (const file of invoiceFiles.values()) {
    if (!isInside(ctx.workDir, file)) throw new Error(`invoice file name ${file} would leave the output folder`)
  }
  const summaries = await resellerSummaries(db)

  await mkdir(join(ctx.workDir, 'invoices'), { recursive: true })
  const jobs: InvoiceJob[] = totals.map((t) => ({
    filename: join(ctx.workDir, invoiceFiles.get(t.resellerId) as string),
    pinned,
    distributorName: settings.distributorName,
    distributorAddress: settings.distributorAddress,
    distributorTaxId: settings.distributorTaxId,
    invoiceNumber: `${settings.invoicePrefix}-${ctx.period}-${t.resellerId}`,
    periodStart: ctx.periodStart,
    periodEnd: ctx.periodEnd,
    totals: t,
    byCustomer: summaries.byCustomer.get(t.resellerId) ?? [],
    byCategory: summaries.byCategory.get(t.resellerId) ?? [],
  }))
  const [mine, theirs] = ctx.side ? splitJobs(jobs, await rowsBesideInvoices(db)) : [jobs, []]
  const onSide = theirs.length > 0 ? ctx.side?.run({ type: 'invoices', jobs: theirs }) : undefined
  onSide?.catch(() => undefined) // handled below
  await writeInvoices(db, mine)
  files.push(...totals.map((t) => invoiceFiles.get(t.resellerId) as string))

  const control = await controlTotals(db)
  await writeReconciliationWorkbook({
    filename: join(ctx.workDir, 'reconciliation.xlsx'),
    pinned,
    creator: settings.distributorName,
    controlTotals: control,
    resellers: totals,
    findings: findingList(db),
    rejected: findingList(db, [...REJECTED_RULES]),
    heldLines: heldLines(db),
    retainedLines: settings.creditsPolicy === 'retain' ? heldLines(db, 'retained') : undefined,
    remarks: input.remarks,
  })
  files.push('reconciliation.xlsx')

  files.push('exceptions.csv')

  const runJson = await buildRunJson(db, { period: ctx.period, resellers: totals, invoiceFiles, controlTotals: control, exitCode: input.exitCode })
  await writeFile(join(ctx.workDir, 'run.json'), runJsonText(runJson), 'utf8')
  files.push('run.json')

  // A side thread that failed leaves its work to this thread (a half-written file is written over).
  if (!(await succeeded(csvOnSide))) writeExceptionsCsv(csvPath, findingList(db).rows)
  if (onSide !== undefined && !(await succeeded(onSide))) await writeInvoices(db, theirs)

  return { output: { runJson, files: files.sort() }, findings: [] }
}

/** False when the side thread did not do the task (or there is no side thread). */
function succeeded(task: Promise<unknown> | undefined): Promise<boolean> {
  return task === undefined ? Promise.resolve(false) : task.then(() => true, () => false)
}

/**
 * The rows this thread and the side thread write besides the invoice lines, in invoice lines: this thread's
 * reconciliation.xlsx rows (every finding, the rejected rows again, the held lines), the side's exceptions.csv.
 */
async function rowsBesideInvoices(db: Db): Promise<{ here: number; side: number }> {
  const counts = findingCounts(db)
  const findings = counts.reduce((n, c) => n + c.n, 0)
  const rejected = counts.reduce((n, c) => n + (REJECTED_RULES.has(c.rule) ? c.n : 0), 0)
  const { held } = await db.kysely
    .selectFrom('priced_lines')
    .where('status', '=', 'held')
    .select((eb) => eb.fn.countAll<number>().as('held'))
    .executeTakeFirstOrThrow()
  return { here: SHEET_ROW * (findings + rejected + Number(held)), side: CSV_LINE * findings }
}
