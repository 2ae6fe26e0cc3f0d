/**
 * A month's files run under another --period were invoiced as that period's, with no word (real-samples review): the
 * end-of-run summary now says when no reconciliation line starts or changes in the period (pipeline/period-remark.ts).
 */
import { renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { runPipeline } from '../../pipeline/run.js'
import { sampleCopy } from '../cli/helpers.js'

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
})
