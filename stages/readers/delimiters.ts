/**
 * Where a buffer's CSV delimiters are, found 32 bytes at a time (issue 7), so the fast tokenizer (csv-fast.ts)
 * jumps from one delimiter to the next instead of testing every byte of every cell.
 *
 * `load(...parts)` copies the bytes into WebAssembly memory and classifies them with SIMD compares
 * (delimiters.wat): one bit per byte in three bitmaps, quotes, specials (`"` `,` LF CR) and bytes that are not
 * ASCII. A cell is then found with a word load and a count of trailing zeros per 32 bytes, and whether a record or
 * a cell is ASCII (so its text is a slice of the record's latin1 text) with a word load or two. Over the 1 M-row bench usage file the scan went
 * from ≈ 1.43 to ≈ 0.80 ns a byte; copying and classifying is ≈ 0.16 of that.
 *
 * The same module compares two byte ranges 16 bytes at a time (`same`), for the cells a reader remembers from
 * the record before (csv-fast.ts `textRemembered`).
 *
 * Without WebAssembly SIMD (not the case on Node 20 for x64 or arm64), the same bitmaps are built by a plain
 * loop: slower, same answers (test/readers/delimiters.test.ts compares the two).
 *
 * One index per thread, overwritten by each `load`: a caller loads and then uses the bytes and the index without
 * awaiting in between. Does not throw.
 */
import { DELIMITERS_WASM } from './delimiters-wasm.js'

/** The bytes CSV structure is made of (csv-fast.ts tokenizes with the same ones). */
export const QUOTE = 0x22
export const COMMA = 0x2c
export const LF = 0x0a
export const CR = 0x0d
const PAGE = 65_536

/** The WebAssembly module's exports (delimiters.wat). */
export interface Classifier {
  memory: WebAssembly.Memory
  classify(src: number, len: number, quotes: number, specials: number, highs: number): void
  equal(a: number, b: number, n: number): number
}

/** The classifier, or null where WebAssembly SIMD is missing. */
export function instantiate(): Classifier | null {
  try {
    const bytes = Buffer.from(DELIMITERS_WASM, 'base64')
    return new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Classifier
  } catch {
    return null // no WebAssembly SIMD here: the plain loop below builds the same bitmaps
  }
}

export class DelimiterIndex {
  /** Bit b of word w: byte 32w + b is `"`. A sentinel bit marks the end of the indexed bytes. */
  quotes = new Uint32Array(0)
  /** Bit b of word w: byte 32w + b is `"`, `,`, LF or CR. Same sentinel. */
  specials = new Uint32Array(0)
  /** Bit b of word w: byte 32w + b is 0x80 or more (not ASCII). Same sentinel. */
  highs = new Uint32Array(0)
  /**
   * Which `load` the indexed bytes come from: a position taken from the bytes of an earlier generation means
   * nothing now (`same` compares positions of one generation only).
   */
  generation = 0
  private bytes = new Uint8Array(0)
  private capacity = -1

  /** The WebAssembly `equal`, held apart: one property load less per call (millions of calls). */
  private equal: Classifier['equal'] | null

  constructor(private wasm: Classifier | null = instantiate()) {
    this.equal = wasm?.equal ?? null
  }

  /** Whether the bitmaps come from WebAssembly (else from the plain loop). */
  get simd(): boolean {
    return this.wasm !== null
  }

  /**
   * Copies `parts` one after another into this index's memory, indexes them and returns them as one Buffer: a
   * view, valid until the next call. Copying a carried partial line and the next chunk here replaces the
   * Buffer.concat the tokenizer made per chunk (≈ 0.1 s of copying per GB).
   */
  load(...parts: Uint8Array[]): Buffer {
    this.generation++
    let len = 0
    for (const part of parts) len += part.length
    const padded = (len + 32) & ~31 // room for the sentinel bit at `len`
    this.reserve(padded)
    let at = 0
    for (const part of parts) {
      this.bytes.set(part, at)
      at += part.length
    }
    this.bytes.fill(0, len, padded)
    const map = this.capacity / 8
    if (this.wasm !== null) this.wasm.classify(0, padded, this.capacity, this.capacity + map, this.capacity + 2 * map)
    else classifyPlain(this.bytes.subarray(0, len), this.quotes, this.specials, this.highs, padded >>> 5)
    this.quotes[len >>> 5]! |= 1 << (len & 31)
    this.specials[len >>> 5]! |= 1 << (len & 31)
    this.highs[len >>> 5]! |= 1 << (len & 31)
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, len)
  }

  /** Position of the first `"` at or after `from` (≤ the indexed length), or the indexed length. */
  nextQuote(from: number): number {
    return nextBit(this.quotes, from)
  }

  /** Position of the first `"`, `,`, LF or CR at or after `from` (≤ the indexed length), or the indexed length. */
  nextSpecial(from: number): number {
    return nextBit(this.specials, from)
  }

  /**
   * Whether the `n` indexed bytes at `a` and at `b` are the same (a + n and b + n ≤ the indexed length). A call
   * into WebAssembly compares 16 bytes at a time: ≈ 10 ns for a usage cell, where slicing it and comparing the
   * strings took ≈ 50 ns (scratch micro-benchmark).
   */
  same(a: number, b: number, n: number): boolean {
    if (this.equal !== null) return this.equal(a, b, n) === 1
    const bytes = this.bytes
    for (let k = 0; k < n; k++) if (bytes[a + k] !== bytes[b + k]) return false
    return true
  }

  /** Whether bytes [from, to) of the indexed ones are all ASCII (to ≤ the indexed length). */
  ascii(from: number, to: number): boolean {
    return !anyBit(this.highs, from, to)
  }

  /** Memory for `padded` bytes and their two bitmaps (views are made again when WebAssembly memory grows). */
  private reserve(padded: number): void {
    if (padded <= this.capacity) return
    const capacity = Math.max(padded, 2 * this.capacity, 1 << 16)
    const words = capacity / 32
    if (this.wasm !== null) {
      const needed = capacity + 3 * capacity / 8
      const memory = this.wasm.memory
      try {
        if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / PAGE))
      } catch {
        this.wasm = null // WebAssembly memory could not grow: the plain loops in ordinary memory from now on
        this.equal = null
        this.capacity = -1
        this.reserve(padded)
        return
      }
      this.bytes = new Uint8Array(memory.buffer, 0, capacity)
      this.quotes = new Uint32Array(memory.buffer, capacity, words)
      this.specials = new Uint32Array(memory.buffer, capacity + capacity / 8, words)
      this.highs = new Uint32Array(memory.buffer, capacity + capacity / 4, words)
    } else {
      this.bytes = new Uint8Array(capacity)
      this.quotes = new Uint32Array(words)
      this.specials = new Uint32Array(words)
      this.highs = new Uint32Array(words)
    }
    this.capacity = capacity
  }
}

/** First set bit of a bitmap at or after `from`; one must exist (the sentinel). */
function nextBit(words: Uint32Array, from: number): number {
  let w = from >>> 5
  let word = words[w]! & (-1 << (from & 31))
  while (word === 0) word = words[++w]!
  return (w << 5) + 31 - Math.clz32(word & -word)
}

/**
 * Whether any bit of [from, to) is set. Looks at those words only: the next set bit may be far past `to` (an
 * ASCII record's next non-ASCII byte can be a chunk away), so `nextBit` would scan up to it.
 */
function anyBit(words: Uint32Array, from: number, to: number): boolean {
  if (from >= to) return false
  const last = (to - 1) >>> 5
  const top = (to - 1) & 31 // the last word's highest bit in range
  let w = from >>> 5
  let word = words[w]! & (-1 << (from & 31))
  while (w < last) {
    if (word !== 0) return true
    word = words[++w]!
  }
  return (word & (-1 >>> (31 - top))) !== 0
}

/** The bitmaps delimiters.wat builds, by a loop over the bytes (words past the bytes are cleared). */
export function classifyPlain(buf: Uint8Array, quotes: Uint32Array, specials: Uint32Array, highs: Uint32Array, words: number): void {
  quotes.fill(0, 0, words)
  specials.fill(0, 0, words)
  highs.fill(0, 0, words)
  for (let i = 0; i < buf.length; i++) {
    const c = buf[i]!
    if (c >= 0x80) {
      highs[i >>> 5]! |= 1 << (i & 31)
    } else if (c === QUOTE) {
      quotes[i >>> 5]! |= 1 << (i & 31)
      specials[i >>> 5]! |= 1 << (i & 31)
    } else if (c === COMMA || c === LF || c === CR) {
      specials[i >>> 5]! |= 1 << (i & 31)
    }
  }
}
