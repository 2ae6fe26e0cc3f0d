/**
 * Registry of input kinds (SPEC §2, like dbt's sources file): for each kind, the header columns that detect it,
 * the columns it uses (required/optional, aliases, types), the columns Microsoft documents but the product does
 * not use (FORMATS.md), the staging table it loads and its zod row schema.
 *
 * `detectKind` picks the kind of a header (first match in SPEC order); `mapHeader` maps a header onto a kind's
 * columns once per file (index of each used column, missing required columns, unknown columns, duplicates).
 * Pure functions; never throw.
 */
import type { z } from 'zod'
import type { ColumnDef, RawCell, RowValues } from './columns.js'
import { RECONCILIATION_COLUMNS, RECONCILIATION_DETECT, RECONCILIATION_DOCUMENTED, reconciliationRow } from './reconciliation.js'
import { USAGE_COLUMNS, USAGE_DETECT, USAGE_DOCUMENTED, usageRow } from './usage.js'
import { PRICELIST_COLUMNS, PRICELIST_DETECT, PRICELIST_DOCUMENTED, pricelistRow } from './pricelist.js'
import { PRICEBOOKS_COLUMNS, PRICEBOOKS_DETECT, PRICEBOOKS_DOCUMENTED, pricebooksRow } from './pricebooks.js'
import { RESELLERS_COLUMNS, RESELLERS_DETECT, RESELLERS_DOCUMENTED, resellersRow } from './resellers.js'
import { CUSTOMERS_COLUMNS, CUSTOMERS_DETECT, CUSTOMERS_DOCUMENTED, customersRow } from './customers.js'

export type { ColumnDef, RawCell, RowValues } from './columns.js'
export { cellText } from './columns.js'

export type InputKind = 'reconciliation' | 'usage' | 'pricelist' | 'pricebooks' | 'resellers' | 'customers'

/** Detection order (SPEC §2: first match wins). */
export const KIND_ORDER: readonly InputKind[] = ['reconciliation', 'usage', 'pricelist', 'pricebooks', 'resellers', 'customers']

/** Kinds that may come from `input/reference/` when the period folder has none (SPEC §2.4; price lists too). */
export const REFERENCE_KINDS: readonly InputKind[] = ['pricelist', 'pricebooks', 'resellers', 'customers']

export interface KindDef {
  kind: InputKind
  table: string
  detect: readonly string[]
  columns: readonly ColumnDef[]
  documented: readonly string[]
  schema: z.ZodType<RowValues, RawCell[]>
  /** Column (canonical name) whose repeated value rejects later rows, for reference sheets. */
  uniqueKey?: string
}

export const KINDS: Record<InputKind, KindDef> = {
  reconciliation: {
    kind: 'reconciliation', table: 'recon_lines', detect: RECONCILIATION_DETECT, columns: RECONCILIATION_COLUMNS,
    documented: RECONCILIATION_DOCUMENTED, schema: reconciliationRow,
  },
  usage: {
    kind: 'usage', table: 'usage_rows', detect: USAGE_DETECT, columns: USAGE_COLUMNS, documented: USAGE_DOCUMENTED,
    schema: usageRow,
  },
  pricelist: {
    kind: 'pricelist', table: 'price_list', detect: PRICELIST_DETECT, columns: PRICELIST_COLUMNS,
    documented: PRICELIST_DOCUMENTED, schema: pricelistRow,
  },
  pricebooks: {
    kind: 'pricebooks', table: 'price_book_rules', detect: PRICEBOOKS_DETECT, columns: PRICEBOOKS_COLUMNS,
    documented: PRICEBOOKS_DOCUMENTED, schema: pricebooksRow,
  },
  resellers: {
    kind: 'resellers', table: 'resellers', detect: RESELLERS_DETECT, columns: RESELLERS_COLUMNS,
    documented: RESELLERS_DOCUMENTED, schema: resellersRow, uniqueKey: 'ResellerId',
  },
  customers: {
    kind: 'customers', table: 'customers', detect: CUSTOMERS_DETECT, columns: CUSTOMERS_COLUMNS,
    documented: CUSTOMERS_DOCUMENTED, schema: customersRow, uniqueKey: 'CustomerId',
  },
}

/**
 * Header cell → matching key: lower-case, without a stray BOM, spaces or underscores. A sheet typed by hand says
 * `Effective From` or `Tax_Rate_Percent`: read as unknown columns, every rule was in force always and the tax was 0,
 * with exit 0 (review). No two columns of a kind differ only so (Microsoft's own `ERP Price` is `ERPPrice` here).
 */
export function headerKey(name: string): string {
  return name.replace(/^\uFEFF/, '').replace(/[\s_]+/g, '').toLowerCase()
}

function namesOf(def: ColumnDef): string[] {
  return [...new Set([def.name, ...(def.aliases ?? [])].map(headerKey))]
}

/** The first kind (SPEC order) whose detection columns are all in the header, or null. */
export function detectKind(header: readonly string[]): InputKind | null {
  const keys = new Set(header.map(headerKey))
  for (const kind of KIND_ORDER) {
    const def = KINDS[kind]
    const hasAll = def.detect.every((name) => {
      const column = def.columns.find((c) => c.name === name)
      return column ? namesOf(column).some((k) => keys.has(k)) : keys.has(headerKey(name))
    })
    if (hasAll) return kind
  }
  return null
}

/** A duplicated column name (or two aliases of one column) makes the file ambiguous: SPEC §2 UNREADABLE_FILE. */
export function duplicateColumns(header: readonly string[]): string | null {
  const seen = new Map<string, number>()
  for (let i = 0; i < header.length; i++) {
    const key = headerKey(header[i] ?? '')
    if (key === '') continue // empty trailing header cells (a trailing comma) carry nothing
    const first = seen.get(key)
    if (first !== undefined) return `column name '${header[i]}' appears twice (columns ${first + 1} and ${i + 1})`
    seen.set(key, i)
  }
  return null
}

export interface HeaderMap {
  /** For each column of the kind definition, its 0-based index in the header, or -1 when absent. */
  indexes: number[]
  /** Required columns absent from the header (canonical names). */
  missing: string[]
  /** Header names neither used nor documented for this kind (listed in run.json). */
  unknown: string[]
  /** Why the header cannot be used (two aliases of one column), or null. */
  ambiguous: string | null
}

export function mapHeader(kind: InputKind, header: readonly string[]): HeaderMap {
  const def = KINDS[kind]
  const position = new Map<string, number>()
  header.forEach((name, i) => {
    const key = headerKey(name)
    if (key !== '' && !position.has(key)) position.set(key, i)
  })
  const indexes: number[] = []
  const missing: string[] = []
  let ambiguous: string | null = null
  const used = new Set<number>()
  for (const column of def.columns) {
    const found = namesOf(column).map((k) => position.get(k)).filter((i): i is number => i !== undefined)
    if (found.length > 1 && ambiguous === null) {
      ambiguous = `columns ${found.map((i) => `'${header[i]}'`).join(' and ')} both mean ${column.name}`
    }
    const index = found[0] ?? -1
    indexes.push(index)
    if (index >= 0) found.forEach((i) => used.add(i))
    else if (column.required) missing.push(column.name)
  }
  const documented = new Set(def.documented.map(headerKey))
  const unknown = header.filter((name, i) => {
    const key = headerKey(name)
    return key !== '' && !used.has(i) && !documented.has(key)
  }).map((name) => name.trim())
  return { indexes, missing, unknown, ambiguous }
}
