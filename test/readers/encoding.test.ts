/**
 * stages/readers/encoding.ts `Utf8Or1252Decoder`, the decoder of a CSV that is not valid UTF-8 (SPEC §2): valid
 * UTF-8 sequences read as UTF-8, only the other bytes as Windows-1252, streamed in chunks that may cut a sequence,
 * never U+FFFD. Before, such a file was read whole as Windows-1252: one `’` written as 0x92 by a Windows tool
 * turned every `Café` of the file into `CafÃ©` (review t16).
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readCsv } from '../../stages/readers/csv.js'
import { binaryReason, makeDecoder, Utf8Or1252Decoder, utf8WithStrayBytes, windows1252Char } from '../../stages/readers/encoding.js'

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))))

/** The whole input in one call. */
function whole(input: Uint8Array): string {
  return new Utf8Or1252Decoder().decode(input)
}

/** The input in chunks cut at `cuts`, as csv.ts feeds a file (stream: true, then a final call with nothing). */
function chunked(input: Uint8Array, cuts: readonly number[]): string {
  const d = new Utf8Or1252Decoder()
  let out = ''
  let from = 0
  for (const cut of [...cuts, input.length]) {
    out += d.decode(input.subarray(from, cut), { stream: true })
    from = cut
  }
  return out + d.decode()
}

/** Windows-1252 0x80–0x9F as Windows defines them (Microsoft's bestfit1252 / WHATWG); null: undefined by Windows. */
const WINDOWS_80_9F: (string | null)[] = [
  '€', null, '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', null, 'Ž', null,
  null, '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', null, 'ž', 'Ÿ',
]

describe('Utf8Or1252Decoder: what each kind of text reads as', () => {
  const cases: { name: string; input: Buffer; text: string }[] = [
    { name: 'ASCII', input: bytes('a,b\r\n1,2\r\n'), text: 'a,b\r\n1,2\r\n' },
    { name: 'valid UTF-8: 2, 3 and 4-byte sequences', input: bytes('Café Dental, Zürich – 12 €, 😀, 中文'), text: 'Café Dental, Zürich – 12 €, 😀, 中文' },
    { name: 'valid UTF-8 at the last code points of each length', input: bytes('\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}'), text: '\u007f\u0080\u07ff\u0800\ud7ff\ue000\uffff\u{10000}\u{10ffff}' },
    { name: 'pure Windows-1252: accented letters', input: bytes('Caf', [0xe9], ' M', [0xfc], 'ller ', [0xc7, 0xe0, 0xff]), text: 'Café Müller Çàÿ' },
    { name: 'pure Windows-1252: 0x80–0x9F punctuation', input: bytes([0x93], 'Zitat', [0x94], ' O', [0x92], 'Brien ', [0x80], '5 ', [0x96], ' x', [0x99]), text: '“Zitat” O’Brien €5 – x™' },
    { name: 'pure Windows-1252: a letter before a 0x80–0xBF byte is still two characters', input: bytes('a', [0xe9, 0x20, 0xe8, 0x0d, 0x0a]), text: 'aé è\r\n' },
    { name: 'mixed: UTF-8 text with one Windows-1252 byte (t16)', input: bytes('Café Dental\r\nO', [0x92], 'Brien Co\r\nCafé Dental\r\n'), text: 'Café Dental\r\nO’Brien Co\r\nCafé Dental\r\n' },
    { name: 'mixed: a Windows-1252 byte right before and after a UTF-8 sequence', input: bytes([0xe9], 'é', [0xe9], '€', [0x80]), text: 'ééé€€' },
    { name: 'mixed: the UTF-8 BOM character inside the text stays (the caller strips a leading BOM)', input: bytes('a\ufeffb', [0xe9]), text: 'a\ufeffbé' },
    { name: 'a lone continuation byte', input: bytes('x', [0xa9], 'y'), text: 'x©y' },
    { name: 'overlong 2-byte form (C0 AF, C1 BF)', input: bytes([0xc0, 0xaf, 0xc1, 0xbf]), text: 'À¯Á¿' },
    { name: 'overlong 3-byte form (E0 80 AF)', input: bytes([0xe0, 0x80, 0xaf]), text: 'à€¯' },
    { name: 'overlong 4-byte form (F0 8F BF BF)', input: bytes([0xf0, 0x8f, 0xbf, 0xbf]), text: 'ð\u008f¿¿' },
    { name: 'a UTF-16 surrogate encoded in UTF-8 (ED A0 80)', input: bytes([0xed, 0xa0, 0x80]), text: 'í\u00a0€' },
    { name: 'past U+10FFFF (F4 90 80 80)', input: bytes([0xf4, 0x90, 0x80, 0x80]), text: 'ô\u0090€€' },
    { name: 'bytes that never start UTF-8 (F5–FF)', input: bytes([0xf5, 0xfe, 0xff]), text: 'õþÿ' },
    { name: 'a sequence interrupted by ASCII', input: bytes([0xe2, 0x82], 'x', [0xe2], 'y'), text: 'â‚xây' },
    { name: 'a truncated 2-byte sequence at the end of the file', input: bytes('abc', [0xc3]), text: 'abcÃ' },
    { name: 'a truncated 3-byte sequence at the end of the file', input: bytes('abc', [0xe2, 0x82]), text: 'abcâ‚' },
    { name: 'a truncated 4-byte sequence at the end of the file', input: bytes('abc', [0xf0, 0x9f, 0x98]), text: 'abcðŸ˜' },
    { name: 'empty', input: bytes(), text: '' },
  ]

  for (const { name, input, text } of cases) {
    it(name, () => {
      expect(whole(input)).toBe(text)
      expect(chunked(input, [])).toBe(text)
      expect(whole(input)).not.toContain('\ufffd')
    })
  }

  it('every byte 0x80–0xFF alone between ASCII is its Windows-1252 character', () => {
    for (let b = 0x80; b <= 0xff; b++) {
      const expected = b >= 0xa0 ? String.fromCharCode(b) : (WINDOWS_80_9F[b - 0x80] ?? String.fromCharCode(b))
      expect(whole(bytes('a', [b], 'z')), b.toString(16)).toBe(`a${expected}z`)
      expect(windows1252Char(b)).toBe(expected)
    }
  })

  it('the 5 bytes Windows-1252 leaves undefined (81 8D 8F 90 9D) read as TextDecoder reads them: C1 controls, never U+FFFD', () => {
    const undefinedBytes = [0x81, 0x8d, 0x8f, 0x90, 0x9d]
    const current = new TextDecoder('windows-1252')
    for (const b of undefinedBytes) {
      expect(whole(Uint8Array.of(b))).toBe(current.decode(Uint8Array.of(b)))
      expect(whole(Uint8Array.of(b))).toBe(String.fromCharCode(b))
    }
    expect(whole(Uint8Array.from(undefinedBytes))).toBe('\u0081\u008d\u008f\u0090\u009d')
  })

  it('counts the bytes read as Windows-1252', () => {
    const d = new Utf8Or1252Decoder()
    d.decode(bytes('Café O', [0x92], 'Brien ', [0xe9]), { stream: true })
    d.decode(bytes([0xe2]), { stream: true })
    expect(d.windows1252Bytes).toBe(2)
    d.decode()
    expect(d.windows1252Bytes).toBe(3) // the 0xE2 the file ends with
  })

  it("makeDecoder('windows-1252') is this decoder; the UTF decoders stay fatal", () => {
    expect(makeDecoder('windows-1252')).toBeInstanceOf(Utf8Or1252Decoder)
    expect(() => makeDecoder('utf-8').decode(Uint8Array.of(0x92))).toThrow()
  })
})

describe('Utf8Or1252Decoder: chunk boundaries', () => {
  const mixed = bytes('Ö,', [0x92], 'é€😀', [0xe9], '中', [0xe2, 0x82], 'x', [0xf0, 0x9f, 0x98], 'y', [0xc3], '\r\nÃ©', [0x80, 0x9f], 'ÿ')
  const valid = bytes('Café Dental – 12 € 😀 中文 Ωmega')

  for (const [name, input] of [['mixed', mixed], ['valid UTF-8', valid]] as const) {
    it(`${name}: cut at every offset, the text is that of one call`, () => {
      const text = whole(input)
      for (let cut = 0; cut <= input.length; cut++) expect(chunked(input, [cut]), `cut at ${cut}`).toBe(text)
    })

    it(`${name}: cut at every pair of offsets, and byte by byte`, () => {
      const text = whole(input)
      for (let a = 0; a <= input.length; a++) {
        for (let b = a; b <= input.length; b++) expect(chunked(input, [a, b]), `cuts at ${a}, ${b}`).toBe(text)
      }
      expect(chunked(input, Array.from({ length: input.length }, (_, i) => i))).toBe(text)
    })
  }

  it('valid UTF-8 reads as the UTF-8 decoder reads it, however cut', () => {
    expect(whole(valid)).toBe(new TextDecoder('utf-8', { fatal: true }).decode(valid))
  })

  it('a sequence cut at the end of a chunk is held, not decoded early: at most 3 bytes', () => {
    const d = new Utf8Or1252Decoder()
    expect(d.decode(bytes('ab', [0xf0, 0x9f, 0x98]), { stream: true })).toBe('ab')
    expect(d.decode(bytes([0x80], 'c'), { stream: true })).toBe('😀c')
    expect(d.decode(bytes([0xe2]), { stream: true })).toBe('')
    expect(d.decode(bytes([0x82]), { stream: true })).toBe('')
    expect(d.decode(bytes([0xac]), { stream: true })).toBe('€')
    expect(d.decode(bytes([0xe2, 0x82]), { stream: true })).toBe('')
    expect(d.decode(bytes('!'), { stream: true })).toBe('â‚!') // interrupted: the held bytes are Windows-1252
    expect(d.decode(bytes([0xc3]), { stream: true })).toBe('')
    expect(d.decode()).toBe('Ã') // the file ends inside a sequence
  })

  it('random bytes, randomly cut: the same text as in one call, and U+FFFD only where the bytes encode it', () => {
    for (let round = 0; round < 200; round++) {
      // Biased to high bytes, with valid UTF-8 mixed in, so that valid, invalid and cut sequences all occur.
      const parts: Buffer[] = []
      for (let k = 0; k < 20; k++) parts.push(k % 3 === 0 ? Buffer.from('é€😀a', 'utf8') : randomBytes(1 + (k % 5)))
      const input = Buffer.concat(parts)
      const cuts = [...new Set(Array.from({ length: 4 }, () => Math.floor(Math.random() * (input.length + 1))))].sort((a, b) => a - b)
      const text = whole(input)
      expect(chunked(input, cuts), `cuts ${cuts.join(',')} of ${input.toString('hex')}`).toBe(text)
      const fffd = input.includes(Buffer.from([0xef, 0xbf, 0xbd]))
      if (!fffd) expect(text).not.toContain('\ufffd')
    }
  })
})

describe('readCsv: a file that is not valid UTF-8 keeps the text of its valid UTF-8 rows', () => {
  function withFile(content: Buffer, body: (path: string) => Promise<void>): Promise<void> {
    const dir = mkdtempSync(join(tmpdir(), 'csp-encoding-'))
    const path = join(dir, 'f.csv')
    writeFileSync(path, content)
    return body(path).finally(() => rmSync(dir, { recursive: true, force: true }))
  }

  async function records(path: string, options: Parameters<typeof readCsv>[1]) {
    const got: string[][] = []
    const outcome = await readCsv(path, options, (cells) => void got.push(cells))
    return { outcome, got }
  }

  it('a stray 0x92 in the first chunk: the general path reads UTF-8 as UTF-8, the byte as ’; BOM stripped', async () => {
    const content = bytes('\ufeffName,Note\r\nCafé Dental,a\r\nO', [0x92], 'Brien Co,b\r\nCafé Dental,c\r\n')
    await withFile(content, async (path) => {
      const { outcome, got } = await records(path, { gzip: false })
      expect(outcome).toMatchObject({ status: 'ok', encoding: 'windows-1252', records: 4 })
      expect(got).toEqual([['Name', 'Note'], ['Café Dental', 'a'], ['O’Brien Co', 'b'], ['Café Dental', 'c']])
    })
  })

  it('a stray 0x92 after the first MiB: not-utf8, and the second read gives the rows the first read gave', async () => {
    const lines = ['Name,Note']
    for (let i = 0; i < 60_000; i++) lines.push(`Café Dental ${i},x`)
    const head = Buffer.from(lines.join('\r\n') + '\r\n', 'utf8')
    expect(head.length).toBeGreaterThan(1 << 20)
    const content = Buffer.concat([head, bytes('O', [0x92], 'Brien Co,b\r\n')])
    await withFile(content, async (path) => {
      const first = await records(path, { gzip: false })
      expect(first.outcome.status).toBe('not-utf8')
      expect(first.got.length).toBeGreaterThan(1000)
      const again = await records(path, { gzip: false, encoding: 'windows-1252' })
      expect(again.outcome).toMatchObject({ status: 'ok', records: 60_002 })
      expect(again.got.slice(0, first.got.length)).toEqual(first.got)
      expect(again.got[60_001]).toEqual(['O’Brien Co', 'b'])
      expect(again.got.some((r) => r.some((c) => c.includes('Ã') || c.includes('\ufffd')))).toBe(false)
    })
  })

  it('a Windows-1252 file reads as Windows-1252, with 0x80–0x9F as Windows defines them', async () => {
    const content = bytes('Name,Price\r\nM', [0xfc], 'ller ', [0x96], ' ', [0x93], 'Z', [0xfc], 'rich', [0x94], ',', [0x80], '5\r\n')
    await withFile(content, async (path) => {
      const { outcome, got } = await records(path, { gzip: false })
      expect(outcome).toMatchObject({ status: 'ok', encoding: 'windows-1252' })
      expect(got.slice(0, 2)).toEqual([['Name', 'Price'], ['Müller – “Zürich”', '€5']])
    })
  })

  // Diff review: read as mixed, `É’` (C9 92) and `ß’` (DF 92) of a real Windows-1252 sheet are well-formed UTF-8,
  // and the invoices showed `CAFɒS IT` and `Weiߒ Systeme`.
  it('a Windows-1252 file whose accented capitals before ’ or » happen to be UTF-8 still reads as Windows-1252', async () => {
    const cp1252 = (text: string) => Buffer.from(Array.from(text, (ch) => ({ '’': 0x92, '«': 0xab, '»': 0xbb })[ch] ?? ch.charCodeAt(0)))
    const content = cp1252('Name\r\nMüller & Söhne GmbH\r\nCAFÉ’S IT «SÛRETÉ»\r\nWeiß’ Systeme\r\n')
    await withFile(content, async (path) => {
      const { outcome, got } = await records(path, { gzip: false })
      expect(outcome).toMatchObject({ status: 'ok', encoding: 'windows-1252' })
      expect(got.slice(1).map((r) => r[0])).toEqual(['Müller & Söhne GmbH', 'CAFÉ’S IT «SÛRETÉ»', 'Weiß’ Systeme'])
    })
  })
})

describe('utf8WithStrayBytes: UTF-8 with stray Windows bytes, or Windows-1252 throughout', () => {
  const verdict = (...parts: Buffer[]) => utf8WithStrayBytes((async function* () { yield* parts })())
  it.each([
    { name: 'UTF-8 names and one 0x92', parts: [bytes('Café Dental\r\nO', [0x92], 'Brien')], mixed: true },
    { name: 'as many UTF-8 letters as stray bytes', parts: [bytes('é', [0x92, 0x93], 'ü')], mixed: true },
    { name: 'Windows-1252 letters, one coincidental sequence', parts: [bytes('M', [0xfc], 'ller S', [0xf6], 'hne CAF', [0xc9, 0x92], 'S')], mixed: false },
    { name: 'no multi-byte sequence at all', parts: [bytes('O', [0x92], 'Brien')], mixed: false },
    { name: 'a sequence cut between chunks counts once', parts: [bytes('Caf', [0xc3]), bytes([0xa9], ' O', [0x92], 'B')], mixed: true },
    { name: 'a sequence cut short at the end is a stray byte', parts: [bytes('Café ', [0xc3])], mixed: true },
    { name: 'two stray bytes, one sequence', parts: [bytes('Café ', [0x92, 0x92])], mixed: false },
  ])('$name → mixed $mixed', async ({ parts, mixed }) => {
    expect(await verdict(...parts)).toBe(mixed)
  })
})

// Adversarial review: a .csv.gz whose content is gzip again was "gzip-compressed but not named .csv.gz".
describe('binaryReason', () => {
  it.each([
    { name: 'a gzip named .csv', head: [0x1f, 0x8b, 8, 0], unpacked: false, says: 'it is gzip-compressed but not named .csv.gz' },
    { name: 'a gzip inside a .csv.gz', head: [0x1f, 0x8b, 8, 0], unpacked: true, says: 'it is compressed twice (a gzip inside the gzip): unpack it once and save it as .csv.gz' },
    { name: 'a zip inside a .csv.gz', head: [0x50, 0x4b, 3, 4], unpacked: true, says: 'what it unpacks to is a zip file, not text' },
    { name: 'text', head: [0x41, 0x2c, 0x42, 0x0a], unpacked: true, says: null },
  ])('$name', ({ head, unpacked, says }) => {
    expect(binaryReason(Buffer.from(head), 'utf-8', unpacked)).toBe(says)
  })
})
