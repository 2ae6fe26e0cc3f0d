/**
 * Fast row text for millions of usage rows: build a row once per key with placeholder cells (through the same
 * builders and quoting as the sample month, so the layout cannot drift), split it at the placeholders, and then
 * fill only the variable cells per row. In: a quoted CSV line with placeholders. Out: a fill function. Never throws.
 */

// A private-use character: never in generated data, and not a control character.
const MARK = '\uE000'

/** Placeholder text for variable cell `n` (0–9). */
export function slot(n: number): string {
  return `${MARK}${n}${MARK}`
}

/** Split a line with placeholders into a function that fills them. */
export function compileTemplate(line: string): (values: readonly string[]) => string {
  const parts = line.split(/\uE000(\d)\uE000/)
  const texts: string[] = []
  const slots: number[] = []
  for (let i = 0; i < parts.length; i++) {
    if (i % 2 === 0) texts.push(parts[i] ?? '')
    else slots.push(Number(parts[i]))
  }
  return (values) => {
    let out = texts[0] ?? ''
    for (let i = 0; i < slots.length; i++) out += (values[slots[i] ?? 0] ?? '') + (texts[i + 1] ?? '')
    return out
  }
}
