/**
 * A streaming exceljs workbook whose bytes depend only on what is written into it (SPEC §6: same inputs →
 * byte-identical files).
 *
 * Two clocks leak into an .xlsx: docProps/core.xml (created/modified/lastPrinted, pinned here through the
 * writer's properties) and the zip container, where archiver stamps every entry with the current time.
 * `commitWorkbook` commits and then rewrites those zip dates in place (zip-dates.ts). Deflate output is
 * deterministic for a given zlib. test/write/determinism.test.ts writes twice, more than 2 s apart (DOS time
 * has 2 s resolution), and compares bytes.
 *
 * Streaming (PERFORMANCE-NOTES h1 vs h2): rows are committed as they are added; sheets must be filled and
 * committed one after another, because archiver reads one entry at a time and anything written to a later sheet
 * before the earlier one is committed is buffered in memory.
 */
import ExcelJS from 'exceljs'
import { pinZipDates } from './zip-dates.js'

/** Open a streaming workbook at `filename` whose metadata and zip entries are dated `pinned`. */
export function openWorkbook(filename: string, pinned: Date, creator: string): ExcelJS.stream.xlsx.WorkbookWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename,
    useStyles: true,
    useSharedStrings: false, // shared strings are held in memory until commit: not for 200k-line invoices
  })
  wb.creator = creator
  wb.lastModifiedBy = creator
  wb.created = pinned
  wb.modified = pinned
  wb.lastPrinted = pinned
  return wb
}

/** Commit the workbook (closes the file) and pin its zip entry dates. */
export async function commitWorkbook(wb: ExcelJS.stream.xlsx.WorkbookWriter, filename: string, pinned: Date): Promise<void> {
  await wb.commit()
  await pinZipDates(filename, pinned)
}

/**
 * Let queued I/O run. Rows are produced synchronously from SQLite; without an occasional macrotask turn the
 * whole sheet would pile up in exceljs's buffers before archiver and the file stream get to drain them.
 */
export function drain(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}

/** The pinned timestamp of a run: the period end at 00:00 UTC. */
export function pinnedDate(periodEnd: string): Date {
  return new Date(`${periodEnd}T00:00:00Z`)
}
