import { describe, expect, it } from 'vitest'
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir, hostname } from 'node:os'
import { join } from 'node:path'
import { spawn, spawnSync } from 'node:child_process'
import { acquireLock } from '../../pipeline/lock.js'
import { loadSettings, repeatedKey } from '../../pipeline/config.js'

const dir = () => mkdtempSync(join(tmpdir(), 'csp-lock-'))

describe('period lock', () => {
  it('refuses a second holder while the first is alive and frees on release', () => {
    const path = join(dir(), '.2026-10.lock')
    const first = acquireLock(path)
    expect(first.ok).toBe(true)
    const second = acquireLock(path)
    expect(second.ok).toBe(false)
    if (!second.ok) expect(second.message).toContain(`pid ${process.pid}`)
    if (first.ok) first.release()
    expect(existsSync(path)).toBe(false)
  })

  it('takes over a stale lock whose process is gone', () => {
    const path = join(dir(), '.2026-10.lock')
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString()
    writeFileSync(path, JSON.stringify({ pid: Number(dead), host: hostname(), startedAt: '2026-10-01T00:00:00.000Z' }))
    const lock = acquireLock(path)
    expect(lock.ok).toBe(true)
    if (lock.ok) {
      expect(lock.tookOverFrom?.pid).toBe(Number(dead))
      lock.release()
    }
  })
})

describe('period lock, reviewed cases', () => {
  // Found by a determinism review: in a container every run is pid 1, so a lock left by a killed run named this
  // very process, kill(1, 0) answered, and every later run of the period was refused.
  it('takes over a lock that names our own pid when this process does not hold it', () => {
    const path = join(dir(), '.2026-10.lock')
    writeFileSync(path, JSON.stringify({ pid: process.pid, host: hostname(), startedAt: '2026-10-01T00:00:00.000Z' }))
    const lock = acquireLock(path)
    expect(lock.ok).toBe(true)
    if (lock.ok) {
      expect(lock.tookOverFrom?.startedAt).toBe('2026-10-01T00:00:00.000Z')
      lock.release()
    }
    expect(existsSync(path)).toBe(false)
  })

  it('a lock from another machine is refused, saying it cannot be checked from here', () => {
    const path = join(dir(), '.2026-10.lock')
    writeFileSync(path, JSON.stringify({ pid: 12345, host: 'runner-abc123', startedAt: '2026-10-01T00:00:00.000Z' }))
    const lock = acquireLock(path)
    expect(lock.ok).toBe(false)
    if (!lock.ok) expect(lock.message).toContain('pid 12345 on runner-abc123 (another machine: its process cannot be checked from here)')
  })

  // Two runs at once both held the lock (87 overlaps in 8 s): the lock file was created empty and written after,
  // and a run that read it empty took it for stale and removed it. Two processes race for 2.5 s here.
  it('two processes racing for it never hold it at the same time, and leave no file behind', () => {
    const folder = dir()
    const path = join(folder, '.2026-10.lock')
    const child = join(folder, 'race.mjs')
    writeFileSync(child, `
      import { acquireLock } from ${JSON.stringify(join(import.meta.dirname, '../../pipeline/lock.ts'))}
      const holds = []
      const end = Date.now() + 2500
      while (Date.now() < end) {
        const lock = acquireLock(${JSON.stringify(path)})
        if (!lock.ok) continue
        const from = process.hrtime.bigint()
        while (process.hrtime.bigint() - from < 1_000_000n) {}
        holds.push([String(from), String(process.hrtime.bigint())])
        lock.release()
      }
      process.stdout.write(JSON.stringify(holds))`)
    const racers = [0, 1].map(() => spawn(process.execPath, ['--import', 'tsx', child], { stdio: ['ignore', 'pipe', 'inherit'] }))
    return Promise.all(racers.map((r) => new Promise<[bigint, bigint][]>((resolve) => {
      let out = ''
      r.stdout.on('data', (d) => (out += d))
      r.on('close', () => resolve((JSON.parse(out) as [string, string][]).map(([a, b]) => [BigInt(a), BigInt(b)])))
    }))).then(([a, b]) => {
      expect(a!.length).toBeGreaterThan(10)
      expect(b!.length).toBeGreaterThan(10)
      const overlaps = a!.filter(([s1, e1]) => b!.some(([s2, e2]) => s1 < e2 && s2 < e1))
      expect(overlaps).toEqual([])
      expect(readdirSync(folder).sort()).toEqual(['race.mjs'])
    })
  }, 30_000)
})

describe('settings file (SPEC §2.5)', () => {
  // Ops review: {"strict": true, "strict": false} ran non-strict, exit 0, without a word.
  it('a key named twice is refused, naming it', () => {
    const path = join(dir(), 'twice.json')
    writeFileSync(path, '{ "strict": true, "tolerances": { "amount": "0.05" }, "strict": false }')
    expect(loadSettings(path, true)).toEqual({ ok: false, message: `settings file ${path} names "strict" twice: JSON keeps the last silently, so say which one you mean once` })
  })

  it.each([
    ['{"a": 1, "b": {"a": 2}}', null],
    ['{"tolerances": {"amount": "1", "premium": "2", "amount": "3"}}', '"tolerances.amount"'],
    ['{"premiums": [{"percent": "1", "from": "x"}, {"percent": "2", "percent": "3"}]}', '"premiums.percent"'],
    ['{"premiums": [{"percent": "1"}, {"percent": "2"}], "x": "a\\"b:", "y": "\\"x\\":"}', null],
    ['{"a": "b", "c": ["a", "a"], "d": {"a": {"a": 1}}}', null],
  ])('repeatedKey(%s) = %s', (text, key) => {
    expect(repeatedKey(text)).toBe(key)
  })

  it('no file at the default path means all defaults', () => {
    const r = loadSettings(join(dir(), 'csp-billing.config.json'), false)
    expect(r.ok && r.settings.tolerances.amount).toBe('0.01')
  })

  it('a missing explicit file is an error naming it', () => {
    const path = join(dir(), 'nope.json')
    const r = loadSettings(path, true)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain(path)
  })

  it('a folder given as the settings file says so', () => {
    const folder = dir()
    expect(loadSettings(folder, true)).toEqual({ ok: false, message: `settings file ${folder} cannot be read (it is a folder, not a file): check the --config path` })
  })

  it('names the bad field', () => {
    const path = join(dir(), 'c.json')
    writeFileSync(path, JSON.stringify({ tolerances: { amount: 'ten cents' }, periodStartDay: 40 }))
    const r = loadSettings(path, true)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.message).toContain('tolerances.amount')
      expect(r.message).toContain('periodStartDay')
    }
  })

  it('a distributorName of spaces only is refused; one with spaces around is trimmed', () => {
    const path = join(dir(), 'c.json')
    writeFileSync(path, JSON.stringify({ distributorName: '   ' }))
    const r = loadSettings(path, true)
    expect(r.ok).toBe(false)
    if (!r.ok) expect(r.message).toContain('distributorName')
    writeFileSync(path, JSON.stringify({ distributorName: '  Northwind  ' }))
    const ok = loadSettings(path, true)
    expect(ok.ok && ok.settings.distributorName).toBe('Northwind')
  })

  // Found by an end-to-end review: these passed and either held lines (a premium never in force), billed a 21-digit
  // subtotal, or let pricing and PREMIUM_MISMATCH pick different premiums.
  it.each([
    { name: 'a date not in the calendar', premiums: [{ termDuration: 'P1M', billingPlan: 'Monthly', percent: '20', from: '2022-02-30' }], field: 'premiums.0.from', says: 'not a date in the calendar' },
    { name: 'month 99', premiums: [{ termDuration: 'P1M', billingPlan: 'Monthly', percent: '20', from: '2026-99-99' }], field: 'premiums.0.from', says: 'not a date in the calendar' },
    { name: 'a percent over 100', premiums: [{ termDuration: 'P1M', billingPlan: 'Monthly', percent: 1e21, from: '2022-03-01' }], field: 'premiums.0.percent', says: 'at most 100' },
    {
      name: 'two premiums for one term and plan from the same day',
      premiums: [{ termDuration: 'P1M', billingPlan: 'Monthly', percent: '25', from: '2022-03-01' }, { termDuration: 'P1M', billingPlan: 'Monthly', percent: '20', from: '2022-03-01' }],
      field: 'premiums.1',
      says: 'repeats premiums[0]',
    },
    // Accepted and never used: P1Y/Annual is the base price, and a one-month term has no triennial plan (review).
    { name: 'the base term and plan P1Y/Annual', premiums: [{ termDuration: 'P1Y', billingPlan: 'Annual', percent: '10', from: '2022-03-01' }], field: 'premiums.0', says: 'P1Y/Annual is not a term and plan a premium can price' },
    { name: 'a pair SPEC §3.2 has no plan for', premiums: [{ termDuration: 'P1M', billingPlan: 'Triennial', percent: '10', from: '2022-03-01' }], field: 'premiums.0', says: '(one of P1M/Monthly, P1Y/Monthly, P3Y/Monthly, P3Y/Annual, P3Y/Triennial;' },
  ])('rejects premiums with $name, naming the field', ({ premiums, field, says }) => {
    const path = join(dir(), 'c.json')
    writeFileSync(path, JSON.stringify({ premiums }))
    const r = loadSettings(path, true)
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.message).toContain(field)
      expect(r.message).toContain(says)
    }
  })

  it('a premium percent given as a number becomes plain decimal text', () => {
    const path = join(dir(), 'c.json')
    writeFileSync(path, JSON.stringify({ premiums: [{ termDuration: 'P1M', billingPlan: 'Monthly', percent: 1e-7, from: '2024-02-29' }] }))
    const r = loadSettings(path, true)
    expect(r.ok && r.settings.premiums[0]).toEqual({ termDuration: 'P1M', billingPlan: 'Monthly', percent: '0.0000001', from: '2024-02-29' })
  })

  it('reports invalid JSON with the file name', () => {
    const path = join(dir(), 'c.json')
    writeFileSync(path, '{ "strict": tru ')
    const r = loadSettings(path, true)
    expect(!r.ok && r.message).toContain('is not valid JSON')
  })
})
