/**
 * The whole pipeline on the sample month with its usage file unzipped, with the usage CSV split over two
 * threads (CSP_BILLING_USAGE_SPLIT_BYTES=1) and in one thread: every output file is byte-identical, and the
 * split runs did split (the group cut by the split point has a partial sum in each part). The second part is
 * read by the run's side thread, by a worker of its own without a side thread (or with a dead one), and, when the
 * side thread dies on the task, by this thread again. Left gzipped, the usage file is unpacked and split too, and
 * the copy does not reach the output.
 */
import { createHash } from 'node:crypto'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gunzipSync } from 'node:zlib'
import BetterSqlite3 from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { runPipeline } from '../../pipeline/run.js'
import { sampleCopy } from '../cli/helpers.js'

const PERIOD = '2026-10'

const ENV = ['CSP_BILLING_USAGE_SPLIT_BYTES', 'CSP_BILLING_USAGE_THREADS', 'CSP_BILLING_SIDE_THREAD', 'CSP_BILLING_SIDE_THREAD_HEAP_MB']

afterEach(() => {
  for (const name of ENV) delete process.env[name]
})

/**
 * `usageFiles`: the usage file unzipped as it is, its rows cut into two files (each with the header), or left
 * gzipped (`gz`: unpacked into the work folder to be split, stages/usage-gunzip.ts). `listing`: every path under
 * the output root once the run is done.
 */
async function runSample(mode: 'split' | 'one-thread', env: Record<string, string> = {}, usageFiles: 1 | 2 | 'gz' = 1): Promise<{ hashes: Record<string, string>; firstRows: number[]; listing: string[] }> {
  const copy = sampleCopy()
  const dir = join(copy.input, PERIOD)
  const gz = readdirSync(dir).find((f) => f.endsWith('.csv.gz'))!
  const csv = gunzipSync(readFileSync(join(dir, gz))).toString('utf8')
  if (usageFiles === 1) writeFileSync(join(dir, gz.replace(/\.gz$/, '')), csv)
  else if (usageFiles === 2) {
    const [header, ...rows] = csv.trimEnd().split('\r\n')
    const half = Math.floor(rows.length / 2)
    writeFileSync(join(dir, 'DailyRatedUsage_2026-10_a.csv'), `${[header, ...rows.slice(0, half)].join('\r\n')}\r\n`)
    writeFileSync(join(dir, 'DailyRatedUsage_2026-10_b.csv'), `${[header, ...rows.slice(half)].join('\r\n')}\r\n`)
  }
  if (usageFiles !== 'gz') rmSync(join(dir, gz))
  for (const name of ENV) delete process.env[name]
  Object.assign(process.env, env)
  if (mode === 'split') process.env.CSP_BILLING_USAGE_SPLIT_BYTES = '1'
  else process.env.CSP_BILLING_USAGE_THREADS = '1'
  const outcome = await runPipeline({ period: PERIOD, inputRoot: copy.input, outputRoot: copy.output, configPath: join(copy.root, 'none.json'), configExplicit: false })
  expect(outcome.message).toBeUndefined()
  const out = join(copy.output, PERIOD)
  const files = ['run.json', 'exceptions.csv', 'reconciliation.xlsx', ...readdirSync(join(out, 'invoices')).map((f) => `invoices/${f}`)]
  const hashes = Object.fromEntries(files.map((f) => [f, createHash('sha256').update(readFileSync(join(out, f))).digest('hex')]))
  const db = new BetterSqlite3(join(out, 'staging.sqlite'), { readonly: true })
  const firstRows = (db.prepare('select first_row from usage_partials order by partial_id').all() as { first_row: number }[]).map((r) => r.first_row)
  db.close()
  const listing = (readdirSync(copy.output, { recursive: true }) as string[]).sort()
  rmSync(copy.root, { recursive: true, force: true })
  return { hashes, firstRows, listing }
}

describe('two-thread usage read, whole pipeline', () => {
  it('gives byte-identical outputs to a one-thread read', async () => {
    const one = await runSample('one-thread')
    const split = await runSample('split')
    expect(split.hashes).toEqual(one.hashes)
    // The split point falls inside a run of one meter's days, so that group is summed in both parts: one partial more.
    expect(split.firstRows.length).toBe(one.firstRows.length + 1)
    const ownWorker = await runSample('split', { CSP_BILLING_SIDE_THREAD: '0' })
    expect(ownWorker.hashes).toEqual(one.hashes)
    expect(ownWorker.firstRows).toEqual(split.firstRows)
    // A side thread that cannot run: when it is known dead before the split, a worker of its own reads the
    // usage part; when it dies on the task, the file is read again here, whole. Same outputs either way.
    const dead = await runSample('split', { CSP_BILLING_SIDE_THREAD_HEAP_MB: '1' })
    expect(dead.hashes).toEqual(one.hashes)
    expect([one.firstRows, split.firstRows]).toContainEqual(dead.firstRows)
  }, 180_000)

  it('a gzip usage file is unpacked and split: the same outputs as its one-thread read, and no copy left behind', async () => {
    const one = await runSample('one-thread', {}, 'gz')
    const split = await runSample('split', {}, 'gz')
    expect(split.hashes).toEqual(one.hashes) // run.json included: the same file name and the gzip's own SHA-256
    expect(split.firstRows.length).toBe(one.firstRows.length + 1) // it did split
    expect(split.listing).toEqual(one.listing)
    expect(split.listing.filter((f) => f.includes('unpacked') || f.includes('.tmp'))).toEqual([])
  }, 120_000)

  it('two usage files split at once queue their second parts on the one side thread: same outputs', async () => {
    const one = await runSample('one-thread', {}, 2)
    const split = await runSample('split', {}, 2)
    expect(split.hashes).toEqual(one.hashes)
    // Each split point falls inside a run of one meter's days: one partial more per file, so both did split.
    expect(split.firstRows.length).toBe(one.firstRows.length + 2)
  }, 120_000)
})
