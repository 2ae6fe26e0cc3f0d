/**
 * Findings (SPEC §5): every problem the pipeline notices is a Finding row, never an exception.
 * One type for all stages, so exceptions.csv, the reconciliation workbook and run.json read one table.
 */
export type Severity = 'error' | 'warning' | 'info'

export const RULES = {
  REJECTED_ROW: 'error',
  MISSING_COLUMN: 'error',
  UNREADABLE_FILE: 'error',
  UNKNOWN_RESELLER: 'error',
  NO_PRICE_RULE: 'error',
  PRICE_NOT_FOUND: 'error',
  CURRENCY_MISMATCH: 'error',
  DUPLICATE_LINE: 'warning',
  AMOUNT_MISMATCH: 'warning',
  PRORATION_MISMATCH: 'warning',
  PRICE_MISMATCH: 'warning',
  PREMIUM_MISMATCH: 'info',
  PRICE_DERIVED: 'info',
  SEAT_REDUCTION_OUTSIDE_WINDOW: 'warning',
  PERPETUAL_RETURN_LATE: 'warning',
  PERPETUAL_PARTIAL_RETURN: 'warning',
  OVERLAPPING_SUBSCRIPTIONS: 'warning',
  MCA_NOT_CONFIRMED: 'warning',
  NEGATIVE_MARGIN: 'warning',
  USAGE_TIE_OUT: 'warning',
  OUT_OF_PERIOD: 'warning',
} as const satisfies Record<string, Severity>

export type Rule = keyof typeof RULES

export interface Finding {
  rule: Rule
  severity: Severity
  /** Input file name relative to the period folder's parent (e.g. `2026-10/recon.csv`); '' for aggregates. */
  file: string
  /** Excel row number (header = 1); 0 for aggregate findings. */
  row: number
  resellerId?: string | null
  customerId?: string | null
  subscriptionId?: string | null
  expected?: string | null
  actual?: string | null
  /** One sentence that tells finance what is wrong and what to do. */
  message: string
  /** Column with its letter, e.g. `UnitPrice (P)`, for row-level parse findings. */
  column?: string | null
  /** The offending cell exactly as read. */
  value?: string | null
}

export function finding(rule: Rule, fields: Omit<Finding, 'rule' | 'severity'>): Finding {
  return { rule, severity: RULES[rule], ...fields }
}

/**
 * Appends findings to a list. Note: `list.push(...more)` passes every element as an argument and throws
 * "Maximum call stack size exceeded" past ~100k of them (a wrong month's usage file: one finding a row).
 */
export function appendFindings(list: Finding[], more: readonly Finding[]): void {
  for (const f of more) list.push(f)
}

/**
 * The first `max` UTF-16 units of a text, one fewer when the cut would split a surrogate pair (an emoji): half a
 * pair is not a character, and Excel and XML writers show it as U+FFFD, which SPEC §2 says never appears.
 */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text
  const code = text.charCodeAt(max - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

/** Spreadsheet column letter for a 0-based column index (0 → A, 26 → AA). */
export function columnLetter(index: number): string {
  let n = index + 1
  let out = ''
  while (n > 0) {
    const r = (n - 1) % 26
    out = String.fromCharCode(65 + r) + out
    n = Math.floor((n - 1) / 26)
  }
  return out
}

/**
 * Stable ordering of findings: file, row, rule, then message. The outputs read findings back in the same order
 * from SQL (pipeline/findings-store.ts); a stage that sorts with this sets the order of otherwise equal ones.
 */
export function compareFindings(a: Finding, b: Finding): number {
  return cmp(a.file, b.file) || a.row - b.row || cmp(a.rule, b.rule) || cmp(a.message, b.message)
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
