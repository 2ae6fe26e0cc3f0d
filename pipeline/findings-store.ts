/**
 * Persists findings into the staging DB's `findings` table (one batched transaction) and reads them back in
 * the stable order every output uses (file, row, rule, message), as a stream.
 */
import type { Db } from './db.js'
import { objectRows } from './object-rows.js'
import { sql } from './kysely.js'
import { lineResellerSql } from '../stages/rules/tier2.js'
import type { FindingsTable } from '../schemas/tables.js'
import type { Finding, Rule, Severity } from './diagnostics.js'

/**
 * Findings a stage keeps in memory per source; beyond that they go to the findings table in batches as they
 * come (a month's usage exported with comma decimals rejects every row: 200,000 findings held took 900 MiB;
 * a wrong month's usage file gives one OUT_OF_PERIOD finding a row).
 */
export const FINDINGS_HELD = 10_000

/** The findings table's columns a finding fills (line_id comes separately). */
export const FINDING_COLUMNS = [
  'rule', 'severity', 'file', 'row', 'reseller_id', 'customer_id', 'subscription_id', 'expected', 'actual', 'message',
  'column_name', 'value',
] as const

export function findingParams(f: Finding): unknown[] {
  return [f.rule, f.severity, f.file, f.row, f.resellerId ?? null, f.customerId ?? null, f.subscriptionId ?? null,
    f.expected ?? null, f.actual ?? null, f.message, f.column ?? null, f.value ?? null]
}

export function insertFindings(db: Db, findings: Finding[], lineIds?: (number | null)[]): void {
  if (findings.length === 0) return
  const stmt = db.sqlite.prepare(
    `insert into findings (${FINDING_COLUMNS.join(', ')}, line_id) values (${FINDING_COLUMNS.map(() => '?').join(', ')}, ?)`,
  )
  db.sqlite.transaction(() => {
    findings.forEach((f, i) => stmt.run(...findingParams(f), lineIds?.[i] ?? null))
  })()
}

/** Rules ingest stores while it reads (stages/file-ingest.ts): what a file that is read again must take back. */
export const INGEST_ROW_RULES = ['REJECTED_ROW', 'MISSING_COLUMN'] as const

export function removeIngestFindings(db: Db, file: string): void {
  db.sqlite.prepare(`delete from findings where file = ? and rule in (${INGEST_ROW_RULES.map(() => '?').join(', ')})`).run(file, ...INGEST_ROW_RULES)
}

type FindingRow = Omit<FindingsTable, 'finding_id' | 'line_id'>

/** The order of every output; the findings_order index (schemas/tables.ts) serves it without a sort. */
export const FINDING_ORDER = 'file, row, rule, message, finding_id'

/** Findings as the writers take them: how many, and an ordered pass over them (lazy: read when iterated). */
export interface FindingList {
  total: number
  rows: Iterable<Finding>
}

/**
 * The run's findings (or those of `rules`) in the stable order of every output: file, row, rule, message, then
 * the order they were found. Streamed from the DB, not held: a wrong month's usage file gives one finding a row.
 * Note: the order is SQLite's (code points of the UTF-8 text); the caller must not run other statements on
 * the connection while iterating.
 */
export function findingList(db: Db, rules?: readonly string[]): FindingList {
  const where = rules === undefined ? '' : `where rule in (${rules.map(() => '?').join(', ')})`
  const params = rules ?? []
  const total = (db.sqlite.prepare(`select count(*) as n from findings ${where}`).get(...params) as { n: number }).n
  const statement = db.sqlite.prepare(`select * from findings ${where} order by ${FINDING_ORDER}`)
  return {
    total,
    rows: {
      *[Symbol.iterator]() {
        for (const r of objectRows<FindingRow>(statement, params)) yield toFinding(r)
      },
    },
  }
}

/** Findings per rule and severity (the end-of-run summary, the exit code). */
export interface FindingCount {
  rule: string
  severity: Severity
  n: number
}

export function findingCounts(db: Db): FindingCount[] {
  return db.sqlite.prepare('select rule, severity, count(*) as n from findings group by rule, severity order by rule, severity').all() as FindingCount[]
}

function toFinding(r: FindingRow): Finding {
  return {
    rule: r.rule as Rule,
    severity: r.severity as Severity,
    file: r.file,
    row: r.row,
    resellerId: r.reseller_id,
    customerId: r.customer_id,
    subscriptionId: r.subscription_id,
    expected: r.expected,
    actual: r.actual,
    message: r.message,
    column: r.column_name,
    value: r.value,
  }
}

/** Links every finding about a reconciliation line to its line_id (stages report file and row; auditors join on the id). */
export function linkFindingsToLines(db: Db): void {
  db.sqlite.exec(`
    create index if not exists recon_lines_source on recon_lines (source_file, source_row);
    update findings set line_id = (
      select r.line_id from recon_lines r where r.source_file = findings.file and r.source_row = findings.row
    )
    where line_id is null and row > 1 and file in (select file from input_files where kind = 'reconciliation')`)
}

/**
 * Findings on retained credits name the reseller the Retained credits sheet shows (Tier2MpnId, else the customers
 * sheet's: pricing keeps no reseller for them, SPEC §4.4 retains them before any lookup), so filtering
 * exceptions.csv by reseller finds them too (credits review: the same AMOUNT_MISMATCH carried the reseller under
 * pass-through and none under retain).
 */
export async function nameRetainedResellers(db: Db): Promise<void> {
  await sql`
    update findings set reseller_id = (
      select ${lineResellerSql(sql.ref('r.tier2_mpn_id'), sql.ref('c.reseller_id'))}
      from recon_lines r left join customers c on c.customer_id = r.customer_id
      where r.line_id = findings.line_id)
    where reseller_id is null and line_id in (select line_id from priced_lines where status = 'retained')`.execute(db.kysely)
}
