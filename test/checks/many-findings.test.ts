/**
 * A wrong month's usage file gives one OUT_OF_PERIOD finding per row (SPEC §5): hundreds of thousands of
 * findings must flow through reconcile without "Maximum call stack size exceeded" (a `push(...found)` did),
 * and without all being held in memory: past FINDINGS_HELD they are stored as they are found.
 */
import { describe, expect, it } from 'vitest'
import { FINDING_ORDER, FINDINGS_HELD, insertFindings } from '../../pipeline/findings-store.js'
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

  it('outputs read findings in their order through an index, not a sort in memory (a million findings took 940 MiB)', () => {
    const ctx = makeCtx()
    const plan = (sql: string, ...params: string[]) =>
      (ctx.db.sqlite.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail)
    const order = `order by ${FINDING_ORDER}`
    expect(plan(`select * from findings ${order}`)).toEqual(['SCAN findings USING INDEX findings_order'])
    expect(plan(`select * from findings where rule in (?, ?) ${order}`, 'REJECTED_ROW', 'MISSING_COLUMN')).toEqual(['SCAN findings USING INDEX findings_order'])
    expect(ctx.db.sqlite.pragma('temp_store', { simple: true })).toBe(1) // FILE: big sorts spill to disk, not RAM
  })
})

