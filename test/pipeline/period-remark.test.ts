/**
 * A month's files run under another --period were invoiced as that period's, with no word (real-samples review): the
 * end-of-run summary now says when no reconciliation line starts or changes in the period (pipeline/period-remark.ts).
 */
import { renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPipeline } from '../../pipeline/run.js'
import { sampleCopy } from '../cli/helpers.js'
import { Fixture } from '../write/fixture.js'
import { periodRemarks } from '../../pipeline/period-remark.js'
import { readWorkbook } from '../write/read-back.js'

const roots: string[] = []
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })))

async function summaryAs(period: string): Promise<string> {
  const copy = sampleCopy()
  roots.push(copy.root)
  if (period !== '2026-10') renameSync(join(copy.input, '2026-10'), join(copy.input, period))
  const outcome = await runPipeline({ period, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
  expect(outcome.message).toBeUndefined()
  return outcome.summary ?? ''
}

describe('period remark', () => {
  it('the sample month run as 2027-03 says none of its lines starts or changes in that period; as 2026-10 it says nothing', async () => {
    expect(await summaryAs('2027-03')).toMatch(/Period: none of the \d+ reconciliation lines starts or changes in the period 2027-03-01 – 2027-03-31 \(their ChargeStartDates run from \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d\): check that --period is the month of these files/)
    expect(await summaryAs('2026-10')).not.toContain('Period: none')
  }, 120_000)

  // README review: remarks were on the console only, and the month-end checklist archives output/<period>/.
  it('the remarks are kept in reconciliation.xlsx (sheet Remarks), and a run without any has no such sheet', async () => {
    const remarksSheet = async (period: string) => {
      const copy = sampleCopy()
      roots.push(copy.root)
      if (period !== '2026-10') renameSync(join(copy.input, '2026-10'), join(copy.input, period))
      const outcome = await runPipeline({ period, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
      const ws = (await readWorkbook(join(copy.output, period, 'reconciliation.xlsx'))).getWorksheet('Remarks')
      const cells: unknown[] = []
      ws?.eachRow((row) => cells.push(row.getCell(1).value))
      return { remarks: outcome.remarks, cells: ws === undefined ? null : cells }
    }
    const moved = await remarksSheet('2027-03')
    expect(moved.remarks?.length).toBeGreaterThan(0)
    expect(moved.cells).toEqual(['Remark', ...(moved.remarks ?? [])])
    expect((await remarksSheet('2026-10')).cells).toBeNull()
  }, 120_000)

  // Two-months review: October's export left in November's folder was billed a second time, with exit 0.
  it('an earlier month\'s export beside this month\'s is named; a file with a line in the period is not', () => {
    const f = new Fixture()
    f.line({ reseller: 'R1', customerId: 'c1', cost: '10', file: '2026-10/recon.csv', chargeStart: '2026-10-05' })
    f.line({ reseller: 'R1', customerId: 'c1', cost: '10', file: '2026-10/recon.csv', chargeStart: '2026-09-05' })
    f.line({ reseller: 'R1', customerId: 'c1', cost: '10', file: '2026-10/september.csv', chargeStart: '2026-09-01' })
    f.line({ reseller: 'R1', customerId: 'c1', cost: '10', file: '2026-10/september.csv', chargeStart: '2026-09-20' })
    expect(periodRemarks(f.db, '2026-10-01', '2026-10-31')).toEqual([
      "Period: none of the 2 lines of 2026-10/september.csv starts or changes in the period 2026-10-01 – 2026-10-31 (ChargeStartDates 2026-09-01 to 2026-09-20), while the other reconciliation files' lines do: if it is an earlier month's export, remove it (its lines are invoiced in this run) and run again",
    ])
    expect(periodRemarks(f.db, '2026-09-01', '2026-09-30')).toEqual([])
  })
})
