/**
 * Discover: lists the run's input files and tells the kind of each from its header (SPEC §2, §2.4).
 *
 * In: ctx.periodDir (every file, by file name) and ctx.referenceDir. Out: one DiscoveredFile per file found:
 * - `.csv`, `.csv.gz`, `.xlsx` → the kind detected from the header (first match in SPEC order), or
 *   'unreadable' with the reason (empty, binary, broken zip/gzip, duplicated column, header of no kind);
 * - a sub-folder, or anything else → 'ignored' (listed in run.json, never read; pipeline/ignored-remark.ts says so
 *   in the summary).
 * Reference kinds (pricelist, pricebooks, resellers, customers) found in the period folder are read only from
 * there; a kind missing there is read from `input/reference/`. Reference files that are not used (their kind is
 * in the period folder, or they are reconciliation/usage files) are listed as 'ignored' with the reason.
 * Discover only reads headers; ingest reads the rows and reports the findings. Never throws for bad files.
 */
import type { Stats } from 'node:fs'
import { lstat, readdir, stat } from 'node:fs/promises'
import { basename, join, relative, sep } from 'node:path'
import type { RunContext, StageResult } from '../pipeline/context.js'
import { REFERENCE_KINDS, type InputKind } from '../schemas/kinds/index.js'
import pLimit from 'p-limit'
import { judgeHeader } from '../schemas/kinds/header-verdict.js'
import { readHeader, type TabularFormat } from './readers/header.js'
import type { XlsxSheets } from './readers/xlsx.js'
import { Utf8Or1252Decoder } from './readers/encoding.js'

export type FileKind = InputKind

/** Files whose header is read at the same time. */
const EXAMINE_AT_ONCE = 4

export interface DiscoveredFile {
  /** Absolute path. */
  path: string
  /** Posix path relative to ctx.inputRoot, e.g. '2026-10/recon.csv': used in every finding and in run.json. */
  file: string
  kind: FileKind | 'ignored' | 'unreadable'
  format: 'csv' | 'csv.gz' | 'xlsx' | 'other'
  /** Why the file is unreadable (or, for a reference file, why it is not used). */
  reason?: string
  /** A workbook's sheet read and its other visible sheets, not read; only when there are any (pipeline/sheets-remark.ts). */
  sheets?: XlsxSheets
  /** The bytes of the path when the name is not valid UTF-8 (`path` then names no file): to hash and count it. */
  realPath?: Buffer
}

/** The reason of an 'ignored' sub-folder (pipeline/ignored-remark.ts tells finance what to do with it). */
export const FOLDER_REASON = 'a folder: sub-folders are not read'
/** The reason of an 'ignored' entry whose name is not that of an input file. */
export const NOT_AN_INPUT_REASON = 'not a .csv, .csv.gz or .xlsx file'
/** The reason of an 'ignored' entry named like an input file that is a pipe, socket or device. */
export const NOT_A_FILE_REASON = 'not a file'
/** The end of the reason of a reconciliation or usage file found in input/reference/. */
export const PERIOD_ONLY_REASON = 'files are read from the period folder only'

export async function discover(_input: void, ctx: RunContext): Promise<StageResult<DiscoveredFile[]>> {
  const periodFiles = await examineFolder(ctx.periodDir, ctx.inputRoot)
  const inPeriod = new Set(periodFiles.map((f) => f.kind))
  const referenceFiles = (await examineFolder(ctx.referenceDir, ctx.inputRoot)).map((f) => referenceUse(f, inPeriod, ctx))
  return { output: [...periodFiles, ...referenceFiles], findings: [] }
}

/** A reference file is used only for a reference kind that the period folder lacks. */
function referenceUse(f: DiscoveredFile, inPeriod: Set<string>, ctx: RunContext): DiscoveredFile {
  if (f.kind === 'ignored' || f.kind === 'unreadable') return f
  const periodFolder = relativePosix(ctx.inputRoot, ctx.periodDir)
  if (!REFERENCE_KINDS.includes(f.kind)) {
    return { ...f, kind: 'ignored', reason: `${f.kind} ${PERIOD_ONLY_REASON} (${periodFolder}/)` }
  }
  if (inPeriod.has(f.kind)) {
    return { ...f, kind: 'ignored', reason: `not used: the period folder ${periodFolder}/ has its own ${f.kind} file` }
  }
  return f
}

/**
 * Every entry of a folder (not recursive), sorted by name; a missing folder has none. Sub-folders are listed too
 * (as 'ignored', by `examineFile`), so a folder named like an input file is not skipped without a trace.
 * Names are read as bytes: a name that is not valid UTF-8 (Latin-1 names from a zip made on Windows, unpacked on
 * Linux) was decoded with U+FFFD, and the path built from it named no file (UNREADABLE_FILE "a symbolic link whose
 * target does not exist", and the hash of no bytes). Such a name is shown decoded as Windows-1252 (SPEC §2: U+FFFD
 * never appears in an output) and the entry is examined through its real path.
 */
async function examineFolder(dir: string, inputRoot: string): Promise<DiscoveredFile[]> {
  let raw: Buffer[]
  try {
    raw = await readdir(dir, { encoding: 'buffer' })
  } catch {
    return [] // no reference folder is normal; a missing or unreadable folder is the runner's exit-2 check
  }
  const entries = raw.map((bytes) => entryName(dir, bytes))
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) // code-unit order: the same on every machine
  // Headers are read a few files at a time (mostly waiting on the disk); results keep the sorted order.
  const limit = pLimit(EXAMINE_AT_ONCE)
  return Promise.all(entries.map((e) => limit(async () => {
    const examined = await examineFile(e.path, relativePosix(inputRoot, join(dir, e.name)), e.realPath)
    return e.realPath === undefined ? examined : { ...examined, realPath: e.realPath }
  })))
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

/**
 * The name to show for a folder entry, and, when its bytes are not valid UTF-8, the real (byte) path to reach it
 * by; `path` is then a path no file is expected at (the name decoded with U+FFFD), never shown.
 */
function entryName(dir: string, bytes: Buffer): { name: string; path: string; realPath?: Buffer } {
  try {
    const name = UTF8.decode(bytes)
    return { name, path: join(dir, name) }
  } catch {
    const realPath = Buffer.concat([Buffer.from(join(dir, sep)), bytes])
    return { name: new Utf8Or1252Decoder().decode(bytes), path: join(dir, bytes.toString('utf8')), realPath }
  }
}

/**
 * Why the period folder cannot be billed, or null: it holds no invoice reconciliation file, so a run would end
 * "no errors" with no invoice at all (an empty drop, or files with the wrong extension). An unreadable .csv,
 * .csv.gz or .xlsx may be that file: it is reported as UNREADABLE_FILE instead (exit 1, outputs written).
 */
export function nothingToInvoice(files: readonly DiscoveredFile[], periodFolder: string): string | null {
  const own = files.filter((f) => f.file.startsWith(`${periodFolder}/`))
  if (own.some((f) => f.kind === 'reconciliation' || f.kind === 'unreadable')) return null
  const found = own.map((f) => (f.kind === 'ignored' ? `${f.file} (ignored: ${f.reason ?? 'not read'})` : `${f.file} (${f.kind})`))
  const holds = found.length === 0 ? 'it is empty' : `it holds ${found.join(', ')}`
  return `no invoice reconciliation file in ${periodFolder}/ (${holds}): nothing to invoice. Put the month's reconciliation export (.csv, .csv.gz or .xlsx) there`
}

/**
 * Why the period's reconciliation files cannot be billed once read, or null: every one of them holds a header and
 * no data row (an export taken before Microsoft's invoice was ready), so a run would end "no errors" with no
 * invoice, as without the file (CLI review). `files`: what ingest recorded (input_files).
 */
export function noReconciliationRows(files: readonly { file: string; kind: string; rows: number }[], periodFolder: string): string | null {
  const own = files.filter((f) => f.file.startsWith(`${periodFolder}/`))
  const recon = own.filter((f) => f.kind === 'reconciliation')
  if (recon.length === 0 || own.some((f) => f.kind === 'unreadable') || recon.some((f) => f.rows > 0)) return null
  return `the invoice reconciliation file${recon.length > 1 ? 's' : ''} in ${periodFolder}/ (${recon.map((f) => f.file).join(', ')}) hold${recon.length > 1 ? '' : 's'} a header and no data row: nothing to invoice. Export the month's reconciliation again once Microsoft's invoice is ready`
}

export function formatOf(name: string): DiscoveredFile['format'] {
  const lower = name.toLowerCase()
  if (lower.endsWith('.csv.gz')) return 'csv.gz'
  if (lower.endsWith('.csv')) return 'csv'
  if (lower.endsWith('.xlsx')) return 'xlsx'
  return 'other'
}

/**
 * Kind of one file from its header, or why it cannot be read. `realPath`: given when the file's name is not valid
 * UTF-8 (see examineFolder), the bytes of its path; `path` then names no file.
 */
export async function examineFile(path: string, file: string, realPath?: Buffer): Promise<DiscoveredFile> {
  const format = formatOf(path)
  let info: Stats | undefined
  let failure: unknown
  try {
    info = await stat(realPath ?? path)
  } catch (error) {
    failure = error
  }
  // Before the name's extension: a folder `OneTime` was "not a .csv, .csv.gz or .xlsx file", which hid that files
  // in it are not read.
  if (info?.isDirectory()) return { path, file, kind: 'ignored', format: 'other', reason: FOLDER_REASON }
  if (format === 'other') return { path, file, kind: 'ignored', format, reason: NOT_AN_INPUT_REASON }
  const name = basename(path)
  if (name.startsWith('~$')) {
    // Excel's owner/lock file beside an open workbook: name the real cause instead of "broken zip".
    return { path, file, kind: 'unreadable', format, reason: `it is Excel's lock file for ${name.slice(2)}, which is open in Excel: close the workbook (the lock file then disappears)` }
  }
  if (realPath !== undefined) {
    // Not read through its real path: every later stage (readers, hashing, the side thread) takes a string path,
    // and no string reaches these bytes. Renaming it is one step for finance; a wrong name in the invoices' source
    // column is not.
    return { path, file, kind: 'unreadable', format, reason: 'its file name is not valid UTF-8 (it is shown here read as Windows-1252, as a zip made on Windows names files): rename it' }
  }
  if (info === undefined) return { path, file, kind: 'unreadable', format, reason: `it cannot be opened (${await whyNotOpened(failure, path)})` }
  if (!info.isFile()) return { path, file, kind: 'ignored', format: 'other', reason: NOT_A_FILE_REASON }
  if (info.size === 0) return { path, file, kind: 'unreadable', format, reason: 'it is empty (0 bytes)' }
  const read = await readHeader(path, format as TabularFormat)
  const sheets = read.sheets === undefined ? {} : { sheets: read.sheets }
  if ('reason' in read) return { path, file, kind: 'unreadable', format, reason: read.reason, ...sheets }
  const verdict = judgeHeader(read.header)
  if ('reason' in verdict) return { path, file, kind: 'unreadable', format, reason: verdict.reason, ...sheets }
  return { path, file, kind: verdict.kind, format, ...sheets }
}

function relativePosix(from: string, to: string): string {
  return relative(from, to).split(sep).join('/')
}

/**
 * Why a file cannot be opened, without its absolute path: Node's messages name it, and the findings would then
 * differ with where the month was checked out (outputs must be the same bytes for the same inputs).
 */
async function whyNotOpened(error: unknown, path: string): Promise<string> {
  const code = (error as NodeJS.ErrnoException)?.code
  if (code === 'ENOENT') {
    // The name was just listed: either a link to nothing, or the file went away while the run read the folder.
    const link = await lstat(path).then((s) => s.isSymbolicLink(), () => false)
    return link ? 'a symbolic link whose target does not exist' : 'it was removed or renamed while the run read the folder'
  }
  if (code === 'ELOOP') return 'a loop of symbolic links'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'ENAMETOOLONG') return 'its path is too long'
  return code ?? 'unknown error'
}
