/**
 * A wrong month's usage file gives one OUT_OF_PERIOD finding per row (SPEC §5): hundreds of thousands of
 * findings must flow through reconcile without "Maximum call stack size exceeded" (a `push(...found)` did).
 */
import { describe, expect, it } from 'vitest'
import { reconcile } from '../../stages/reconcile.js'
import { makeCtx, seed } from './fixtures.js'

const ROWS = 150_000

describe('many findings', () => {
  it(`${ROWS.toLocaleString('en-US')} out-of-period usage rows: one finding each, no crash`, async () => {
    const ctx = makeCtx()
    await seed(ctx, { usage: Array.from({ length: ROWS }, () => ({ usage_date: '2026-09-30' })) })
    const { output, findings } = await reconcile(undefined, ctx)
    expect(output.byRule.OUT_OF_PERIOD).toBe(ROWS)
    expect(findings.filter((f) => f.rule === 'OUT_OF_PERIOD')).toHaveLength(ROWS)
  }, 120_000)
})
