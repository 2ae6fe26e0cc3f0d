/**
 * stages/readers/xlsx-text.ts: a workbook part's XML decoded as one UTF-8 stream (exceljs decoded each zip chunk
 * alone: a character split between chunks became U+FFFD in 33 of 30,000 names), and ISO date cells (`t="d"`,
 * which exceljs read with parseFloat: 2023-04-18 as 1905-07-15) handed over as text.
 */
import { describe, expect, it } from 'vitest'
import { workbookPartText } from '../../stages/readers/xlsx-text.js'

async function textOf(chunks: Buffer[]): Promise<string> {
  let out = ''
  for await (const t of workbookPartText((async function* () { yield* chunks })())) out += t
  return out
}

describe('workbookPartText', () => {
  it('any cut of the bytes, even inside a character, gives the same text', async () => {
    const xml = '<si><t>東京商事 € ü 😀 Ünïcödé</t></si><si><t>ok</t></si>'
    const bytes = Buffer.from(xml)
    for (let a = 0; a <= bytes.length; a++) {
      for (const b of [a, Math.min(bytes.length, a + 1), Math.min(bytes.length, a + 5)]) {
        expect(await textOf([bytes.subarray(0, a), bytes.subarray(a, b), bytes.subarray(b)])).toBe(xml)
      }
    }
  })

  it('an ISO date cell becomes a text cell wherever the chunks are cut; nothing else changes', async () => {
    const xml = '<row r="2"><c r="A2" s="3" t="d"><v>2023-04-18T00:00:00Z</v></c><c r=\'B2\' t=\'d\'><v>2024-01-09</v></c><c r="C2" t="s"><v>0</v></c><c r="D2"><v>"d"</v></c></row>'
    const want = xml.replace(' t="d"', ' t="str"').replace(" t='d'", " t='str'")
    const bytes = Buffer.from(xml)
    for (let a = 0; a <= bytes.length; a++) expect(await textOf([bytes.subarray(0, a), bytes.subarray(a)])).toBe(want)
  })
})
