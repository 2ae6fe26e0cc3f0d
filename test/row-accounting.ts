/**
 * SPEC §6 row accounting on a run.json, shared by every whole-pipeline test: per input file rows = accepted +
 * rejected; the run totals are the sums over the files; reconciliation accepted = invoiced + held + retained +
 * duplicates. With the run's staging DB, also: every accepted usage row is summed exactly once (Σ
 * usage_partials.rows of the file), and exactly its out-of-period rows are stored whole (stages/usage-totals.ts).
 */
import BetterSqlite3 from 'better-sqlite3'
import { expect } from 'vitest'

interface Accounting {
  inputs: { file: string; kind: string; rows: number; accepted: number; rejected: number }[]
  rows: { read: number; accepted: number; rejected: number; duplicates: number; invoiced: number; held: number; retained: number }
}

export function expectRowAccounting(runJson: Accounting, stagingDb?: string): void {
  for (const input of runJson.inputs) expect(input.rows, `${input.file}: rows = accepted + rejected`).toBe(input.accepted + input.rejected)
  const sum = (k: 'rows' | 'accepted' | 'rejected') => runJson.inputs.reduce((s, i) => s + i[k], 0)
  expect(runJson.rows.read, 'rows.read = Σ rows').toBe(sum('rows'))
  expect(runJson.rows.accepted, 'rows.accepted = Σ accepted').toBe(sum('accepted'))
  expect(runJson.rows.rejected, 'rows.rejected = Σ rejected').toBe(sum('rejected'))
  const reconAccepted = runJson.inputs.filter((i) => i.kind === 'reconciliation').reduce((s, i) => s + i.accepted, 0)
  const r = runJson.rows
  expect(r.invoiced + r.held + r.retained + r.duplicates, 'recon accepted = invoiced + held + retained + duplicates').toBe(reconAccepted)
  if (stagingDb !== undefined) expectUsageSummed(runJson, stagingDb)
}

function expectUsageSummed(runJson: Accounting, stagingDb: string): void {
  const db = new BetterSqlite3(stagingDb, { readonly: true })
  try {
    for (const input of runJson.inputs.filter((i) => i.kind === 'usage')) {
      const summed = db.prepare('select coalesce(sum(rows), 0) n, coalesce(sum(case when in_period = 0 then rows end), 0) o from usage_partials where source_file = ?').get(input.file) as { n: number; o: number }
      const whole = db.prepare('select count(*) n from usage_rows where source_file = ?').get(input.file) as { n: number }
      expect(summed.n, `${input.file}: accepted usage rows = Σ usage_partials.rows`).toBe(input.accepted)
      expect(whole.n, `${input.file}: out-of-period rows stored whole`).toBe(summed.o)
    }
  } finally {
    db.close()
  }
}
