/**
 * The XML text of a workbook part, as the sheet and shared-strings parsers read it (xlsx-entries.ts).
 *
 * - Decoded as one UTF-8 stream. exceljs decodes each zip chunk on its own (`TextDecoder.decode(chunk)`, without
 *   `stream`), so a character split between two chunks became two U+FFFD: 33 of 30,000 customer names such as
 *   "東京商事株式会社" came out damaged from one sheet, silently (review; SPEC §2: U+FFFD never appears in an output).
 * - ISO date cells (`<c t="d"><v>2023-04-18T00:00:00Z</v></c>`, which SheetJS and openpyxl can write) handed
 *   over as text cells: exceljs read their value with parseFloat, so 2023-04-18 became serial 2023 (1905-07-15) with
 *   no finding. As text, the date parser reads the ISO date (SPEC §2).
 */
const ISO_DATE_CELL = /(<c\b[^>]*?\st\s*=\s*)(["'])d\2/g

/** The text with its ISO date cells as text cells; a quick search first, since almost no workbook has one. */
function withDateCellsAsText(text: string): string {
  if (!text.includes('"d"') && !text.includes("'d'")) return text
  return text.replace(ISO_DATE_CELL, '$1$2str$2')
}

export async function* workbookPartText(source: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8')
  let carry = '' // from the last '<' on: a tag is rewritten only whole
  for await (const chunk of source) {
    const all = carry + (typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true }))
    const cut = all.lastIndexOf('<')
    carry = cut < 0 ? '' : all.slice(cut)
    const head = cut < 0 ? all : all.slice(0, cut)
    if (head !== '') yield withDateCellsAsText(head)
  }
  const rest = carry + decoder.decode()
  if (rest !== '') yield withDateCellsAsText(rest)
}
