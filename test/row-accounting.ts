/**
 * SPEC §6 row accounting on a run.json, shared by every whole-pipeline test: per input file rows = accepted +
 * rejected; the run totals are the sums over the files; reconciliation accepted = invoiced + held + retained +
 * duplicates.
 */
import { expect } from 'vitest'

interface Accounting {
  inputs: { file: string; kind: string; rows: number; accepted: number; rejected: number }[]
  rows: { read: number; accepted: number; rejected: number; duplicates: number; invoiced: number; held: number; retained: number }
}

export function expectRowAccounting(runJson: Accounting): void {
  for (const input of runJson.inputs) expect(input.rows, `${input.file}: rows = accepted + rejected`).toBe(input.accepted + input.rejected)
  const sum = (k: 'rows' | 'accepted' | 'rejected') => runJson.inputs.reduce((s, i) => s + i[k], 0)
  expect(runJson.rows.read, 'rows.read = Σ rows').toBe(sum('rows'))
  expect(runJson.rows.accepted, 'rows.accepted = Σ accepted').toBe(sum('accepted'))
  expect(runJson.rows.rejected, 'rows.rejected = Σ rejected').toBe(sum('rejected'))
  const reconAccepted = runJson.inputs.filter((i) => i.kind === 'reconciliation').reduce((s, i) => s + i.accepted, 0)
  const r = runJson.rows
  expect(r.invoiced + r.held + r.retained + r.duplicates, 'recon accepted = invoiced + held + retained + duplicates').toBe(reconAccepted)
}
