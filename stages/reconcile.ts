/**
 * Reconcile: runs every SPEC §5 check that is not produced by ingest or pricing, over the staging DB.
 *
 * In: the DB after pricing (recon_lines non-duplicates, priced_lines, price_list, customers, usage_totals, usage_rows), the
 * settings and the period. Out: the findings (stable order) and a count per rule. Each check is one file in
 * stages/checks/ holding a kysely query that returns the rows breaking its rule. Read-only: nothing is written
 * here (the runner stores the findings). Bad data never throws: a broken rule is a finding.
 */
import type { RunContext, StageResult } from '../pipeline/context.js'
import { appendFindings, compareFindings, RULES, type Finding, type Rule } from '../pipeline/diagnostics.js'
import { insertFindings } from '../pipeline/findings-store.js'
import { collectGarbageAbove, HEAP_SOFT_CAP } from '../pipeline/gc.js'
import { formatMoney, parseDecimal } from '../pipeline/money.js'
import type { Check } from './checks/common.js'
import { amountMismatch } from './checks/amount-mismatch.js'
import { prorationMismatch } from './checks/proration-mismatch.js'
import { priceMismatch } from './checks/price-mismatch.js'
import { premiumMismatch } from './checks/premium-mismatch.js'
import { seatReductionOutsideWindow } from './checks/seat-reduction-window.js'
import { perpetualPartialReturn, perpetualReturnLate } from './checks/perpetual-returns.js'
import { overlappingSubscriptions } from './checks/overlapping-subscriptions.js'
import { mcaNotConfirmed } from './checks/mca-not-confirmed.js'
import { negativeMargin } from './checks/negative-margin.js'
import { usageTieOut } from './checks/usage-tie-out.js'
import { outOfPeriod } from './checks/out-of-period.js'

export interface ReconcileSummary {
  byRule: Record<string, number>
}

/** The checks this stage owns, in the order they run; every rule here appears in byRule, even at 0. */
export const CHECKS: readonly { rule: Rule; check: Check }[] = [
  { rule: 'AMOUNT_MISMATCH', check: amountMismatch },
  { rule: 'PRORATION_MISMATCH', check: prorationMismatch },
  { rule: 'PRICE_MISMATCH', check: priceMismatch },
  { rule: 'PREMIUM_MISMATCH', check: premiumMismatch },
  { rule: 'SEAT_REDUCTION_OUTSIDE_WINDOW', check: seatReductionOutsideWindow },
  { rule: 'PERPETUAL_RETURN_LATE', check: perpetualReturnLate },
  { rule: 'PERPETUAL_PARTIAL_RETURN', check: perpetualPartialReturn },
  { rule: 'OVERLAPPING_SUBSCRIPTIONS', check: overlappingSubscriptions },
  { rule: 'MCA_NOT_CONFIRMED', check: mcaNotConfirmed },
  { rule: 'NEGATIVE_MARGIN', check: negativeMargin },
  { rule: 'USAGE_TIE_OUT', check: usageTieOut },
  { rule: 'OUT_OF_PERIOD', check: outOfPeriod },
]

/**
 * Checks the side thread runs, when there is one (pipeline/side-thread.ts): about half of this stage's time on
 * the 1 M-row bench month (USAGE_TIE_OUT 0.55 s, OVERLAPPING_SUBSCRIPTIONS 0.07 s and NEGATIVE_MARGIN 0.08 s of
 * ~1.45 s; NEGATIVE_MARGIN moved here once OVERLAPPING_SUBSCRIPTIONS fell from 0.28 s and AMOUNT_MISMATCH from 0.7).
 */
const SIDE_RULES: ReadonlySet<Rule> = new Set<Rule>(['USAGE_TIE_OUT', 'OVERLAPPING_SUBSCRIPTIONS', 'NEGATIVE_MARGIN'])

/**
 * Checks that may store findings as they go (`spill`, stages/checks/common.ts): one finding per usage row of a
 * wrong month's file. They run last, once the side thread no longer reads (a write would wait for its reads).
 */
const SPILLING_RULES: ReadonlySet<Rule> = new Set<Rule>(['OUT_OF_PERIOD'])

export async function reconcile(_input: void, ctx: RunContext): Promise<StageResult<ReconcileSummary>> {
  const onSide = ctx.side?.run({ type: 'checks', rules: [...SIDE_RULES] })
  onSide?.catch(() => undefined) // handled below; the main thread's checks come first
  const found = new Map<Rule, Finding[]>()
  const side = (rule: Rule) => onSide !== undefined && SIDE_RULES.has(rule)
  for (const { rule, check } of CHECKS) if (!side(rule) && !SPILLING_RULES.has(rule)) found.set(rule, await check(ctx))
  if (onSide !== undefined) {
    const theirs = await onSide.catch(() => null)
    for (const { rule, check } of CHECKS) if (side(rule)) found.set(rule, theirs?.[rule] ?? (await check(ctx)))
  }
  const stored = new Map<Rule, number>()
  for (const { rule, check } of CHECKS) {
    if (!SPILLING_RULES.has(rule)) continue
    found.set(rule, await check(ctx, (batch) => {
      insertFindings(ctx.db, batch)
      stored.set(rule, (stored.get(rule) ?? 0) + batch.length)
      // A wrong month's file makes a finding per usage row; collected as they go, they peak ~30 MiB lower.
      collectGarbageAbove(HEAP_SOFT_CAP)
    }))
  }
  // Merged in CHECKS order whichever thread ran a check, so the findings are the same either way.
  const findings: Finding[] = []
  const byRule: Record<string, number> = {}
  for (const { rule } of CHECKS) {
    const list = found.get(rule) ?? []
    byRule[rule] = (byRule[rule] ?? 0) + list.length + (stored.get(rule) ?? 0)
    appendFindings(findings, list)
  }
  findings.sort(compareFindings)
  return { output: { byRule }, findings }
}

/** Severity order for the console summary: errors first. */
const SEVERITIES = ['error', 'warning', 'info'] as const

/**
 * The console summary the runner prints at the end of a run: findings per rule and severity, held amount per
 * currency, remarks on what was not checked, and where the details are. Plain text, fixed-width columns, no colours (it also goes to logs).
 */
export function formatSummary(
  findings: readonly { rule: string; severity: string; n: number }[],
  heldByCurrency: Record<string, string>,
  reconciliationPath: string,
  remarks: readonly string[] = [],
): string {
  // Counts per rule and severity (pipeline/findings-store.ts findingCounts).
  const counts = new Map<string, Record<string, number>>()
  for (const f of findings) {
    const row = counts.get(f.rule) ?? {}
    row[f.severity] = (row[f.severity] ?? 0) + f.n
    counts.set(f.rule, row)
  }
  const ruleOrder = Object.keys(RULES)
  const rank = (rule: string): number => (ruleOrder.includes(rule) ? ruleOrder.indexOf(rule) : ruleOrder.length)
  const rules = [...counts.keys()].sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0))
  const lines: string[] = []
  if (rules.length === 0) {
    lines.push('Findings: none')
  } else {
    const width = Math.max('Total'.length, ...rules.map((r) => r.length))
    const cell = (n: number | string, w: number): string => String(n).padStart(w)
    lines.push(`${'Findings'.padEnd(width)}  ${SEVERITIES.map((s) => cell(s, 7)).join('  ')}`)
    const totals: Record<string, number> = {}
    for (const rule of rules) {
      const row = counts.get(rule) ?? {}
      for (const s of SEVERITIES) totals[s] = (totals[s] ?? 0) + (row[s] ?? 0)
      lines.push(`${rule.padEnd(width)}  ${SEVERITIES.map((s) => cell(row[s] ?? 0, 7)).join('  ')}`)
    }
    lines.push(`${'Total'.padEnd(width)}  ${SEVERITIES.map((s) => cell(totals[s] ?? 0, 7)).join('  ')}`)
  }
  const held = Object.keys(heldByCurrency).sort()
  // Held cost arrives exact; shown with the currency's minor-unit decimals, rounded once (SPEC §6).
  const amount = (c: string): string => {
    const v = heldByCurrency[c] ?? ''
    return typeof parseDecimal(v) === 'string' ? formatMoney(v, c) : v
  }
  lines.push(held.length === 0 ? 'Held (not invoiced): none' : `Held (not invoiced), Microsoft's cost: ${held.map((c) => `${amount(c)} ${c}`).join(', ')}`)
  lines.push(...remarks)
  lines.push(`Where to look: ${reconciliationPath}`)
  return lines.join('\n') + '\n'
}
