/**
 * Adversarial review: a row starting with a byte-order mark (two exports joined with `cat`) before a quoted first
 * cell kept its quotes, so it was no DUPLICATE_LINE of the same row in the original and was invoiced twice.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { csv, makeInput, runIngest, type TestInput } from './context.js'
import { RECON_HEADER, reconRow } from '../fixtures/ingest/builders.js'
import { withoutBom } from '../../stages/readers/csv.js'

let input: TestInput | null = null
afterEach(async () => {
  await input?.cleanup()
  input = null
})

describe('a byte-order mark at the start of a row', () => {
  it('a copy whose row starts with a BOM before a quoted cell is still that row\'s DUPLICATE_LINE', async () => {
    input = makeInput()
    const header = [...RECON_HEADER]
    const rows = [reconRow({ SubscriptionId: 'a' }), reconRow({ SubscriptionId: 'b' })]
    input.write('recon.csv', csv([header, ...rows], '\r\n'))
    const quotedFirst = (row: string[]) => [`"${row[0]}"`, ...row.slice(1)].join(',')
    const copy = `${header.join(',')}\r\n${quotedFirst(rows[0]!)}\r\n\uFEFF${quotedFirst(rows[1]!)}\r\n`
    input.write('z_copy.csv', Buffer.from(`\uFEFF${copy}`, 'utf8'))
    const { findings } = await runIngest(input.ctx)
    expect(findings.map((f) => [f.rule, f.file, f.row])).toEqual([
      ['DUPLICATE_LINE', '2026-10/z_copy.csv', 2],
      ['DUPLICATE_LINE', '2026-10/z_copy.csv', 3],
    ])
  })

  it.each([
    ['\uFEFF"63da"', '63da'], ['\uFEFF"say ""hi"""', 'say "hi"'], ['\uFEFF63da', '63da'], ['\uFEFF"a"b', '"a"b'], ['\uFEFF', ''],
  ])('withoutBom(%j) = %j', (cell, text) => {
    expect(withoutBom(cell)).toBe(text)
  })
})
