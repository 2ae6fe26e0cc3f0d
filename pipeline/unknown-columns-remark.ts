/**
 * Remarks for the end-of-run summary on the distributor's own sheets (resellers, price books, customers) that
 * have columns the run does not read: SPEC §2 ignores unknown columns (and run.json lists them), but in these
 * sheets an unknown column is almost always a known one misspelled, and the column it was meant to be then takes
 * its default without a word: `Tax Rate` 20 invoiced no tax, `Effective Date` priced October by a November rule
 * (README review). Microsoft's exports gain columns over time, so theirs get no remark. Not findings: SPEC §5 has no
 * rule for them.
 */
import type { Db } from './db.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'

const DISTRIBUTOR_SHEETS: readonly InputKind[] = ['pricebooks', 'resellers', 'customers']

export function unknownColumnRemarks(db: Db): string[] {
  const files = db.sqlite.prepare(
    `select file, kind, unknown_columns as unknown from input_files
     where kind in (${DISTRIBUTOR_SHEETS.map(() => '?').join(', ')}) and unknown_columns <> '[]' order by file`,
  ).all(...DISTRIBUTOR_SHEETS) as { file: string; kind: InputKind; unknown: string }[]
  return files.map((f) => {
    const unknown = (JSON.parse(f.unknown) as string[]).map((c) => `'${c}'`).join(', ')
    const optional = KINDS[f.kind].columns.filter((c) => !c.required).map((c) => c.name).join(', ')
    return `Columns not read: ${f.file} has ${unknown}, which the ${f.kind} sheet does not have; its optional columns are ${optional}. ` +
      'A column named otherwise is not read, and a row then takes that column\'s default: correct the header and run again if it was meant to be one of them'
  })
}
