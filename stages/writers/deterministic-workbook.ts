/**
 * A streaming exceljs workbook whose bytes depend only on what is written into it (SPEC §6: same inputs →
 * byte-identical files).
 *
 * Two clocks leak into an .xlsx: docProps/core.xml (created/modified/lastPrinted, pinned through the writer's
 * options) and the zip container, where archiver stamps every entry with `new Date()` because exceljs appends
 * entries without a `date`, and archiver has no archive-wide default. We wrap the writer's archiver `append` so
 * each entry carries the pinned date (zip-stream stores it as UTC DOS time). Deflate output is deterministic for
 * a given zlib. test/write/determinism.test.ts writes twice, more than 2 s apart (DOS time has 2 s resolution),
 * and compares bytes, so an exceljs upgrade that renames the internal `zip` fails loudly there.
 *
 * Streaming (PERFORMANCE-NOTES h1 vs h2): rows are committed as they are added; sheets must be filled and
 * committed one after another, because archiver reads one entry at a time and anything written to a later sheet
 * before the earlier one is committed is buffered in memory.
 */
import ExcelJS from 'exceljs'

interface ArchiverLike {
  append(source: unknown, data: { name: string; date?: Date }): unknown
}

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
  pinZipDates(wb, pinned)
  return wb
}

function pinZipDates(wb: object, pinned: Date): void {
  const zip = (wb as { zip?: ArchiverLike }).zip
  if (!zip || typeof zip.append !== 'function') {
    throw new Error('exceljs WorkbookWriter no longer exposes its archiver as `zip`: cannot pin zip entry dates')
  }
  const append = zip.append.bind(zip)
  zip.append = (source, data) => append(source, { ...data, date: pinned })
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
