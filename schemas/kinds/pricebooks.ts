/**
 * Distributor price books (SPEC §2.4): detected by PriceBook + Method. One row = one pricing rule.
 * Scope and Method are matched case-insensitively and stored lower-case. A row is rejected when Scope or Method
 * is not one of its values, when a column its scope needs is empty, or when its method's value is missing.
 * Also rejected: a value that would sell below zero (a markup under -100 %, an ERP discount over 100 %, a negative
 * fixed price); SPEC §4.2 applies the percent to a magnitude, so such a rule would silently sell at a made-up
 * price (a -150 % markup sold at half the cost).
 * And a rule that could never apply, or not as written, which lines would silently pass by for a broader rule
 * (review of price books as finance keeps them): a Category that is not one of SPEC §3.1's, a TermDuration or
 * BillingPlan that is not one of SPEC §2.3's (in any case), an EffectiveTo before its EffectiveFrom, a key column
 * the scope does not use (a product rule with a SkuId applied to every SKU: `sku` was meant), and the other
 * method's value (markup 20 with a FixedUnitPrice of 30.00). ProductId is stored upper-case, as Partner Center
 * writes it.
 */
import type { Decimal } from 'decimal.js'
import { dec } from '../../pipeline/money.js'
import { columnIndex, opt, req, rowSchema, type ColumnDef, type RowValues } from './columns.js'
import { BILLING_PLANS, TERM_DURATIONS } from './pricelist.js'
import { CATEGORIES } from './categories.js'

export const PRICEBOOKS_COLUMNS: readonly ColumnDef[] = [
  req('PriceBook', 'price_book'),
  req('Scope', 'scope', 'text', { lower: true }),
  opt('ProductId', 'product_id', 'text', { upper: true }),
  opt('SkuId', 'sku_id', 'text', { textOnly: true }),
  opt('TermDuration', 'term_duration', 'text', { spellings: TERM_DURATIONS }),
  opt('BillingPlan', 'billing_plan', 'text', { spellings: BILLING_PLANS }),
  opt('Category', 'category', 'text', { lower: true }),
  req('Method', 'method', 'text', { lower: true }),
  opt('Percent', 'percent', 'decimal'),
  opt('FixedUnitPrice', 'fixed_unit_price', 'decimal'),
  opt('EffectiveFrom', 'effective_from', 'date'),
  opt('EffectiveTo', 'effective_to', 'date'),
]

export const PRICEBOOKS_DOCUMENTED = [] as const
export const PRICEBOOKS_DETECT = ['PriceBook', 'Method'] as const

export const SCOPES = ['sku', 'product', 'category', 'default'] as const
export const METHODS = ['markup', 'erp-discount', 'fixed'] as const

const SCOPE_NEEDS: Record<(typeof SCOPES)[number], string[]> = {
  sku: ['ProductId', 'SkuId'],
  product: ['ProductId'],
  category: ['Category'],
  default: [],
}

/** Key columns a scope does not use: filled in, they would be ignored, and the rule apply more widely than written. */
const SCOPE_IGNORES: Record<(typeof SCOPES)[number], { column: string; meant: string }[]> = {
  sku: [],
  product: [{ column: 'SkuId', meant: 'sku' }],
  category: [{ column: 'ProductId', meant: 'product' }, { column: 'SkuId', meant: 'sku' }],
  default: [{ column: 'ProductId', meant: 'product' }, { column: 'SkuId', meant: 'sku' }, { column: 'Category', meant: 'category' }],
}

const at = (name: string) => columnIndex(PRICEBOOKS_COLUMNS, name)
const SCOPE = at('Scope')
const METHOD = at('Method')
const KNOWN_VALUES: { column: number; values: readonly string[] }[] = [
  { column: at('Category'), values: CATEGORIES },
  { column: at('TermDuration'), values: TERM_DURATIONS },
  { column: at('BillingPlan'), values: BILLING_PLANS },
]
const FROM = at('EffectiveFrom')
const TO = at('EffectiveTo')

export const pricebooksRow = rowSchema(PRICEBOOKS_COLUMNS, (values: RowValues, addIssue) => {
  const scope = String(values[SCOPE])
  const method = String(values[METHOD])
  if (!(SCOPES as readonly string[]).includes(scope)) addIssue(SCOPE, `is not one of ${SCOPES.join(', ')}`)
  else {
    for (const needed of SCOPE_NEEDS[scope as keyof typeof SCOPE_NEEDS]) {
      if (values[at(needed)] === null) addIssue(at(needed), `is empty but scope '${scope}' needs it`)
    }
    for (const { column, meant } of SCOPE_IGNORES[scope as keyof typeof SCOPE_IGNORES]) {
      if (values[at(column)] !== null) addIssue(at(column), `is filled in, but scope '${scope}' does not use it (the rule would apply to every ${column === 'Category' ? 'line' : column === 'SkuId' ? 'SKU' : 'product'}): leave it empty, or use scope '${meant}'`)
    }
  }
  for (const { column, values: known } of KNOWN_VALUES) {
    const value = values[column]
    if (value !== null && !known.includes(String(value))) addIssue(column, `is not one of ${known.join(', ')}: no line would ever match the rule`)
  }
  const from = values[FROM]
  const to = values[TO]
  if (from !== null && to !== null && String(to) < String(from)) addIssue(TO, `is before EffectiveFrom ${String(from)}: the rule would never be in force`)
  if (!(METHODS as readonly string[]).includes(method)) addIssue(METHOD, `is not one of ${METHODS.join(', ')}`)
  else {
    const needed = method === 'fixed' ? 'FixedUnitPrice' : 'Percent'
    const other = method === 'fixed' ? 'Percent' : 'FixedUnitPrice'
    if (values[at(other)] !== null) addIssue(at(other), `is filled in, but method '${method}' uses ${needed}: leave it empty, or use method '${method === 'fixed' ? 'markup' : 'fixed'}'`)
    const value = values[at(needed)]
    if (value === null) addIssue(at(needed), `is empty but method '${method}' needs it`)
    else {
      const problem = sellsBelowZero(method as (typeof METHODS)[number], dec(String(value)))
      if (problem) addIssue(at(needed), problem)
    }
  }
})

/** Why a rule's value would price a line below zero, or null. */
function sellsBelowZero(method: (typeof METHODS)[number], value: Decimal): string | null {
  if (method === 'markup' && value.lessThan(-100)) return 'is below -100: a markup under -100 % would sell below zero'
  if (method === 'erp-discount' && value.greaterThan(100)) return 'is over 100: a discount over 100 % would sell below zero'
  if (method === 'fixed' && value.lessThan(0)) return 'is negative: a fixed price must be 0 or more'
  return null
}
