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
  // Adversarial review: text after the last '<' was carried to the next chunk, so a long text node (a 20 MB shared
  // string in a 23 KB workbook) was concatenated and scanned again with every chunk: 72 s.
  it('a long text node goes on chunk by chunk, not carried to the end', async () => {
    const chunks = [Buffer.from('<sst><si><t>'), ...Array.from({ length: 50 }, () => Buffer.from('A'.repeat(65536))), Buffer.from('</t></si></sst>')]
    const pieces: string[] = []
    for await (const t of workbookPartText((async function* () { yield* chunks })())) pieces.push(t)
    expect(pieces.join('')).toBe(Buffer.concat(chunks).toString())
    expect(pieces.length).toBeGreaterThan(40)
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(2 * 65536)
  })

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

  // exceljs's sheet reader kept only an inline string's last <t> (a phonetic reading too) and decoded the entities
  // of inline and formula strings twice (workbook review).
  it('inline and formula string cells come whole, with doubled ampersands, wherever the chunks are cut', async () => {
    const xml = '<row r="2"><c r="A2" t="inlineStr"><is><r><t>Contoso</t></r><r><rPr><b/></rPr><t xml:space="preserve"> &amp; Co &lt;1&gt;</t></r>'
      + '<rPh sb="0" eb="1"><t>X</t></rPh></is></c><c r="B2" s="1"/><c r="C2" t="str"><f>A2</f><v>AT&amp;amp;T &#x41;</v></c>'
      + '<c r="D2" t="s"><v>0</v></c><c r="E2" t="inlineStr"><is><t><![CDATA[a&b]]></t></is></c></row>'
    const want = '<row r="2"><c r="A2" t="inlineStr"><is><t>Contoso &amp;amp; Co &lt;1&gt;</t></is></c><c r="B2" s="1"/>'
      + '<c r="C2" t="str"><f>A2</f><v>AT&amp;amp;amp;T A</v></c><c r="D2" t="s"><v>0</v></c><c r="E2" t="inlineStr"><is><t>a&amp;amp;b</t></is></c></row>'
    const bytes = Buffer.from(xml)
    for (let a = 0; a <= bytes.length; a++) expect(await textOf([bytes.subarray(0, a), bytes.subarray(a)])).toBe(want)
  })

  // Diff review: a cut between <v> and </v> kept the empty value (read as NaN); a reference past U+10FFFF threw.
  it('an empty value is dropped wherever the chunks are cut; a reference to no character is kept as written', async () => {
    const xml = '<row r="2"><c r="A2"><f>1+1</f><v></v></c><c r="B2" t="inlineStr"><is><t>a&#x110000;b</t></is></c></row>'
    const want = '<row r="2"><c r="A2"><f>1+1</f></c><c r="B2" t="inlineStr"><is><t>a&amp;amp;#x110000;b</t></is></c></row>'
    const bytes = Buffer.from(xml)
    for (let a = 0; a <= bytes.length; a++) expect(await textOf([bytes.subarray(0, a), bytes.subarray(a)])).toBe(want)
  })
})
