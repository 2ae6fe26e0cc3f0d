/**
 * Under creditsPolicy retain (SPEC §4.4) the distributor keeps Microsoft's customer credits: reconciliation.xlsx
 * then lists each retained credit line on a sheet of its own, so the control totals' retained cost can be traced
 * line by line as the held cost can. A pass-through month has no such sheet.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Decimal } from '../../pipeline/money.js'
import { openDb } from '../../pipeline/db.js'
import { runPipeline } from '../../pipeline/run.js'
import { sampleCopy } from '../cli/helpers.js'
import { headers, readWorkbook, sheet } from './read-back.js'

const copies: string[] = []
afterAll(() => copies.forEach((c) => rmSync(c, { recursive: true, force: true })))

async function sampleRun(creditsPolicy: 'retain' | 'pass-through') {
  const copy = sampleCopy()
  copies.push(copy.root)
  const configPath = join(copy.root, 'csp-billing.config.json')
  writeFileSync(configPath, JSON.stringify({ creditsPolicy }))
  const outcome = await runPipeline({ period: '2026-10', inputRoot: copy.input, outputRoot: copy.output, configPath, configExplicit: true })
  expect(outcome.message).toBeUndefined()
  return join(copy.output, '2026-10')
}

describe('Retained credits sheet', () => {
  it('lists every retained credit line, and its costs add up to the control total', async () => {
    const out = await sampleRun('retain')
    const wb = await readWorkbook(join(out, 'reconciliation.xlsx'))
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Control totals', 'Margin by reseller', 'Exceptions', 'Rejected rows', 'Held lines', 'Retained credits'])
    const ws = sheet(wb, 'Retained credits')
    expect(headers(ws)).toEqual(['Source', 'Reseller ID', 'Customer ID', 'Customer name', 'Subscription ID', 'Product', 'Charge type', 'Currency', 'Cost'])
    const listed: { source: string; reseller: unknown; cost: number; format: string }[] = []
    ws.eachRow((r, n) => {
      if (n > 1) listed.push({ source: String(r.getCell(1).value), reseller: r.getCell(2).value, cost: r.getCell(9).value as number, format: r.getCell(9).numFmt })
    })
    const db = openDb(join(out, 'staging.sqlite'), { readonly: true })
    const retained = db.sqlite.prepare(`select r.source_file || ':' || r.source_row as source, p.cost, r.tier2_mpn_id from priced_lines p
      join recon_lines r using (line_id) where p.status = 'retained' order by p.line_id`).all() as { source: string; cost: string; tier2_mpn_id: string }[]
    await db.close()
    expect(retained.length).toBeGreaterThan(0)
    expect(listed.map((l) => [l.source, l.cost])).toEqual(retained.map((r) => [r.source, Number(r.cost)]))
    // Kept before any reseller lookup, but shown with the reseller attribution finds (here its Tier2MpnId).
    expect(listed.map((l) => l.reseller)).toEqual(retained.map((r) => r.tier2_mpn_id))
    expect(listed.every((l) => typeof l.reseller === 'string' && l.reseller !== '')).toBe(true)
    expect(listed.every((l) => l.format.includes('USD'))).toBe(true)
    // Σ listed cost = the control totals' Retained cost (run.json, exact text).
    const runJson = JSON.parse(readFileSync(join(out, 'run.json'), 'utf8')) as { controlTotals: { currency: string; retainedCost: string }[] }
    const sum = retained.reduce((s, r) => s.plus(r.cost), new Decimal(0))
    expect(sum.toFixed(2)).toBe(runJson.controlTotals.find((c) => c.currency === 'USD')!.retainedCost)
    expect(sum.isNegative()).toBe(true) // credits
  }, 60_000)

  it('is not written when credits pass through', async () => {
    const out = await sampleRun('pass-through')
    const wb = await readWorkbook(join(out, 'reconciliation.xlsx'))
    expect(wb.worksheets.map((w) => w.name)).not.toContain('Retained credits')
  }, 60_000)
})
