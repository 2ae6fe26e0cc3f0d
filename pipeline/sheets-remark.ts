/**
 * Remarks for the end-of-run summary on workbooks with visible sheets besides the one read. SPEC §2 reads one sheet
 * per workbook (the first visible sheet named after the kind, else the first visible sheet: stages/readers/xlsx.ts),
 * so a reconciliation workbook with a second sheet of lines (Sheet1 and Sheet2 of 200 USD each) was invoiced and
 * totalled from Sheet1 alone, on a run that exited 0 ("nothing is skipped silently", SPEC §2; inputs review). Not
 * findings: SPEC §5 has no rule for them, and run.json's shape stays as it is.
 *
 * Only names are known (workbook.xml; discover reads the header and nothing else), so every other visible sheet is
 * named, an empty one too: telling it from one with rows would mean parsing each sheet, and Excel and LibreOffice
 * make one sheet per new workbook, so an extra visible sheet is rarely empty. Hidden sheets are not named: one is
 * hidden on purpose, usually an old copy (the reader never picks it while a sheet is visible), and it would add
 * the same line to every month's summary; the remark says so, which is also the way to quiet it.
 * A workbook that cannot be used (UNREADABLE_FILE: its first sheet empty, or with a header of no kind) gets the
 * remark too when its sheets are known: the data is likely on the sheet that was not read. A reference workbook
 * not used (the period folder has its own) is not read at all: no remark.
 *
 * One remark per workbook, in discover's order (period folder, then reference/, each by name); sheets in
 * workbook order: deterministic.
 */
import type { DiscoveredFile } from '../stages/discover.js'

/** Kinds whose files hold the month's rows (the others are the distributor's standing sheets). */
const MONTHLY = new Set(['reconciliation', 'usage', 'pricelist'])

export function sheetsRemarks(files: readonly DiscoveredFile[]): string[] {
  const remarks: string[] = []
  for (const f of files) {
    if (f.kind === 'ignored' || f.sheets === undefined || f.sheets.notRead.length === 0) continue
    const others = f.sheets.notRead.map((s) => `'${s}'`).join(', ')
    const one = f.sheets.notRead.length === 1
    const rows = MONTHLY.has(f.kind) ? 'rows of the month' : 'rows to be read'
    remarks.push(
      `Sheets not read: ${f.file} was read from its sheet '${f.sheets.read}'; ` +
        (one ? `its other sheet ${others} was not` : `its other sheets ${others} were not`) +
        ' (one sheet is read per workbook): ' +
        (one ? `if it holds ${rows}, save it as its own file and run again` : `if they hold ${rows}, save each as its own file and run again`) +
        ' (a hidden sheet is not named here)',
    )
  }
  return remarks
}
