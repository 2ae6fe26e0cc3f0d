/**
 * The side thread (pipeline/side-thread.ts) takes some reconcile checks, the usage summaries and the last
 * resellers' invoices. The sample month's outputs are byte-identical with it, without it
 * (CSP_BILLING_SIDE_THREAD=0), started through tsx instead of from its bundle (CSP_BILLING_SIDE_BUNDLE=0), and
 * when it dies (its heap starved): the stages then do its work themselves.
 */
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { runPipeline } from '../../pipeline/run.js'
import { sideThreadBundle } from '../../pipeline/side-bundle.js'
import { SideThread, type SideTask } from '../../pipeline/side-thread.js'
import { splitJobs, type InvoiceJob } from '../../stages/writers/invoice-batch.js'
import { sampleCopy } from '../cli/helpers.js'

const PERIOD = '2026-10'

function resetEnv(): void {
  delete process.env.CSP_BILLING_SIDE_THREAD
  delete process.env.CSP_BILLING_SIDE_THREAD_HEAP_MB
  delete process.env.CSP_BILLING_SIDE_BUNDLE
}

afterEach(() => {
  resetEnv()
  vi.restoreAllMocks()
})

/** Every output's sha256 (staging.sqlite included), and what each side-thread task came to. */
async function runSample(env: Record<string, string>): Promise<{ hashes: Record<string, string>; tasks: string[] }> {
  resetEnv()
  Object.assign(process.env, env)
  vi.restoreAllMocks()
  const tasks: string[] = []
  const run = SideThread.prototype.run
  vi.spyOn(SideThread.prototype, 'run').mockImplementation(function (this: SideThread, task: SideTask) {
    const done = run.call(this, task)
    done.then(() => tasks.push(`${task.type}: done`), () => tasks.push(`${task.type}: failed`))
    return done
  } as typeof run)
  const copy = sampleCopy()
  const outcome = await runPipeline({ period: PERIOD, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
  expect(outcome.message).toBeUndefined()
  const out = join(copy.output, PERIOD)
  const files = ['run.json', 'exceptions.csv', 'reconciliation.xlsx', 'staging.sqlite', ...readdirSync(join(out, 'invoices')).map((f) => `invoices/${f}`)]
  const hashes = Object.fromEntries(files.map((f) => [f, createHash('sha256').update(readFileSync(join(out, f))).digest('hex')]))
  rmSync(copy.root, { recursive: true, force: true })
  return { hashes, tasks: tasks.sort() }
}

describe('side thread', () => {
  it('gives byte-identical outputs to a run without it, and to a run where it dies', async () => {
    const alone = await runSample({ CSP_BILLING_SIDE_THREAD: '0' })
    expect(alone.tasks).toEqual([])
    const helped = await runSample({})
    expect(helped.tasks).toEqual(['checks: done', 'exceptions: done', 'invoices: done', 'warm: done'])
    expect(helped.hashes).toEqual(alone.hashes)
    // Started through tsx instead of from the bundle (pipeline/side-bundle.ts): the same work, the same bytes.
    const throughTsx = await runSample({ CSP_BILLING_SIDE_BUNDLE: '0' })
    expect(throughTsx.tasks).toEqual(helped.tasks)
    expect(throughTsx.hashes).toEqual(alone.hashes)
    const starved = await runSample({ CSP_BILLING_SIDE_THREAD_HEAP_MB: '1' })
    expect(starved.tasks).toEqual(['checks: failed', 'exceptions: failed', 'invoices: failed', 'warm: failed'])
    expect(starved.hashes).toEqual(alone.hashes)
  }, 120_000)

  it('starts from the bundle (pipeline/bundle.mjs) unless told not to', async () => {
    const entry = await sideThreadBundle()
    expect(entry).not.toBeNull()
    const path = fileURLToPath(entry!)
    expect(path).toMatch(/node_modules\/\.cache\/csp-billing\/bundle\/[0-9a-f]{16}\/side-thread-body\.mjs$/)
    expect(existsSync(path)).toBe(true)
    process.env.CSP_BILLING_SIDE_BUNDLE = '0'
    expect(await sideThreadBundle()).toBeNull()
  })

  it('hands the last resellers to the side thread, as near half of all the work as whole resellers allow', () => {
    const job = (id: string, lines: number) => ({ totals: { resellerId: id, lines } }) as unknown as InvoiceJob
    const ids = (jobs: InvoiceJob[]) => jobs.map((j) => j.totals.resellerId)
    const jobs = [job('A', 40), job('B', 30), job('C', 20), job('D', 10)]
    const none = { here: 0, side: 0 }
    expect(splitJobs(jobs, none).map(ids)).toEqual([['A'], ['B', 'C', 'D']]) // 60 of 100 rows is nearer half than 30
    expect(splitJobs(jobs.slice(1), { here: 40, side: 0 }).map(ids)).toEqual([['B'], ['C', 'D']]) // 30 of 100 (with 40 here): B is first and stays
    expect(splitJobs([job('A', 10), job('B', 10), job('C', 80)], none).map(ids)).toEqual([['A', 'B'], ['C']]) // 80 of 100 beats 0
    expect(splitJobs([job('A', 5)], none).map(ids)).toEqual([['A'], []]) // the first reseller always stays here
    expect(splitJobs([], none).map(ids)).toEqual([[], []])
    // The side's exceptions.csv counts on its side: 40 there + C and D is 70 of 140; 60 there + D is 70 of 160.
    expect(splitJobs(jobs, { here: 0, side: 40 }).map(ids)).toEqual([['A', 'B'], ['C', 'D']])
    expect(splitJobs(jobs, { here: 0, side: 60 }).map(ids)).toEqual([['A', 'B', 'C'], ['D']])
  })
})
