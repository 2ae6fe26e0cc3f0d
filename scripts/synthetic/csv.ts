/**
 * CSV text in the two shapes the generators need. Pure string functions; never throw.
 * - Partner Center shape (FORMATS.md §1.2): UTF-8 BOM, CRLF, every field double-quoted, quotes doubled.
 * - Reference-sheet shape (what a finance person saves): no BOM, CRLF, quotes only where a cell needs them.
 */

export const BOM = '\uFEFF'

/** One Partner Center line: every field quoted, CRLF-terminated. */
export function quotedLine(cells: readonly string[]): string {
  let out = ''
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i] ?? ''
    out += (i === 0 ? '"' : ',"') + (cell.includes('"') ? cell.replaceAll('"', '""') : cell) + '"'
  }
  return out + '\r\n'
}

/** One reference-sheet line: quoted only when the cell holds a comma, quote or line break. */
export function plainLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(',') + '\r\n'
}
