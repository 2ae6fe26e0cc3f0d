/**
 * Exact fixed-point arithmetic on BigInt for the benchmark's per-row amounts (decimal.js is ~4× slower at a million
 * rows, PERFORMANCE-NOTES i1/i3). Values are non-negative integers at a stated decimal scale. Pure; never throws
 * on the inputs the generator builds (plain decimal text, non-negative values).
 */

const POW10: bigint[] = Array.from({ length: 64 }, (_, i) => 10n ** BigInt(i))

function pow10(n: number): bigint {
  return POW10[n] ?? 10n ** BigInt(n)
}

/** Plain decimal text → integer at `scale` decimals (text must have at most `scale` decimals). */
export function toScaled(text: string, scale: number): bigint {
  const [whole = '0', frac = ''] = text.split('.')
  return BigInt(whole) * pow10(scale) + BigInt((frac + '0'.repeat(scale)).slice(0, scale) || '0')
}

/** Round a non-negative integer at scale `from` half-up to scale `to` (to ≤ from). */
export function rescale(value: bigint, from: number, to: number): bigint {
  if (to >= from) return value * pow10(to - from)
  const divisor = pow10(from - to)
  return (value + divisor / 2n) / divisor
}

/** Canonical decimal text (no trailing zeros, no exponent) of a non-negative integer at `scale` decimals. */
export function fromScaled(value: bigint, scale: number): string {
  if (value === 0n) return '0'
  const digits = value.toString().padStart(scale + 1, '0')
  const whole = digits.slice(0, digits.length - scale)
  const frac = digits.slice(digits.length - scale).replace(/0+$/, '')
  return frac ? `${whole}.${frac}` : whole
}
