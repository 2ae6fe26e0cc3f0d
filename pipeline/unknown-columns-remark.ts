/**
 * Remarks for the end-of-run summary on the distributor's own sheets (resellers, price books, customers) that
 * have a column the run does not read but that looks like one of the sheet's optional columns misspelled: SPEC §2
 * ignores unknown columns (and run.json lists them), but the column it was meant to be then takes its default
 * without a word: `Tax Rate` 20 invoiced no tax, `Effective Date` priced October by a November rule (README
 * review). Other unknown columns (`Notes`, `CustomerName` in a hand-kept customers sheet) are the sheet's own and
 * get no remark, or every month would repeat it (diff review); neither do Microsoft's exports, which gain columns
 * over time. Not findings: SPEC §5 has no rule for them.
 */
import type { Db } from './db.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'

const DISTRIBUTOR_SHEETS: readonly InputKind[] = ['pricebooks', 'resellers', 'customers']

export function unknownColumnRemarks(db: Db): string[] {
  const files = db.sqlite.prepare(
    `select file, kind, unknown_columns as unknown from input_files
     where kind in (${DISTRIBUTOR_SHEETS.map(() => '?').join(', ')}) and unknown_columns <> '[]' order by file`,
  ).all(...DISTRIBUTOR_SHEETS) as { file: string; kind: InputKind; unknown: string }[]
  const remarks: string[] = []
  for (const f of files) {
    const optional = KINDS[f.kind].columns.filter((c) => !c.required).map((c) => c.name)
    const meant = (JSON.parse(f.unknown) as string[])
      .map((column) => ({ column, like: optional.find((o) => looksLike(column, o)) }))
      .filter((m): m is { column: string; like: string } => m.like !== undefined)
    if (meant.length === 0) continue
    remarks.push(`Columns not read: ${f.file} has ${meant.map((m) => `'${m.column}' (${m.like}?)`).join(', ')}, which the ${f.kind} sheet does not have: ` +
      'a column named otherwise is not read, and each row takes that column\'s default: correct the header and run again if it was meant to be that column')
  }
  return remarks
}

/** Letters and digits, lower-case: how header names are compared, less the spaces and punctuation people add. */
const bare = (name: string) => name.toLowerCase().replace(/[^a-z0-9]/g, '')

/**
 * Whether an unknown header looks like the known column: one holds the other (`Tax Rate` in TaxRatePercent,
 * `Segmentt`, `E-mail`), or they share a beginning of at least 5 letters (`Effective Date`, EffectiveFrom).
 */
export function looksLike(header: string, known: string): boolean {
  const a = bare(header)
  const b = bare(known)
  if (a.length >= 4 && b.length >= 4 && (a.includes(b) || b.includes(a))) return true
  let common = 0
  while (common < a.length && common < b.length && a[common] === b[common]) common++
  return common >= 5
}
