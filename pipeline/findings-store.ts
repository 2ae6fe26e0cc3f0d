/**
 * Persists findings into the staging DB's `findings` table (one batched transaction) and reads them back in
 * the stable order every output uses (file, row, rule, message).
 */
import type { Db } from './db.js'
import type { FindingsTable } from '../schemas/tables.js'
import { compareFindings, type Finding, type Rule, type Severity } from './diagnostics.js'

export function insertFindings(db: Db, findings: Finding[], lineIds?: (number | null)[]): void {
  if (findings.length === 0) return
  const stmt = db.sqlite.prepare(
    `insert into findings (rule, severity, file, row, reseller_id, customer_id, subscription_id, expected, actual,
       message, column_name, value, line_id)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
  db.sqlite.transaction(() => {
    findings.forEach((f, i) =>
      stmt.run(f.rule, f.severity, f.file, f.row, f.resellerId ?? null, f.customerId ?? null, f.subscriptionId ?? null,
        f.expected ?? null, f.actual ?? null, f.message, f.column ?? null, f.value ?? null, lineIds?.[i] ?? null),
    )
  })()
}

type FindingRow = Omit<FindingsTable, 'finding_id' | 'line_id'>

export function readFindings(db: Db): Finding[] {
  const rows = db.sqlite.prepare('select * from findings').all() as FindingRow[]
  return rows
    .map((r) => ({
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
    }))
    .sort(compareFindings)
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
