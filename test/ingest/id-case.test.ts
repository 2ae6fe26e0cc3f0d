/**
 * Customer, subscription and entitlement ids are GUIDs, whose case means nothing; currency codes are ISO codes;
 * ChargeType is case-insensitive (SPEC §2). A resend that changed only their case is the same line
 * (DUPLICATE_LINE), and a lower-case currency bills like the upper-case one instead of stopping the run.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPipeline } from '../../pipeline/run.js'
import { sampleCopy } from '../cli/helpers.js'

const PERIOD = '2026-10'
const roots: string[] = []
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })))

/** A fully quoted CSV (as the sample's exports are) with the named columns' cells changed by `change`. */
function recase(text: string, columns: string[], change: (cell: string) => string): string {
  const [header, ...rows] = text.split('\r\n')
  const names = header!.replace(/^\uFEFF/, '').slice(1, -1).split('","')
  const at = columns.map((c) => names.indexOf(c))
  expect(at).not.toContain(-1)
  const edited = rows.map((row) => {
    if (row === '') return row
    const cells = row.slice(1, -1).split('","')
    for (const i of at) cells[i] = change(cells[i]!)
    return `"${cells.join('","')}"`
  })
  return [header, ...edited].join('\r\n')
}
const upper = (cell: string) => cell.toUpperCase()
const lower = (cell: string) => cell.toLowerCase()
const capitalised = (cell: string) => cell.charAt(0).toUpperCase() + cell.slice(1)

async function run(file: string, edit: (text: string) => string) {
  const copy = sampleCopy()
  roots.push(copy.root)
  const path = join(copy.input, PERIOD, file)
  writeFileSync(path, edit(readFileSync(path, 'utf8')))
  const outcome = await runPipeline({ period: PERIOD, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
  expect(outcome.message).toBeUndefined()
  const out = join(copy.output, PERIOD)
  const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { rows: Record<string, number>; controlTotals: unknown; resellers: unknown }
  return { exitCode: outcome.exitCode, runJson, exceptions: readFileSync(join(out, 'exceptions.csv'), 'utf8') }
}

describe('ids and codes in another case', () => {
  it('a resend with upper-case GUIDs, currency usd and ChargeType CycleCharge is still DUPLICATE_LINE', async () => {
    const resend = 'InvoiceReconciliation_G052610001_resend.csv'
    const asSent = await run(resend, (t) => t)
    const recased = await run(resend, (t) =>
      recase(recase(recase(t, ['CustomerId', 'SubscriptionId'], upper), ['Currency', 'PricingCurrency'], lower), ['ChargeType'], capitalised))
    expect(asSent.runJson.rows.duplicates).toBe(2)
    expect(recased.runJson.rows).toEqual(asSent.runJson.rows)
    expect(recased.runJson.controlTotals).toEqual(asSent.runJson.controlTotals)
    expect(recased.exceptions).toBe(asSent.exceptions)
  }, 60_000)

  it('a main file with upper-case GUIDs and a lower-case currency bills exactly as the original', async () => {
    const main = 'InvoiceReconciliation_G052610001.csv'
    const asSent = await run(main, (t) => t)
    // The resend still repeats two of its lines in the original case: the ids must meet.
    const recased = await run(main, (t) => recase(recase(t, ['CustomerId', 'SubscriptionId'], upper), ['Currency', 'PricingCurrency'], lower))
    expect(recased.exitCode).toBe(asSent.exitCode)
    expect(recased.runJson.rows).toEqual(asSent.runJson.rows)
    expect(recased.runJson.controlTotals).toEqual(asSent.runJson.controlTotals)
    expect(recased.runJson.resellers).toEqual(asSent.runJson.resellers)
    expect(recased.exceptions).toBe(asSent.exceptions)
  }, 60_000)
})
