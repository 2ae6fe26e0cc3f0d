/**
 * Pin the timestamps inside a zip (an .xlsx) so that the same workbook gives the same bytes on every run.
 * exceljs zips with JSZip, which stamps every entry with the current time; we rewrite the DOS time/date fields of
 * every local header and central-directory entry. In: zip bytes and the date to stamp. Out: patched copy.
 * Returns the input unchanged if it does not look like a zip (never throws).
 */

const LOCAL_SIG = 0x04034b50
const CENTRAL_SIG = 0x02014b50
const END_SIG = 0x06054b50

export function pinZipTimestamps(zip: Buffer, isoDate: string): Buffer {
  const out = Buffer.from(zip)
  const eocd = findEndOfCentralDirectory(out)
  if (eocd < 0) return zip
  const entries = out.readUInt16LE(eocd + 10)
  let at = out.readUInt32LE(eocd + 16)
  const { time, date } = dosDateTime(isoDate)
  for (let i = 0; i < entries; i++) {
    if (at + 46 > out.length || out.readUInt32LE(at) !== CENTRAL_SIG) return zip
    out.writeUInt16LE(time, at + 12)
    out.writeUInt16LE(date, at + 14)
    const local = out.readUInt32LE(at + 42)
    if (local + 30 <= out.length && out.readUInt32LE(local) === LOCAL_SIG) {
      out.writeUInt16LE(time, local + 10)
      out.writeUInt16LE(date, local + 12)
    }
    at += 46 + out.readUInt16LE(at + 28) + out.readUInt16LE(at + 30) + out.readUInt16LE(at + 32)
  }
  return out
}

function findEndOfCentralDirectory(buf: Buffer): number {
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === END_SIG) return i
  }
  return -1
}

function dosDateTime(iso: string): { time: number; date: number } {
  const y = Number(iso.slice(0, 4))
  const m = Number(iso.slice(5, 7))
  const d = Number(iso.slice(8, 10))
  return { time: 0, date: ((y - 1980) << 9) | (m << 5) | d }
}
