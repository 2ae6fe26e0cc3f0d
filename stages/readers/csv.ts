/**
 * Streaming CSV reader (SPEC §2). Plain UTF-8 goes through the fast tokenizer (csv-fast.ts); the general path: bytes (gunzipped for .csv.gz) → text in the detected encoding, BOM removed
 * BEFORE papaparse sees it (TESTING-NOTES: a BOM before a quoted header otherwise keeps the quotes in the first
 * column name) → papaparse with header:false, one callback per record (arrays; PERFORMANCE-NOTES b2).
 *
 * Every record is handed over, blank lines included, with its 0-based record index, so that the caller can keep
 * Excel's row numbering (header = row 1, a record's row = index + 1, blank lines counted).
 *
 * Outcomes instead of exceptions (only a bug in the record handler is rethrown): `ok`; `unreadable` with a reason (empty, binary, truncated gzip, unterminated
 * quote, invalid UTF-16); `not-utf8` when invalid UTF-8 shows up after rows were delivered: the caller throws
 * those rows away and reads again with `encoding: 'windows-1252'`.
 */
import { Readable } from 'node:stream'
import Papa from 'papaparse'
import { describeReadError, openBytes } from './bytes.js'
import { readCsvFast, type FastRecordHandler } from './csv-fast.js'
import { binaryReason, isDecodeError, isUtf8Prefix, makeDecoder, sniffEncoding, type TextEncodingName } from './encoding.js'

export interface CsvOptions {
  gzip: boolean
  /** Force an encoding (used on the second read of a file that turned out not to be UTF-8). */
  encoding?: 'windows-1252'
  /** Skip the fast tokenizer (used on the second read after it returned `reread`). */
  general?: boolean
  /** Called every PROGRESS_EVERY records with the records and file bytes read so far. */
  progress?: (records: number, bytesRead: number) => void
}

export { isBlankRecord, PROGRESS_EVERY } from './csv-fast.js'
import { PROGRESS_EVERY } from './csv-fast.js'

export type CsvOutcome =
  | { status: 'ok'; sha256: string; encoding: TextEncodingName; records: number }
  | { status: 'unreadable'; reason: string; sha256: string; records: number }
  | { status: 'not-utf8'; sha256: string; records: number }
  /** The fast tokenizer met text outside the common case after records were delivered: read again with `general`. */
  | { status: 'reread'; sha256: string; records: number }

/**
 * Called once per record with its cells, its 0-based record index and, when papaparse found malformed quotes in
 * it, a description. Return `false` to stop reading (e.g. after the header).
 */
export type RecordHandler = (cells: string[], index: number, problem: string | null) => boolean | void

class Unreadable extends Error {}

/**
 * Reads a CSV. Plain UTF-8 files go through the fast tokenizer (csv-fast.ts): records reach `onView` when given
 * (cells decoded on demand), else `onRecord` as arrays. Everything else, and a fast pass that stops before its first
 * record, goes through papaparse (`onRecord`). A fast pass that stops later returns `reread`.
 */
export async function readCsv(path: string, options: CsvOptions, onRecord: RecordHandler, onView?: FastRecordHandler): Promise<CsvOutcome> {
  if (options.encoding === undefined && !options.general) {
    const source = openBytes(path, options.gzip)
    const progress = options.progress
    const handler: FastRecordHandler = onView ?? ((record, index) => onRecord(record.all(), index, null))
    const outcome = await readCsvFast(source, (record, index) => {
      const go = handler(record, index)
      if (progress && (index + 1) % PROGRESS_EVERY === 0) progress(index + 1, source.bytesRead())
      return go
    })
    if (outcome.status === 'ok' || outcome.status === 'stopped') return { status: 'ok', sha256: source.sha256(), encoding: 'utf-8', records: outcome.records }
    if (outcome.status === 'not-utf8') return { status: 'not-utf8', sha256: source.sha256(), records: outcome.records }
    if (outcome.records > 0) return { status: 'reread', sha256: source.sha256(), records: outcome.records }
  }
  return readCsvGeneral(path, options, onRecord)
}

async function readCsvGeneral(path: string, options: CsvOptions, onRecord: RecordHandler): Promise<CsvOutcome> {
  const source = openBytes(path, options.gzip)
  let encoding = 'utf-8' as TextEncodingName

  async function* text(): AsyncGenerator<string> {
    let decoder: TextDecoder | null = null
    for await (let chunk of source.chunks) {
      if (decoder === null) {
        const sniffed = sniffEncoding(chunk)
        encoding = options.encoding ?? sniffed.encoding
        // A file that is not valid UTF-8 from its first chunk on is Windows-1252 (SPEC §2); later invalid bytes
        // are caught by the fatal decoder and lead to a second read.
        if (encoding === 'utf-8' && !isUtf8Prefix(chunk)) encoding = 'windows-1252'
        if (encoding === 'windows-1252' && sniffed.bomLength > 0) chunk = chunk.subarray(sniffed.bomLength)
        const binary = binaryReason(chunk, encoding)
        if (binary) throw new Unreadable(binary)
        decoder = makeDecoder(encoding)
      }
      const piece = decoder.decode(chunk, { stream: true })
      if (piece !== '') yield piece
    }
    if (decoder === null) throw new Unreadable('it is empty (0 bytes of text)')
    const tail = decoder.decode()
    if (tail !== '') yield tail
  }

  const input = Readable.from(text()) // object mode: the string chunks reach papaparse as they are
  let records = 0
  let unterminatedAt = 0
  let crash: { error: unknown } | null = null // a bug in the handler is not bad input: rethrown below

  const settled = await new Promise<{ error: unknown } | null>((resolve) => {
    Papa.parse<string[]>(input as unknown as File, {
      delimiter: ',', // never guessed: a one-column sheet would be guessed wrong
      header: false,
      skipEmptyLines: false, // blank lines still count for Excel's row numbers
      step(results, parser) {
        const index = records++
        let problem: string | null = null
        for (const e of results.errors) {
          if (e.code === 'MissingQuotes') {
            unterminatedAt = index + 1
            problem = 'a quoted cell is never closed'
          } else if (e.code === 'InvalidQuotes') problem ??= 'a quoted cell has text after its closing quote'
        }
        try {
          if (onRecord(results.data, index, problem) === false) parser.abort()
          if (options.progress && records % PROGRESS_EVERY === 0) options.progress(records, source.bytesRead())
        } catch (error) {
          crash = { error }
          parser.abort()
        }
      },
      complete: () => resolve(null),
      error: (error: unknown) => resolve({ error }),
    })
  })
  input.destroy()
  if (crash !== null) throw (crash as { error: unknown }).error

  const sha256 = source.sha256()
  if (settled !== null) {
    const { error } = settled
    if (error instanceof Unreadable) return { status: 'unreadable', reason: error.message, sha256, records }
    if (isDecodeError(error)) {
      if (encoding === 'utf-8') return { status: 'not-utf8', sha256, records }
      return { status: 'unreadable', reason: `it is not valid ${encoding.toUpperCase()} text`, sha256, records }
    }
    return { status: 'unreadable', reason: describeReadError(error), sha256, records }
  }
  if (unterminatedAt > 0) {
    return {
      status: 'unreadable',
      reason: `a quoted cell that starts on row ${unterminatedAt} is never closed (unterminated quote), which shifts every later row`,
      sha256,
      records,
    }
  }
  return { status: 'ok', sha256, encoding, records }
}

