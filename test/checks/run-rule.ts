/** Runs the reconcile stage over one fixture and returns the findings of one rule, in the compared shape. */
import type { Finding } from '../../pipeline/diagnostics.js'
import { reconcile } from '../../stages/reconcile.js'
import { brief, makeCtx, seed, type Expected, type Seed } from './fixtures.js'

export interface Case {
  name: string
  given: Seed
  settings?: Record<string, unknown>
  expect: (Expected & Record<string, unknown>)[]
}

/** `extra` adds more finding fields to the compared shape (e.g. customerId for aggregate findings). */
export async function findingsOf(
  rule: string,
  given: Seed,
  settings: Record<string, unknown> = {},
  extra: readonly (keyof Finding)[] = [],
): Promise<(Expected & Record<string, unknown>)[]> {
  const ctx = makeCtx(settings)
  try {
    await seed(ctx, given)
    const { findings } = await reconcile(undefined, ctx)
    return findings
      .filter((f) => f.rule === rule)
      .map((f) => ({ ...brief(f), ...Object.fromEntries(extra.map((k) => [k, f[k] ?? null])) }))
  } finally {
    await ctx.db.close()
  }
}
