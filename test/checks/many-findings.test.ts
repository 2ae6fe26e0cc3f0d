/**
 * A wrong month's usage file gives one OUT_OF_PERIOD finding per row (SPEC §5): hundreds of thousands of
 * findings must flow through reconcile without "Maximum call stack size exceeded" (a `push(...found)` did),
 * and without all being held in memory: past FINDINGS_HELD they are stored as they are found.
 */
import { describe, expect, it } from 'vitest'
import { FINDINGS_HELD, insertFindings } from '../../pipeline/findings-store.js'
import { reconcile } from '../../stages/reconcile.js'
import { makeCtx, seed } from './fixtures.js'

const ROWS = 150_000

describe('many findings', () => {
  it(`${ROWS.toLocaleString('en-US')} out-of-period usage rows: one finding each, no crash`, async () => {
    const ctx = makeCtx()
    await seed(ctx, { usage: Array.from({ length: ROWS }, () => ({ usage_date: '2026-09-30' })) })
    const { output, findings } = await reconcile(undefined, ctx)
    expect(output.byRule.OUT_OF_PERIOD).toBe(ROWS)
    // At most FINDINGS_HELD come back; the rest were stored as they were found, every row exactly once.
    const held = findings.filter((f) => f.rule === 'OUT_OF_PERIOD')
    expect(held.length).toBeLessThanOrEqual(FINDINGS_HELD)
    insertFindings(ctx.db, held)
    const stored = ctx.db.sqlite.prepare("select count(*) n, count(distinct row) d from findings where rule = 'OUT_OF_PERIOD'").get()
    expect(stored).toEqual({ n: ROWS, d: ROWS })
  }, 120_000)
})
