/**
 * The ordered stage list: discover → ingest (+load) → price → usage (the end of ingest) → reconcile → write,
 * then the atomic move of the outputs into `<output>/<period>/`.
 *
 * In: RunOptions (what the CLI parsed). Out: RunOutcome with the exit code of SPEC §6 (0 clean, 1 completed with
 * errors, 2 could not run). Never throws: environment problems become exit 2 with a message naming the field,
 * folder or file; a stage that crashes (a bug) also ends with exit 2, leaving the previous outputs untouched.
 */
import { accessSync, constants, existsSync, lstatSync, mkdirSync, readdirSync, readlinkSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs'
import { basename, dirname, join, relative, resolve, sep } from 'node:path'
import { openDb, type Db } from './db.js'
import { makeFolder } from './folders.js'
import { loadSettings } from './config.js'
import { acquireLock } from './lock.js'
import { periodBounds, PERIOD_HINT, PERIOD_PATTERN, type FileProgress, type RunContext, type StageResult } from './context.js'
import { findingCounts, findingList, insertFindings, linkFindingsToLines, nameRetainedResellers, type FindingCount } from './findings-store.js'
import type { Settings } from '../schemas/config.js'
import { collectGarbage, tuneHeap } from './gc.js'
import { SideThread, sideThreadWanted } from './side-thread.js'
import { discover, noReconciliationRows, nothingToInvoice } from '../stages/discover.js'
import { startIngest } from '../stages/ingest.js'
import { price } from '../stages/price.js'
import { reconcile, formatSummary } from '../stages/reconcile.js'
import { tieOutSkipped } from '../stages/checks/usage-tie-out.js'
import { periodRemarks } from './period-remark.js'
import { skuTwinRemarks } from './sku-twin-remark.js'
import { ignoredRemarks } from './ignored-remark.js'
import { removeParkedSheets } from '../stages/readers/xlsx-entries.js'
import { sheetsRemarks } from './sheets-remark.js'
import { priceListRemarks } from './price-list-remark.js'
import { unknownColumnRemarks } from './unknown-columns-remark.js'
import { write } from '../stages/write.js'
import { heldCostByCurrency } from './held.js'
import { formatInvoiceSummary } from './summary.js'
import { writeExceptionsCsv } from '../stages/writers/exceptions-csv.js'

export interface RunOptions {
  period: string
  inputRoot: string
  outputRoot: string
  configPath: string
  configExplicit: boolean
  /** Stop after the checks: no outputs except the findings file (the `validate` command). */
  validateOnly?: boolean
  /** Progress and stage timings; the CLI decides how to show them. */
  onProgress?: (event: ProgressEvent) => void
  /** Per-file progress of streaming stages. */
  fileProgress?: FileProgress
}

export type ProgressEvent =
  | { type: 'stage-start'; stage: string }
  | { type: 'stage-end'; stage: string; ms: number; findings: number }

export interface RunOutcome {
  exitCode: 0 | 1 | 2
  /** Why the run could not run (exit 2), for stderr. */
  message?: string
  /** Human summary for the end of the run. */
  summary?: string
  /** Findings per rule and severity (the findings themselves are in the staging DB and the outputs). */
  findings?: FindingCount[]
  outputDir?: string
  /** validate: where the findings were written. */
  findingsFile?: string
  runJson?: unknown
  /** Housekeeping of the output folder worth a line on stderr (a leftover it could not remove, outputs put back). */
  notes?: string[]
  /** What the summary remarks on beside the findings (files of another period, a tie-out not run): for --json. */
  remarks?: string[]
}

export async function runPipeline(opts: RunOptions): Promise<RunOutcome> {
  const prepared = prepare(opts)
  if ('message' in prepared) return { exitCode: 2, message: prepared.message }
  tuneHeap()
  const { settings, periodDir, outputRoot, finalDir } = prepared

  const lock = acquireLock(join(outputRoot, `.${opts.period}.lock`))
  if (!lock.ok) return { exitCode: 2, message: lock.message }
  const workDir = join(outputRoot, `.${opts.period}.tmp-${process.pid}`)
  const stopCleanly = cleanUpOnSignal(workDir, lock.release)
  const notes: string[] = []
  let db: Db | null = null
  let side: SideThread | null = null
  try {
    removeLeftovers(outputRoot, finalDir, opts.period, notes)
    mkdirSync(workDir, { recursive: true })
    db = openDb(join(workDir, 'staging.sqlite'))
    const { start, end } = periodBounds(opts.period, settings.periodStartDay)
    const ctx: RunContext = {
      period: opts.period,
      periodStart: start,
      periodEnd: end,
      inputRoot: resolve(opts.inputRoot),
      periodDir,
      referenceDir: join(resolve(opts.inputRoot), 'reference'),
      outputRoot,
      workDir,
      settings,
      db,
      progress: opts.fileProgress,
    }
    const step = stepper(ctx, opts.onProgress)
    // Started first: a big usage file's second part is its first task (pipeline/side-thread.ts).
    if (sideThreadWanted()) {
      side = await SideThread.start({ dbPath: join(workDir, 'staging.sqlite'), settings, periodStart: start, periodEnd: end })
      if (side !== null) ctx.side = side
    }
    const files = await step('discover', () => discover(undefined, ctx))
    const periodFolder = relative(ctx.inputRoot, periodDir).split(sep).join('/')
    const nothing = nothingToInvoice(files, periodFolder)
    if (nothing !== null) throw new Error(nothing) // exit 2 below: nothing is written
    // The side thread may still be reading usage when ingest returns: price needs none of it, so it runs on this
    // thread meanwhile, and the `usage` step waits for the side thread and records what ingest read.
    const ingesting = await step('ingest', () => startIngest(files, ctx))
    const noRows = noReconciliationRows(ingesting.read, periodFolder) // reconciliation files are never split
    if (noRows !== null) throw new Error(noRows) // exit 2, as without the file: nothing is written
    await step('price', () => price({ resellersFiles: files.filter((f) => f.kind === 'resellers').map((f) => f.file), customersFiles: files.filter((f) => f.kind === 'customers').map((f) => f.file) }, ctx))
    await step('usage', () => ingesting.finish())
    await step('reconcile', () => reconcile(undefined, ctx))
    linkFindingsToLines(db)
    await nameRetainedResellers(db)

    const findings = findingCounts(db)
    const exitCode = exitCodeFor(findings, settings)
    const held = heldCostByCurrency(db)
    const remarks = [...ignoredRemarks(files, periodFolder), ...sheetsRemarks(files), ...unknownColumnRemarks(db), ...periodRemarks(db, start, end), ...skuTwinRemarks(db), ...(await priceListRemarks(db)), tieOutSkipped(db)].filter((r): r is string => r !== null)
    if (opts.validateOnly) {
      // The only file validate writes; beside, not inside, output/<period>/ so a previous run's outputs stay as they were.
      const findingsFile = join(outputRoot, `${opts.period}.validation.csv`)
      // Written beside and renamed over: a killed validate left the previous file emptied or cut short.
      const partial = join(outputRoot, `.${opts.period}.tmp-${process.pid}.validation.csv`) // a leftover the next run removes
      writeExceptionsCsv(partial, findingList(db).rows)
      renameSync(partial, findingsFile)
      await db.close()
      db = null
      removeOrNote(workDir, notes)
      return { exitCode, summary: formatSummary(findings, held, findingsFile, remarks), findings, findingsFile, notes, remarks }
    }
    const summary = formatSummary(findings, held, join(finalDir, 'reconciliation.xlsx'), remarks)
    const written = await step('write', () => write({ exitCode, remarks }, ctx), { last: true })
    await db.close()
    db = null
    moveIntoPlace(workDir, finalDir, outputRoot, opts.period, notes)
    return { exitCode, summary: `${formatInvoiceSummary(written.runJson)}\n\n${summary}`, findings, outputDir: finalDir, runJson: written.runJson, notes, remarks }
  } catch (e) {
    if (db !== null) await db.close().catch(() => undefined)
    removeOrNote(workDir, notes)
    // A validate that could not run leaves no findings file behind: the previous one, read by a script after this
    // exit 2, passed for this drop's (CLI review).
    const stale = join(outputRoot, `${opts.period}.validation.csv`)
    if (opts.validateOnly && existsSync(stale)) {
      removeOrNote(stale, notes)
      if (!existsSync(stale)) notes.push(`removed ${stale}, the findings of an earlier validate: this one could not run`)
    }
    const err = e as Error
    const detail = process.env.CSP_BILLING_DEBUG ? `\n${err.stack ?? ''}` : ''
    return { exitCode: 2, message: `${err.message}${detail}`, notes }
  } finally {
    stopCleanly()
    await side?.close()
    lock.release()
  }
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const

/**
 * A run stopped by a signal (Ctrl-C, a CI job's timeout, a closed terminal) removes its work folder and its lock
 * before it ends, as the signal would have ended it: they were left behind (with a big gzip usage file, the unpacked
 * copy: 942 MB for the bench month) until the next run of the period. The previous outputs are untouched: nothing
 * was moved yet. Returns the function that stops listening.
 */
function cleanUpOnSignal(workDir: string, releaseLock: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    stop()
    try {
      rmSync(workDir, { recursive: true, force: true })
      for (const name of readdirSync(dirname(workDir))) {
        if (name.startsWith(`${basename(workDir)}.`)) rmSync(join(dirname(workDir), name), { force: true })
      }
    } catch {
      // Left for the next run of the period, which removes it (removeLeftovers).
    }
    removeParkedSheets()
    releaseLock()
    process.kill(process.pid, signal) // no listener left: ends as the signal ends a process (exit 128 + n)
  }
  const stop = () => {
    for (const signal of STOP_SIGNALS) process.off(signal, onSignal)
  }
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal)
  return stop
}

/** SPEC §6: errors → 1; with `strict`, warnings (not info) → 1 too. */
export function exitCodeFor(findings: readonly Pick<FindingCount, 'severity' | 'n'>[], settings: Settings): 0 | 1 {
  if (findings.some((f) => f.severity === 'error' && f.n > 0)) return 1
  if (settings.strict && findings.some((f) => f.severity === 'warning' && f.n > 0)) return 1
  return 0
}

type Prepared = { settings: Settings; periodDir: string; outputRoot: string; finalDir: string } | { message: string }

function prepare(opts: RunOptions): Prepared {
  if (!PERIOD_PATTERN.test(opts.period)) return { message: `--period '${opts.period}' is not a billing period: ${PERIOD_HINT}` }
  const config = loadSettings(opts.configPath, opts.configExplicit)
  if (!config.ok) return { message: config.message }
  const periodDir = join(resolve(opts.inputRoot), opts.period)
  if (!existsSync(periodDir)) {
    return { message: `input folder ${periodDir} does not exist: put the month's files in <input>/${opts.period}/ or pass --input` }
  }
  if (!statSync(periodDir).isDirectory()) {
    return { message: `input folder ${periodDir} is a file, not a folder: put the month's files in a folder <input>/${opts.period}/` }
  }
  const unreadable = unreadableFolder(periodDir) ?? unreadableFolder(join(resolve(opts.inputRoot), 'reference'))
  if (unreadable !== null) return { message: unreadable }
  const outputRoot = resolve(opts.outputRoot)
  const overlap = overlappingFolders(periodDir, join(resolve(opts.inputRoot), 'reference'), outputRoot, join(outputRoot, opts.period))
  if (overlap !== null) return { message: overlap }
  try {
    makeFolder(outputRoot)
    accessSync(outputRoot, constants.W_OK)
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message
    return { message: `output folder ${outputRoot} is not writable (${why}): pass --output with a folder you can write to` }
  }
  return { settings: config.settings, periodDir, outputRoot, finalDir: join(outputRoot, opts.period) }
}

/**
 * Where the run writes must not overlap what it reads (determinism review): `--output` equal to `--input` made
 * output/<period> the month's own folder, which a run replaces, and the month's files were deleted; an output
 * folder inside an input folder had the run's own lock and work folder read as input files, and run.json changed
 * on every rerun. Paths are compared as the file system resolves them (symbolic links followed), also for folders
 * not created yet.
 */
function overlappingFolders(periodDir: string, referenceDir: string, outputRoot: string, finalDir: string): string | null {
  const [input, reference, root, final] = [periodDir, referenceDir, outputRoot, finalDir].map(resolvedPath) as [string, string, string, string]
  const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep)
  for (const read of [input, reference]) {
    if (within(read, final)) {
      return `--output ${outputRoot} would write ${finalDir}, which is or holds the input folder ${read === input ? periodDir : referenceDir}: a run replaces that folder and would delete the files it reads. Pass an --output folder outside the input folders (for example output/)`
    }
    if (within(root, read)) {
      return `--output ${outputRoot} is inside the input folder ${read === input ? periodDir : referenceDir}: the run's own files (its lock, work folder and outputs) would be read as input files. Pass an --output folder outside the input folders (for example output/)`
    }
  }
  return null
}

/** The path as the file system resolves it: the longest existing part through realpath, the rest as given. */
function resolvedPath(path: string): string {
  const rest: string[] = []
  let at = resolve(path)
  for (;;) {
    try {
      return join(realpathSync(at), ...rest.reverse())
    } catch {
      const parent = dirname(at)
      if (parent === at) return resolve(path)
      rest.push(basename(at))
      at = parent
    }
  }
}

/** A folder that exists but cannot be listed (permissions): its files would be missed without a word. */
function unreadableFolder(dir: string): string | null {
  try {
    readdirSync(dir)
    return null
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err.code === 'ENOENT') return null // no reference folder is normal; the period folder was checked above
    if (err.code === 'ENOTDIR') return `input folder ${dir} is a file, not a folder: move it away or make it a folder`
    const why = err.code === 'EACCES' || err.code === 'EPERM' ? 'permission denied' : (err.code ?? err.message)
    return `input folder ${dir} cannot be read (${why}): give the user running csp-billing read access to it`
  }
}

class StageCrash extends Error {}

function stepper(ctx: RunContext, onProgress: RunOptions['onProgress']) {
  return async function step<Out>(stage: string, fn: () => Promise<StageResult<Out>>, options: { last?: boolean } = {}): Promise<Out> {
    onProgress?.({ type: 'stage-start', stage })
    const started = performance.now()
    let result: StageResult<Out>
    try {
      result = await fn()
    } catch (e) {
      const err = e as Error
      const environment = environmentProblem(err)
      const crash = new StageCrash(environment !== null
        ? `stage '${stage}' could not write its work files under ${ctx.outputRoot}: ${environment}; previous outputs are untouched. Fix that and run again.`
        : `stage '${stage}' crashed: ${err.message}. This is a bug in csp-billing, not in your files; previous outputs are untouched. Rerun with --debug and report it.`)
      crash.stack = err.stack
      throw crash
    }
    insertFindings(ctx.db, result.findings)
    // Between stages only (pipeline/gc.ts): after the last one no stage is left whose heap it would size (it took
    // 57 ms at the end of a 1 M-row bench run, with 72 MiB of heap, before the run could end).
    if (options.last !== true) collectGarbage()
    onProgress?.({ type: 'stage-end', stage, ms: performance.now() - started, findings: result.findings.length })
    return result.output
  }
}

/**
 * A failure of the machine, not of the program: a full disk (the staging DB and the workbooks are written under the
 * output folder) was reported as "a bug in csp-billing" (determinism review). Null for anything else.
 */
export function environmentProblem(error: Error): string | null {
  const code = String((error as NodeJS.ErrnoException).code ?? '')
  if (code === 'ENOSPC' || code === 'SQLITE_FULL' || /database or disk is full/i.test(error.message)) return 'the disk is full'
  if (code === 'EDQUOT') return 'the disk quota is used up'
  if (code === 'EROFS' || code.startsWith('SQLITE_READONLY')) return 'the file system is read-only'
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied'
  if (code === 'EIO' || code.startsWith('SQLITE_IOERR')) return `an input/output error of the disk (${code})`
  return null
}

/**
 * Folders of killed runs (we hold the lock, so nobody else is writing them). `.<period>.old-*` is always a complete
 * set of outputs (moveIntoPlace renames a set to `.del-*` before removing it, so a set half removed never carries
 * that name): when `output/<period>/` is missing, a run was killed between moveIntoPlace's two renames, and the
 * newest such set is put back instead of deleted. A folder that cannot be removed (permissions) is left, with a
 * note, rather than stop this run and every later one.
 */
export function removeLeftovers(outputRoot: string, finalDir: string, period: string, notes: string[]): void {
  const leftovers = (kind: string) => readdirSync(outputRoot).filter((name) => name.startsWith(`.${period}.${kind}-`)).sort()
  if (!lexists(finalDir)) {
    const newest = leftovers('old')
      .map((name) => ({ name, at: statSync(join(outputRoot, name)).mtimeMs }))
      .sort((a, b) => b.at - a.at || (a.name < b.name ? -1 : 1))[0]
    if (newest !== undefined) {
      renameSync(join(outputRoot, newest.name), finalDir)
      notes.push(`put back the previous outputs of ${period}, which a killed run had left as ${newest.name}`)
    }
  }
  for (const name of leftovers('old')) discard(join(outputRoot, name), outputRoot, period, notes)
  for (const name of [...leftovers('tmp'), ...leftovers('del')]) removeOrNote(join(outputRoot, name), notes)
}

/** Renames a complete set of outputs to `.del-*`, then removes it: only a set still whole keeps its `.old-*` name. */
function discard(path: string, outputRoot: string, period: string, notes: string[]): void {
  const doomed = unusedName(outputRoot, `.${period}.del-${process.pid}`)
  try {
    renameSync(path, doomed)
  } catch (e) {
    notes.push(couldNotRemove(path, e))
    return
  }
  removeOrNote(doomed, notes)
}

function removeOrNote(path: string, notes: string[]): void {
  try {
    rmSync(path, { recursive: true, force: true })
  } catch (e) {
    notes.push(couldNotRemove(path, e))
  }
}

const couldNotRemove = (path: string, e: unknown): string =>
  `could not remove ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); remove it by hand`

/** `base` in `dir`, or `base-2`, `base-3`, … when taken: a pid repeats (pid 1 in a container on every run). */
function unusedName(dir: string, base: string): string {
  let path = join(dir, base)
  for (let k = 2; lexists(path); k++) path = join(dir, `${base}-${k}`)
  return path
}

/**
 * Rename the finished temp folder over the previous outputs: the old set stays whole until the new one is complete.
 * Once the new set is in place the run has succeeded: a previous set that cannot be removed is only noted.
 */
export function moveIntoPlace(workDir: string, finalDir: string, outputRoot: string, period: string, notes: string[]): void {
  const old = unusedName(outputRoot, `.${period}.old-${process.pid}`)
  // lexists: a symbolic link left at output/<period> whose target is gone is moved aside like a folder (existsSync
  // follows it, and renaming the new set onto it failed on every run).
  // A link to a shared folder is replaced by the new set, and its target keeps the previous outputs: say so, since
  // whoever reads the share would get last run's invoices without a word (ops review).
  const linkedTo = linkTarget(finalDir)
  if (lexists(finalDir)) renameSync(finalDir, old)
  try {
    renameSync(workDir, finalDir)
  } catch (e) {
    if (lexists(old) && !lexists(finalDir)) renameSync(old, finalDir) // the previous outputs stay
    throw e
  }
  if (lexists(old)) discard(old, outputRoot, period, notes)
  if (linkedTo !== null && existsSync(linkedTo)) {
    notes.push(`${finalDir} was a symbolic link to ${linkedTo}; it is now a folder holding this run's outputs, and ${linkedTo} still holds the previous ones: copy the new outputs there, or point the link again`)
  }
}

/** Where a symbolic link at `path` points (as written in the link), null when `path` is not a link. */
function linkTarget(path: string): string | null {
  try {
    return lstatSync(path).isSymbolicLink() ? resolve(dirname(path), readlinkSync(path)) : null
  } catch {
    return null
  }
}

/** The name exists, whatever it is: a symbolic link counts even when its target does not exist. */
function lexists(path: string): boolean {
  try {
    lstatSync(path)
    return true
  } catch {
    return false
  }
}
