// The delimiter index behind the fast CSV tokenizer: WebAssembly and the plain loop agree, bit for bit, and the
// embedded WebAssembly is delimiters.wat as it stands.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileDelimiters, moduleText } from '../../scripts/build-delimiters-wasm.js'
import { DELIMITERS_WASM } from '../../stages/readers/delimiters-wasm.js'
import { DelimiterIndex, instantiate, type Classifier } from '../../stages/readers/delimiters.js'
import { readFileSync } from 'node:fs'

/** Every position of a delimiter kind, walked with next*. */
function walk(index: DelimiterIndex, next: (from: number) => number, length: number): number[] {
  const out: number[] = []
  for (let p = next(0); p < length; p = next(p + 1)) out.push(p)
  return out
}

function expected(buf: Uint8Array, bytes: number[]): number[] {
  return [...buf.keys()].filter((i) => bytes.includes(buf[i]!))
}

const QUOTE = [0x22]
const SPECIAL = [0x22, 0x2c, 0x0a, 0x0d]

describe('delimiter index', () => {
  it('runs on WebAssembly SIMD here', () => {
    expect(new DelimiterIndex().simd).toBe(true)
  })

  it('finds every quote, every special byte and every non-ASCII byte, in WebAssembly and in the plain loop, at any length', () => {
    const simd = new DelimiterIndex()
    const plain = new DelimiterIndex(null)
    const byte = fc.oneof(fc.constantFrom(0x22, 0x2c, 0x0a, 0x0d, 0x00, 0x20, 0x7f, 0x80, 0xc3, 0xff), fc.integer({ min: 0, max: 255 }))
    fc.assert(
      fc.property(fc.array(fc.array(byte, { maxLength: 300 }), { minLength: 1, maxLength: 4 }), (buffers) => {
        // Several buffers one after another: a shorter one after a longer one must not see the old bytes.
        for (const bytes of buffers) {
          const buf = Uint8Array.from(bytes)
          for (const index of [simd, plain]) {
            expect([...index.load(buf)]).toEqual([...buf])
            expect(walk(index, (p) => index.nextQuote(p), buf.length)).toEqual(expected(buf, QUOTE))
            expect(walk(index, (p) => index.nextSpecial(p), buf.length)).toEqual(expected(buf, SPECIAL))
            for (let from = 0; from <= buf.length; from += 7) {
              for (const to of [from, from + 1, from + 31, from + 64, buf.length]) {
                if (to > buf.length) continue
                expect(index.ascii(from, to)).toBe(buf.subarray(from, to).every((b) => b < 0x80))
              }
            }
            expect(index.nextQuote(buf.length)).toBe(buf.length) // the end is a sentinel
            expect(index.nextSpecial(buf.length)).toBe(buf.length)
          }
        }
      }),
      { numRuns: 500 },
    )
  })

  it('tells equal byte ranges from different ones, in WebAssembly and in the plain loop, at every length', () => {
    const simd = new DelimiterIndex()
    const plain = new DelimiterIndex(null)
    const byte = fc.oneof(fc.constantFrom(0x22, 0x2c, 0x61, 0x00, 0xff), fc.integer({ min: 0, max: 255 }))
    fc.assert(
      fc.property(
        fc.array(byte, { maxLength: 6 }), fc.array(byte, { maxLength: 70 }), fc.array(byte, { maxLength: 40 }),
        fc.option(fc.tuple(fc.nat(), byte)),
        (before, cell, between, change) => {
          // The cell twice, the second copy maybe with one byte changed (at its start, middle or end, 16-byte
          // blocks included), at any alignment.
          const copy = [...cell]
          if (change !== null && copy.length > 0) copy[change[0] % copy.length] = change[1]
          const buf = Uint8Array.from([...before, ...cell, ...between, ...copy])
          const a = before.length
          const b = a + cell.length + between.length
          for (const index of [simd, plain]) {
            index.load(buf)
            for (let n = 0; n <= cell.length; n++) {
              expect(index.same(a, b, n)).toBe(cell.slice(0, n).every((x, k) => x === copy[k]))
            }
          }
        },
      ),
      { numRuns: 500 },
    )
  })

  it('counts its loads, so positions from an earlier load are known to be stale', () => {
    const index = new DelimiterIndex()
    const first = index.generation
    index.load(Uint8Array.from([0x61]))
    index.load(Uint8Array.from([0x61]), Uint8Array.from([0x62]))
    expect(index.generation).toBe(first + 2)
  })

  it('loads parts as one buffer, growing for a big one (a 16 MiB carry and a 1 MiB chunk)', () => {
    const buf = new Uint8Array((17 << 20) + 5).fill(0x61)
    buf[3] = 0x2c
    buf[buf.length - 2] = 0x22
    const index = new DelimiterIndex()
    index.load(Uint8Array.from([0x22, 0x2c]))
    expect(index.load(buf.subarray(0, 1 << 20), buf.subarray(1 << 20)).equals(buf)).toBe(true)
    expect(index.nextSpecial(0)).toBe(3)
    expect(index.nextSpecial(4)).toBe(buf.length - 2)
    expect(index.nextQuote(0)).toBe(buf.length - 2)
    expect(index.nextQuote(buf.length - 1)).toBe(buf.length)
  })

  it('goes on with the plain loop when WebAssembly memory cannot grow', () => {
    const real = instantiate()!
    const stuck: Classifier = {
      classify: real.classify,
      equal: real.equal,
      memory: { get buffer() { return real.memory.buffer }, grow: () => { throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded') } } as unknown as WebAssembly.Memory,
    }
    const index = new DelimiterIndex(stuck)
    expect(index.simd).toBe(true)
    const buf = Buffer.from('"a",b\n'.repeat(20_000)) // more than the 64 KiB page it has
    expect(index.load(buf).equals(buf)).toBe(true)
    expect(index.simd).toBe(false)
    expect(walk(index, (p) => index.nextSpecial(p), buf.length)).toEqual(expected(buf, SPECIAL))
  })

  it('embeds delimiters.wat as compiled now (run scripts/build-delimiters-wasm.ts after editing it)', async () => {
    const binary = await compileDelimiters()
    expect(binary.toString('base64')).toBe(DELIMITERS_WASM)
    const file = new URL('../../stages/readers/delimiters-wasm.ts', import.meta.url)
    expect(readFileSync(file, 'utf8')).toBe(moduleText(binary))
  })
})
