/**
 * Operator safety with the real binary: a run killed mid-write leaves the previous outputs of the period intact
 * and its stale lock is taken over by the next run; two runs of one period at once → the second exits 2 naming
 * the holder; validate writes only its findings file; explain answers for lines, usage rows and rejected rows.
 */
import { describe, expect, it } from 'vitest'
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { cli, cliAsync, quotedCsv, sampleCopy, sampleReconRow, tempDir } from './helpers.js'
import { generateMonth } from '../../bench/generate.js'
import { expectRowAccounting } from '../row-accounting.js'
import type { RunJson } from '../../schemas/run-json.js'

const PERIOD = '2026-10'

function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const started = Date.now()
    const tick = () => {
      if (check()) return resolve(true)
      if (Date.now() - started > timeoutMs) return resolve(false)
      setTimeout(tick, 20)
    }
    tick()
  })
}

describe('csp-billing safety', () => {
  it('a kill mid-write leaves the previous outputs untouched; the next run takes over the stale lock', async () => {
    // A generated month of 10,000 lines writes for ~0.9 s, where the sample's ~0.2 s was a narrow window to
    // catch from a polling parent on a busy machine.
    const root = tempDir()
    const input = join(root, 'input')
    const output = join(root, 'output')
    await generateMonth({ dir: input, period: PERIOD, usageRows: 10_000, reconLines: 10_000, seed: 3 })
    const first = cli(['run', '--period', PERIOD, '--input', input, '--output', output])
    expect(first.status).toBe(0)
    const before = readFileSync(join(output, PERIOD, 'run.json'))

    const child = cliAsync(['run', '--period', PERIOD, '--input', input, '--output', output])
    const tmpInvoices = () => readdirSync(output).some((d) => d.startsWith(`.${PERIOD}.tmp-`) && existsSync(join(output, d, 'invoices')))
    const caught = await waitFor(tmpInvoices, 60_000)
    expect(caught).toBe(true)
    // Kill the whole tree (launcher → tsx → node) without giving it a chance to clean up.
    process.kill(child.pid as number, 'SIGKILL')
    for (const name of readdirSync(output)) if (name.endsWith('.lock')) {
      const holder = JSON.parse(readFileSync(join(output, name), 'utf8')) as { pid: number }
      try { process.kill(holder.pid, 'SIGKILL') } catch { /* already gone */ }
    }
    await waitFor(() => child.exitCode !== null || child.signalCode !== null, 10_000)
    await new Promise((r) => setTimeout(r, 300))

    expect(readFileSync(join(output, PERIOD, 'run.json')).equals(before)).toBe(true)
    expect(existsSync(join(output, `.${PERIOD}.lock`))).toBe(true) // left behind by the killed run

    const next = cli(['run', '--period', PERIOD, '--input', input, '--output', output])
    expect(next.status).toBe(0)
    expect(readdirSync(output).filter((d) => d.startsWith('.'))).toEqual([]) // temp folder and lock cleaned up
    expect(readFileSync(join(output, PERIOD, 'run.json')).equals(before)).toBe(true)
  }, 180_000)

  // Found by an adversarial review: a run killed between moveIntoPlace's two renames leaves the previous outputs only
  // as .2026-10.old-<pid>, and the next run deleted them as a leftover, even a run that then could not run.
  it('a kill between the two renames: the next run puts the previous outputs back, even when it cannot run itself', () => {
    const { input, output } = sampleCopy()
    expect(cli(['run', '--period', PERIOD, '--input', input, '--output', output]).status).toBe(0)
    const before = readFileSync(join(output, PERIOD, 'run.json'))
    renameSync(join(output, PERIOD), join(output, `.${PERIOD}.old-424242`)) // where the kill leaves them
    mkdirSync(join(output, `.${PERIOD}.tmp-424242`))
    const empty = join(tempDir(), 'input')
    mkdirSync(join(empty, PERIOD), { recursive: true })
    const failed = cli(['run', '--period', PERIOD, '--input', empty, '--output', output])
    expect(failed.status).toBe(2) // no reconciliation file
    expect(failed.stderr).toContain(`put back the previous outputs of ${PERIOD}, which a killed run had left as .${PERIOD}.old-424242`)
    expect(readFileSync(join(output, PERIOD, 'run.json')).equals(before)).toBe(true)
    expect(readdirSync(output).filter((d) => d.startsWith('.')).sort()).toEqual([])
  }, 120_000)

  it('refuses a second concurrent run of the same period with exit 2 naming the holder', async () => {
    const { input, output } = sampleCopy()
    // The holder: a live process on this host owning the period lock (a real run finishes too fast on the
    // small sample to be caught reliably while the second process starts up).
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 120000)'])
    mkdirSync(output, { recursive: true })
    writeFileSync(join(output, `.${PERIOD}.lock`), JSON.stringify({ pid: holder.pid, host: hostname(), startedAt: '2026-11-09T06:00:00.000Z' }))
    try {
      const second = cli(['run', '--period', PERIOD, '--input', input, '--output', output])
      expect(second.status).toBe(2)
      expect(second.stderr).toContain(`another csp-billing run (pid ${holder.pid} on ${hostname()}, started 2026-11-09T06:00:00.000Z)`)
      expect(existsSync(join(output, PERIOD))).toBe(false)
    } finally {
      holder.kill('SIGKILL')
    }
  }, 120_000)

  it('validate writes only the findings file and keeps the exit code', () => {
    const { input, output } = sampleCopy()
    const r = cli(['validate', '--period', PERIOD, '--input', input, '--output', output])
    expect(r.status).toBe(0)
    expect(readdirSync(output)).toEqual([`${PERIOD}.validation.csv`])
    const csv = readFileSync(join(output, `${PERIOD}.validation.csv`), 'utf8')
    expect(csv).toContain('SEAT_REDUCTION_OUTSIDE_WINDOW')
  }, 120_000)

  it('a bad date, a non-numeric price and a missing column give three findings and exit 1', () => {
    const { input, output } = sampleCopy()
    const { header, row, variant } = sampleReconRow(join(input, PERIOD))
    const bad = variant({ ChargeStartDate: '10/32/2026' })
    const bad2 = variant({ UnitPrice: 'twelve', CustomerId: 'c-2' })
    writeFileSync(join(input, PERIOD, 'broken.csv'), quotedCsv([header, bad, bad2]))
    const sku = header.indexOf('SkuId')
    const dropSku = (cells: string[]) => cells.filter((_, i) => i !== sku)
    writeFileSync(join(input, PERIOD, 'no-sku.csv'), quotedCsv([dropSku(header), dropSku(row)]))

    const r = cli(['run', '--period', PERIOD, '--input', input, '--output', output])
    expect(r.status).toBe(1)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    const exceptions = readFileSync(join(output, PERIOD, 'exceptions.csv'), 'utf8')
    const errors = exceptions.split('\n').filter((l) => l.includes(',error,'))
    expect(errors).toHaveLength(3)
    expect(errors.join('\n')).toContain('2026-10/broken.csv,2,')
    expect(errors.join('\n')).toContain('10/32/2026')
    expect(errors.join('\n')).toContain('2026-10/broken.csv,3,')
    expect(errors.join('\n')).toContain('twelve')
    expect(errors.join('\n')).toMatch(/MISSING_COLUMN,error,2026-10\/no-sku.csv,1,.*SkuId/)
    const runJson = JSON.parse(readFileSync(join(output, PERIOD, 'run.json'), 'utf8')) as RunJson
    expect(runJson.exitCode).toBe(1)
    expectRowAccounting(runJson)
  }, 120_000)
})
