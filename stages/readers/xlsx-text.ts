/**
 * The XML text of a workbook part, as the sheet and shared-strings parsers read it (xlsx-entries.ts).
 *
 * - Decoded as one UTF-8 stream. exceljs decodes each zip chunk on its own (`TextDecoder.decode(chunk)`, without
 *   `stream`), so a character split between two chunks became two U+FFFD: 33 of 30,000 customer names such as
 *   "東京商事株式会社" came out damaged from one sheet, silently (review; SPEC §2: U+FFFD never appears in an output).
 * - ISO date cells (`<c t="d"><v>2023-04-18T00:00:00Z</v></c>`, which SheetJS and openpyxl can write) handed
 *   over as text cells: exceljs read their value with parseFloat, so 2023-04-18 became serial 2023 (1905-07-15) with
 *   no finding. As text, the date parser reads the ISO date (SPEC §2).
 * - Inline and formula string cells (`t="inlineStr"`, `t="str"`: written by other tools than Excel, which uses
 *   shared strings) handed over in the one form exceljs's sheet reader reads right. It kept only the last `<t>` of
 *   an inline string (rich runs "Contoso" "Ltd" read as "Ltd"; a phonetic reading replaced the text), and decoded
 *   their entities twice (`AT&amp;amp;T`, the text "AT&amp;T", read as "AT&T"). Each such cell's text is given as
 *   one `<t>` (or its `<v>`) whose `&`s are doubled, so its second decode gives the text back.
 */
const ISO_DATE_CELL = /(<c\b[^>]*?\st\s*=\s*)(["'])d\2/g

/**
 * The text with its ISO date cells as text cells, and without empty values (`<v></v>`, `<v/>`: a formula a script
 * wrote without its result, which exceljs read as NaN, so the row was rejected as holding an error result; usage
 * review). A quick search first, since almost no workbook has either.
 */
function mendedCellTags(text: string): string {
  const dates = text.includes('"d"') || text.includes("'d'")
  const empty = text.includes('<v></v>') || text.includes('<v/>')
  if (!dates && !empty) return text
  const dated = dates ? text.replace(ISO_DATE_CELL, '$1$2str$2') : text
  return empty ? dated.replace(EMPTY_VALUE, '') : dated
}
const EMPTY_VALUE = /<v><\/v>|<v\/>/g

/** Whether the text may hold an inline or formula string cell (a quick search; false positives only cost time). */
function mayHoldStringCells(text: string): boolean {
  return text.includes('inlineStr') || text.includes('"str"') || text.includes("'str'")
}

const CELL_START = /<c(\s[^>]*)?>/g
const STRING_CELL = /\st\s*=\s*(["'])(inlineStr|str)\1/
const PHONETIC = /<rPh\b[^>]*\/>|<rPh\b[\s\S]*?<\/rPh>/g
const TEXT_RUN = /<t\b[^>]*?(?:\/>|>([\s\S]*?)<\/t>)/g
const VALUE = /<v\b[^>]*>([\s\S]*?)<\/v>/
const INLINE = /<is\b[^>]*?(?:\/>|>[\s\S]*?<\/is>)/
const XML_ESCAPE = /<!\[CDATA\[([\s\S]*?)\]\]>|&(?:#x([0-9a-fA-F]+)|#([0-9]+)|(lt|gt|amp|quot|apos));/g
const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" }

/** Element text as an XML parser gives it: entities and character references decoded, CDATA taken as is. */
function decodeXml(raw: string): string {
  if (!raw.includes('&') && !raw.includes('<![')) return raw
  return raw.replace(XML_ESCAPE, (whole: string, cdata?: string, hex?: string, dec?: string, named?: string) => {
    if (cdata !== undefined) return cdata
    if (named !== undefined) return NAMED[named]!
    const code = hex !== undefined ? parseInt(hex, 16) : parseInt(dec!, 10)
    // Past Unicode's last code point a reference names no character (String.fromCodePoint threw): kept as written.
    return code <= 0x10ffff ? String.fromCodePoint(code) : whole
  })
}

/** XML text that exceljs's reader (a parser's decode, then its own `xmlDecode`) reads as `text`. */
function forDoubleDecode(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** One string cell's content (after its start tag, before `</c>`) in the form exceljs reads right. */
function stringCellBody(kind: string, body: string): string {
  // Most cells need nothing: no entity to decode twice, and (inline) one run without a reading.
  if (!body.includes('&') && !body.includes('<![') && (kind === 'str' || (body.indexOf('<t') === body.lastIndexOf('<t') && !body.includes('<rPh')))) return body
  if (kind === 'str') return body.replace(VALUE, (_, raw: string) => `<v>${forDoubleDecode(decodeXml(raw))}</v>`)
  let text = ''
  const inline = INLINE.exec(body)
  if (inline === null) return body
  for (const run of inline[0].replace(PHONETIC, '').matchAll(TEXT_RUN)) text += decodeXml(run[1] ?? '')
  return body.replace(INLINE, () => `<is><t>${forDoubleDecode(text)}</t></is>`)
}

/**
 * `text` with its string cells rewritten, cut before a cell still open (its `</c>` in a later chunk): `open` is
 * that cell on, to be read again with the next chunk.
 */
function rewriteStringCells(text: string): { done: string; open: string } {
  let out = ''
  let from = 0
  CELL_START.lastIndex = 0
  for (let m = CELL_START.exec(text); m !== null; m = CELL_START.exec(text)) {
    const attributes = m[1] ?? ''
    if (attributes.endsWith('/')) continue
    const bodyStart = m.index + m[0].length
    const end = text.indexOf('</c>', bodyStart)
    if (end < 0) return { done: out + text.slice(from, m.index), open: text.slice(m.index) }
    const kind = STRING_CELL.exec(attributes)
    if (kind !== null) {
      out += text.slice(from, bodyStart) + stringCellBody(kind[2]!, text.slice(bodyStart, end))
      from = end
    }
    CELL_START.lastIndex = end
  }
  return { done: out + text.slice(from), open: '' }
}

/** A cell is at most 32,767 characters: an open cell this long is not one, and is passed on as it is. */
const MAX_OPEN_CELL = 1 << 20

export async function* workbookPartText(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8')
  let carry = '' // from the last '<' on (a tag is rewritten only whole), or from a string cell still open
  for await (const chunk of source) {
    const all = carry + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    let cut = all.lastIndexOf('<')
    // Text after a whole tag goes on now, but for a value just opened: kept from the last '<' on, a long text node
    // was carried and scanned again with every chunk (adversarial review: a 23 KB workbook whose 20 MB shared
    // string took 72 s).
    if (cut >= 0 && all.indexOf('>', cut) >= 0 && !all.startsWith('<v>', cut)) cut = all.length
    // An empty value is dropped whole (mendedCellTags): never cut between its <v> and </v>.
    else if (cut >= 3 && all.startsWith('<v>', cut - 3)) cut -= 3
    carry = cut < 0 ? '' : all.slice(cut)
    let head = cut < 0 ? all : all.slice(0, cut)
    if (mayHoldStringCells(head)) {
      const { done, open } = rewriteStringCells(mendedCellTags(head))
      if (open.length + carry.length <= MAX_OPEN_CELL) {
        carry = open + carry
        head = done
      } else head = done + open
      if (head !== '') yield head
    } else if (head !== '') yield mendedCellTags(head)
  }
  const rest = carry + decoder.decode()
  if (rest !== '') yield mayHoldStringCells(rest) ? ((r) => r.done + r.open)(rewriteStringCells(mendedCellTags(rest))) : mendedCellTags(rest)
}
