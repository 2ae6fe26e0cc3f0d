/**
 * Text encoding of a CSV (SPEC §2 "Encodings"): UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and anything
 * that is not valid UTF-8 is read as Windows-1252 (Excel's "CSV" on Windows). Decoders are fatal, so invalid
 * bytes surface as an error instead of U+FFFD; Windows-1252 maps every byte, so it never produces U+FFFD.
 *
 * In: the first bytes of the (decompressed) file. Out: the encoding to use and the BOM length, or why the bytes
 * are not text. Pure; never throws.
 */
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
export function binaryReason(head: Uint8Array, encoding: TextEncodingName): string | null {
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return 'it is a zip file (an .xlsx saved with a .csv name?), not text'
  }
  if (head[0] === 0x1f && head[1] === 0x8b) return 'it is gzip-compressed but not named .csv.gz'
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

/** A streaming decoder for the encoding. The BOM is consumed by the decoder itself (ignoreBOM: false). */
export function makeDecoder(encoding: TextEncodingName): TextDecoder {
  return encoding === 'windows-1252' ? new TextDecoder('windows-1252') : new TextDecoder(encoding, { fatal: true })
}

/** The error a fatal TextDecoder throws on invalid input. */
export function isDecodeError(error: unknown): boolean {
  return error instanceof TypeError && (error as NodeJS.ErrnoException).code === 'ERR_ENCODING_INVALID_ENCODED_DATA'
}
