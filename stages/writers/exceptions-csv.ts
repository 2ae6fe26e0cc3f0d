/**
 * exceptions.csv (SPEC §5, §6): one line per finding, in the stable order of readFindings (file, row, rule,
 * message), header `rule,severity,file,row,resellerId,customerId,subscriptionId,expected,actual,message`.
 *
 * Format: RFC 4180 — CRLF line ends, a field is quoted when it holds `,` `"` CR or LF (quotes doubled), UTF-8
 * with a BOM. Note: the BOM is there because finance opens this file in Excel, which reads BOM-less UTF-8 as
 * Windows-1252 and garbles every non-ASCII customer name; CSV parsers (papaparse, Python's utf-8-sig, pandas) skip it.
 *
 * Formula guard (CSV injection): Excel evaluates a CSV cell that starts with `=`, `+`, `-`, `@`, tab or CR, so
 * a customer named `=HYPERLINK(…)` would become a live link. Note (decision): text columns (file, ids, message)
 * and expected/actual values that are NOT plain numbers get a leading `'` when they start with one of those
 * characters (OWASP's advice); a plain decimal such as `-12.50` in expected/actual is left alone so it stays a
 * number for Excel and for CI scripts. rule, severity and row are ours and never need it. Pure; does not throw.
 */
import { closeSync, openSync, writeSync } from 'node:fs'
import { clip, type Finding } from '../../pipeline/diagnostics.js'
import { EXCEL_MAX_CELL_TEXT } from './safe-cells.js'

export const EXCEPTIONS_HEADER = ['rule', 'severity', 'file', 'row', 'resellerId', 'customerId', 'subscriptionId', 'expected', 'actual', 'message'] as const

const FORMULA_START = /^[=+\-@\t\r]/
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/

/**
 * Where the list separator is `;` (Excel in German, French and other locales), a double-clicked CSV is split on
 * `;`, whatever the quoting: text after a `;` inside a field starts a cell of its own (accountant review: a
 * reseller id `X;=1+2` became a formula there). So a formula character right after a `;` is guarded too.
 */
const FORMULA_AFTER_SEMICOLON = /;(?=[=+\-@\t\r])/g

/**
 * Neutralise a text cell Excel would read as a formula, whichever list separator it splits on; at most Excel's
 * cell limit long (adversarial review: a rejected row's 20 MB CustomerId made a 20 MB line no spreadsheet opens).
 */
export function guardText(value: string): string {
  const capped = clip(value, EXCEL_MAX_CELL_TEXT)
  const guarded = capped.includes(';') ? capped.replace(FORMULA_AFTER_SEMICOLON, ";'") : capped
  return FORMULA_START.test(guarded) ? `'${guarded}` : guarded
}

/** expected/actual: numbers stay parseable, anything else is guarded like text. */
export function guardValue(value: string): string {
  return PLAIN_NUMBER.test(value) ? value : guardText(value)
}

/** RFC 4180 field quoting. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** The file's lines (header first), without line ends or BOM. */
function* exceptionsCsvLines(findings: Iterable<Finding>): Generator<string> {
  yield EXCEPTIONS_HEADER.join(',')
  for (const f of findings) {
    const fields = [
      f.rule,
      f.severity,
      guardText(f.file),
      String(f.row),
      guardText(f.resellerId ?? ''),
      guardText(f.customerId ?? ''),
      guardText(f.subscriptionId ?? ''),
      guardValue(f.expected ?? ''),
      guardValue(f.actual ?? ''),
      guardText(f.message),
    ]
    yield fields.map(csvField).join(',')
  }
}

/** Writes the file a few thousand lines at a time: a month can have a finding per usage row. */
export function writeExceptionsCsv(path: string, findings: Iterable<Finding>): void {
  const fd = openSync(path, 'w')
  try {
    let batch = '\uFEFF'
    let lines = 0
    for (const line of exceptionsCsvLines(findings)) {
      batch += `${line}\r\n`
      if (++lines % 2000 === 0) {
        writeSync(fd, batch)
        batch = ''
      }
    }
    writeSync(fd, batch)
  } finally {
    closeSync(fd)
  }
}
