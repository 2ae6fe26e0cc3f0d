/**
 * A big gzip usage file is read by two threads too: it is unpacked first into a plain CSV in the run's work
 * folder (zlib, on the libuv pool), which ingest then splits like any plain usage CSV (stages/usage-split.ts);
 * the file keeps its own name in every finding and its own SHA-256, the .csv.gz's, in run.json. Why: a gzip
 * stream can only be read from its start, so one thread read the whole file while the other waited. The 1 M-row
 * bench month with its usage gzipped (49 MB, 942 MB unpacked) ran in 22 s against 11 s plain.
 *
 * Costs the unpacked size in disk space until ingest has read the file (stages/ingest.ts removes it). Anything
 * that goes wrong while unpacking (a truncated or corrupt file, a full disk) gives null, and the file is read
 * as it is, by the one-thread gzip path, which names the problem (SPEC §2).
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, mkdirSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { dirname } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { createGunzip } from 'node:zlib'
import type { DiscoveredFile } from './discover.js'

/** A gzip usage file unpacked for reading: `df` reads the plain copy under the original name. */
export interface Unpacked {
  df: DiscoveredFile
  /** SHA-256 of the .csv.gz itself (run.json names the file as it was given). */
  sha256: string
  /** The plain copy, to remove once the file is read. */
  copy: string
}

/**
 * Whether a .csv.gz is worth unpacking: when it would be split once plain. The gzip trailer holds the unpacked
 * size modulo 4 GiB (of the last member only), so a file whose packed size alone could reach the split size
 * counts too; a wrong guess costs time, never results.
 */
export async function worthUnpacking(path: string, packedBytes: number, splitMinBytes: number): Promise<boolean> {
  if (packedBytes * 8 >= splitMinBytes) return true
  if (packedBytes < 18) return false // not even a gzip header and trailer
  try {
    const handle = await open(path, 'r')
    try {
      const trailer = Buffer.alloc(4)
      await handle.read(trailer, 0, 4, packedBytes - 4)
      return trailer.readUInt32LE(0) >= splitMinBytes
    } finally {
      await handle.close()
    }
  } catch {
    return false
  }
}

/** Unpacks `df` into `copy`, hashing the packed bytes as they are read; null (and no copy left) on any error. */
export async function unpackUsage(df: DiscoveredFile, copy: string): Promise<Unpacked | null> {
  const hash = createHash('sha256')
  const packed = createReadStream(df.path, { highWaterMark: 1 << 20 })
  packed.on('data', (chunk) => hash.update(chunk as Buffer))
  try {
    mkdirSync(dirname(copy), { recursive: true })
    await pipeline(packed, createGunzip({ chunkSize: 1 << 20 }), createWriteStream(copy, { highWaterMark: 1 << 20 }))
  } catch {
    rmSync(copy, { force: true })
    return null
  }
  return { df: { ...df, path: copy, format: 'csv' }, sha256: hash.digest('hex'), copy }
}
