/**
 * The shared strings of an input workbook (xl/sharedStrings.xml), read in place of exceljs's own
 * `_parseSharedStrings` (stages/readers/xlsx-entries.ts calls this), which got two things wrong (workbook review):
 *
 * - Phonetic runs. Excel saves the reading of text typed with a Japanese IME beside it
 *   (`<si><t>東京商事</t><rPh …><t>トウキョウ</t></rPh>…</si>`); exceljs kept the last `<t>` it met, the reading,
 *   so a reseller named 東京商事 was invoiced as ショウジ. A `<t>` inside `<rPh>` is not the cell's text.
 * - `_xHHHH_` escapes. Excel writes a character XML cannot hold as `_xHHHH_` (a carriage return is `_x000D_`) and a
 *   literal `_x0041_` as `_x005F_x0041_`; exceljs left both encoded, so the CSV and XLSX copies of one sheet read
 *   differently (and compared unequal for DUPLICATE_LINE). They are decoded once for every string cell, shared,
 *   inline or a formula's (xlsx.ts `flatten`), so not here.
 *
 * Each string is stored flat: the runs' text joined (the reader flattens rich text anyway; xlsx.ts `flatten`).
 * Streaming, as exceljs's: a usage workbook's shared strings can be tens of MB.
 */
import { createRequire } from 'node:module'
import type { Readable } from 'node:stream'
import { workbookPartText } from './xlsx-text.js'

type SaxEvent = { eventType: 'opentag' | 'text' | 'closetag'; value: unknown }
type ParseSax = (text: AsyncIterable<string>) => AsyncIterable<SaxEvent[]>
// The module's export is the function itself; the esbuild bundle (pipeline/bundle.mjs) hands it over as `default`.
const parseSaxModule = createRequire(import.meta.url)('exceljs/lib/utils/parse-sax.js') as ParseSax | { default: ParseSax }
const parseSax: ParseSax = typeof parseSaxModule === 'function' ? parseSaxModule : parseSaxModule.default

/** Reads the entry and sets `reader.sharedStrings`, one plain string per `<si>`; yields no events (exceljs's 'cache' mode). */
export async function readSharedStrings(reader: { sharedStrings?: unknown }, entry: Readable): Promise<void> {
  const strings: string[] = []
  let text = ''
  let inText = false
  let phonetic = 0 // depth inside <rPh>: its <t> is a reading, not the text
  for await (const events of parseSax(workbookPartText(entry))) {
    for (const { eventType, value } of events) {
      const name = eventType === 'text' ? '' : (value as { name: string }).name
      if (eventType === 'opentag') {
        if (name === 'si') text = ''
        else if (name === 'rPh') phonetic++
        else if (name === 't' && phonetic === 0) inText = true
      } else if (eventType === 'text') {
        if (inText) text += value as string
      } else if (name === 't') inText = false
      else if (name === 'rPh') phonetic--
      else if (name === 'si') strings.push(text) // escapes decoded with every string cell's (xlsx.ts flatten)
    }
  }
  reader.sharedStrings = strings
}
