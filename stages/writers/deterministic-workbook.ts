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
import { text } from './safe-cells.js'
import { pinZipDates } from './zip-dates.js'

/**
 * zlib's fastest level, which is also what compress-commons (under exceljs's archiver) picks when none is given;
 * named here because the output bytes depend on it (determinism) and because it is the right trade: sheet XML is
 * repetitive enough that level 1 still packs it ~9×, and level 6 would cost ≈ 0.4 core-seconds more for the 1 M
 * bench month's 50,000 invoice lines (2.65–2.76 against 2.29–2.31 core-seconds, alternating) for files 15 %
 * smaller (5.8 MB instead of 6.8 MB).
 */
const DEFLATE_LEVEL = 1

/** Open a streaming workbook at `filename` whose metadata and zip entries are dated `pinned`. */
export function openWorkbook(filename: string, pinned: Date, creator: string): ExcelJS.stream.xlsx.WorkbookWriter {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({
    filename,
    useStyles: true,
    zip: { zlib: { level: DEFLATE_LEVEL } },
    useSharedStrings: false, // shared strings are held in memory until commit: not for 200k-line invoices
  })
  // The distributor's name from the settings, into docProps/core.xml: kept to what XML carries, like a cell's text.
  const name = text(creator) ?? ''
  wb.creator = name
  wb.lastModifiedBy = name
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
 * Let queued I/O run, and wait for the zip to catch up. Rows are produced synchronously from SQLite; without an
 * occasional macrotask turn the whole sheet would pile up in exceljs's buffers before archiver and the file
 * stream get to drain them. A turn is not always enough: exceljs's sheet stream writes into archiver without
 * backpressure, and on 400,000 finding rows compression fell behind until 400 MiB of XML waited. So when more
 * than PENDING_LIMIT bytes of the sheet wait, this waits for compression (on the libuv pool) to take them.
 */
export async function drain(ws?: ExcelJS.Worksheet): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  if (ws === undefined) return
  for (let waits = 0; pendingBytes(ws) > PENDING_LIMIT && waits < 10_000; waits++) await new Promise((resolve) => setTimeout(resolve, 2))
}

const PENDING_LIMIT = 16 << 20

/** Bytes of a streaming sheet's XML not yet taken by the zip: exceljs internals (StreamBuf), read defensively. */
function pendingBytes(ws: ExcelJS.Worksheet): number {
  type Pipe = { writableLength?: number; _writableState?: { length?: number } }
  const stream = (ws as unknown as { _stream?: { buffers?: unknown[]; bufSize?: number; pipes?: Pipe[] } })._stream
  if (stream === undefined) return 0
  const held = (stream.buffers?.length ?? 0) * (stream.bufSize ?? 0)
  // archiver's entry stream is a readable-stream v2 PassThrough: no writableLength, the count is in its state.
  return held + (stream.pipes ?? []).reduce((n, p) => n + (p.writableLength ?? p._writableState?.length ?? 0), 0)
}

/** The pinned timestamp of a run: the period end at 00:00 UTC. */
export function pinnedDate(periodEnd: string): Date {
  return new Date(`${periodEnd}T00:00:00Z`)
}
