/**
 * Exact sums of canonical decimal text: a float64 integer while it stays safe, a scaled BigInt (an integer and its
 * count of decimal places) beyond that; scales only ever align upward, so nothing is rounded. Shared by the SQL
 * aggregate `dec_sum` (pipeline/dialect.ts) and the usage combiner (stages/usage-combiner.ts), so both give the
 * same text for the same rows.
 */
export interface Scaled {
  value: bigint
  scale: number
}

/** Canonical decimal text (`-12.5`, `0.0001`) → scaled integer. */
export function parseScaled(text: string): Scaled {
  const dot = text.indexOf('.')
  if (dot < 0) return { value: BigInt(text), scale: 0 }
  return { value: BigInt(text.slice(0, dot) + text.slice(dot + 1)), scale: text.length - dot - 1 }
}

/** Canonical decimal text (as pipeline/money.ts `canonical`): no trailing zeros, `0` for zero, `-` for negatives. */
export function scaledText(s: Scaled): string {
  if (s.value === 0n) return '0'
  const negative = s.value < 0n
  return digitsText((negative ? -s.value : s.value).toString(), s.scale, negative)
}

/**
 * Canonical text of a non-zero magnitude given as its decimal digits, `scale` of them after the point: trailing
 * zeros after the point dropped. Shared by the BigInt and float64 paths (pipeline/scaled-ops.ts `smallText`).
 */
export function digitsText(all: string, scale: number, negative: boolean): string {
  let end = all.length
  while (scale > 0 && all.charCodeAt(end - 1) === 48) {
    end--
    scale--
  }
  const digits = (end === all.length ? all : all.slice(0, end)).padStart(scale + 1, '0')
  const text = scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  return negative ? `-${text}` : text
}

const POW10 = Array.from({ length: 23 }, (_, k) => 10 ** k) // exact in float64 up to 10^22

/**
 * Exact running sum of canonical decimal texts for the hot path (millions of usage amounts): the sum is kept as a
 * float64 integer in units of 10^-scale while it stays a safe integer (every step exact, no allocation), and
 * spills into a BigInt beyond that. Values with more than 15 digits go straight to the BigInt part.
 */
export class ExactSum {
  private small = 0
  private big = 0n
  private scale = 0

  add(text: string): void {
    const n = text.length
    let i = text.charCodeAt(0) === 45 ? 1 : 0
    const negative = i === 1
    let m = 0
    let digits = 0
    let s = -1
    for (; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c === 46) s = 0
      else {
        m = m * 10 + (c - 48)
        digits++
        if (s >= 0) s++
      }
    }
    if (s < 0) s = 0
    if (digits > 15) return this.addScaled(parseScaled(text))
    if (negative) m = -m
    if (s > this.scale) this.rescale(s)
    else if (s < this.scale) {
      m *= POW10[this.scale - s] ?? Infinity
      if (!Number.isSafeInteger(m)) return this.addScaled(parseScaled(text))
    }
    const next = this.small + m
    if (Number.isSafeInteger(next)) this.small = next
    else {
      this.big += BigInt(this.small) + BigInt(m)
      this.small = 0
    }
  }

  value(): Scaled {
    return { value: this.big + BigInt(this.small), scale: this.scale }
  }

  text(): string {
    return scaledText(this.value())
  }

  private addScaled(v: Scaled): void {
    if (v.scale > this.scale) this.rescale(v.scale)
    const aligned = v.scale < this.scale ? v.value * 10n ** BigInt(this.scale - v.scale) : v.value
    this.big += aligned
  }

  private rescale(s: number): void {
    const k = s - this.scale
    const small = this.small * (POW10[k] ?? Infinity)
    if (Number.isSafeInteger(small)) this.small = small
    else {
      this.big += BigInt(this.small)
      this.small = 0
    }
    if (this.big !== 0n) this.big *= 10n ** BigInt(k)
    this.scale = s
  }
}
