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
import { findingList } from '../pipeline/findings-store.js'
import type { RunJson } from '../schemas/run-json.js'
import { resellerTotals } from './invoice-totals.js'
import { controlTotals } from './writers/control-totals.js'
import { pinnedDate } from './writers/deterministic-workbook.js'
import { writeExceptionsCsv } from './writers/exceptions-csv.js'
import { isInside, uniqueStems } from './writers/file-names.js'
import { heldLines, invoicedLines, resellerSummaries, usageSummaries } from './writers/invoice-data.js'
import { writeInvoiceWorkbook, type InvoiceLine } from './writers/invoice-workbook.js'
import { REJECTED_RULES, writeReconciliationWorkbook } from './writers/reconciliation-workbook.js'
import { buildRunJson, runJsonText } from './writers/run-json.js'

export interface WriteInput {
  exitCode: 0 | 1
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

  const totals = await resellerTotals(db)
  const stems = uniqueStems(totals.map((t) => t.resellerId))
  const invoiceFiles = new Map(totals.map((t) => [t.resellerId, `invoices/${stems.get(t.resellerId) ?? '_'}.xlsx`]))
  for (const file of invoiceFiles.values()) {
    if (!isInside(ctx.workDir, file)) throw new Error(`invoice file name ${file} would leave the output folder`)
  }
  const summaries = await resellerSummaries(db)
  const usage = await usageSummaries(db)

  await mkdir(join(ctx.workDir, 'invoices'), { recursive: true })
  const lines = new LineCursor(invoicedLines(db))
  try {
    for (const t of totals) {
      const file = invoiceFiles.get(t.resellerId) as string
      await writeInvoiceWorkbook({
        filename: join(ctx.workDir, file),
        pinned,
        distributorName: settings.distributorName,
        invoiceNumber: `${settings.invoicePrefix}-${ctx.period}-${t.resellerId}`,
        periodStart: ctx.periodStart,
        periodEnd: ctx.periodEnd,
        totals: t,
        byCustomer: summaries.byCustomer.get(t.resellerId) ?? [],
        byCategory: summaries.byCategory.get(t.resellerId) ?? [],
        usage: usage.get(t.resellerId) ?? [],
        lines: lines.of(t.resellerId),
      })
      files.push(file)
    }
  } finally {
    lines.close()
  }

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
  })
  files.push('reconciliation.xlsx')

  writeExceptionsCsv(join(ctx.workDir, 'exceptions.csv'), findingList(db).rows)
  files.push('exceptions.csv')

  const runJson = await buildRunJson(db, { period: ctx.period, resellers: totals, invoiceFiles, controlTotals: control, exitCode: input.exitCode })
  await writeFile(join(ctx.workDir, 'run.json'), runJsonText(runJson), 'utf8')
  files.push('run.json')

  return { output: { runJson, files: files.sort() }, findings: [] }
}

type ResellerLine = InvoiceLine & { resellerId: string }

/** One ordered pass over all invoiced lines, handed out reseller by reseller (totals and lines share the order). */
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
