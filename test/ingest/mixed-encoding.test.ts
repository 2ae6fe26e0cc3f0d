/**
 * SPEC §2 "anything that is not valid UTF-8 is read as Windows-1252", for a UTF-8 export with one byte a Windows
 * tool wrote (`’` as the single byte 0x92): the file used to be read again whole as Windows-1252, so every other
 * row's UTF-8 text was garbled (`Café Dental` → `CafÃ© Dental`, exit 0, no finding), and a resend of the export
 * with that one byte no longer matched the original: its lines were invoiced a second time (review t16). Now
 * only the bytes that are not UTF-8 are read as Windows-1252.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { csv, inputFiles, makeInput, runIngest, type TestInput } from './context.js'
import { RECON_HEADER, reconRow } from '../fixtures/ingest/builders.js'
import { cli, tempDir } from '../cli/helpers.js'

let input: TestInput | null = null
afterEach(async () => {
  await input?.cleanup()
  input = null
})

const H = [...RECON_HEADER]
/** The UTF-8 bytes of `text` with its (single) `’` written as Windows-1252's 0x92. */
const with0x92 = (text: string) => {
  const at = Buffer.from(text.slice(0, text.indexOf('’')), 'utf8').length
  const utf8 = Buffer.from(text, 'utf8')
  return Buffer.concat([utf8.subarray(0, at), Buffer.from([0x92]), utf8.subarray(at + 3)])
}

function names(): { row: number; name: string }[] {
  return input!.ctx.db.sqlite.prepare('select source_row row, customer_name name from recon_lines order by line_id').all() as { row: number; name: string }[]
}

describe('ingest: a UTF-8 file with one Windows-1252 byte', () => {
  it('in the first chunk: the UTF-8 rows keep their text, the byte reads as ’', async () => {
    input = makeInput()
    const text = csv([H, reconRow({ SubscriptionId: 'a', CustomerName: 'Café Dental' }), reconRow({ SubscriptionId: 'b', CustomerName: 'O’Brien Co' }), reconRow({ SubscriptionId: 'c', CustomerName: 'Zürich AG' })], '\r\n')
    input.write('recon.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), with0x92(text)]))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(names()).toEqual([{ row: 2, name: 'Café Dental' }, { row: 3, name: 'O’Brien Co' }, { row: 4, name: 'Zürich AG' }])
  })

  it('far into the file (read again after rows were loaded): same rows, same row numbers, UTF-8 text intact', async () => {
    input = makeInput()
    const rows = Array.from({ length: 6000 }, (_, i) => reconRow({ SubscriptionId: `s${i}`, CustomerName: i === 5999 ? 'O’Brien Co' : `Café Dental ${i}` }))
    input.write('recon.csv', with0x92(csv([H, ...rows], '\r\n')))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ rows: 6000, accepted: 6000 })
    const got = names()
    expect(got).toHaveLength(6000)
    expect(got[0]).toEqual({ row: 2, name: 'Café Dental 0' })
    expect(got[5998]).toEqual({ row: 6000, name: 'Café Dental 5998' })
    expect(got[5999]).toEqual({ row: 6001, name: 'O’Brien Co' })
    const garbled = input.ctx.db.sqlite.prepare("select count(*) n from recon_lines where customer_name like '%Ã%' or customer_name like '%' || char(65533) || '%'").get()
    expect(garbled).toEqual({ n: 0 })
  })

  // Diff review: a file read again by papaparse (here for a lone LF in a CRLF file) that then met the byte was kept
  // with only the rows before it: 296 of 1,790 lines gone, exit 0.
  it('a file read again by the general reader that then meets the byte is read a third time, whole', async () => {
    input = makeInput()
    const rows = Array.from({ length: 6000 }, (_, i) => reconRow({ SubscriptionId: `s${i}`, CustomerName: i === 5999 ? 'O’Brien Co' : `Café Dental ${i}` }))
    const lines = csv([H, ...rows], '\r\n').split('\r\n')
    const text = `${lines.slice(0, 3).join('\r\n')}\n${lines.slice(3).join('\r\n')}` // row 3 ends with a lone LF
    input.write('recon.csv', with0x92(text))
    const { findings } = await runIngest(input.ctx)
    expect(findings).toEqual([])
    expect(inputFiles(input.ctx)[0]).toMatchObject({ kind: 'reconciliation', rows: 6000, accepted: 6000 })
    const got = names()
    expect(got).toHaveLength(6000)
    expect(got[5999]).toEqual({ row: 6001, name: 'O’Brien Co' })
  })

  it('a resend that differs from the original by that one byte: every line is a DUPLICATE_LINE of the original', async () => {
    input = makeInput()
    const text = csv([H, reconRow({ SubscriptionId: 'a', CustomerName: 'Café Dental' }), reconRow({ SubscriptionId: 'b', CustomerName: 'O’Brien Co' })], '\r\n')
    input.write('recon.csv', Buffer.from(text, 'utf8'))
    input.write('recon_resend.csv', with0x92(text))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row, f.actual])).toEqual([
      ['DUPLICATE_LINE', '2026-10/recon_resend.csv', 2, '2026-10/recon.csv:2'],
      ['DUPLICATE_LINE', '2026-10/recon_resend.csv', 3, '2026-10/recon.csv:3'],
    ])
  })
})

// The review's t16 month (/tmp/rv-inputs/t16.py), run end to end through the CLI.
const T16_COLUMNS = 'PartnerId,CustomerId,CustomerName,CustomerDomainName,CustomerCountry,InvoiceNumber,MpnId,Tier2MpnId,OrderId,OrderDate,ProductId,SkuId,AvailabilityId,SkuName,ProductName,ChargeType,UnitPrice,Quantity,Subtotal,TaxTotal,Total,Currency,PriceAdjustmentDescription,PublisherName,PublisherId,SubscriptionDescription,SubscriptionId,ChargeStartDate,ChargeEndDate,TermAndBillingCycle,EffectiveUnitPrice,UnitType,AlternateId,BillableQuantity,BillingFrequency,PricingCurrency,PCToBCExchangeRate,PCToBCExchangeRateDate,MeterDescription,ReservationOrderId,CreditReasonCode,SubscriptionStartDate,SubscriptionEndDate,ReferenceId,ProductQualifiers,PromotionId'.split(',')

function t16Row(changes: Record<string, string>): string[] {
  const r: Record<string, string> = {
    PartnerId: 'p', CustomerId: '11111111-1111-1111-1111-111111111111', CustomerName: 'Cust A', InvoiceNumber: 'G1', MpnId: '1', Tier2MpnId: 'R1',
    OrderDate: '10/04/2026', ProductId: 'CFQ7TTC0S1F9', SkuId: '0002', SkuName: 'M365 BP', ProductName: 'M365 BP',
    ChargeType: 'cycleCharge', UnitPrice: '20', Quantity: '10', Subtotal: '200', TaxTotal: '0', Total: '200', Currency: 'USD',
    PublisherName: 'Microsoft Corporation', SubscriptionId: '22222222-2222-2222-2222-222222222222', ChargeStartDate: '10/04/2026', ChargeEndDate: '11/03/2026',
    TermAndBillingCycle: 'One-Year commitment for monthly/yearly billing', EffectiveUnitPrice: '20', BillableQuantity: '10',
    BillingFrequency: 'Monthly', PricingCurrency: 'USD', PCToBCExchangeRate: '1', SubscriptionStartDate: '12/04/2025', SubscriptionEndDate: '12/03/2026',
    ...changes,
  }
  return T16_COLUMNS.map((c) => r[c] ?? '')
}

/** Python's csv.writer: a cell is quoted only when it needs it. */
const csvLine = (cells: string[]) => cells.map((c) => (/[",\r\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c)).join(',')

describe('end to end (review t16)', () => {
  it('an export and its resend with one 0x92 byte: 2 lines invoiced, 2 DUPLICATE_LINE, subtotal 440.00', () => {
    const root = tempDir('csp-t16-')
    try {
      const inputDir = join(root, 'input')
      mkdirSync(join(inputDir, '2026-10'), { recursive: true })
      mkdirSync(join(inputDir, 'reference'), { recursive: true })
      writeFileSync(join(inputDir, 'reference', 'resellers.csv'), 'ResellerId,Name,Currency,PriceBook,TaxRatePercent,SupportPlanPercent,PaymentTermsDays\r\nR1,Reseller One,USD,BOOK,0,0,30\r\n')
      writeFileSync(join(inputDir, 'reference', 'pricebooks.csv'), 'PriceBook,Scope,ProductId,SkuId,TermDuration,BillingPlan,Category,Method,Percent,FixedUnitPrice,EffectiveFrom,EffectiveTo\r\nBOOK,default,,,,,,markup,10,,,\r\n')
      const text = [
        csvLine(T16_COLUMNS),
        csvLine(t16Row({ CustomerName: 'Café Dental' })),
        csvLine(t16Row({ CustomerId: '99999999-1111-1111-1111-111111111111', SubscriptionId: '99999999-2222-2222-2222-222222222222', CustomerName: 'O’Brien Co' })),
      ].join('\r\n') + '\r\n'
      const original = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])
      writeFileSync(join(inputDir, '2026-10', 'recon.csv'), original)
      writeFileSync(join(inputDir, '2026-10', 'recon_resend.csv'), Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), with0x92(text)]))

      const output = join(root, 'output')
      const r = cli(['run', '--period', '2026-10', '--input', inputDir, '--output', output, '--quiet'])
      expect(r.status, r.stderr).toBe(0)
      const run = JSON.parse(readFileSync(join(output, '2026-10', 'run.json'), 'utf8')) as {
        rows: Record<string, number>
        resellers: { resellerId: string; lines: number; subtotal: string }[]
      }
      expect(run.rows).toMatchObject({ duplicates: 2, invoiced: 2 })
      expect(run.resellers).toMatchObject([{ resellerId: 'R1', lines: 2, subtotal: '440.00' }])
      const exceptions = readFileSync(join(output, '2026-10', 'exceptions.csv'), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/).slice(1)
      expect(exceptions.map((line) => line.split(',').slice(0, 4).join(','))).toEqual([
        'DUPLICATE_LINE,warning,2026-10/recon_resend.csv,2',
        'DUPLICATE_LINE,warning,2026-10/recon_resend.csv,3',
      ])
      expect(readFileSync(join(output, '2026-10', 'exceptions.csv'), 'utf8')).not.toContain('\uFFFD')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  }, 120_000)
})
