/**
 * A file whose rows are all rejected makes garbage faster than V8 collects it (stages/file-ingest.ts): every
 * 1,024 rejected rows, ingest asks for a collection if the heap has grown past its soft cap. Rows that load
 * never ask, so a normal month pays nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { USAGE_HEADER } from '../fixtures/ingest/builders.js'
import { makeInput, runIngest, type TestInput } from './context.js'

const gc = vi.hoisted(() => ({ checks: [] as number[] }))
vi.mock('../../pipeline/gc.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../pipeline/gc.js')>()
  return { ...actual, collectGarbageAbove: (bytes: number) => void gc.checks.push(bytes) }
})

let input: TestInput | null = null
afterEach(async () => {
  await input?.cleanup()
  input = null
  gc.checks.length = 0
})

function usageFile(rows: number, quantity: string): string {
  const row = (i: number) => [`cust-${i % 7}`, 'azure-1', 'DZH318Z0BP0L', '004P', '10/05/2026', `m-${i % 5}`, 'Storage', 'LRS', quantity, '0.1', '1.5', 'EUR']
  const line = (cells: readonly string[]) => cells.map((c) => `"${c}"`).join(',')
  return `${[USAGE_HEADER, ...Array.from({ length: rows }, (_, i) => row(i))].map(line).join('\n')}\n`
}

describe('garbage of rejected rows', () => {
  it('asks for a collection every 1,024 rejected rows, past a soft cap', async () => {
    input = makeInput()
    input.write('usage.csv', usageFile(2_500, '1,5')) // comma decimals: every row rejected
    const { summary } = await runIngest(input.ctx)
    expect(summary.files[0]).toMatchObject({ rows: 2_500, rejected: 2_500 })
    expect(gc.checks).toHaveLength(2)
    expect(gc.checks[0]).toBeGreaterThanOrEqual(64 << 20) // a cap well above the live data of a normal read
  })

  it('never asks while rows load', async () => {
    input = makeInput()
    input.write('usage.csv', usageFile(2_500, '1.5'))
    const { summary } = await runIngest(input.ctx)
    expect(summary.files[0]).toMatchObject({ rows: 2_500, accepted: 2_500 })
    expect(gc.checks).toEqual([])
  })
})
