/**
 * Pins the modification date of every entry of a finished zip file (an .xlsx) to one instant, in place.
 *
 * Why: exceljs's streaming writer hands entries to archiver without a date, so archiver stamps each with
 * `new Date()` — some of them already inside the WorkbookWriter constructor, before any caller can intervene —
 * and the same workbook written twice differs in those bytes (SPEC §6: byte-identical outputs). Rewriting the
 * DOS time/date fields afterwards depends only on the zip format (APPNOTE 4.3.7 local header, 4.3.12 central
 * directory), not on exceljs or archiver internals. Entry sizes and CRCs do not involve the date, so nothing
 * else changes. Throws only when the file is not a plain (non-zip64) zip: a writer bug, not bad input.
 */
import { open } from 'node:fs/promises'

const EOCD_SIGNATURE = 0x06054b50
const CENTRAL_SIGNATURE = 0x02014b50
const LOCAL_SIGNATURE = 0x04034b50
const EOCD_MIN = 22
const MAX_COMMENT = 0xffff

/** DOS time and date of an instant, read in UTC (zip-stream's default convention). */
export function dosDateTime(d: Date): { time: number; date: number } {
  const time = (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | Math.floor(d.getUTCSeconds() / 2)
  const date = ((d.getUTCFullYear() - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate()
  return { time, date }
}

export async function pinZipDates(path: string, when: Date): Promise<void> {
  const { time, date } = dosDateTime(when)
  const fh = await open(path, 'r+')
  try {
    const size = (await fh.stat()).size
    const tailLength = Math.min(size, EOCD_MIN + MAX_COMMENT)
    const tail = Buffer.alloc(tailLength)
    await fh.read(tail, 0, tailLength, size - tailLength)
    let eocd = -1
    for (let i = tailLength - EOCD_MIN; i >= 0; i--) {
      if (tail.readUInt32LE(i) === EOCD_SIGNATURE) {
        eocd = i
        break
      }
    }
    if (eocd < 0) throw new Error(`${path} is not a zip file (no end of central directory)`)
    const entries = tail.readUInt16LE(eocd + 10)
    const cdSize = tail.readUInt32LE(eocd + 12)
    const cdOffset = tail.readUInt32LE(eocd + 16)
    if (entries === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) throw new Error(`${path} is a zip64 file: dates not pinned`)

    const cd = Buffer.alloc(cdSize)
    await fh.read(cd, 0, cdSize, cdOffset)
    const stamp = Buffer.alloc(4)
    stamp.writeUInt16LE(time, 0)
    stamp.writeUInt16LE(date, 2)
    let p = 0
    for (let n = 0; n < entries; n++) {
      if (cd.readUInt32LE(p) !== CENTRAL_SIGNATURE) throw new Error(`${path}: bad central directory entry ${n}`)
      cd.writeUInt16LE(time, p + 12)
      cd.writeUInt16LE(date, p + 14)
      const localOffset = cd.readUInt32LE(p + 42)
      const sig = Buffer.alloc(4)
      await fh.read(sig, 0, 4, localOffset)
      if (sig.readUInt32LE(0) !== LOCAL_SIGNATURE) throw new Error(`${path}: bad local header for entry ${n}`)
      await fh.write(stamp, 0, 4, localOffset + 10)
      p += 46 + cd.readUInt16LE(p + 28) + cd.readUInt16LE(p + 30) + cd.readUInt16LE(p + 32)
    }
    await fh.write(cd, 0, cdSize, cdOffset)
  } finally {
    await fh.close()
  }
}
