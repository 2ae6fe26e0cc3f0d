/**
 * exceljs's streaming WorkbookReader walks the zip with two races, each seen on this box (about one read in a
 * hundred of a two-sheet workbook under load; one failed CI):
 *
 * - It lists the zip's entries through its `iterateStream`, which stops at the first 'end' event; unzipper's Parse
 *   emits one by hand as soon as the zip's bytes are written, while the entries it pushed last may still wait in
 *   its buffer. Excel and exceljs save `xl/workbook.xml` late (exceljs last), so it was lost: no sheet names, and
 *   the read failed with "Cannot read properties of undefined (reading 'sheets')", a good workbook reported
 *   unreadable. Here the entries are read with the stream's own async iterator, which drains the buffer first.
 * - A sheet met before the shared strings (Excel saves them after the sheets) is parked in a temp file, and
 *   exceljs deleted that file as soon as the next sheet was asked for, while a sheet skipped unread was still
 *   opening it: an uncaught ENOENT. Here each parked sheet's stream is closed before the next sheet, and the files
 *   go with their folder when the walk ends, however it ends.
 *
 * `parseWorkbookEntries` replaces the reader's `parse` (its async iterator calls `this.parse()`); the rest is
 * exceljs's own (its entry parsers, its WorksheetReader) except the shared strings (xlsx-shared-strings.ts) and
 * the decoding of the sheets' text (xlsx-text.ts).
 * Hyperlinks and entry events are not read here (readXlsx ignores them).
 */
import { createReadStream, createWriteStream, rmSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, posix } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import unzipper from 'unzipper'
import { readSharedStrings } from './xlsx-shared-strings.js'
import { workbookPartText } from './xlsx-text.js'

type Entry = Readable & { path: string; autodrain(): unknown }
type ReaderEvent = { eventType: string; value: unknown }

/** The parts of exceljs's WorkbookReader (lib/stream/xlsx/workbook-reader.js, 4.4.0) this walk calls. */
export interface WorkbookReaderInternals {
  input: Readable
  sharedStrings?: unknown
  workbookRels?: unknown
  /** Set by `_parseWorkbook`: the sheets' names and states, which `_parseWorksheet` reads. */
  model?: unknown
  _parseRels(entry: Entry): Promise<void>
  _parseWorkbook(entry: Entry): Promise<void>
  _parseStyles(entry: Entry): Promise<void>
  _parseWorksheet(source: AsyncIterable<unknown>, sheetNo: string): Iterable<ReaderEvent>
}

const SHEET = /^xl\/worksheets\/sheet(\d+)\.xml$/

/**
 * The workbook's relationship targets as exceljs matches them, relative to `xl/` (`worksheets/sheet1.xml`). A
 * target may also be absolute (`/xl/worksheets/sheet1.xml`, valid OPC that some writers use) or carry `./`: such
 * a sheet had no name, and the workbook read as having no worksheet.
 */
export function relativeTargets(rels: unknown): unknown {
  if (!Array.isArray(rels)) return rels
  return rels.map((rel: { Target?: unknown }) => {
    if (typeof rel?.Target !== 'string') return rel
    const resolved = posix.normalize(rel.Target.startsWith('/') ? rel.Target.slice(1) : `xl/${rel.Target}`)
    return resolved.startsWith('xl/') ? { ...rel, Target: resolved.slice('xl/'.length) } : rel
  })
}

export async function* parseWorkbookEntries(this: WorkbookReaderInternals): AsyncGenerator<ReaderEvent> {
  const zip = unzipper.Parse({ forceStream: true })
  // unzipper reports a damaged entry (bad deflate data, a file cut short) on the zip, not on the entry, which then
  // never ends: whatever reads the entry (a parser, the copy to a parked file) would wait forever. The error is
  // passed on to the entry being read, so its reader fails, and the walk with it; an entry met after it (unzipper
  // parses ahead of the walk) fails at once.
  let current: Entry | null = null
  let failure: Error | null = null
  let settled = () => {}
  zip.on('error', (error: Error) => {
    failure ??= error
    current?.destroy(error)
    settled()
  })
  // A file cut between two entries ended the walk as if complete: unzipper's hand-made 'end' can come before its
  // FILE_ENDED. Only its end-of-central-directory record, read last, ends the readable side (`push(null)`).
  let reachedEnd = false
  const push = zip.push.bind(zip)
  zip.push = (chunk: unknown, encoding?: BufferEncoding) => {
    if (chunk === null) reachedEnd = true
    const more = push(chunk, encoding)
    if (chunk === null) settled()
    return more
  }
  this.input.on('error', (error) => zip.destroy(error))
  this.input.pipe(zip)
  let parkDir: string | null = null
  const parked: { sheetNo: string; path: string }[] = []
  try {
    // Not destroyed when the loop ends: the hand-made 'end' ends it before the end record is read, and a stream
    // destroyed unfinished reports an AbortError, which would read as a damaged file.
    for await (const entry of zip.iterator({ destroyOnReturn: false }) as AsyncIterable<Entry>) {
      current = entry
      entry.on('error', () => {}) // its readers listen for themselves; an entry already drained has none
      if (failure !== null) throw failure
      const sheet = SHEET.exec(entry.path)
      if (entry.path === 'xl/_rels/workbook.xml.rels') {
        await this._parseRels(entry)
        this.workbookRels = relativeTargets(this.workbookRels)
      }
      else if (entry.path === 'xl/workbook.xml') await this._parseWorkbook(entry)
      else if (entry.path === 'xl/sharedStrings.xml') await readSharedStrings(this, entry)
      else if (entry.path === 'xl/styles.xml') await this._parseStyles(entry)
      else if (sheet !== null && this.sharedStrings !== undefined && this.workbookRels !== undefined && this.model !== undefined) {
        yield* this._parseWorksheet(workbookPartText(entry), sheet[1]!)
      } else if (sheet !== null) {
        parkDir ??= track(await mkdtemp(join(tmpdir(), 'csp-billing-xlsx-')))
        const path = join(parkDir, `sheet${sheet[1]}.xml`)
        await pipeline(entry, createWriteStream(path))
        parked.push({ sheetNo: sheet[1]!, path })
      }
      entry.autodrain()
    }
    await new Promise<void>((resolve, reject) => {
      settled = () => (failure !== null ? reject(failure) : reachedEnd ? resolve() : undefined)
      settled()
    })
    if (parked.length > 0 && this.model === undefined) throw new Error('it has no xl/workbook.xml, which names its sheets')
    for (const { sheetNo, path } of parked) {
      const source = createReadStream(path)
      source.on('error', () => {}) // a sheet read reports its errors through its iterator; a skipped one has none to report
      try {
        yield* this._parseWorksheet(workbookPartText(source), sheetNo)
      } finally {
        source.destroy()
      }
    }
  } finally {
    zip.destroy()
    if (parkDir !== null) {
      await rm(parkDir, { recursive: true, force: true })
      parkDirs.delete(parkDir)
    }
  }
}

/**
 * Folders of sheets parked while their workbook's names were unknown. A reader that is dropped before its end (a
 * run stopped by a signal, a header read that stops) never reaches the `finally` that removes its folder: 32 KB to
 * 5.5 GB folders were left in the temporary folder (adversarial review). The process removes what is left as it
 * exits, and a run stopped by a signal as it stops (pipeline/run.ts).
 */
const parkDirs = new Set<string>()
let removedOnExit = false

function track(dir: string): string {
  if (!removedOnExit) process.once('exit', removeParkedSheets)
  removedOnExit = true
  parkDirs.add(dir)
  return dir
}

export function removeParkedSheets(): void {
  for (const dir of parkDirs) rmSync(dir, { recursive: true, force: true })
  parkDirs.clear()
}
