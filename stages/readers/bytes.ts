/**
 * Raw bytes of an input file, decompressed when it is `.csv.gz`, with the SHA-256 of the file as stored
 * (run.json `inputs[].sha256`). Multi-member gzip (several gzip members concatenated, as newer Partner Center
 * exports are reported to be) is read to the end by zlib's Gunzip.
 *
 * In: path, whether to gunzip. Out: an async iterable of byte chunks (errors surface while iterating) and the
 * hash once iteration is over. `describeReadError` turns those errors into a sentence for UNREADABLE_FILE.
 */
import { createHash, type Hash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { pipeline, type Readable } from 'node:stream'
import { createGunzip } from 'node:zlib'

/** A path, or its bytes when it is not valid UTF-8 (stages/discover.ts: a name from a zip made on Windows). */
export type FilePath = string | Buffer

const CHUNK = 1 << 20 // 1 MiB reads (PERFORMANCE-NOTES a2)

export interface ByteSource {
  chunks: AsyncIterable<Buffer>
  /** SHA-256 (hex) of the bytes read from disk so far: the whole file once `chunks` is exhausted. */
  sha256(): string
  /** Bytes read from disk so far (compressed bytes for .csv.gz): for progress reporting. */
  bytesRead(): number
}

/**
 * A plain file can be read in part: bytes [start, end) (a part of a big usage file, stages/usage-split.ts),
 * feeding a hash the caller holds, or no hash at all (null: another thread hashes these bytes).
 */
export interface ByteRange {
  start?: number
  end?: number
  hash?: Hash | null
}

export function openBytes(path: FilePath, gzip: boolean, range: ByteRange = {}): ByteSource {
  const hash = range.hash === null ? null : (range.hash ?? createHash('sha256'))
  const bounds = { ...(range.start !== undefined ? { start: range.start } : {}), ...(range.end !== undefined ? { end: range.end - 1 } : {}) }
  const raw = createReadStream(path, { highWaterMark: CHUNK, ...bounds })
  let digest: string | null = null
  let read = 0
  const sha256 = () => (digest ??= hash?.digest('hex') ?? '')
  const bytesRead = () => read
  if (!gzip) {
    return {
      chunks: (async function* () {
        for await (const chunk of raw as AsyncIterable<Buffer>) {
          hash?.update(chunk)
          read += chunk.length
          yield chunk
        }
      })(),
      sha256,
      bytesRead,
    }
  }
  raw.on('data', (chunk) => {
    // A reader that stops early (discover reads the header only) takes the hash while the packed stream is still
    // flowing: chunks arriving after that are not hashed (a digested hash throws, and here nothing would catch it).
    if (digest !== null) return
    hash?.update(chunk as Buffer)
    read += (chunk as Buffer).length
  })
  const gunzip = createGunzip({ chunkSize: 256 * 1024 })
  pipeline(raw, gunzip, () => {}) // errors of either side reach the consumer through gunzip's iterator
  return { chunks: gunzip as Readable & AsyncIterable<Buffer>, sha256, bytesRead }
}

/**
 * SHA-256 of a whole file (for files that are not parsed: ignored, unreadable, XLSX). An unreadable file still
 * gets a row in input_files: the hash covers what could be read (the read that parses the file reports the error).
 */
/**
 * SHA-256 of a file's bytes. Only a regular file is read: a named pipe waits for a writer forever and a device such
 * as /dev/zero never ends, so an ignored `notes.txt` FIFO in the month's folder hung the run (CLI review). Anything
 * else hashes as no bytes (discover lists it as ignored, "not a file"), as does a file that cannot be read.
 */
export async function sha256File(path: FilePath): Promise<string> {
  const hash = createHash('sha256')
  if (await isRegularFile(path)) await hashRange(path, hash, 0)
  return hash.digest('hex')
}

async function isRegularFile(path: FilePath): Promise<boolean> {
  try {
    return (await stat(path)).isFile()
  } catch {
    return false
  }
}

/** Feeds bytes [start, end) (to the end of the file without `end`) to `hash`; a read error ends it quietly. */
export async function hashRange(path: FilePath, hash: Hash, start: number, end?: number): Promise<void> {
  if (end !== undefined && end <= start) return
  try {
    const bounds = end === undefined ? {} : { end: end - 1 }
    for await (const chunk of createReadStream(path, { start, highWaterMark: CHUNK, ...bounds })) hash.update(chunk as Buffer)
  } catch {
    // the hash covers what was read
  }
}

/** A read or gunzip error as a sentence finance can act on. */
export function describeReadError(error: unknown): string {
  const e = error as NodeJS.ErrnoException
  const message = e?.message ?? String(error)
  if (e?.code === 'Z_BUF_ERROR' || /unexpected end of file/i.test(message)) {
    return 'the gzip file is truncated (unexpected end of file); download it again'
  }
  if (e?.code === 'Z_DATA_ERROR') return `it is not a valid gzip file (${message})`
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'the file cannot be opened (permission denied)'
  if (e?.code === 'ENOENT') return 'the file disappeared while the run was reading it'
  if (e?.code === 'EISDIR') return 'it is a folder, not a file'
  return `it cannot be read (${message})`
}
