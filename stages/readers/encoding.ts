/**
 * Text encoding of a CSV (SPEC §2 "Encodings"): UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and anything
 * that is not valid UTF-8 is read as Windows-1252 (Excel's "CSV" on Windows). The UTF decoders are fatal, so
 * invalid bytes surface as an error instead of U+FFFD.
 *
 * 'windows-1252' is the decoder of a file that is not valid UTF-8 (`Utf8Or1252Decoder`): what is valid UTF-8 in
 * it is read as UTF-8, and only the bytes that are not part of a valid UTF-8 sequence as Windows-1252. A file
 * that is Windows-1252 throughout reads as Windows-1252 (its non-ASCII bytes are almost never valid UTF-8
 * sequences), and a UTF-8 export with one byte a Windows tool wrote (`’` as 0x92) keeps every other row's
 * text: read whole as Windows-1252, `Café` became `CafÃ©` and a resend of the export no longer matched the
 * original line for line (DUPLICATE_LINE). Every byte maps to a character, so it never produces U+FFFD.
 *
 * Sniffing: in, the first bytes of the (decompressed) file; out, the encoding to use and the BOM length, or why
 * the bytes are not text. Pure; never throws.
 */
import { isUtf8 } from 'node:buffer'

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252'

export interface Sniffed {
  encoding: TextEncodingName
  bomLength: number
}

/** Encoding from the BOM; 'utf-8' when there is none (the caller falls back to Windows-1252 on invalid bytes). */
export function sniffEncoding(head: Uint8Array): Sniffed {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 }
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 }
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 }
  return { encoding: 'utf-8', bomLength: 0 }
}

/** Why these bytes are not a text file (NUL bytes outside UTF-16; a zip or gzip signature), or null. */
export function binaryReason(head: Uint8Array, encoding: TextEncodingName, unpacked = false): string | null {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return unpacked ? 'what it unpacks to is a zip file, not text' : 'it is a zip file (an .xlsx saved with a .csv name?), not text'
  }
  if (head[0] === 0x1f && head[1] === 0x8b) {
    // A .csv.gz whose content is gzip again was "not named .csv.gz" (adversarial review).
    return unpacked ? 'it is compressed twice (a gzip inside the gzip): unpack it once and save it as .csv.gz' : 'it is gzip-compressed but not named .csv.gz'
  }
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return null
  const limit = Math.min(head.length, 8192)
  for (let i = 0; i < limit; i++) if (head[i] === 0) return 'it is a binary file (contains NUL bytes), not text'
  return null
}

/** True when the bytes are valid UTF-8, ignoring a multi-byte sequence cut off at the end of the sample. */
export function isUtf8Prefix(bytes: Uint8Array): boolean {
  const decoder = new TextDecoder('utf-8', { fatal: true })
  try {
    decoder.decode(bytes, { stream: true })
    return true
  } catch {
    return false
  }
}

/** What csv.ts needs of a decoder: TextDecoder's `decode`, with `stream: true` for every chunk but the last. */
export interface ChunkDecoder {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string
}

/**
 * A streaming decoder for the encoding. The BOM is consumed by the UTF decoders themselves (ignoreBOM: false);
 * the caller strips a UTF-8 BOM before 'windows-1252'.
 */
export function makeDecoder(encoding: TextEncodingName, utf8Sequences = true): ChunkDecoder {
  return encoding === 'windows-1252' ? new Utf8Or1252Decoder(utf8Sequences) : new TextDecoder(encoding, { fatal: true })
}

/**
 * Whether a file that is not valid UTF-8 is UTF-8 with a few stray bytes rather than Windows-1252 throughout: it
 * has at least as many well-formed multi-byte UTF-8 sequences as bytes that are not part of one. In Windows-1252
 * text a well-formed sequence is a coincidence (an accented capital or ß before `’`, `”`, `°` or a no-break
 * space: `CAFÉ’S` is the bytes of `CAFɒS`), while its other accented letters are lone invalid bytes; in a UTF-8
 * export with one byte a Windows tool wrote, the invalid bytes are few (diff review: read as mixed, a real
 * Windows-1252 resellers sheet showed `Weiߒ Systeme`). A file with no such sequence reads the same either way.
 */
export async function utf8WithStrayBytes(chunks: AsyncIterable<Buffer>): Promise<boolean> {
  let sequences = 0
  let invalid = 0
  let carry: Buffer = EMPTY
  for await (const chunk of chunks) {
    const b = carry.length === 0 ? chunk : Buffer.concat([carry, chunk])
    const end = completeEnd(b)
    let i = 0
    while (i < end) {
      if (b[i]! < 0x80) {
        i++
        continue
      }
      const n = sequenceLength(b, i, end)
      if (n > 1) {
        sequences++
        i += n
      } else {
        invalid++
        i++
      }
    }
    carry = Buffer.from(b.subarray(end))
  }
  return sequences >= invalid + carry.length
}

/**
 * Windows-1252's characters for bytes 0x80–0x9F (the WHATWG index); every other byte is the code point of its
 * value. The five bytes Windows leaves undefined (0x81 0x8D 0x8F 0x90 0x9D) are the C1 controls of the same
 * value, as TextDecoder has always given them. Not TextDecoder('windows-1252') itself: Node 20.18.3+ decodes it
 * as ISO-8859-1 (nodejs/node#56542, #60888), so 0x92 came out as the control U+0092 instead of `’`.
 */
const CP1252_80_9F =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178'

/** The Windows-1252 character of every byte. */
const CP1252: readonly string[] = Array.from({ length: 256 }, (_, b) => (b >= 0x80 && b <= 0x9f ? CP1252_80_9F[b - 0x80]! : String.fromCharCode(b)))

/** One byte as Windows-1252 text. */
export function windows1252Char(byte: number): string {
  return CP1252[byte]!
}

const INVALID = 0
const INCOMPLETE = -1

/**
 * The length of the well-formed UTF-8 sequence that starts with the non-ASCII byte at b[i] (Unicode table 3-7:
 * no overlong forms, no surrogates, nothing past U+10FFFF), INVALID when the bytes from i are not one, or
 * INCOMPLETE when they are the start of one cut off at `end`.
 */
function sequenceLength(b: Uint8Array, i: number, end: number): number {
  const c = b[i]!
  let need: number
  let lo = 0x80
  let hi = 0xbf
  if (c >= 0xc2 && c <= 0xdf) need = 1
  else if (c >= 0xe0 && c <= 0xef) {
    need = 2
    if (c === 0xe0) lo = 0xa0
    else if (c === 0xed) hi = 0x9f
  } else if (c >= 0xf0 && c <= 0xf4) {
    need = 3
    if (c === 0xf0) lo = 0x90
    else if (c === 0xf4) hi = 0x8f
  } else return INVALID
  for (let k = 1; k <= need; k++) {
    if (i + k >= end) return INCOMPLETE
    const d = b[i + k]!
    if (d < lo || d > hi) return INVALID
    lo = 0x80
    hi = 0xbf
  }
  return need + 1
}

/**
 * Where the text that can be decoded now ends: before a last sequence that the next chunk may complete (at most
 * 3 bytes, a lead byte and its continuations so far), else at the end.
 */
function completeEnd(b: Uint8Array): number {
  const n = b.length
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const c = b[i]!
    if (c < 0x80) return n
    if (c >= 0xc0) return sequenceLength(b, i, n) === INCOMPLETE ? i : n
  }
  return n
}

/**
 * The decoder of a file that is not valid UTF-8 (SPEC §2): valid UTF-8 sequences are read as UTF-8, every
 * other byte as Windows-1252 (`windows1252Char`). A multi-byte sequence cut by the end of a chunk is held (up to
 * 3 bytes) until the next one; at the end of the file, the bytes of a sequence cut short are Windows-1252.
 * Counts the bytes it read as Windows-1252 (`windows1252Bytes`).
 */
export class Utf8Or1252Decoder implements ChunkDecoder {
  /** Bytes read as Windows-1252 so far. */
  windows1252Bytes = 0
  /** false: every byte is Windows-1252, a file `utf8WithStrayBytes` says is Windows-1252 throughout. */
  constructor(private readonly utf8Sequences = true) {}
  private held: Buffer = Buffer.alloc(0)
  /** UTF-16 code units of a chunk that is not valid UTF-8 throughout (reused from chunk to chunk). */
  private units = new Uint16Array(0)
  private readonly utf8 = new TextDecoder('utf-8')

  decode(input: Uint8Array = new Uint8Array(0), options: { stream?: boolean } = {}): string {
    const fresh = Buffer.from(input.buffer, input.byteOffset, input.byteLength)
    const b = this.held.length === 0 ? fresh : Buffer.concat([this.held, fresh])
    const end = options.stream === true ? completeEnd(b) : b.length
    this.held = end >= b.length ? EMPTY : Buffer.from(b.subarray(end)) // a copy: the chunk's buffer may be reused
    // Most chunks of a mostly UTF-8 file are valid throughout: one native check and one native decode.
    const text = new Uint8Array(b.buffer, b.byteOffset, end) // a plain view: indexing a Buffer in the loop is slower
    if (!this.utf8Sequences) return this.windows1252(text)
    return isUtf8(text) ? this.utf8.decode(text) : this.mixed(text)
  }

  /** Every byte as Windows-1252. */
  private windows1252(b: Uint8Array): string {
    if (this.units.length < b.length) this.units = new Uint16Array(b.length)
    const units = this.units
    let wide = 0
    for (let i = 0; i < b.length; i++) {
      const unit = CP1252_UNITS[b[i]!]!
      units[i] = unit
      wide |= unit >> 8
      if (b[i]! >= 0x80) this.windows1252Bytes++
    }
    return utf16Text(units, b.length, wide === 0)
  }

  /**
   * Bytes with some that are not UTF-8: one pass writing UTF-16 code units, then one native decode of them
   * (building the string piece by piece, one UTF-8 run at a time, was about twice as slow on a Windows-1252 file).
   */
  private mixed(b: Uint8Array): string {
    if (this.units.length < b.length) this.units = new Uint16Array(b.length) // ≤ 1 code unit per byte
    const units = this.units
    const end = b.length
    let k = 0
    let i = 0
    let wide = 0 // any code unit above 0xFF
    while (i < end) {
      const c = b[i]!
      if (c < 0x80) {
        units[k++] = c
        i++
        continue
      }
      const n = sequenceLength(b, i, end)
      let unit: number
      if (n === 2) {
        unit = ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f)
      } else if (n === 3) {
        unit = ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f)
      } else if (n === 4) {
        const above = (((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f)) - 0x10000
        units[k++] = 0xd800 | (above >> 10)
        unit = 0xdc00 | (above & 0x3ff)
      } else {
        // Not the start of a valid sequence (or one cut short by the end of the file): this byte is Windows-1252,
        // and the bytes after it are looked at again (a lone continuation byte is Windows-1252 too).
        unit = CP1252_UNITS[c]!
        this.windows1252Bytes++
        i++
        units[k++] = unit
        wide |= unit >> 8
        continue
      }
      units[k++] = unit
      wide |= unit >> 8
      i += n
    }
    return utf16Text(units, k, wide === 0)
  }
}

const EMPTY = Buffer.alloc(0)

/** Windows-1252's UTF-16 code unit of every byte (all are in the BMP). */
const CP1252_UNITS = Uint16Array.from(CP1252, (ch) => ch.charCodeAt(0))

const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1

/**
 * The text of units[0..count). When every unit is below 0x100 (`narrow`), as in a Windows-1252 file of accented
 * letters only, a one-byte string as TextDecoder gives: papaparse and LineBreaks are slower on two-byte strings.
 */
function utf16Text(units: Uint16Array, count: number, narrow: boolean): string {
  if (narrow) return Buffer.from(Uint8Array.from(units.subarray(0, count))).toString('latin1')
  if (LITTLE_ENDIAN) return Buffer.from(units.buffer, units.byteOffset, count * 2).toString('utf16le')
  const parts: string[] = []
  for (let at = 0; at < count; at += 4096) parts.push(String.fromCharCode(...units.subarray(at, Math.min(count, at + 4096))))
  return parts.join('')
}

/** The error a fatal TextDecoder throws on invalid input. */
export function isDecodeError(error: unknown): boolean {
  return error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA'
}
