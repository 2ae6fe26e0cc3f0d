/**
 * Remarks for the end-of-run summary on the entries of the input folders that the run did not read (kind
 * 'ignored' in run.json, SPEC §2): a sub-folder made by unpacking a Partner Center zip, the zip itself, an .xls, a
 * file of another extension. run.json listed them and nothing else did, so a month's one-time purchases left in
 * `2026-10/OneTime/` were never invoiced on a run that exited 0 ("nothing is skipped silently", SPEC §2). Not
 * findings: SPEC §5 has no rule for them and run.json's shape stays as it is.
 *
 * Noise, with no remark (it is still listed in run.json):
 * - hidden entries (a name beginning with `.`: `.DS_Store`, `._x.csv` of macOS, LibreOffice's `.~lock.x.xlsx#`)
 *   and the files the operating system leaves in every folder (`desktop.ini`, `Thumbs.db`, `ehthumbs.db`), and
 *   the `__MACOSX` folder a zip made on a Mac unpacks to: no one put billing data there;
 * - Office's owner/lock files (`~$…`) of files that are not read: the workbook it belongs to gets its own remark.
 *   A lock file named like an input (`~$prices.xlsx`) is not ignored: it is UNREADABLE_FILE (stages/discover.ts);
 * - documents that cannot hold an export (.pdf, .doc, .docx, .md, .msg, .eml, images): kept beside the month's
 *   files by habit, they would add the same lines to every month's summary.
 * A `.txt` does get one: a CSV saved with the wrong extension (`recon.csv.txt`, with Windows hiding extensions)
 * or a tab-separated export is money not invoiced; a README.txt costs one line.
 * In input/reference/, a sheet not used because the period folder has its own of that kind is the documented
 * override (README, input folder convention): no remark. A reconciliation or usage file there is never read, and is
 * likely this month's file put in the wrong folder: it gets one.
 *
 * One remark per entry, in run.json's order (period folder, then reference/, each by name): deterministic.
 */
import {
  FOLDER_REASON,
  NOT_A_FILE_REASON,
  NOT_AN_INPUT_REASON,
  PERIOD_ONLY_REASON,
  type DiscoveredFile,
} from '../stages/discover.js'

const SYSTEM_FILES = new Set(['desktop.ini', 'thumbs.db', 'ehthumbs.db', '__macosx'])
const DOCUMENTS = new Set(['pdf', 'doc', 'docx', 'md', 'msg', 'eml', 'png', 'jpg', 'jpeg', 'gif'])
const ARCHIVES = new Set(['zip', '7z', 'rar', 'gz', 'tar', 'tgz'])

export function ignoredRemarks(files: readonly DiscoveredFile[], periodFolder: string): string[] {
  const remarks: string[] = []
  for (const f of files) {
    if (f.kind !== 'ignored') continue
    const remark = remarkFor(f, periodFolder)
    if (remark !== null) remarks.push(`Input not read: ${remark}`)
  }
  return remarks
}

function remarkFor(f: DiscoveredFile, periodFolder: string): string | null {
  const slash = f.file.lastIndexOf('/')
  const folder = f.file.slice(0, slash + 1) // '2026-10/' or 'reference/'
  const name = f.file.slice(slash + 1)
  const lower = name.toLowerCase()
  if (name.startsWith('.') || SYSTEM_FILES.has(lower)) return null
  const reason = f.reason ?? ''
  if (reason === FOLDER_REASON) {
    return `${f.file}/ is a folder, and files in sub-folders are not read: move them into ${folder} and run again`
  }
  if (reason === NOT_A_FILE_REASON) {
    return `${f.file} is not a file (a named pipe, socket or device): put the export itself in ${folder} and run again`
  }
  if (reason.includes(PERIOD_ONLY_REASON)) {
    return `${f.file} is a ${kindOf(reason)} file, and those are read from the period folder only: if it is this month's, move it into ${periodFolder}/ and run again`
  }
  if (reason !== NOT_AN_INPUT_REASON) return null // a reference sheet overridden by the period folder's own
  if (name.startsWith('~$')) return null
  const extension = lower.includes('.') ? lower.slice(lower.lastIndexOf('.') + 1) : ''
  if (DOCUMENTS.has(extension)) return null
  if (ARCHIVES.has(extension)) {
    return `${f.file} is a compressed archive (.${extension}): unpack its files into ${folder} itself (not into a sub-folder) and run again`
  }
  if (extension === 'xls') {
    return `${f.file} is an Excel 97-2003 workbook (.xls): save it as .xlsx or .csv in ${folder} and run again`
  }
  return `${f.file}: only .csv, .csv.gz and .xlsx files are read: if it holds billing data, save it as .csv or .xlsx in ${folder} and run again`
}

/** 'reconciliation' from "reconciliation files are read from the period folder only (2026-10/)". */
function kindOf(reason: string): string {
  return reason.slice(0, reason.indexOf(' '))
}
