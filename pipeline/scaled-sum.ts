/**
 * Exact sums of canonical decimal text in scaled BigInt (an integer and its count of decimal places): about twice
 * as fast as decimal.js over millions of usage amounts (PERFORMANCE-NOTES f4/f5). Scales only ever align upward,
 * so nothing is rounded. Shared by the SQL aggregate `dec_sum` (pipeline/dialect.ts) and the usage totals kept
 * during ingest (stages/usage-totals.ts), so both give the same text for the same rows.
 */
export interface Scaled {
  value: bigint
  scale: number
}

export const ZERO: Scaled = { value: 0n, scale: 0 }

/** Canonical decimal text (`-12.5`, `0.0001`) → scaled integer. */
export function parseScaled(text: string): Scaled {
  const dot = text.indexOf('.')
  if (dot < 0) return { value: BigInt(text), scale: 0 }
  return { value: BigInt(text.slice(0, dot) + text.slice(dot + 1)), scale: text.length - dot - 1 }
}

export function plusScaled(a: Scaled, b: Scaled): Scaled {
  if (a.scale === b.scale) return { value: a.value + b.value, scale: a.scale }
  if (a.scale > b.scale) return { value: a.value + b.value * 10n ** BigInt(a.scale - b.scale), scale: a.scale }
  return { value: a.value * 10n ** BigInt(b.scale - a.scale) + b.value, scale: b.scale }
}

/** Adds one canonical decimal text to a sum. */
export function addScaled(acc: Scaled, text: string): Scaled {
  return plusScaled(acc, parseScaled(text))
}

/** Canonical decimal text (as pipeline/money.ts `canonical`): no trailing zeros, `0` for zero, `-` for negatives. */
export function scaledText(s: Scaled): string {
  if (s.value === 0n) return '0'
  const negative = s.value < 0n
  let digits = (negative ? -s.value : s.value).toString()
  let scale = s.scale
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1)
    scale--
  }
  digits = digits.padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  return negative ? `-${text}` : text
}
