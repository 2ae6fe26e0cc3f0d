/**
 * File-level behaviour (SPEC §2): encodings, line endings, blank lines and Excel row numbers, gzip, XLSX,
 * unreadable files, ignored files, reference fallback, duplicate reconciliation lines across files.
 */
import { execFileSync } from 'node:child_process'
import { symlinkSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import ExcelJS from 'exceljs'
import { afterEach, describe, expect, it } from 'vitest'
import { csv, inputFiles, makeInput, runIngest, type TestInput } from './context.js'
import { CUSTOMERS_HEADER, RECON_HEADER, reconRow, RESELLERS_HEADER, USAGE_HEADER } from '../fixtures/ingest/builders.js'
import { keyText } from '../../stages/file-ingest.js'

let input: TestInput
afterEach(async () => input.cleanup())

const H = [...RECON_HEADER]
const quoted = (rows: string[][], eol = '\r\n') => rows.map((r) => r.map((c) => `"${c.replaceAll('"', '""')}"`).join(',')).join(eol) + eol
const resellers = (...ids: string[]) => csv([[...RESELLERS_HEADER], ...ids.map((id) => [id, `Name ${id}`, 'EUR', 'std', '', '', ''])])

function accounting() {
  for (const f of inputFiles(input.ctx)) expect(f.rows, f.file).toBe(f.accepted + f.rejected)
}

async function unreadableCase(name: string, content: string | Buffer) {
  input = makeInput()
  input.write(name, content)
  const result = await runIngest(input.ctx)
  expect(result.findings).toHaveLength(1)
  const [f] = result.findings
  expect(f).toMatchObject({ rule: 'UNREADABLE_FILE', severity: 'error', file: `2026-10/${name}`, row: 1 })
  expect(f!.message).toContain(`2026-10/${name}`)
  accounting()
  expect(input.ctx.db.sqlite.prepare('select count(*) n from recon_lines').get()).toEqual({ n: 0 })
  return { finding: f!, file: inputFiles(input.ctx)[0]! }
}

describe('text encodings and layout', () => {
  it('UTF-8 BOM + quoted header + CRLF maps every column', async () => {
    input = makeInput()
    input.write('recon.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(quoted([H, reconRow({ CustomerName: 'Müller "Quote", GmbH' })]))]))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select customer_name, sku_id from recon_lines').get()).toEqual({ customer_name: 'Müller "Quote", GmbH', sku_id: '0001' })
    expect(inputFiles(input.ctx)[0]!.unknown_columns).toBe('[]')
  })

  it('blank lines are not rows but keep Excel row numbers', async () => {
    input = makeInput()
    const text = [H.join(','), '', reconRow({ SubscriptionId: 'a' }).join(','), '', '', reconRow({ SubscriptionId: 'b', UnitPrice: 'bad' }).join(','), ',,,', reconRow({ SubscriptionId: 'c' }).join(','), ''].join('\r\n')
    input.write('recon.csv', text)
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.row, f.column])).toEqual([[6, 'UnitPrice (K)']])
    expect(input.ctx.db.sqlite.prepare('select subscription_id s, source_row r from recon_lines order by line_id').all()).toEqual([
      { s: 'a', r: 3 }, { s: 'c', r: 8 },
    ])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ rows: 3, accepted: 2, rejected: 1 })
  })

  it('UTF-16 LE with BOM', async () => {
    input = makeInput()
    input.write('customers.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv([[...CUSTOMERS_HEADER], ['cé', 'R1', '']], '\r\n'), 'utf16le')]))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select customer_id from customers').get()).toEqual({ customer_id: 'cé' })
  })

  it('UTF-16 BE with BOM', async () => {
    input = makeInput()
    const le = Buffer.from(csv([[...CUSTOMERS_HEADER], ['c1', 'R1', '']]), 'utf16le')
    const be = Buffer.alloc(le.length)
    for (let i = 0; i < le.length; i += 2) { be[i] = le[i + 1]!; be[i + 1] = le[i]! }
    input.write('customers.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), be]))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'customers', accepted: 1 })
  })

  it('Windows-1252 text (not valid UTF-8) is read as Windows-1252; no U+FFFD in the DB', async () => {
    input = makeInput()
    const bytes = Buffer.from(csv([H, reconRow({ CustomerName: 'Caf\u00e9 Ltd' })]), 'latin1')
    input.write('recon.csv', bytes)
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select customer_name from recon_lines').get()).toEqual({ customer_name: 'Café Ltd' })
  })

  it('invalid UTF-8 far into the file: rows already loaded are dropped and the file is read again as Windows-1252', async () => {
    input = makeInput()
    const rows = Array.from({ length: 6000 }, (_, i) => reconRow({ SubscriptionId: `s${i}`, CustomerName: i === 5999 ? 'Caf\u00e9' : 'Plain' }))
    input.write('recon.csv', Buffer.from(csv([H, ...rows]), 'latin1'))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ rows: 6000, accepted: 6000 })
    expect(input.ctx.db.sqlite.prepare('select count(*) n, max(line_id) m from recon_lines').get()).toEqual({ n: 6000, m: 6000 })
    expect(input.ctx.db.sqlite.prepare("select customer_name from recon_lines where line_id = 6000").get()).toEqual({ customer_name: 'Café' })
    const fffd = input.ctx.db.sqlite.prepare("select count(*) n from recon_lines where customer_name like '%' || char(65533) || '%'").get()
    expect(fffd).toEqual({ n: 0 })
  })

  it('a literal U+FFFD in a used cell rejects the row instead of storing it', async () => {
    input = makeInput()
    input.write('recon.csv', csv([H, reconRow({ CustomerName: 'Bad \uFFFD name' })]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.column])).toEqual([['REJECTED_ROW', 2, 'CustomerName (C)']])
    expect(findings[0]!.value).not.toContain('\uFFFD')
    expect(findings[0]!.message).not.toContain('\uFFFD')
  })
})

describe('gzip', () => {
  it('.csv.gz made of several gzip members reads to the end', async () => {
    input = makeInput()
    const text = csv([H, reconRow({ SubscriptionId: 'a' }), reconRow({ SubscriptionId: 'b' }), reconRow({ SubscriptionId: 'c' })], '\r\n')
    const cut = text.indexOf('\r\n', text.indexOf('\r\n') + 2) + 2 // after the first data row
    input.write('recon.csv.gz', Buffer.concat([gzipSync(Buffer.from('\uFEFF' + text.slice(0, cut))), gzipSync(text.slice(cut))]))
    const { findings, discovered } = await runIngest(input.ctx)
    expect(discovered[0]).toMatchObject({ format: 'csv.gz', kind: 'reconciliation' })
    expect(findings).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ file: '2026-10/recon.csv.gz', rows: 3, accepted: 3 })
  })

  it('truncated gzip → UNREADABLE_FILE; rows already read are counted as rejected and nothing is loaded', async () => {
    const rows = Array.from({ length: 20000 }, (_, i) => reconRow({ SubscriptionId: `s${i}`, CustomerName: `n${i * 7919}` }))
    const gz = gzipSync(csv([H, ...rows]))
    const { finding, file } = await unreadableCase('recon.csv.gz', gz.subarray(0, Math.floor(gz.length * 0.8)))
    expect(finding.message).toContain('truncated')
    expect(file.kind).toBe('unreadable')
    expect(file.rows).toBeGreaterThan(0)
    expect(file.accepted).toBe(0)
  })
})

describe('XLSX', () => {
  async function workbook(build: (wb: ExcelJS.Workbook) => void): Promise<Buffer> {
    const wb = new ExcelJS.Workbook()
    build(wb)
    return Buffer.from(await wb.xlsx.writeBuffer())
  }

  it('reads the sheet named after the kind, with Date cells, serial numbers, rich text and formulas', async () => {
    input = makeInput()
    input.write('customers.xlsx', await workbook((wb) => {
      wb.addWorksheet('Notes').addRow(['not the data'])
      const s = wb.addWorksheet('Customers')
      s.addRow([...CUSTOMERS_HEADER])
      s.addRow(['c1', 'R1', new Date(Date.UTC(2025, 2, 1))])
      s.addRow([])
      s.addRow([{ richText: [{ text: 'c' }, { text: '2' }] }, { formula: '"R"&"2"', result: 'R2' }, 45762]) // 45762 = 2025-04-15
      s.addRow(['c3', 'R3', 'not a date'])
    }))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.column, f.value])).toEqual([['REJECTED_ROW', 5, 'McaAcceptedOn (C)', 'not a date']])
    expect(input.ctx.db.sqlite.prepare('select customer_id, reseller_id, mca_accepted_on, source_row from customers order by source_row').all()).toEqual([
      { customer_id: 'c1', reseller_id: 'R1', mca_accepted_on: '2025-03-01', source_row: 2 },
      { customer_id: 'c2', reseller_id: 'R2', mca_accepted_on: '2025-04-15', source_row: 4 },
    ])
    accounting()
  })

  it('a formula whose cached result is 0 reads as 0, not as an empty cell (exceljs drops falsy results from value)', async () => {
    input = makeInput()
    input.write('usage.xlsx', await workbook((wb) => {
      const s = wb.addWorksheet('Sheet1')
      s.addRow([...USAGE_HEADER])
      s.addRow(['cust', 'sub', 'DZH318Z0BQD2', '0001', new Date(Date.UTC(2026, 8, 5)), 'm1', 'Storage', 'LRS',
        { formula: 'I3*0', result: 0 }, { formula: '2.99', result: 2.99 }, { formula: 'J2*0', result: 0 }, 'EUR'])
    }))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select quantity, unit_price, billing_pre_tax_total from usage_rows').get()).toEqual({
      quantity: '0', unit_price: '2.99', billing_pre_tax_total: '0',
    })
  })

  it('first sheet otherwise; numbers pass to parseDecimal exactly; ids typed as numbers become text', async () => {
    input = makeInput()
    input.write('usage.xlsx', await workbook((wb) => {
      const s = wb.addWorksheet('Sheet1')
      s.addRow([...USAGE_HEADER])
      // Dated before the period, so ingest stores the row whole (usage_rows) besides summing it.
      // SkuId is text (a number cell there rejects the row: the next test); MeterId typed as a number is read as text.
      const dated = s.addRow(['cust', 'sub', 'DZH318Z0BQD2', '0003', new Date(Date.UTC(2026, 8, 5)), 7, 'Storage', 'LRS', 0.00000641, 2.99, 1.5, 'EUR'])
      dated.getCell(5).numFmt = 'mm/dd/yyyy'
      wb.addWorksheet('Other').addRow(['x'])
    }))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(input.ctx.db.sqlite.prepare('select sku_id, meter_id, usage_date, quantity, unit_price, billing_pre_tax_total from usage_rows').get()).toEqual({
      sku_id: '0003', meter_id: '7', usage_date: '2026-09-05', quantity: '0.00000641', unit_price: '2.99', billing_pre_tax_total: '1.5',
    })
  })

  // Found by end-to-end review: a % format made 15 % read as 0.15 (bills 100× low), a formula saved without its result
  // read as empty (an optional percent took its default 0), and a hidden first sheet of old rules was billed.
  it('a number shown as a percentage reads as the number shown; a formula without a saved result rejects its row; hidden sheets come last', async () => {
    input = makeInput()
    input.write('resellers.xlsx', await workbook((wb) => {
      const old = wb.addWorksheet('Old', { state: 'hidden' })
      const header = ['ResellerId', 'Name', 'Currency', 'PriceBook', 'TaxRatePercent', 'SupportPlanPercent', 'AccountManager']
      old.addRow(header)
      old.addRow(['R0', 'Stale', 'EUR', 'std', 50, 50])
      const s = wb.addWorksheet('Current')
      s.addRow(header)
      const typed = s.addRow(['R1', 'Percent typed', 'EUR', 'std', 0.0825, 0.05])
      typed.getCell(5).numFmt = '0.00%'
      typed.getCell(6).numFmt = '0%'
      const literal = s.addRow(['R2', 'Percent sign in quotes', 'EUR', 'std', 19.5, 2])
      literal.getCell(5).numFmt = '0.0"%"' // shows 19.5%: the number is the percent already
      s.addRow(['R3', 'Formula, no result', 'EUR', 'std', { formula: '8+0.25' }, 1])
      s.addRow(['R4', 'Formula with result', 'EUR', 'std', { formula: '8+0.25', result: 8.25 }, 1])
      // An error result read as the text "NaN": a reseller named NaN was invoiced (adversarial review).
      s.addRow(['R5', { formula: 'NA()', result: { error: '#N/A' } }, 'EUR', 'std', 1, 1])
      s.addRow(['R6', 'Division by zero', 'EUR', 'std', { formula: '1/0', result: { error: '#DIV/0!' } }, 1])
      s.addRow(['R7', 'Error in an unread column', 'EUR', 'std', 1, 1, { formula: 'VLOOKUP(A9,Staff!A:B,2,FALSE)', result: { error: '#N/A' } }])
    }))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row])).toEqual([['REJECTED_ROW', 4], ['REJECTED_ROW', 6], ['REJECTED_ROW', 7]])
    expect(findings[0]!.message).toContain('cell E4 holds a formula (=8+0.25) saved without its result')
    expect(findings[1]!.message).toContain('cell B6 holds a formula (=NA()) whose result is an error')
    expect(findings[2]!.message).toContain('cell E7 holds a formula (=1/0) whose result is an error')
    // In a column the product does not read (AccountManager), such a cell is ignored like the column: R7 is loaded.
    expect(input.ctx.db.sqlite.prepare('select reseller_id, tax_rate_percent, support_plan_percent from resellers order by source_row').all()).toEqual([
      { reseller_id: 'R1', tax_rate_percent: '8.25', support_plan_percent: '5' },
      { reseller_id: 'R2', tax_rate_percent: '19.5', support_plan_percent: '2' },
      { reseller_id: 'R4', tax_rate_percent: '8.25', support_plan_percent: '1' },
      { reseller_id: 'R7', tax_rate_percent: '1', support_plan_percent: '1' },
    ])
    accounting()
  })

  // Found by a review of XLSX inputs: Excel's fill-down (a shared formula) rejected every row but the first, a
  // percent-formatted formula read 8.25 % as 0.0825, an exchange rate formatted 0% read as 100, and a pasted #N/A
  // became a reseller named #N/A.
  it('filled-down formulas read their cached results; percent formats only in …Percent columns; an error value rejects its row', async () => {
    input = makeInput()
    input.write('resellers.xlsx', await workbook((wb) => {
      const s = wb.addWorksheet('resellers')
      s.addRow(['ResellerId', 'Name', 'Currency', 'PriceBook', 'TaxRatePercent', 'SupportPlanPercent', 'PaymentTermsDays'])
      for (let i = 1; i <= 3; i++) s.addRow([`R${i}`, `Reseller ${i}`, 'EUR', 'std', null, 2, 30 * i])
      s.fillFormula('E2:E4', '8.25/100', [0.0825, 0.0825, 0]) // shared: E3 and E4 carry only the cached result
      for (let r = 2; r <= 4; r++) s.getCell(`E${r}`).numFmt = '0.00%'
      const days = s.addRow(['R5', 'Days shown as percent', 'EUR', 'std', 1, 1, 0.45])
      days.getCell(7).numFmt = '0%' // not a …Percent column: the number itself
      s.addRow(['R6', { error: '#N/A' }, 'EUR', 'std', 1, 1, 30])
    }))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row])).toEqual([['REJECTED_ROW', 5], ['REJECTED_ROW', 6]])
    expect(findings[0]!.column).toBe('PaymentTermsDays (G)') // 0.45 shown as 45 %: read as 0.45, not a whole number of days
    expect(findings[1]!.message).toContain('cell B6 holds the error value #N/A')
    expect(input.ctx.db.sqlite.prepare('select reseller_id, tax_rate_percent, payment_terms_days from resellers order by source_row').all()).toEqual([
      { reseller_id: 'R1', tax_rate_percent: '8.25', payment_terms_days: 30 },
      { reseller_id: 'R2', tax_rate_percent: '8.25', payment_terms_days: 60 },
      { reseller_id: 'R3', tax_rate_percent: '0', payment_terms_days: 90 },
    ])
    accounting()
  })

  // A price book re-saved by a spreadsheet turned SkuId 0001 into the number 1: the SKU rule matched nothing and the
  // line took the default rule, with no finding (review of XLSX inputs).
  it('a price book SkuId that is a number cell rejects its rule, naming the cell', async () => {
    input = makeInput()
    input.write('pricebooks.xlsx', await workbook((wb) => {
      const s = wb.addWorksheet('pricebooks')
      s.addRow(['PriceBook', 'Scope', 'ProductId', 'SkuId', 'Method', 'Percent'])
      s.addRow(['B', 'sku', 'CFQ7TTC0AAA1', 1, 'markup', 9])
      s.addRow(['B', 'sku', 'CFQ7TTC0AAA1', '0001', 'markup', 9])
      s.addRow(['B', 'default', null, null, 'markup', 12])
    }))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.column])).toEqual([['REJECTED_ROW', 2, 'SkuId (D)']])
    expect(findings[0]!.message).toContain('is the number 1 in the workbook, and ids are text (SkuId 0001 is not 1;')
    expect(input.ctx.db.sqlite.prepare('select scope, sku_id from price_book_rules order by source_row').raw().all()).toEqual([['sku', '0001'], ['default', null]])
    accounting()
  })

  // Found by an adversarial review: a hidden sheet named after the kind beat the visible first sheet, and its old
  // rules were billed.
  it.each([
    { name: 'a hidden sheet named after the kind', sheets: [['Current', 'visible', 'R1'], ['resellers', 'hidden', 'R0']], read: 'R1' },
    { name: 'only hidden sheets: the one named after the kind', sheets: [['Old', 'hidden', 'R0'], ['resellers', 'hidden', 'R2']], read: 'R2' },
    { name: 'a visible sheet named after the kind', sheets: [['Notes', 'visible', 'R0'], ['Resellers ', 'visible', 'R3']], read: 'R3' },
  ])('sheet choice: $name', async ({ sheets, read }) => {
    input = makeInput()
    input.write('resellers.xlsx', await workbook((wb) => {
      for (const [name, state, id] of sheets) {
        const ws = wb.addWorksheet(name!, { state: state as 'visible' | 'hidden' })
        ws.addRow(['ResellerId', 'Name', 'Currency', 'PriceBook'])
        ws.addRow([id, `From ${name}`, 'EUR', 'std'])
      }
    }))
    await runIngest(input.ctx)
    expect(input.ctx.db.sqlite.prepare('select reseller_id from resellers').all()).toEqual([{ reseller_id: read }])
  })

  // Found by an adversarial review: a 1904-system workbook's bare serial dates (no date format) read 4 years early.
  it('a workbook of the 1904 date system: bare serials and date cells give the same days as in a 1900 one', async () => {
    input = makeInput()
    input.write('customers.xlsx', await workbook((wb) => {
      ;(wb.properties as { date1904?: boolean }).date1904 = true
      const ws = wb.addWorksheet('customers')
      ws.addRow([...CUSTOMERS_HEADER])
      ws.addRow(['c1', 'R1', 45717 - 1462]) // 2025-03-01 counted from 1904-01-01, General format
      ws.addRow(['c2', 'R1', new Date(Date.UTC(2025, 2, 1))]) // a date cell: exceljs converts it
    }))
    input.write('customers-1900.xlsx', await workbook((wb) => {
      const ws = wb.addWorksheet('customers')
      ws.addRow([...CUSTOMERS_HEADER])
      ws.addRow(['c3', 'R1', 45717]) // 2025-03-01 in the 1900 system
    }))
    await runIngest(input.ctx)
    expect(input.ctx.db.sqlite.prepare('select customer_id, mca_accepted_on from customers order by customer_id').all()).toEqual([
      { customer_id: 'c1', mca_accepted_on: '2025-03-01' },
      { customer_id: 'c2', mca_accepted_on: '2025-03-01' },
      { customer_id: 'c3', mca_accepted_on: '2025-03-01' },
    ])
  })

  it('a broken zip → UNREADABLE_FILE', async () => {
    const good = await workbook((wb) => wb.addWorksheet('customers').addRow([...CUSTOMERS_HEADER]))
    const { finding } = await unreadableCase('customers.xlsx', good.subarray(0, Math.floor(good.length / 2)))
    expect(finding.message).toContain('not a valid .xlsx')
  })

  it('a text file named .xlsx → UNREADABLE_FILE', async () => {
    const { finding } = await unreadableCase('notes.xlsx', 'just some text\n')
    expect(finding.message).toContain('not a valid .xlsx')
  })
})

describe('unreadable and ignored files', () => {
  it.each([
    { name: 'empty', file: 'empty.csv', content: '', reason: 'empty (0 bytes)', rows: 0 },
    { name: 'binary', file: 'bin.csv', content: Buffer.from([1, 2, 0, 0, 5, 6, 0, 7]), reason: 'binary', rows: 0 },
    { name: 'an xlsx named .csv', file: 'book.csv', content: Buffer.from('PK\u0003\u0004rest'), reason: 'zip file', rows: 0 },
    { name: 'only blank lines', file: 'blank.csv', content: '\r\n\r\n', reason: 'no header row', rows: 0 },
    { name: 'duplicated column', file: 'dup.csv', content: csv([[...H, 'subtotal'], [...reconRow(), '1'], [...reconRow(), '2']]), reason: "column name 'subtotal' appears twice", rows: 2 },
    { name: 'header of no kind', file: 'other.csv', content: 'Foo,Bar\n1,2\n3,4\n5,6\n', reason: 'matches no input kind', rows: 3 },
    { name: 'semicolon-separated', file: 'semi.csv', content: 'CustomerId;ResellerId\nc1;R1\n', reason: 'semicolons', rows: 1 },
    { name: "an Excel lock file", file: '~$prices.xlsx', content: Buffer.from([0x0a, 0x61, 0x00, 0x00]), reason: 'open in Excel', rows: 0 },
    { name: 'not gzip', file: 'plain.csv.gz', content: csv([[...CUSTOMERS_HEADER], ['c', 'r', '']]), reason: 'gzip', rows: 0 },
  ])('$name → UNREADABLE_FILE', async ({ file, content, reason, rows }) => {
    const { finding, file: record } = await unreadableCase(file, content)
    expect(finding.message).toContain(reason)
    expect(record).toMatchObject({ kind: 'unreadable', rows, accepted: 0, rejected: rows })
    expect(record.sha256).toMatch(/^[0-9a-f]{64}$/)
  })

  // The message carried Node's text with the file's absolute path, so exceptions.csv differed with where the month
  // was checked out (determinism review).
  it.each([
    { name: 'a symbolic link whose target is gone', make: (path: string) => symlinkSync(join(path, '..', 'gone.csv'), path), says: 'a symbolic link whose target does not exist' },
    { name: 'a loop of symbolic links', make: (path: string) => symlinkSync(path, path), says: 'a loop of symbolic links' },
  ])('$name → UNREADABLE_FILE without an absolute path', async ({ make, says }) => {
    input = makeInput()
    make(join(input.ctx.periodDir, 'dangling.csv'))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.message])).toEqual([['UNREADABLE_FILE', '2026-10/dangling.csv', expect.stringContaining(`it cannot be opened (${says})`)]])
    expect(findings[0]!.message).not.toContain(input.ctx.inputRoot)
  })

  it('an unterminated quote → UNREADABLE_FILE and nothing from the file is loaded', async () => {
    const text = csv([H, reconRow({ SubscriptionId: 'a' }), reconRow({ SubscriptionId: 'b' })]) + reconRow({ CustomerName: '"Open quote' }).join(',') + '\n' + reconRow().join(',') + '\n'
    const { finding, file } = await unreadableCase('recon.csv', text)
    expect(finding.message).toContain('unterminated quote')
    expect(finding.message).toContain('row 4')
    // Rows 2–5: all four data lines count, the two swallowed by the open quote too (SPEC §2: all rejected).
    expect(file).toMatchObject({ rows: 4, accepted: 0, rejected: 4 })
  })

  it('a .txt file is ignored (listed, not read, no finding); the run goes on', async () => {
    input = makeInput()
    input.write('readme.txt', 'CustomerId,ResellerId\nc1,R1\n')
    input.write('customers.csv', csv([[...CUSTOMERS_HEADER], ['c1', 'R1', '']]))
    const { findings, discovered } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(discovered.map((d) => [d.file, d.kind, d.format])).toEqual([
      ['2026-10/customers.csv', 'customers', 'csv'],
      ['2026-10/readme.txt', 'ignored', 'other'],
    ])
    expect(inputFiles(input.ctx).map((f) => [f.file, f.kind, f.rows])).toEqual([
      ['2026-10/customers.csv', 'customers', 1],
      ['2026-10/readme.txt', 'ignored', 0],
    ])
  })

  // A named pipe waits for a writer forever and /dev/zero never ends: hashing them for run.json hung the run (CLI review).
  it('a named pipe or a device among the inputs is listed as ignored and never read: the run ends', async () => {
    input = makeInput()
    input.write('customers.csv', csv([[...CUSTOMERS_HEADER], ['c1', 'R1', '']]))
    execFileSync('mkfifo', [join(input.ctx.periodDir, 'notes.txt'), join(input.ctx.periodDir, 'fifo.csv')])
    symlinkSync('/dev/zero', join(input.ctx.periodDir, 'zero.csv'))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    const nothing = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' // SHA-256 of no bytes
    expect(inputFiles(input.ctx).map((f) => [f.file, f.kind, f.rows, f.sha256])).toEqual([
      ['2026-10/customers.csv', 'customers', 1, expect.stringMatching(/^[0-9a-f]{64}$/)],
      ['2026-10/fifo.csv', 'ignored', 0, nothing],
      ['2026-10/notes.txt', 'ignored', 0, nothing],
      ['2026-10/zero.csv', 'ignored', 0, nothing],
    ])
  }, 20_000)

  it('files are processed in file-name order; the kind comes from the header, not the name', async () => {
    input = makeInput()
    input.write('b.csv', csv([H, reconRow({ SubscriptionId: 'from-b' })]))
    input.write('a-resellers-not.csv', csv([H, reconRow({ SubscriptionId: 'from-a' })]))
    await runIngest(input.ctx)
    expect(input.ctx.db.sqlite.prepare('select line_id, subscription_id from recon_lines order by line_id').all()).toEqual([
      { line_id: 1, subscription_id: 'from-a' }, { line_id: 2, subscription_id: 'from-b' },
    ])
  })
})

describe('reference folder', () => {
  it('a reference kind missing from the period folder is read from input/reference', async () => {
    input = makeInput()
    input.write('customers.csv', csv([[...CUSTOMERS_HEADER], ['c1', 'R1', '']]))
    input.write('reference/resellers.csv', resellers('R1', 'R2'))
    input.write('reference/customers.csv', csv([[...CUSTOMERS_HEADER], ['c9', 'R9', '']]))
    const { findings, discovered } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(discovered.map((d) => [d.file, d.kind])).toEqual([
      ['2026-10/customers.csv', 'customers'],
      ['reference/customers.csv', 'ignored'],
      ['reference/resellers.csv', 'resellers'],
    ])
    expect(discovered[1]!.reason).toContain('has its own customers file')
    expect(input.ctx.db.sqlite.prepare('select reseller_id, source_file from resellers order by reseller_id').all()).toEqual([
      { reseller_id: 'R1', source_file: 'reference/resellers.csv' },
      { reseller_id: 'R2', source_file: 'reference/resellers.csv' },
    ])
    expect(input.ctx.db.sqlite.prepare('select customer_id from customers').all()).toEqual([{ customer_id: 'c1' }])
  })

  it('resellers in the period folder win over input/reference', async () => {
    input = makeInput()
    input.write('resellers.csv', resellers('P1'))
    input.write('reference/resellers.csv', resellers('R1'))
    await runIngest(input.ctx)
    expect(input.ctx.db.sqlite.prepare('select reseller_id from resellers').all()).toEqual([{ reseller_id: 'P1' }])
    expect(inputFiles(input.ctx).map((f) => [f.file, f.kind])).toEqual([
      ['2026-10/resellers.csv', 'resellers'],
      ['reference/resellers.csv', 'ignored'],
    ])
  })

  it('a repeated ResellerId across two reseller files of the period folder is rejected in the later file', async () => {
    input = makeInput()
    input.write('resellers-a.csv', resellers('R1'))
    input.write('resellers-b.csv', resellers('R2', 'R1'))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.file, f.row, f.column])).toEqual([['2026-10/resellers-b.csv', 3, 'ResellerId (A)']])
    expect(findings[0]!.message).toContain('2026-10/resellers-a.csv row 2')
  })
})

describe('duplicate reconciliation lines', () => {
  it('a line repeated in a later file (other column order, padded cells) → DUPLICATE_LINE; still accepted', async () => {
    input = makeInput()
    input.write('a.csv', csv([H, reconRow({ SubscriptionId: 'one' }), reconRow({ SubscriptionId: 'two' })]))
    const reversed = [...H].reverse()
    input.write('b.csv', csv([reversed.map((h) => h.toUpperCase()), reconRow({ SubscriptionId: ' two ' }, reversed), reconRow({ SubscriptionId: 'three' }, reversed)]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.severity, f.file, f.row, f.actual])).toEqual([
      ['DUPLICATE_LINE', 'warning', '2026-10/b.csv', 2, '2026-10/a.csv:3'],
    ])
    expect(findings[0]!.message).toContain('2026-10/a.csv row 3')
    expect(input.ctx.db.sqlite.prepare('select line_id, is_duplicate, duplicate_of from recon_lines order by line_id').all()).toEqual([
      { line_id: 1, is_duplicate: 0, duplicate_of: null },
      { line_id: 2, is_duplicate: 0, duplicate_of: null },
      { line_id: 3, is_duplicate: 1, duplicate_of: 2 },
      { line_id: 4, is_duplicate: 0, duplicate_of: null },
    ])
    expect(inputFiles(input.ctx).map((f) => [f.rows, f.accepted, f.rejected])).toEqual([[2, 2, 0], [2, 2, 0]])
  })

  it('rows that differ only in an unknown column are not duplicates', async () => {
    input = makeInput()
    input.write('a.csv', csv([[...H, 'Note'], [...reconRow(), 'x'], [...reconRow(), 'y'], [...reconRow(), 'x']]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.actual])).toEqual([['DUPLICATE_LINE', 4, '2026-10/a.csv:2']])
  })

  // Ids are text (SPEC §2: 0001 ≠ 1): a line for SKU 1 was dropped as a duplicate of SKU 0001's (checks review).
  // Within one export they stay two lines.
  it('rows of one file that differ only in an id with leading zeros (SkuId 0001 and 1) are two lines', async () => {
    input = makeInput()
    input.write('a.csv', csv([H, reconRow({ SubscriptionId: 'one', SkuId: '0001' }), reconRow({ SubscriptionId: 'one', SkuId: '1' }), reconRow({ SubscriptionId: 'one', SkuId: '1' })]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.actual])).toEqual([['DUPLICATE_LINE', 4, '2026-10/a.csv:3']])
    expect(input.ctx.db.sqlite.prepare('select sku_id, is_duplicate from recon_lines order by line_id').raw().all()).toEqual([['0001', 0], ['1', 0], ['1', 1]])
  })

  // Excel re-saving an export drops SkuId 0024's zeros: the real sample G004733043_OneTimeInvoiceLineItems.csv is such
  // a copy, and beside the original its line was billed twice, silently (real-samples review).
  it('a later file repeating a line but for leading zeros (a re-saved copy) is a duplicate, and says which cell differs', async () => {
    input = makeInput()
    input.write('a.csv', csv([H, reconRow({ SubscriptionId: 'one', SkuId: '0024' })]))
    input.write('b.csv', csv([H, reconRow({ SubscriptionId: 'one', SkuId: '24' }), reconRow({ SubscriptionId: 'one', SkuId: '0024' })]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([
      ['DUPLICATE_LINE', '2026-10/b.csv', 2, '2026-10/a.csv:2'],
      ['DUPLICATE_LINE', '2026-10/b.csv', 3, '2026-10/a.csv:2'],
    ])
    expect(findings[0]!.message).toContain('but for how SkuId is written (0024 there, 24 here): a spreadsheet that re-saved the export drops leading zeros')
    expect(findings[1]!.message).toContain('cell for cell; it is counted once')
    expect(input.ctx.db.sqlite.prepare('select sku_id, is_duplicate, duplicate_of from recon_lines order by line_id').raw().all()).toEqual([['0024', 0, null], ['24', 1, 1], ['0024', 1, 1]])
  })

  // Diff review: "Copy of x.csv" and "x (1).csv" sort before x.csv, and the copy's SKU 1 was kept (priced by another
  // rule, or held PRICE_NOT_FOUND) while the original was dropped.
  it('the line kept is the one with the leading zeros, whichever file sorts first; exact copies keep file order', async () => {
    input = makeInput()
    input.write('x (1).csv', csv([H, reconRow({ SubscriptionId: 'one', SkuId: '1' }), reconRow({ SubscriptionId: 'two', SkuId: '0002' })]))
    input.write('x.csv', csv([H, reconRow({ SubscriptionId: 'one', SkuId: '0001' }), reconRow({ SubscriptionId: 'two', SkuId: '0002' })]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([
      ['DUPLICATE_LINE', '2026-10/x (1).csv', 2, '2026-10/x.csv:2'],
      ['DUPLICATE_LINE', '2026-10/x.csv', 3, '2026-10/x (1).csv:3'],
    ])
    expect(findings[0]!.message).toContain('but for how SkuId is written (0001 there, 1 here)')
    expect(input.ctx.db.sqlite.prepare('select source_file, sku_id, is_duplicate from recon_lines order by line_id').raw().all()).toEqual([
      ['2026-10/x (1).csv', '1', 1], ['2026-10/x (1).csv', '0002', 0], ['2026-10/x.csv', '0001', 0], ['2026-10/x.csv', '0002', 1],
    ])
  })

  // A resend whose export named Tier2MpnId by its alias ResellerMpnId (FORMATS §1.3) was no duplicate: the key hashed
  // the header names as written, and the line was invoiced twice (attribution review).
  it('a resend whose header uses an alias of a column (ResellerMpnId for Tier2MpnId) is a duplicate', async () => {
    input = makeInput()
    input.write('a.csv', csv([H, reconRow({ SubscriptionId: 'one' })]))
    input.write('b.csv', csv([H.map((h) => (h === 'Tier2MpnId' ? 'ResellerMpnId' : h)), reconRow({ SubscriptionId: 'one' })]))
    expect(H).toContain('Tier2MpnId')
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([['DUPLICATE_LINE', '2026-10/b.csv', 2, '2026-10/a.csv:2']])
  })

  // A resend whose export gained an empty column (or lost one that was empty) was billed twice (end-to-end review).
  it('a resend with an extra empty column or without an empty one is a duplicate; a value in the extra column is not', async () => {
    input = makeInput()
    input.write('a.csv', csv([H, reconRow({ SubscriptionId: 'one' }), reconRow({ SubscriptionId: 'two' }), reconRow({ SubscriptionId: 'three', PartnerId: '' })]))
    input.write('b.csv', csv([[...H, 'Foo'], [...reconRow({ SubscriptionId: 'one' }), ''], [...reconRow({ SubscriptionId: 'two' }), 'zzz']]))
    const dropped = H.indexOf('PartnerId') // empty in a.csv row 4, absent from c.csv
    expect(dropped).toBeGreaterThanOrEqual(0)
    input.write('c.csv', csv([H.filter((_, i) => i !== dropped), reconRow({ SubscriptionId: 'three' }).filter((_, i) => i !== dropped)]))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([
      ['DUPLICATE_LINE', '2026-10/b.csv', 2, '2026-10/a.csv:2'],
      ['DUPLICATE_LINE', '2026-10/c.csv', 2, '2026-10/a.csv:4'],
    ])
  })
})

describe('duplicate reconciliation lines, typed', () => {
  // Found by an end-to-end review: a resend saved as XLSX has real date and number cells, whose text differs from
  // the CSV's (2026-10-04 against 10/04/2026), and its lines were billed twice.
  it('a resend as XLSX with date and number cells is a duplicate of the CSV rows; 50.00 and 50 are one amount', async () => {
    input = makeInput()
    input.write('a.csv', csv([H, reconRow({ SubscriptionId: 'one', Subtotal: '50.00' }), reconRow({ SubscriptionId: 'two' })]))
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Sheet1')
    ws.addRow([...H])
    const typed = (row: string[]) => row.map((cell, i) => {
      if (/^\d{2}\/\d{2}\/\d{4}$/.test(cell)) {
        const [m, d, y] = cell.split('/').map(Number)
        return new Date(Date.UTC(y!, m! - 1, d!))
      }
      return H[i] === 'Subtotal' ? 50 : cell
    })
    ws.addRow(typed(reconRow({ SubscriptionId: 'one', Subtotal: '50.00' })))
    input.write('b.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([['DUPLICATE_LINE', '2026-10/b.xlsx', 2, '2026-10/a.csv:2']])
  })
})

describe('duplicate reconciliation lines, columns the product does not read', () => {
  // Found by an adversarial review: PCToBCExchangeRateDate (Microsoft's layout; not read) became a date cell in a
  // resend saved as XLSX by LibreOffice, and its text 2026-10-01 against 10/01/2026 billed every line twice.
  it.each([
    { as: 'a date cell', rateDate: new Date(Date.UTC(2026, 9, 1)) as Date | number },
    { as: 'a bare serial number (General format)', rateDate: 46296 }, // billed twice before (adversarial review)
  ])('a resend as XLSX whose unread columns hold dates ($as) and numbers is a duplicate of the CSV rows', async ({ rateDate }) => {
    input = makeInput()
    const header = [...H, 'PCToBCExchangeRateDate', 'RateNote', 'Remark']
    const row = (sub: string, note: string) => [...reconRow({ SubscriptionId: sub }), '10/01/2026', note, 'Order 10/2026 ok']
    input.write('a.csv', csv([header, row('one', '1.50'), row('two', '2')]))
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Sheet1')
    ws.addRow(header)
    // As a spreadsheet saves it: dates as date cells, numbers (Tier2MpnId included) as number cells. SkuId stays
    // text: a number SkuId rejects its row (next test).
    const typed = (cells: string[]) => cells.map((cell, i) =>
      header[i] === 'PCToBCExchangeRateDate' ? rateDate : ['RateNote', 'Tier2MpnId'].includes(header[i]!) ? Number(cell) : cell)
    ws.addRow(typed(row('one', '1.50')))
    ws.addRow(typed(row('two', '2.5'))) // another RateNote: another line
    input.write('b.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([['DUPLICATE_LINE', '2026-10/b.xlsx', 2, '2026-10/a.csv:2']])
  })

  // Found by a review of CSVs re-saved as XLSX (LibreOffice, Excel): SkuId 0002 became the number 2, and the line
  // silently took a broader price-book rule than its SKU's (or was held PRICE_NOT_FOUND naming SKU 2).
  it('a SkuId saved as a number cell rejects its row, naming the cell; a text SkuId in the same workbook is read', async () => {
    input = makeInput()
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('Sheet1')
    ws.addRow([...H])
    ws.addRow(reconRow({ SubscriptionId: 'one' }).map((cell, i) => (H[i] === 'SkuId' ? Number(cell) : cell)))
    ws.addRow(reconRow({ SubscriptionId: 'two' }))
    input.write('b.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))
    const { findings } = await runIngest(input.ctx)
    const skuColumn = `SkuId (${String.fromCharCode(65 + H.indexOf('SkuId'))})`
    expect(findings.map((f) => [f.rule, f.row, f.column, f.value])).toEqual([['REJECTED_ROW', 2, skuColumn, '1']])
    expect(findings[0]!.message).toContain("is the number 1 in the workbook, and ids are text (SkuId 0001 is not 1; a spreadsheet that opens a CSV turns 0001 into 1): use the file as Partner Center exported it")
    expect(input.ctx.db.sqlite.prepare('select subscription_id, sku_id from recon_lines').all()).toEqual([{ subscription_id: 'two', sku_id: '0001' }])
  })

  // Usage review: a usage workbook re-saved from a spreadsheet kept SkuIds 0010 as the number 10, and 26 keys were
  // reported missing on both sides of USAGE_TIE_OUT.
  it('a usage SkuId saved as a number cell rejects its row, naming the cell', async () => {
    input = makeInput()
    const wb = new ExcelJS.Workbook()
    const ws = wb.addWorksheet('usage')
    ws.addRow([...USAGE_HEADER])
    ws.addRow(['cust', 'sub', 'DZH318Z0BQD2', 10, '2026-10-05', 'm1', 'Storage', 'LRS', '1', '2.99', '2.99', 'EUR'])
    ws.addRow(['cust', 'sub', 'DZH318Z0BQD2', '0010', '2026-10-06', 'm1', 'Storage', 'LRS', '1', '2.99', '2.99', 'EUR'])
    input.write('u.xlsx', Buffer.from(await wb.xlsx.writeBuffer()))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.row, f.column, f.value])).toEqual([['REJECTED_ROW', 2, 'SkuId (D)', '10']])
    expect(findings[0]!.message).toContain('is the number 10 in the workbook, and ids are text')
    expect(input.ctx.db.sqlite.prepare('select sku_id, rows from usage_totals').all()).toEqual([{ sku_id: '0010', rows: 1 }])
  })

  it.each([
    ['10/01/2026', '2026-10-01'], ['2026-10-01', '2026-10-01'], ['10/1/2026 12:00:00 AM', '2026-10-01'],
    ['1.50', '1.5'], ['+2', '2'], ['0001', '1'], ['-0.0', '0'],
    ['10/2026', '10/2026'], ['13/45/2026', '13/45/2026'], ['1,234.50', '1,234.50'], ['abc', 'abc'], ['', ''],
    [' 10/01/2026 ', '2026-10-01'], ['.5', '0.5'], ['0', '0'], ['-', '-'], ['1e5', '100000'], ['204531737e13', '2045317370000000000000'], ['2.04531737e+21', '2045317370000000000000'], ['7a30435092a6', '7a30435092a6'], ['12-ab', '12-ab'],
    ['9b7dc6ab-1470-4150-bc13-504b726832ad', '9b7dc6ab-1470-4150-bc13-504b726832ad'], ['12345678-1470', '12345678-1470'],
  ])('keyText(%j) = %j', (text, expected) => {
    expect(keyText(text)).toBe(expected)
  })
})

describe('progress', () => {
  it('reports fileStart, fileAdvance (every 8,192 records) and fileEnd for streamed files', async () => {
    input = makeInput()
    const rows = Array.from({ length: 9000 }, (_, i) => ['c', `s${i}`, 'P', '0001', '10/05/2026', 'm', 'Storage', 'LRS', '1', '2', '2', 'EUR'])
    const path = input.write('usage.csv', csv([[...USAGE_HEADER], ...rows]))
    input.write('notes.txt', 'x')
    const calls: string[] = []
    input.ctx.progress = {
      fileStart: (file, bytes) => calls.push(`start ${file} ${bytes > 0}`),
      fileAdvance: (file, rowsRead, bytes) => calls.push(`advance ${file} ${rowsRead} ${bytes > 0}`),
      fileEnd: (file, rowsRead) => calls.push(`end ${file} ${rowsRead}`),
    }
    await runIngest(input.ctx)
    expect(path).toContain('usage.csv')
    expect(calls).toEqual(['start 2026-10/usage.csv true', 'advance 2026-10/usage.csv 8191 true', 'end 2026-10/usage.csv 9000'])
  })
})
