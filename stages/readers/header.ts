/**
 * Header of an input file and what it says about the file (SPEC §2): its kind, or why it cannot be used
 * (unreadable bytes, no header, duplicated or ambiguous column names, a header that matches no kind).
 * Used by discover (kind of every file) and by ingest (the same checks, on the same rules).
 *
 * In: a file path and format. Out: header cells as text, or a reason. Never throws.
 */
import { cellText } from '../../schemas/kinds/index.js'
import { isBlankRecord, readCsv } from './csv.js'
import { readXlsx, type XlsxSheets } from './xlsx.js'

export type TabularFormat = 'csv' | 'csv.gz' | 'xlsx'

/**
 * `sheets`: for a workbook with visible sheets besides the one read (its header, then its rows in ingest: the same
 * choice), which they are; absent otherwise (a CSV, a one-sheet workbook, a workbook that cannot be read).
 */
export type HeaderRead = { header: string[]; sheets?: XlsxSheets } | { reason: string; sheets?: XlsxSheets }

/** The first non-blank record of the file (sheet), as text. */
export async function readHeader(path: string, format: TabularFormat): Promise<HeaderRead> {
  let header: string[] | null = null
  let sheets: XlsxSheets | undefined
  if (format === 'xlsx') {
    const outcome = await readXlsx(path, (cells) => {
      if (cells.every((c) => cellText(c).trim() === '')) return true
      header = cells.map(cellText)
      return false
    }, undefined, (s) => {
      if (s.notRead.length > 0) sheets = s
    })
    if (outcome.status === 'unreadable') return { reason: outcome.reason }
  } else {
    const onRecord = (cells: string[]) => {
      if (isBlankRecord(cells)) return true
      header = cells
      return false
    }
    let outcome = await readCsv(path, { gzip: format === 'csv.gz' }, onRecord)
    // Only blank lines before text the fast tokenizer leaves to papaparse: read again.
    if (outcome.status === 'reread' && header === null) outcome = await readCsv(path, { gzip: format === 'csv.gz', general: true }, onRecord)
    if (outcome.status === 'unreadable' && header === null) return { reason: outcome.reason }
  }
  const more = sheets === undefined ? {} : { sheets }
  if (header === null) return { reason: 'it has no header row (no text at all, or only blank lines)', ...more }
  return { header, ...more }
}
