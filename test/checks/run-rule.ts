/** Runs the reconcile stage over one fixture and returns the findings of one rule, in the compared shape. */
import { reconcile } from '../../stages/reconcile.js'
import { brief, makeCtx, seed, type Expected, type Seed } from './fixtures.js'

export interface Case {
  name: string
  given: Seed
  settings?: Record<string, unknown>
  expect: Expected[]
}

export async function findingsOf(rule: string, given: Seed, settings: Record<string, unknown> = {}): Promise<Expected[]> {
  const ctx = makeCtx(settings)
  try {
    await seed(ctx.db, given)
    const { findings } = await reconcile(undefined, ctx)
    return findings.filter((f) => f.rule === rule).map(brief)
  } finally {
    await ctx.db.close()
  }
}
