/**
 * Entries of the input folders the run does not read (SPEC §2: listed in run.json as `ignored`, "nothing is skipped
 * silently"): a sub-folder left by unpacking a Partner Center zip, the zip, an .xls, another extension each get a
 * remark for the end-of-run summary (pipeline/ignored-remark.ts); noise (hidden and system files, documents) does
 * not. A file name that is not valid UTF-8 is shown as Windows-1252 and reported as UNREADABLE_FILE with the real
 * reason, never with U+FFFD nor as "a symbolic link whose target does not exist".
 */
import { createHash } from 'node:crypto'
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { csv, inputFiles, makeInput, runIngest, type TestInput } from '../ingest/context.js'
import { CUSTOMERS_HEADER, RECON_HEADER, reconRow, RESELLERS_HEADER } from '../fixtures/ingest/builders.js'
import { discover } from '../../stages/discover.js'
import { ignoredRemarks } from '../../pipeline/ignored-remark.js'

let input: TestInput
afterEach(async () => input.cleanup())

const RECON = csv([[...RECON_HEADER], reconRow()])
const CUSTOMERS = csv([[...CUSTOMERS_HEADER], ['c1', 'R1', '']])
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** Discover over the test input, with what the summary says about ignored entries. */
async function discovered() {
  const { output } = await discover(undefined, input.ctx)
  return { files: output, remarks: ignoredRemarks(output, '2026-10') }
}

/** A raw (byte) path in the period folder: a name that is not valid UTF-8 cannot be written from a JS string. */
function rawPath(name: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${input.ctx.periodDir}/`), name])
}

describe('ignored inputs get a remark', () => {
  it('a sub-folder holding a reconciliation CSV: listed as an ignored folder, never read, and named in a remark', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    mkdirSync(join(input.ctx.periodDir, 'OneTime'))
    writeFileSync(join(input.ctx.periodDir, 'OneTime', 'Reconciliation_OneTime.csv'), RECON)
    const { files, remarks } = await discovered()
    expect(files.map((f) => [f.file, f.kind, f.format, f.reason])).toEqual([
      ['2026-10/OneTime', 'ignored', 'other', 'a folder: sub-folders are not read'],
      ['2026-10/recon.csv', 'reconciliation', 'csv', undefined],
    ])
    expect(remarks).toEqual([
      'Input not read: 2026-10/OneTime/ is a folder, and files in sub-folders are not read: move them into 2026-10/ and run again',
    ])
  })

  it('a .zip gets "unpack it", an .xls "save it as .xlsx or .csv", another extension "not read"', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    input.write('PartnerCenter_2026-10.zip', Buffer.from('PK\u0003\u0004rest'))
    input.write('PriceList_NCE.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0]))
    input.write('recon.csv.txt', RECON)
    const { files, remarks } = await discovered()
    expect(files.filter((f) => f.kind === 'ignored').map((f) => [f.file, f.reason])).toEqual([
      ['2026-10/PartnerCenter_2026-10.zip', 'not a .csv, .csv.gz or .xlsx file'],
      ['2026-10/PriceList_NCE.xls', 'not a .csv, .csv.gz or .xlsx file'],
      ['2026-10/recon.csv.txt', 'not a .csv, .csv.gz or .xlsx file'],
    ])
    expect(remarks).toEqual([
      'Input not read: 2026-10/PartnerCenter_2026-10.zip is a compressed archive (.zip): unpack its files into 2026-10/ itself (not into a sub-folder) and run again',
      'Input not read: 2026-10/PriceList_NCE.xls is an Excel 97-2003 workbook (.xls): save it as .xlsx or .csv in 2026-10/ and run again',
      'Input not read: 2026-10/recon.csv.txt: only .csv, .csv.gz and .xlsx files are read: if it holds billing data, save it as .csv or .xlsx in 2026-10/ and run again',
    ])
  })

  it('noise (hidden and system files, __MACOSX, lock files of unread files, documents) is listed as ignored with no remark', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    const noise = ['.DS_Store', '._recon.zip', 'desktop.ini', 'Thumbs.db', '~$Notes.docx', 'Microsoft invoice.pdf', 'README.md']
    for (const name of noise) input.write(name, 'x')
    mkdirSync(join(input.ctx.periodDir, '__MACOSX'))
    mkdirSync(join(input.ctx.periodDir, '.git'))
    const { files, remarks } = await discovered()
    expect(files.filter((f) => f.kind === 'ignored')).toHaveLength(noise.length + 2)
    expect(remarks).toEqual([])
  })

  it("an Excel lock file named like an input stays UNREADABLE_FILE (a finding, so no remark)", async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    input.write('~$prices.xlsx', Buffer.from([0x0a, 0x61, 0x00, 0x00]))
    const { files, remarks } = await discovered()
    expect(files.find((f) => f.file === '2026-10/~$prices.xlsx')).toMatchObject({ kind: 'unreadable', reason: expect.stringContaining('open in Excel') })
    expect(remarks).toEqual([])
  })

  it('in reference/: a reconciliation file, a folder and a .zip get a remark; a sheet the period folder overrides does not', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    input.write('customers.csv', CUSTOMERS)
    input.write('reference/customers.csv', CUSTOMERS)
    input.write('reference/recon-october.csv', RECON)
    input.write('reference/resellers.zip', Buffer.from('PK\u0003\u0004rest'))
    mkdirSync(join(input.ctx.referenceDir, 'old'))
    writeFileSync(join(input.ctx.referenceDir, 'old', 'resellers.csv'), csv([[...RESELLERS_HEADER], ['R1', 'One', 'EUR', 'std', '', '', '']]))
    const { remarks } = await discovered()
    expect(remarks).toEqual([
      'Input not read: reference/old/ is a folder, and files in sub-folders are not read: move them into reference/ and run again',
      'Input not read: reference/recon-october.csv is a reconciliation file, and those are read from the period folder only: if it is this month\'s, move it into 2026-10/ and run again',
      'Input not read: reference/resellers.zip is a compressed archive (.zip): unpack its files into reference/ itself (not into a sub-folder) and run again',
    ])
  })

  it('a device named like an input (a link to /dev/null) is "not a file": a remark says so', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    symlinkSync('/dev/null', join(input.ctx.periodDir, 'device.csv'))
    const { remarks } = await discovered()
    expect(remarks).toEqual([
      'Input not read: 2026-10/device.csv is not a file (a named pipe, socket or device): put the export itself in 2026-10/ and run again',
    ])
  })
})

describe('a file name that is not valid UTF-8 (Latin-1, from a zip made on Windows)', () => {
  it('a .csv is shown as Windows-1252 and rejected as UNREADABLE_FILE saying why, with no U+FFFD', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    writeFileSync(rawPath(Buffer.from('R\xe9conciliation_OneTime.csv', 'latin1')), RECON)
    const { findings, discovered: files } = await runIngest(input.ctx)
    expect(files.map((f) => [f.file, f.kind])).toEqual([
      ['2026-10/Réconciliation_OneTime.csv', 'unreadable'],
      ['2026-10/recon.csv', 'reconciliation'],
    ])
    expect(findings.filter((f) => f.rule === 'UNREADABLE_FILE').map((f) => [f.file, f.row, f.message])).toEqual([
      ['2026-10/Réconciliation_OneTime.csv', 1, '2026-10/Réconciliation_OneTime.csv cannot be used: its file name is not valid UTF-8 (it is shown here read as Windows-1252, as a zip made on Windows names files): rename it. None of its rows are used.'],
    ])
    const records = inputFiles(input.ctx)
    expect(JSON.stringify(records)).not.toContain('\uFFFD')
    expect(JSON.stringify(findings)).not.toContain('\uFFFD')
    expect(records.map((r) => [r.file, r.kind])).toEqual([['2026-10/Réconciliation_OneTime.csv', 'unreadable'], ['2026-10/recon.csv', 'reconciliation']])
    // Hashed and counted through its real name (diff review: the hash of no bytes, and 0 rows for its 1 row).
    expect(records[0]).toMatchObject({ sha256: createHash('sha256').update(RECON).digest('hex'), rows: 1, rejected: 1 })
  })

  it('a folder and a .zip with such names are seen for what they are (a folder is not "a symbolic link"), shown as Windows-1252', async () => {
    input = makeInput()
    input.write('recon.csv', RECON)
    mkdirSync(rawPath(Buffer.from('Facturation \xe9t\xe9 \x96 O\x92Brien', 'latin1'))) // 0x96 –, 0x92 ’: Windows-1252, not Latin-1
    writeFileSync(rawPath(Buffer.from('Relev\xe9.zip', 'latin1')), 'PK')
    const { files, remarks } = await discovered()
    expect(files.map((f) => [f.file, f.kind, f.reason])).toEqual([
      ['2026-10/Facturation été – O’Brien', 'ignored', 'a folder: sub-folders are not read'],
      ['2026-10/Relevé.zip', 'ignored', 'not a .csv, .csv.gz or .xlsx file'],
      ['2026-10/recon.csv', 'reconciliation', undefined],
    ])
    expect(remarks).toEqual([
      'Input not read: 2026-10/Facturation été – O’Brien/ is a folder, and files in sub-folders are not read: move them into 2026-10/ and run again',
      'Input not read: 2026-10/Relevé.zip is a compressed archive (.zip): unpack its files into 2026-10/ itself (not into a sub-folder) and run again',
    ])
  })

  it('a dangling symbolic link is still named as one; a folder hashes as no bytes (run.json requires a sha256 string)', async () => {
    input = makeInput()
    input.write('customers.csv', CUSTOMERS)
    symlinkSync(join(input.ctx.periodDir, 'gone.csv'), join(input.ctx.periodDir, 'link.csv'))
    mkdirSync(join(input.ctx.periodDir, 'OneTime'))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.message])).toEqual([
      ['UNREADABLE_FILE', '2026-10/link.csv', '2026-10/link.csv cannot be used: it cannot be opened (a symbolic link whose target does not exist). None of its rows are used.'],
    ])
    expect(inputFiles(input.ctx).find((f) => f.file === '2026-10/OneTime')).toMatchObject({ kind: 'ignored', sha256: EMPTY_SHA256 })
  })
})
