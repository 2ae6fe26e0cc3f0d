/**
 * Streaming CSV reader (SPEC §2). Plain UTF-8 goes through the fast tokenizer (csv-fast.ts); the general path: bytes (gunzipped for .csv.gz) → text in the detected encoding, BOM removed
 * BEFORE papaparse sees it (TESTING-NOTES: a BOM before a quoted header otherwise keeps the quotes in the first
 * column name) → papaparse with header:false, one callback per record (arrays; PERFORMANCE-NOTES b2).
 *
 * Every record is handed over, blank lines included, with its 0-based record index, so that the caller can keep
 * Excel's row numbering (header = row 1, a record's row = index + 1, blank lines counted).
 *
 * Line endings: papaparse takes one newline for the whole file, guessed from its first chunk, so one bare LF in a
 * CRLF file used to stay inside a cell and merge two rows. The text is therefore passed through `LineBreaks`
 * (CRLF → LF outside quoted cells) and papaparse always splits at LF.
 *
 * A quote fault that runs past the end of its line (never closed, or closed on a later line with text after the
 * closing quote) shifts every later row: the file is unreadable (SPEC §2). Such a record is handed over line by
 * line (each line split at commas, with the problem), so that a caller counting non-blank records counts the
 * file's non-blank data lines, as it would for the same file without the fault.
 *
 * Outcomes instead of exceptions (only a bug in the record handler is rethrown): `ok`; `unreadable` with a reason (empty, binary, truncated gzip, unterminated
 * quote, invalid UTF-16); `not-utf8` when invalid UTF-8 shows up after rows were delivered: the caller throws
 * those rows away and reads again with `encoding: 'windows-1252'`, which reads what is valid UTF-8 as UTF-8 and
 * only the other bytes as Windows-1252 (encoding.ts `Utf8Or1252Decoder`), so the rows read again have the text
 * they had.
 */
import { Readable } from 'node:stream'
import Papa from 'papaparse'
import { describeReadError, openBytes, type FilePath } from './bytes.js'
import { readCsvFast, type FastRecordHandler } from './csv-fast.js'
import { binaryReason, isDecodeError, isUtf8Prefix, makeDecoder, sniffEncoding, utf8WithStrayBytes, type ChunkDecoder, type TextEncodingName } from './encoding.js'

export interface CsvOptions {
  gzip: boolean
  /**
   * Force the decoder of a file that is not valid UTF-8 (used on the second read of a file that turned out not to
   * be): valid UTF-8 sequences as UTF-8, the other bytes as Windows-1252.
   */
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
export async function readCsv(path: FilePath, options: CsvOptions, onRecord: RecordHandler, onView?: FastRecordHandler): Promise<CsvOutcome> {
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

async function readCsvGeneral(path: FilePath, options: CsvOptions, onRecord: RecordHandler): Promise<CsvOutcome> {
  const source = openBytes(path, options.gzip)
  let encoding = 'utf-8' as TextEncodingName
  const breaks = new LineBreaks()

  async function* text(): AsyncGenerator<string> {
    let decoder: ChunkDecoder | null = null
    for await (let chunk of source.chunks) {
      if (decoder === null) {
        const sniffed = sniffEncoding(chunk)
        encoding = options.encoding ?? sniffed.encoding
        // A file that is not valid UTF-8 from its first chunk on is Windows-1252 (SPEC §2): its valid UTF-8
        // sequences still read as UTF-8, its other bytes as Windows-1252. Later invalid bytes are caught by the
        // fatal decoder and lead to a second read with that decoder.
        if (encoding === 'utf-8' && !isUtf8Prefix(chunk)) encoding = 'windows-1252'
        if (encoding === 'windows-1252' && sniffed.bomLength > 0) chunk = chunk.subarray(sniffed.bomLength)
        const binary = binaryReason(chunk, encoding, options.gzip)
        if (binary) throw new Unreadable(binary)
        // Whether its valid UTF-8 sequences are UTF-8 (an export with a stray Windows byte) or coincidences in
        // Windows-1252 text is a matter of the whole file: one more read of it, only for such files.
        const utf8Sequences = encoding === 'windows-1252' ? await utf8WithStrayBytes(openBytes(path, options.gzip, { hash: null }).chunks) : true
        decoder = makeDecoder(encoding, utf8Sequences)
      }
      const piece = breaks.push(decoder.decode(chunk, { stream: true }))
      if (piece !== '') yield piece
    }
    if (decoder === null) throw new Unreadable('it is empty (0 bytes of text)')
    const tail = breaks.push(decoder.decode()) + breaks.end()
    if (tail !== '') yield tail
  }

  const input = Readable.from(text()) // object mode: the string chunks reach papaparse as they are
  let records = 0
  let quoteFault: { row: number; neverClosed: boolean } | null = null
  let crash: { error: unknown } | null = null // a bug in the handler is not bad input: rethrown below

  /** Hands one record to the handler; false when reading must stop. */
  function deliver(cells: string[], problem: string | null, parser: Papa.Parser): boolean {
    const index = records++
    if (cells.length > 0 && cells[0]!.charCodeAt(0) === 0xfeff) cells[0] = withoutBom(cells[0]!)
    try {
      if (onRecord(cells, index, problem) === false) {
        parser.abort()
        return false
      }
      if (options.progress && records % PROGRESS_EVERY === 0) options.progress(records, source.bytesRead())
      return true
    } catch (error) {
      crash = { error }
      parser.abort()
      return false
    }
  }

  const settled = await new Promise<{ error: unknown } | null>((resolve) => {
    Papa.parse<string[]>(input as unknown as File, {
      delimiter: ',', // never guessed: a one-column sheet would be guessed wrong
      newline: '\n', // never guessed: LineBreaks has made every line break outside quoted cells an LF
      header: false,
      skipEmptyLines: false, // blank lines still count for Excel's row numbers
      step(results, parser) {
        const fault = quoteFaultOf(results.errors, results.data, breaks.ending)
        if (fault === null || fault.kind === 'after-quote') {
          deliver(results.data, fault === null ? null : 'a quoted cell has text after its closing quote', parser)
          return
        }
        quoteFault ??= { row: records + 1, neverClosed: fault.kind === 'never-closed' }
        const problem = fault.kind === 'never-closed' ? 'a quoted cell is never closed' : 'a quoted cell runs on past the end of its line'
        for (const line of physicalLines(results.data, breaks.ending)) if (!deliver(line, problem, parser)) return
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
  if (quoteFault !== null) return { status: 'unreadable', reason: quoteFaultReason(quoteFault), sha256, records }
  return { status: 'ok', sha256, encoding, records }
}


type QuoteFault = { kind: 'never-closed' } | { kind: 'runs-on' } | { kind: 'after-quote' }

/**
 * papaparse's quote errors on one record. `InvalidQuotes` (a quote followed by text) makes papaparse keep the cell
 * open up to a later quote that is followed by a comma or a line break: within one line only this row is wrong,
 * but a cell that runs on into the next line has swallowed rows (SPEC §2: unterminated quote, the file is
 * unreadable). Which cell of the record runs on is not known, so a record spanning lines with such an error counts.
 */
function quoteFaultOf(errors: readonly { code: string }[], cells: readonly string[], ending: LineEnding): QuoteFault | null {
  let invalid = false
  for (const e of errors) {
    if (e.code === 'MissingQuotes') return { kind: 'never-closed' }
    if (e.code === 'InvalidQuotes') invalid = true
  }
  if (!invalid) return null
  const lineBreak = lineBreakOf(ending)
  return cells.some((c) => lineBreak.test(c)) ? { kind: 'runs-on' } : { kind: 'after-quote' }
}

function quoteFaultReason(fault: { row: number; neverClosed: boolean }): string {
  if (fault.neverClosed) return `a quoted cell that starts on row ${fault.row} is never closed (unterminated quote), which shifts every later row`
  return `a quoted cell that starts on row ${fault.row} is not closed on its line but runs on into the next (unterminated quote), which shifts every later row`
}

/**
 * The physical lines of a record, each split at commas: the cells' text joined again is the record's text less
 * its quotes, which is enough to tell blank lines from the others. A trailing line break leaves a last, blank line
 * (the end of the file), as papaparse's empty record after the last line ending does.
 */
function physicalLines(cells: readonly string[], ending: LineEnding): string[][] {
  return cells
    .join(',')
    .split(lineBreakOf(ending))
    .map((line) => line.split(','))
}

type LineEnding = 'unknown' | 'lf' | 'cr'

/** A line break of the file: LF or CRLF; a lone CR too in classic Mac text (see `LineBreaks`). */
function lineBreakOf(ending: LineEnding): RegExp {
  return ending === 'cr' ? /\r\n|\r|\n/ : /\r?\n/
}

/** What a quote inside a quoted cell does (see `LineBreaks.quoteVerdict`). */
const ESCAPED = 0
const CLOSES = 1
const STRAY = 2
const MORE = 3
type QuoteVerdict = typeof ESCAPED | typeof CLOSES | typeof STRAY | typeof MORE

/** Where the scan outside quoted cells stops until the line ending is known: quotes, CRs and LFs. */
const FIRST_LINE_EVENTS = /["\r\n]/g
const WHITE_SPACE = /\s/

/**
 * A streaming pass over the text before papaparse: outside quoted cells every CRLF becomes an LF, so that papaparse,
 * told to split at LF, ends a row at every line break whichever form it has (SPEC §2: CRLF or LF; a file may mix
 * them). Line breaks inside quoted cells stay exactly as they are: they are the cell's text.
 *
 * Quoted or not is decided as papaparse decides it, or the two would disagree about a line break: a `"` opens a
 * quoted cell only at the start of a cell; inside, `""` is an escaped quote, and a `"` closes the cell only when
 * white space and then a comma, a line break or the end of the text follow; any other `"` is kept in the cell,
 * which stays open (papaparse's InvalidQuotes). A stray `"` in an unquoted cell is text.
 *
 * A lone CR (not before an LF) outside quoted cells is left as it is, so papaparse keeps it in the cell: in an LF
 * or CRLF file it is a character of the text, not a line break (what papaparse did before). Except when the
 * first line break of the file is a lone CR: classic Mac text (Excel's "CSV (Macintosh)"), which papaparse's guess
 * used to read with CR line endings; there every lone CR becomes an LF.
 *
 * A CR at the end of a piece, or a quote whose verdict depends on text not yet seen, is held until the next piece.
 */
export class LineBreaks {
  /** The file's line ending, from its first line break outside quoted cells. */
  ending: LineEnding = 'unknown'
  private quoted = false
  /** The character before `held`: at the start of the text, a line break (a cell starts there). */
  private before = '\n'
  private held = ''

  /** The next piece of text, with what is known of it passed on. */
  push(piece: string): string {
    return this.scan(this.held + piece, false)
  }

  /** At the end of the text: whatever was held. */
  end(): string {
    return this.scan(this.held, true)
  }

  private scan(text: string, final: boolean): string {
    const parts: string[] = []
    let from = 0 // text[from..i) is passed on unchanged
    let i = 0
    let hold = text.length
    // The next quote and CR at or after i: searched again only once passed (-1: none left in the text). A
    // regular expression's match per event made this pass twice as slow on a quoted file.
    let quoteAt = -2
    let crAt = -2
    while (i < text.length) {
      if (quoteAt !== -1 && quoteAt < i) quoteAt = text.indexOf('"', i)
      if (this.quoted) {
        const q = quoteAt
        if (q < 0) break
        const verdict = this.quoteVerdict(text, q, final)
        if (verdict === MORE) {
          hold = q
          break
        }
        if (verdict === CLOSES) this.quoted = false
        i = verdict === ESCAPED ? q + 2 : q + 1
        continue
      }
      let e: number
      if (this.ending === 'unknown') {
        FIRST_LINE_EVENTS.lastIndex = i
        e = FIRST_LINE_EVENTS.exec(text)?.index ?? -1
      } else {
        if (crAt !== -1 && crAt < i) crAt = text.indexOf('\r', i)
        e = crAt < 0 || (quoteAt >= 0 && quoteAt < crAt) ? quoteAt : crAt
      }
      if (e < 0) break
      const c = text[e]
      i = e + 1
      if (c === '"') {
        if (this.startsCell(e > 0 ? text[e - 1]! : this.before)) this.quoted = true
      } else if (c === '\n') {
        this.ending = 'lf'
      } else if (e + 1 >= text.length && !final) {
        hold = e // a CR at the end of the piece: is an LF next?
        break
      } else if (text[e + 1] === '\n') {
        if (this.ending === 'unknown') this.ending = 'lf'
        parts.push(text.slice(from, e))
        from = e + 1
        i = e + 2
      } else {
        if (this.ending === 'unknown') this.ending = 'cr'
        if (this.ending === 'cr') {
          parts.push(text.slice(from, e), '\n')
          from = e + 1
        }
      }
    }
    parts.push(text.slice(from, hold))
    this.held = text.slice(hold)
    if (hold > 0) this.before = text[hold - 1]!
    return parts.join('')
  }

  /** Whether a quote after this character opens a quoted cell (as papaparse will see the text once passed on). */
  private startsCell(previous: string): boolean {
    return previous === ',' || previous === '\n' || (previous === '\r' && this.ending === 'cr')
  }

  /**
   * Whether the quote at text[q], inside a quoted cell, escapes the next one, closes the cell, is a stray quote
   * kept in the cell, or needs more text to tell. papaparse's rule: white space, then a comma or its newline (LF
   * here, once passed on); or the quote is the last character of the file.
   */
  private quoteVerdict(text: string, q: number, final: boolean): QuoteVerdict {
    if (q + 1 >= text.length) return final ? CLOSES : MORE
    if (text[q + 1] === '"') return ESCAPED
    for (let k = q + 1; k < text.length; k++) {
      const c = text[k]!
      if (c === ',' || c === '\n') return CLOSES
      if (c === '\r') {
        // A CR that will be passed on as an LF ends the cell; a CR before an LF, or kept as text, is white space.
        if (this.ending === 'cr') return CLOSES
        if (this.ending === 'unknown') {
          if (k + 1 >= text.length) return final ? CLOSES : MORE
          if (text[k + 1] !== '\n') return CLOSES
        }
        continue
      }
      if (!WHITE_SPACE.test(c)) return STRAY
    }
    return final ? STRAY : MORE
  }
}

/**
 * A record's first cell that starts with a byte-order mark (two exports joined with `cat`, the second's BOM now
 * mid-file): the mark dropped, and the quotes it kept papaparse from seeing as quotes taken off as they would have
 * been. `\uFEFF"63da…"` stayed a cell with its quotes, so the row was no longer a DUPLICATE_LINE of the same row
 * elsewhere and was invoiced twice (adversarial review).
 */
export function withoutBom(cell: string): string {
  const text = cell.slice(1)
  return /^"(?:[^"]|"")*"$/.test(text) ? text.slice(1, -1).replace(/""/g, '"') : text
}
