/**
 * RunContext: everything a stage may know about the run, passed in explicitly (no globals), and the Stage
 * contract: a stage returns its output and its findings; it throws only for programmer errors or an unusable
 * environment, never for bad input rows.
 */
import type { Db } from './db.js'
import type { Finding } from './diagnostics.js'
import type { Settings } from '../schemas/config.js'
import type { SideThread } from './side-thread.js'
import { addDays, addMonths } from './dates.js'

export interface RunContext {
  /** `YYYY-MM`. */
  period: string
  /** First and last day of the billing period (SPEC §1, periodStartDay), ISO dates. */
  periodStart: string
  periodEnd: string
  /** `--input` root (holds `<period>/` and `reference/`). */
  inputRoot: string
  /** `<input>/<period>`. */
  periodDir: string
  /** `<input>/reference`. */
  referenceDir: string
  /** `--output` root; final outputs land in `<output>/<period>/`. */
  outputRoot: string
  /** Temporary folder beside `<output>/<period>/` that receives every output; renamed into place at the end. */
  workDir: string
  settings: Settings
  db: Db
  /** Optional progress sink for long file work (the CLI shows bars on a TTY, plain lines in CI). */
  progress?: FileProgress
  /**
   * A second thread: a big usage file's second part, then read-only work of reconcile and write
   * (pipeline/side-thread.ts). Absent in most tests.
   */
  side?: SideThread
}

/** Reported by stages that stream files: bytes let the CLI show rows/s and an ETA without knowing row counts. */
export interface FileProgress {
  fileStart(file: string, totalBytes: number): void
  fileAdvance(file: string, rowsRead: number, bytesRead: number): void
  fileEnd(file: string, rowsRead: number): void
}

export interface StageResult<Out> {
  output: Out
  findings: Finding[]
}

export type Stage<In, Out> = (input: In, ctx: RunContext) => Promise<StageResult<Out>>

/** Billing period bounds: periodStartDay 1 = calendar month; d > 1 = the d-th of the previous month to the (d−1)-th. */
export function periodBounds(period: string, periodStartDay: number): { start: string; end: string } {
  const monthStart = `${period}-01`
  if (periodStartDay === 1) return { start: monthStart, end: addDays(addMonths(monthStart, 1), -1) }
  const day = String(periodStartDay).padStart(2, '0')
  const start = `${addMonths(monthStart, -1).slice(0, 7)}-${day}`
  return { start, end: addDays(`${period}-${day}`, -1) }
}

/**
 * YYYY-MM from 1980-01 to 2099-12: a workbook's zip entries carry the period end as an MS-DOS date, which holds the
 * years 1980 to 2107 only (1979-12 crashed the write stage, reported as a bug).
 */
export const PERIOD_PATTERN = /^(19[89]\d|20\d\d)-(0[1-9]|1[0-2])$/
export const PERIOD_HINT = 'use YYYY-MM between 1980-01 and 2099-12, e.g. 2026-10'
