/**
 * A usage CSV read in two halves on two threads (stages/usage-split.ts) gives exactly what one thread gives: the
 * same counters, the same findings at the same rows, the same sums, the same rows stored whole. And when the
 * middle of the file cuts a quoted cell or the second half is not UTF-8, the split is given up and the file is
 * read as a whole. Files here are small: CSP_BILLING_USAGE_SPLIT_BYTES=1 makes every usage file split.
 */
import { createHash } from 'node:crypto'
import { readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { gzipSync } from 'node:zlib'
import { afterEach, describe, expect, it } from 'vitest'
import { RECON_HEADER, reconRow } from '../fixtures/ingest/builders.js'
import { inputFiles, makeInput, runIngest, type TestInput } from '../ingest/context.js'
import { FINDINGS_HELD } from '../../pipeline/findings-store.js'
import { mainShare } from '../../stages/usage-split.js'
import { splitPlan } from '../../stages/ingest.js'
import type { DiscoveredFile } from '../../stages/discover.js'
import { SideThread } from '../../pipeline/side-thread.js'
import { defaultSettings } from '../../schemas/config.js'

const USAGE = ['CustomerId', 'CustomerName', 'SubscriptionId', 'ProductId', 'SkuId', 'UsageDate', 'MeterId', 'MeterCategory', 'MeterName', 'Quantity', 'UnitPrice', 'BillingPreTaxTotal', 'BillingCurrency', 'EntitlementId', 'Tier2MpnId']

function usageRow(i: number, o: Record<string, string> = {}): string[] {
  const d: Record<string, string> = {
    CustomerId: `cust-${i % 3}`, CustomerName: 'Contoso, "Test" Ltd', SubscriptionId: 'azure-1', ProductId: 'DZH318Z0BP0L', SkuId: '004P',
    UsageDate: `10/${String(1 + (i % 28)).padStart(2, '0')}/2026`, MeterId: `m-${i % 5}`, MeterCategory: 'Storage', MeterName: 'LRS',
    Quantity: `${i}.25`, UnitPrice: '0.1', BillingPreTaxTotal: `0.${String(i).padStart(3, '0')}818498056067117`, BillingCurrency: 'EUR',
    EntitlementId: 'ent-1', Tier2MpnId: '1234567', ...o,
  }
  return USAGE.map((c) => d[c] ?? '')
}
const line = (cells: readonly string[]) => cells.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')

/** 400 rows with rejected, out-of-period and blank rows spread over both halves. */
function mixedRows(): string[] {
  const lines = [line(USAGE)]
  for (let i = 0; i < 400; i++) {
    if (i % 97 === 13) lines.push(line(usageRow(i, { Quantity: 'twelve' })))
    else if (i % 89 === 7) lines.push(line(usageRow(i, { UsageDate: '09/30/2026' })))
    else if (i % 151 === 50) lines.push('')
    else lines.push(line(usageRow(i)))
  }
  return lines
}

interface Ingested {
  threads: number[]
  lines: unknown[]
  files: unknown[]
  findings: unknown[]
  totals: unknown[]
  whole: unknown[]
  summed: number
  /** Scratch files a helper thread left (stages/usage-half.ts): none, however the read ended. */
  scratchLeft: string[]
}

let input: TestInput | undefined
afterEach(async () => {
  await input?.cleanup()
  input = undefined
  delete process.env.CSP_BILLING_USAGE_SPLIT_BYTES
  delete process.env.CSP_BILLING_USAGE_THREADS
  delete process.env.CSP_BILLING_USAGE_WORKER_HEAP_MB
})

/**
 * `side`: the run's side thread the split may hand its second part to (absent: a worker of its own). `name`: the
 * usage file's name (`.csv.gz` for gzip).
 */
async function ingestWith(content: string | Buffer, mode: 'split' | 'one-thread', recon?: string, side?: SideThread, name = 'usage.csv'): Promise<Ingested> {
  await input?.cleanup()
  input = makeInput()
  input.write(name, content)
  if (recon !== undefined) input.write('x-recon.csv', recon)
  if (mode === 'split') {
    process.env.CSP_BILLING_USAGE_SPLIT_BYTES = '1'
    delete process.env.CSP_BILLING_USAGE_THREADS
  } else process.env.CSP_BILLING_USAGE_THREADS = '1'
  const { findings, summary } = await runIngest(side === undefined ? input.ctx : { ...input.ctx, side })
  const db = input.ctx.db.sqlite
  return {
    threads: summary.files.map((f) => f.threads),
    files: inputFiles(input.ctx).map(({ file, rows, accepted, rejected, sha256 }) => ({ file, rows, accepted, rejected, sha256 })),
    lines: db.prepare('select line_id, source_file, source_row from recon_lines order by line_id').all(),
    findings: findings.map((f) => ({ rule: f.rule, row: f.row, column: f.column, value: f.value, message: f.message })),
    totals: db.prepare('select * from usage_totals').all(),
    whole: db.prepare('select * from usage_rows order by usage_id').all(),
    summed: (db.prepare('select coalesce(sum(rows), 0) n from usage_partials').get() as { n: number }).n,
    // The DB is in memory here, so the helper's scratch file goes to the OS temp folder.
    scratchLeft: readdirSync(tmpdir()).filter((f) => f.startsWith(`csp-billing-half-${process.pid}-`)),
  }
}

async function expectSameBothWays(content: string | Buffer, recon?: string): Promise<Ingested> {
  const one = await ingestWith(content, 'one-thread', recon)
  const split = await ingestWith(content, 'split', recon)
  expect(one.threads.every((t) => t === 1)).toBe(true)
  expect({ ...split, threads: one.threads }).toEqual(one)
  return split
}

describe('a usage file split over two threads', () => {
  it('rejected, out-of-period and blank rows in both halves: same rows, findings, sums and stored rows as one thread', async () => {
    const got = await expectSameBothWays(`${mixedRows().join('\r\n')}\r\n`)
    expect(got.files).toMatchObject([{ rows: 397, rejected: 4 }])
    expect(got.summed).toBe(393)
    expect(got.findings.map((f) => (f as { row: number }).row)).toEqual([15, 112, 209, 306])
    expect(got.whole).toHaveLength(5)
    expect(got.threads).toEqual([2])
  }, 60_000)

  it('LF line endings and no final line ending', async () => {
    expect((await expectSameBothWays(mixedRows().join('\n'))).threads).toEqual([2])
  }, 60_000)

  it('a reconciliation file after the usage file is read while the worker reads: same file order, line ids and sums', async () => {
    const recon = `${[RECON_HEADER, ...Array.from({ length: 30 }, (_, i) => reconRow({ CustomerId: `cust-${i}` }))].map(line).join('\r\n')}\r\n`
    const got = await expectSameBothWays(`${mixedRows().join('\r\n')}\r\n`, recon)
    expect(got.threads).toEqual([2, 1])
    expect(got.files).toMatchObject([{ file: '2026-10/usage.csv', rows: 397 }, { file: '2026-10/x-recon.csv', rows: 30 }])
    expect(got.lines).toHaveLength(30)
  }, 60_000)

  it('the worker thread runs out of memory: the file is read again in one thread, same results', async () => {
    const content = `${mixedRows().join('\r\n')}\r\n`
    const one = await ingestWith(content, 'one-thread')
    process.env.CSP_BILLING_USAGE_WORKER_HEAP_MB = '1'
    const failed = await ingestWith(content, 'split')
    expect(failed.threads).toEqual([1])
    expect(failed).toEqual(one)
  }, 60_000)

  it('the run\'s side thread has already died: a worker of its own reads the second part, the file is still split', async () => {
    const content = `${mixedRows().join('\r\n')}\r\n`
    const one = await ingestWith(content, 'one-thread')
    const side = await SideThread.start({ dbPath: ':memory:', settings: defaultSettings(), periodStart: '2026-10-01', periodEnd: '2026-10-31' })
    expect(side).not.toBeNull()
    await side!.close()
    expect(side!.alive).toBe(false)
    const split = await ingestWith(content, 'split', undefined, side!)
    expect(split.threads).toEqual([2])
    expect({ ...split, threads: one.threads }).toEqual(one)
  }, 60_000)

  it('a gzip usage file is unpacked and split too: same rows, findings and sums as one thread, its own name and hash', async () => {
    const packed = gzipSync(`${mixedRows().join('\r\n')}\r\n`)
    const one = await ingestWith(packed, 'one-thread', undefined, undefined, 'usage.csv.gz')
    const split = await ingestWith(packed, 'split', undefined, undefined, 'usage.csv.gz')
    expect(split.threads).toEqual([2])
    expect({ ...split, threads: one.threads }).toEqual(one)
    expect(split.files).toEqual([{ file: '2026-10/usage.csv.gz', rows: 397, accepted: 393, rejected: 4, sha256: createHash('sha256').update(packed).digest('hex') }])
    expect(readdirSync(input!.ctx.workDir)).toEqual([]) // the unpacked copy is gone
  }, 60_000)

  it('a truncated gzip usage file cannot be unpacked: it is read as it is, with the same verdict as one thread', async () => {
    const packed = gzipSync(`${mixedRows().join('\r\n')}\r\n`)
    const truncated = packed.subarray(0, packed.length - 200)
    const one = await ingestWith(truncated, 'one-thread', undefined, undefined, 'usage.csv.gz')
    const split = await ingestWith(truncated, 'split', undefined, undefined, 'usage.csv.gz')
    expect(split).toEqual(one)
    expect(one.findings).toContainEqual(expect.objectContaining({ rule: 'UNREADABLE_FILE', message: expect.stringContaining('truncated') }))
    expect(readdirSync(input!.ctx.workDir)).toEqual([])
  }, 60_000)

  it('the first part shrinks as the files waiting behind the usage file, and the lines priced meanwhile, grow', () => {
    const alone = mainShare(988e6, 0)
    const behind = mainShare(988e6, 40e6)
    const priced = mainShare(988e6, 40e6, 40e6)
    expect(alone).toBeLessThanOrEqual(0.6) // the worker hashes the whole file: alone, this thread takes more
    expect(behind).toBeLessThan(alone)
    expect(priced).toBeLessThan(behind)
    expect(priced).toBeGreaterThan(0.1) // the 1 M-row bench month: this thread still reads a part
    expect(mainShare(3950e6, 40e6, 40e6)).toBeGreaterThan(priced) // 4 M rows: the fixed costs weigh less
    expect(mainShare(100e6, 100e6)).toBe(0.1)
    // Usage read whole behind the split costs this thread a usage byte each, far less than a reconciliation byte.
    expect(mainShare(988e6, 40e6, 40e6, 50e6)).toBeLessThan(priced)
    expect(mainShare(988e6, 40e6, 40e6, 50e6)).toBeGreaterThan(mainShare(988e6, 90e6, 40e6))
  })

  it('split usage files share one plan: their bytes together, and only the work after the first of them', () => {
    const f = (name: string, kind: DiscoveredFile['kind'], format: DiscoveredFile['format'] = 'csv'): DiscoveredFile => ({ path: `/in/${name}`, file: name, kind, format })
    const files = [
      f('2026-10/invoice-before.csv', 'reconciliation'),
      f('2026-10/usage-a.csv', 'usage'),
      f('2026-10/usage-b.csv', 'usage'),
      f('2026-10/usage-small.csv', 'usage'),
      f('2026-10/usage-c.csv.gz', 'usage', 'csv.gz'),
      f('2026-10/invoice-after.csv', 'reconciliation'),
      f('2026-10/notes.txt', 'ignored', 'other'),
      f('2026-10/broken.xlsx', 'unreadable', 'xlsx'),
    ]
    const sizes = [40, 500, 400, 10, 300, 20, 5, 7].map((mb) => mb * 1e6)
    expect(splitPlan(files, sizes, 48 * 2 ** 20)).toEqual({ splitting: true, splitBytes: 900e6, laterBytes: 20e6, laterUsageBytes: 310e6 })
    expect(splitPlan(files.slice(3), sizes.slice(3), 48 * 2 ** 20)).toEqual({ splitting: false, splitBytes: 0, laterBytes: 0, laterUsageBytes: 0 })
  })

  it('the middle falls inside a quoted cell with line breaks: the split is given up, the file read as a whole', async () => {
    const lines = mixedRows()
    const long = usageRow(1000, { CustomerName: Array.from({ length: 3000 }, (_, k) => `line ${k}`).join('\n') })
    lines.splice(200, 0, line(long))
    const got = await expectSameBothWays(`${lines.join('\r\n')}\r\n`)
    expect(got.files).toMatchObject([{ rows: 398, rejected: 4 }])
    expect(got.threads).toEqual([1])
  }, 60_000)

  it('invalid UTF-8 in the second half: read again as Windows-1252, as in one thread', async () => {
    const lines = mixedRows()
    lines[350] = line(usageRow(350, { CustomerName: 'Caf\u00e9' }))
    const bytes = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')
    const at = bytes.indexOf(Buffer.from('Caf\u00e9', 'utf8'))
    const latin1 = Buffer.concat([bytes.subarray(0, at + 3), Buffer.from([0xe9]), bytes.subarray(at + 5)])
    const got = await expectSameBothWays(latin1)
    expect((got.totals as { customer_name: string }[]).some((t) => t.customer_name === 'Caf\u00e9')).toBe(true)
    expect(got.threads).toEqual([1])
  }, 60_000)

  // Diff review: the worker's half had the byte, so the file was read again by papaparse, which met it past its
  // first MiB and returned "not UTF-8": that read was kept with the rows before it (4,449 of 5,116, exit 0).
  it('invalid UTF-8 in the second half, past the first MiB: every row, as in one thread', async () => {
    const lines = [line(USAGE)]
    for (let i = 0; i < 12000; i++) lines.push(line(usageRow(i, i === 11900 ? { CustomerName: 'Caf\u00e9' } : {})))
    const bytes = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8')
    expect(bytes.length).toBeGreaterThan(1.5 * 1024 * 1024)
    const at = bytes.indexOf(Buffer.from('Caf\u00e9', 'utf8'))
    const latin1 = Buffer.concat([bytes.subarray(0, at + 3), Buffer.from([0xe9]), bytes.subarray(at + 5)])
    const got = await expectSameBothWays(latin1)
    expect(got.files).toMatchObject([{ rows: 12000 }])
    expect((got.totals as { customer_name: string }[]).some((t) => t.customer_name === 'Caf\u00e9')).toBe(true)
  }, 60_000)
})

describe('more rejected rows than FINDINGS_HELD', () => {
  /** Every REJECTED_ROW of the run: those ingest stored as it read, and those it returned. */
  async function rejected(content: string | Buffer, mode: 'split' | 'one-thread') {
    const got = await ingestWith(content, mode)
    const stored = input!.ctx.db.sqlite
      .prepare("select row, column_name as column, value, message from findings where rule = 'REJECTED_ROW'")
      .all() as { row: number }[]
    const returned = (got.findings as { row: number; column: string; value: string; message: string }[]).map(({ row, column, value, message }) => ({ row, column, value, message }))
    return { files: got.files, returned: returned.length, all: [...stored, ...returned].sort((a, b) => a.row - b.row) }
  }

  const badRows = (n: number, last = '') => {
    const lines = [line(USAGE)]
    for (let i = 0; i < n; i++) lines.push(line(usageRow(i, i % 1000 === 0 ? {} : { Quantity: 'twelve' })))
    return `${lines.join('\r\n')}\r\n${last}`
  }

  it('the rest are stored as they are found: every row once, the same split or not', async () => {
    const one = await rejected(badRows(12_000), 'one-thread')
    expect(one.returned).toBeLessThanOrEqual(FINDINGS_HELD)
    expect(one.all).toHaveLength(11_988)
    expect(new Set(one.all.map((f) => f.row)).size).toBe(11_988)
    expect(one.files).toMatchObject([{ rows: 12_000, accepted: 12, rejected: 11_988 }])
    const split = await rejected(badRows(12_000), 'split')
    expect(split.all).toEqual(one.all)
    expect(split.files).toEqual(one.files)
  }, 60_000)

  it('a file read again (Windows-1252 after the first MiB) takes back what it stored: no row twice', async () => {
    const content = Buffer.concat([Buffer.from(badRows(12_000)), Buffer.from([0x22, 0xe9, 0x22, 0x0d, 0x0a])])
    const got = await rejected(content, 'one-thread')
    expect(got.files).toMatchObject([{ rows: 12_001, rejected: 11_989 }])
    expect(new Set(got.all.map((f) => f.row)).size).toBe(got.all.length)
    expect(got.all).toHaveLength(11_989)
  }, 60_000)
})
