/**
 * The whole pipeline on the sample month with its usage file unzipped, once with the usage CSV split over two
 * threads (CSP_BILLING_USAGE_SPLIT_BYTES=1) and once in one thread: every output file is byte-identical, and the
 * split run did split (the group cut by the split point has a partial sum in each part).
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

afterEach(() => {
  delete process.env.CSP_BILLING_USAGE_SPLIT_BYTES
  delete process.env.CSP_BILLING_USAGE_THREADS
})

async function runSample(mode: 'split' | 'one-thread'): Promise<{ hashes: Record<string, string>; firstRows: number[] }> {
  const copy = sampleCopy()
  const dir = join(copy.input, PERIOD)
  const gz = readdirSync(dir).find((f) => f.endsWith('.csv.gz'))!
  writeFileSync(join(dir, gz.replace(/\.gz$/, '')), gunzipSync(readFileSync(join(dir, gz))))
  rmSync(join(dir, gz))
  delete process.env.CSP_BILLING_USAGE_SPLIT_BYTES
  delete process.env.CSP_BILLING_USAGE_THREADS
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
  rmSync(copy.root, { recursive: true, force: true })
  return { hashes, firstRows }
}

describe('two-thread usage read, whole pipeline', () => {
  it('gives byte-identical outputs to a one-thread read', async () => {
    const one = await runSample('one-thread')
    const split = await runSample('split')
    expect(split.hashes).toEqual(one.hashes)
    // The split point falls inside a run of one meter's days, so that group is summed in both parts: one partial more.
    expect(split.firstRows.length).toBe(one.firstRows.length + 1)
  }, 120_000)
})
