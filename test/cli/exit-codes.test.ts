import { describe, expect, it } from 'vitest'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { BIN, cli, cliAsync, tempDir, sampleCopy } from './helpers.js'
import type { RunJson } from '../../schemas/run-json.js'

describe('csp-billing could-not-run cases (exit 2, SPEC §2/§6)', () => {
  // 1979-12 and 2108-01 crashed the write stage as "a bug": a zip entry's MS-DOS date holds 1980 to 2107 only.
  it.each(['2026-13', '1979-12', '2108-01'])('rejects the --period %s and writes nothing', (period) => {
    const dir = tempDir()
    mkdirSync(join(dir, 'in', period), { recursive: true })
    const r = cli(['run', '--period', period, '--input', join(dir, 'in'), '--output', join(dir, 'out')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`--period '${period}' is not a billing period: use YYYY-MM between 1980-01 and 2099-12`)
    expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace
    expect(existsSync(join(dir, 'out', period))).toBe(false)
  })

  it('names the missing period folder', () => {
    const dir = tempDir()
    mkdirSync(join(dir, 'in'))
    const r = cli(['run', '--period', '2026-10', '--input', join(dir, 'in'), '--output', join(dir, 'out')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(join(dir, 'in', '2026-10'))
    writeFileSync(join(dir, 'in', '2026-10'), 'not a folder')
    const file = cli(['run', '--period', '2026-10', '--input', join(dir, 'in'), '--output', join(dir, 'out')])
    expect(file.status).toBe(2)
    expect(file.stderr).toContain(`input folder ${join(dir, 'in', '2026-10')} is a file, not a folder`)
  })

  it('names the bad settings field', () => {
    const { input, output, root } = sampleCopy()
    writeFileSync(join(root, 'bad.json'), JSON.stringify({ creditsPolicy: 'keep-it' }))
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--config', join(root, 'bad.json')])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('creditsPolicy')
    expect(existsSync(join(output, '2026-10'))).toBe(false)
  })

  it('exits 2 on a usage mistake, 0 on --help', () => {
    expect(cli(['run']).status).toBe(2)
    // With --json the one stdout line says why, as for every other exit 2 (a CI script saved an empty file).
    const json = cli(['run', '--json', '--bogus'])
    expect(json.status).toBe(2)
    expect(JSON.parse(json.stdout)).toMatchObject({ exitCode: 2, message: expect.stringMatching(/--period|--bogus/) })
    // A run's keys, so a script reading .remarks needs no case for exit 2 (CLI review).
    expect(Object.keys(JSON.parse(json.stdout) as object)).toEqual(['exitCode', 'message', 'outputDir', 'findingsFile', 'findings', 'remarks', 'runJson'])
    expect(JSON.parse(cli(['validate', '--json=true']).stdout)).toMatchObject({ exitCode: 2 })
    expect(cli(['explain', '--json']).stdout).toBe('') // explain has no --json
    const help = cli(['--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toContain('Exit codes')
  })

  // An empty drop, or files with the wrong extension, would otherwise end "no errors" with no invoice at all,
  // and a scheduled CI job would pass with nothing billed.
  it.each([
    { name: 'an empty period folder', files: [] as string[], says: '(it is empty)' },
    { name: 'a reconciliation export with the wrong extension', files: ['recon.csv.txt'], says: '2026-10/recon.csv.txt (ignored: not a .csv, .csv.gz or .xlsx file)' },
  ])('exits 2 when the period folder holds no reconciliation file: $name', ({ files, says }) => {
    const { input, output } = sampleCopy()
    const period = join(input, '2026-10')
    const recon = readFileSync(join(period, 'InvoiceReconciliation_G052610001.csv'))
    rmSync(period, { recursive: true })
    mkdirSync(period)
    for (const f of files) writeFileSync(join(period, f), recon)
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--json'])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('no invoice reconciliation file in 2026-10/')
    expect(r.stderr).toContain(says)
    expect(existsSync(join(output, '2026-10'))).toBe(false)
    // --json prints its one line on stdout even when the run could not run.
    const json = JSON.parse(r.stdout) as { exitCode: number; message: string }
    expect(json.exitCode).toBe(2)
    expect(json.message).toContain('no invoice reconciliation file')
  })

  // Two-months review: last month's export left in the folder was billed again, and a quiet scheduled run (exit 0)
  // said nothing; --json carries the remark too.
  it('a file of an earlier month: remarked under --quiet on stderr and in --json, exit 0', () => {
    const { input, output } = sampleCopy()
    const period = join(input, '2026-10')
    const resend = readFileSync(join(period, 'InvoiceReconciliation_G052610001_resend.csv'), 'utf8')
    writeFileSync(join(period, 'InvoiceReconciliation_G052609001.csv'), resend.replace(/"10\/(\d\d)\/2026/g, '"09/$1/2026'))
    const quiet = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--quiet'])
    expect(quiet.status).toBe(0)
    expect(quiet.stderr).toContain('csp-billing: remark: Period: none of the')
    expect(quiet.stderr).toContain('2026-10/InvoiceReconciliation_G052609001.csv starts or changes in the period')
    const json = JSON.parse(cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--json']).stdout) as { remarks: string[] }
    expect(json.remarks.some((r) => r.includes('InvoiceReconciliation_G052609001.csv'))).toBe(true)
  })

  // An export taken before Microsoft's invoice was ready: a header, no row. It ended "no errors", nothing billed.
  it('exits 2 when the period\'s reconciliation files hold a header and no data row', () => {
    const { input, output } = sampleCopy()
    const period = join(input, '2026-10')
    for (const name of ['InvoiceReconciliation_G052610001.csv', 'InvoiceReconciliation_G052610001_resend.csv']) {
      const text = readFileSync(join(period, name), 'utf8')
      writeFileSync(join(period, name), text.slice(0, text.indexOf('\n') + 1))
    }
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('the invoice reconciliation files in 2026-10/ (2026-10/InvoiceReconciliation_G052610001.csv, 2026-10/InvoiceReconciliation_G052610001_resend.csv) hold a header and no data row: nothing to invoice')
    expect(existsSync(join(output, '2026-10'))).toBe(false)
    // One of them with its rows back: billed as usual.
    writeFileSync(join(period, 'InvoiceReconciliation_G052610001.csv'), readFileSync('input/sample/2026-10/InvoiceReconciliation_G052610001.csv'))
    expect(cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--quiet']).status).toBe(0)
  })

  // Node's own recursive mkdir never returns on /proc/self/… (ENOENT under a parent that exists): the run hung.
  it.each([
    { name: 'a path through a file', output: (root: string) => join(root, 'a-file', 'out'), why: 'ENOTDIR' },
    { name: 'a folder the OS refuses to make', output: () => '/proc/self/csp-billing-out', why: 'ENOENT', linuxOnly: true },
  ])('exits 2 and names an output folder that cannot be made: $name', ({ output, why, linuxOnly }) => {
    if (linuxOnly === true && process.platform !== 'linux') return
    const { input, root } = sampleCopy()
    writeFileSync(join(root, 'a-file'), 'not a folder')
    const r = spawnSync(process.execPath, [BIN, 'run', '--period', '2026-10', '--input', input, '--output', output(root)], {
      encoding: 'utf8', timeout: 30_000, env: { ...process.env, CI: 'true' },
    })
    expect(r.signal, 'the run must end by itself').toBeNull()
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`output folder ${output(root)} is not writable (${why})`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  // A CI job's timeout (SIGTERM) or Ctrl-C left the lock and the work folder (with a big gzip usage file, its
  // unpacked copy) until the next run of the period (determinism review).
  it.each(['SIGTERM', 'SIGINT'] as const)('a run stopped by %s removes its work folder and lock, and ends by that signal', async (signal) => {
    const { input, output } = sampleCopy()
    const run = cliAsync(['run', '--period', '2026-10', '--input', input, '--output', output])
    const ended = new Promise<NodeJS.Signals | null>((resolve) => run.on('close', (_code, sig) => resolve(sig)))
    const working = () => existsSync(output) && readdirSync(output).some((n) => n.startsWith('.2026-10.tmp-') && existsSync(join(output, n, 'staging.sqlite')))
    for (let waited = 0; !working() && waited < 60_000; waited += 10) await new Promise((r) => setTimeout(r, 10))
    expect(working()).toBe(true)
    run.kill(signal)
    expect(await ended).toBe(signal)
    expect(readdirSync(output)).toEqual([])
  }, 90_000)

  it('names an input folder that cannot be read (here the reference folder is a file)', () => {
    const { input, output } = sampleCopy()
    rmSync(join(input, 'reference'), { recursive: true })
    writeFileSync(join(input, 'reference'), 'not a folder')
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(`input folder ${join(input, 'reference')} is a file, not a folder`)
    expect(r.stderr).not.toMatch(/\n\s+at /)
    expect(existsSync(join(output, '2026-10'))).toBe(false)
  })
})

describe('csp-billing exit lines', () => {
  it('strict mode: exit 1 on warnings alone, and the exit line says it is the warnings (run and validate)', () => {
    const { input, output, root } = sampleCopy()
    writeFileSync(join(root, 'strict.json'), JSON.stringify({ strict: true }))
    const run = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--config', join(root, 'strict.json')])
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('exit 1: completed with warnings, which "strict": true treats as a failure: outputs are written')
    const validate = cli(['validate', '--period', '2026-10', '--input', input, '--output', output, '--config', join(root, 'strict.json')])
    expect(validate.status).toBe(1)
    expect(validate.stderr).toContain(`see the findings above and ${join(output, '2026-10.validation.csv')} (validate writes no invoices)`)
  })

  // --quiet printed only the exit line, whose "see the findings above" then pointed at nothing (review).
  it('--quiet: only the exit line on a clean run; the findings summary too when the run fails', () => {
    const { input, output, root } = sampleCopy()
    const clean = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--quiet'])
    expect(clean.status).toBe(0)
    expect(clean.stderr.trim()).toBe('exit 0: no errors')
    writeFileSync(join(root, 'strict.json'), JSON.stringify({ strict: true }))
    const failed = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--quiet', '--config', join(root, 'strict.json')])
    expect(failed.status).toBe(1)
    expect(failed.stderr).toMatch(/Findings +error +warning +info\n/)
    expect(failed.stderr).toContain('exit 1: ')
  })
})

describe('csp-billing output handling', () => {
  it('lists a sub-folder of the period folder as ignored, even one named like an input file', () => {
    const { input, output } = sampleCopy()
    mkdirSync(join(input, '2026-10', 'folder.csv'))
    cpSync(join(input, 'reference', 'resellers.csv'), join(input, '2026-10', 'folder.csv', 'resellers.csv'))
    mkdirSync(join(input, '2026-10', 'archive'))
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '-q'])
    expect(r.status).toBe(0)
    const runJson = JSON.parse(readFileSync(join(output, '2026-10', 'run.json'), 'utf8')) as RunJson
    const ignored = runJson.inputs.filter((i) => i.kind === 'ignored').map((i) => i.file)
    expect(ignored).toEqual(expect.arrayContaining(['2026-10/archive', '2026-10/folder.csv']))
    expect(runJson.inputs.some((i) => i.file.includes('folder.csv/'))).toBe(false) // never read inside
  })

  it('finishes the run when the reader of its log goes away (EPIPE), with the real exit code and no leftovers', async () => {
    const { input, output } = sampleCopy()
    const child = cliAsync(['run', '--period', '2026-10', '--input', input, '--output', output])
    child.stdout.destroy()
    child.stderr.destroy() // the pipe's reading end is closed: every write of the run's log now fails with EPIPE
    const status = await new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    expect(status).toBe(0)
    expect(existsSync(join(output, '2026-10', 'run.json'))).toBe(true)
    expect(readdirSync(output).filter((n) => n.startsWith('.'))).toEqual([]) // no lock, no temporary folder
  })
})
