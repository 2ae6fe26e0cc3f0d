/**
 * File names from data can never leave the output folder (SPEC §2: a ResellerId names a file; ingest validates
 * it, the writer sanitises again).
 */
import { describe, expect, it } from 'vitest'
import { clip } from '../../pipeline/diagnostics.js'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { isInside, safeFileStem, uniqueStems } from '../../stages/writers/file-names.js'
import { excelDate, sheetName, text } from '../../stages/writers/safe-cells.js'
import { write } from '../../stages/write.js'
import { Fixture } from './fixture.js'

describe('safeFileStem', () => {
  it.each([
    ['R1', 'R1'],
    ['12345_ab-C', '12345_ab-C'],
    ['..', '__'],
    ['../../etc/passwd', '______etc_passwd'],
    ['a/b\\c', 'a_b_c'],
    ['C:\\x', 'C__x'],
    ['', '_'],
    ['CON', '_CON'],
    ['lpt1', '_lpt1'],
    ['x'.repeat(80), 'x'.repeat(64)],
    ['Ünïcode ID', '_n_code_ID'],
  ])('%j → %j', (raw, stem) => {
    expect(safeFileStem(raw)).toBe(stem)
    expect(isInside('/out/work', `invoices/${safeFileStem(raw)}.xlsx`)).toBe(true)
  })

  it('ids that sanitise alike get distinct stems (case-insensitive file systems too)', () => {
    expect([...uniqueStems(['a/b', 'a_b', 'A_B']).values()]).toEqual(['a_b', 'a_b_2', 'A_B_3'])
  })

  it('isInside rejects escapes', () => {
    expect(isInside('/out/work', '../x')).toBe(false)
    expect(isInside('/out/work', '/etc/passwd')).toBe(false)
    expect(isInside('/out/work', 'invoices/../../x')).toBe(false)
    expect(isInside('/out/work', 'invoices/R1.xlsx')).toBe(true)
  })

  it('write() keeps a hostile reseller id inside workDir', async () => {
    const f = new Fixture()
    f.inputFile('2026-10/recon.csv', 'reconciliation', 1)
    f.reseller({ id: '../../evil' })
    f.line({ reseller: '../../evil', cost: '1', sell: '2' })
    const ctx = f.context()
    const { output } = await write({ exitCode: 0 }, ctx)
    expect(readdirSync(join(ctx.workDir, 'invoices'))).toEqual(['______evil.xlsx'])
    expect(output.runJson.resellers[0]?.file).toBe('invoices/______evil.xlsx')
    expect(existsSync(join(ctx.workDir, '..', '..', 'evil.xlsx'))).toBe(false)
  })
})

describe('sheet names and text cells', () => {
  it.each([
    ['Azure usage', 'Azure usage'],
    ['a[b]c:d*e?f/g\\h', 'a_b_c_d_e_f_g_h'],
    ['x'.repeat(40), 'x'.repeat(31)],
    ["'quoted'", 'quoted'],
    ['', '_'],
    ['History', '_History'],
  ])('sheetName(%j) = %j', (raw, name) => expect(sheetName(raw)).toBe(name))

  it('text drops characters XML cannot carry and caps at 32,767', () => {
    expect(text('a\u0001b\u000Bc\td')).toBe('abc\td')
    expect(text('x'.repeat(40_000))?.length).toBe(32_767)
    expect(text('')).toBeNull()
    expect(text('=1+1')).toBe('=1+1')
    // A CR would come back from the sheet's XML as LF: written as the LF a cell's line break is.
    expect(text('cr\rlf\nboth\r\nend')).toBe('cr\nlf\nboth\nend')
  })

  // A cut through an emoji left half a surrogate pair, shown as U+FFFD (end-to-end review; SPEC §2: never).
  it('caps never split an emoji: text cells, sheet names, clipped finding values', () => {
    const emoji = '\u{1F600}' // two UTF-16 units
    const cell = text(emoji.repeat(16_384)) as string // 32,768 units: the last kept emoji would straddle the 32,767 cap
    expect(cell.length).toBe(32_766)
    expect(cell.endsWith(emoji)).toBe(true)
    expect(sheetName('y' + emoji.repeat(20))).toBe('y' + emoji.repeat(15))
    expect(clip('ab' + emoji, 3)).toBe('ab')
    expect(clip('ab' + emoji, 4)).toBe('ab' + emoji)
    for (const s of [cell, sheetName('y' + emoji.repeat(20))]) expect(s).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/)
  })
})

describe('excelDate', () => {
  it('turns ISO dates into UTC midnights, the same answer every time, and anything else into an empty cell', () => {
    for (let round = 0; round < 2; round++) {
      expect(excelDate('2026-10-31')?.toISOString()).toBe('2026-10-31T00:00:00.000Z')
      expect(excelDate('2024-02-29')?.toISOString()).toBe('2024-02-29T00:00:00.000Z')
      for (const bad of ['2026-02-30x', '31/10/2026', '2026-13-01', '', null, undefined]) expect(excelDate(bad)).toBeNull()
    }
    // Past the cache's bound the answers stay the same.
    for (let i = 0; i < 5000; i++) excelDate(`2000-01-01${' '.repeat(i % 3)}${i}`)
    expect(excelDate('2026-10-31')?.toISOString()).toBe('2026-10-31T00:00:00.000Z')
  })
})
