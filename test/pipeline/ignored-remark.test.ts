/**
 * A month whose one-time purchases sat in `2026-10/OneTime/` (as unpacking a Partner Center zip leaves them) ran
 * "no errors", with the folder only in run.json as `ignored` and its lines never invoiced (SPEC §2: nothing is
 * skipped silently). The end-of-run summary, `--json`'s remarks and `--quiet`'s stderr now name each entry not
 * read and what to do (pipeline/ignored-remark.ts); run.json keeps its shape. A Latin-1 file name from a Windows
 * zip is reported as UNREADABLE_FILE under its Windows-1252 name: no U+FFFD in any output.
 */
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { cli, sampleCopy } from '../cli/helpers.js'

const roots: string[] = []
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })))

const FOLDER = 'Input not read: 2026-10/OneTime/ is a folder, and files in sub-folders are not read: move them into 2026-10/ and run again'
const ZIP = 'Input not read: 2026-10/PartnerCenter_2026-10.zip is a compressed archive (.zip): unpack its files into 2026-10/ itself (not into a sub-folder) and run again'

function month() {
  const copy = sampleCopy()
  roots.push(copy.root)
  const period = join(copy.input, '2026-10')
  mkdirSync(join(period, 'OneTime'))
  cpSync(join(period, 'InvoiceReconciliation_G052610001_resend.csv'), join(period, 'OneTime', 'Reconciliation_OneTime.csv'))
  writeFileSync(join(period, 'PartnerCenter_2026-10.zip'), 'PK\u0003\u0004')
  writeFileSync(join(period, '.DS_Store'), 'x')
  return copy
}

describe('ignored inputs in the summary', () => {
  it('--json carries a remark per entry not read (noise aside); run.json lists them as before', () => {
    const { input, output } = month()
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--json'])
    const json = JSON.parse(r.stdout) as { exitCode: number; remarks: string[] }
    expect(json.exitCode).toBe(0)
    expect(json.remarks.filter((m) => m.startsWith('Input not read:'))).toEqual([FOLDER, ZIP])
    const runJson = JSON.parse(readFileSync(join(output, '2026-10', 'run.json'), 'utf8')) as { inputs: Record<string, unknown>[] }
    const folder = runJson.inputs.find((i) => i.file === '2026-10/OneTime')
    expect(Object.keys(folder ?? {})).toEqual(['file', 'kind', 'sha256', 'rows', 'accepted', 'rejected', 'unknownColumns'])
    expect(folder).toMatchObject({ kind: 'ignored', rows: 0 })
    expect(runJson.inputs.some((i) => String(i.file).startsWith('2026-10/OneTime/'))).toBe(false)
  }, 120_000)

  it('--quiet prints the remarks on stderr of a run that exits 0; a Latin-1 file name is UNREADABLE_FILE under its Windows-1252 name, with no U+FFFD', () => {
    const { input, output } = month()
    const quiet = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--quiet'])
    expect(quiet.status).toBe(0)
    expect(quiet.stderr).toContain(`csp-billing: remark: ${FOLDER}\n`)
    expect(quiet.stderr).toContain(`csp-billing: remark: ${ZIP}\n`)
    expect(quiet.stderr).not.toContain('.DS_Store')

    const period = join(input, '2026-10')
    writeFileSync(Buffer.concat([Buffer.from(`${period}/`), Buffer.from('R\xe9conciliation_OneTime.csv', 'latin1')]), readFileSync(join(period, 'InvoiceReconciliation_G052610001_resend.csv')))
    const r = cli(['run', '--period', '2026-10', '--input', input, '--output', output, '--json'])
    expect(r.status).toBe(1)
    const runJson = readFileSync(join(output, '2026-10', 'run.json'), 'utf8')
    const exceptions = readFileSync(join(output, '2026-10', 'exceptions.csv'), 'utf8')
    expect(runJson).toContain('"file": "2026-10/Réconciliation_OneTime.csv"')
    expect(exceptions).toContain('2026-10/Réconciliation_OneTime.csv cannot be used: its file name is not valid UTF-8 (it is shown here read as Windows-1252, as a zip made on Windows names files): rename it.')
    for (const text of [runJson, exceptions, r.stdout]) expect(text).not.toMatch(/\uFFFD|symbolic link/)
  }, 120_000)
})
