/**
 * Price stage (SPEC §3, §4): turns every non-duplicate reconciliation line into exactly one priced_lines row
 * (invoiced | held | retained) with every intermediate value, and returns the pricing findings.
 *
 * In: recon_lines (is_duplicate = 0), resellers, customers, price_book_rules, price_list, ctx.settings
 * (premiums, creditsPolicy). Out: priced_lines (replaced on every call), PriceSummary counts, findings
 * UNKNOWN_RESELLER / CURRENCY_MISMATCH / NO_PRICE_RULE / PRICE_NOT_FOUND (exactly one per held line) and
 * PRICE_DERIVED (info, one per invoiced line priced with a derived premium price).
 *
 * The rules are set-based SQL, one file per concern in stages/rules/, each rebuilding one intermediate table
 * that stays in the staging DB for audit:
 *   category → term-and-plan → charge-cycle → attribution → price-book → price-list → premium → sell.
 * Bad data never throws: it becomes a held line and a finding.
 */
import { Decimal } from 'decimal.js'
import { sql } from '../pipeline/kysely.js'
import type { RunContext, StageResult } from '../pipeline/context.js'
import { finding, type Finding } from '../pipeline/diagnostics.js'
import { categorizeLines } from './rules/category.js'
import { deriveTermAndPlan } from './rules/term-and-plan.js'
import { deriveChargeCycles } from './rules/charge-cycle.js'
import { attributeResellers } from './rules/attribution.js'
import { matchPriceBookRules } from './rules/price-book.js'
import { lookUpListPrices, segmentsWithRowSql, skuTwinsSql } from './rules/price-list.js'
import { derivePremiumPrices, loadPremiums } from './rules/premium.js'
import { computeSellAmounts, loadCurrencyUnits } from './rules/sell.js'
import { allLines, type RulesDb } from './rules/table.js'

export interface PriceSummary {
  invoiced: number
  held: number
  retained: number
}

export interface PriceInput {
  /** The resellers sheets discover found: their rejected rows explain UNKNOWN_RESELLER (input_files is written later). */
  resellersFiles: readonly string[]
  /** The customers sheets discover found, likewise. */
  customersFiles?: readonly string[]
}

export async function price(input: PriceInput | undefined, ctx: RunContext): Promise<StageResult<PriceSummary>> {
  const db = ctx.db.kysely
  await loadPremiums(db, ctx.settings.premiums)
  await loadCurrencyUnits(db)
  await categorizeLines(db)
  await deriveTermAndPlan(db)
  await deriveChargeCycles(db)
  await attributeResellers(db)
  await matchPriceBookRules(db)
  await lookUpListPrices(db)
  await derivePremiumPrices(db)
  await computeSellAmounts(db, ctx.settings.creditsPolicy)
  await writePricedLines(db)
  return { output: await summarize(db), findings: await pricingFindings(db, input) }
}

async function writePricedLines(db: RulesDb): Promise<void> {
  await sql`delete from priced_lines`.execute(db)
  await sql`
    insert into priced_lines (
      line_id, status, hold_rule, reseller_id, currency, category, term_duration, billing_plan, term_start,
      event_date, cycle_start, cycle_end, billing_days, cycle_days, proration_factor, price_book, rule_id,
      rule_date, rule_scope, method, percent, fixed_unit_price, erp_cycle_price, list_cycle_price, list_price_id,
      annual_price_id, price_derived, premium_percent, premium_from, cost, sell_exact, sell, unit_sell_price, explanation)
    select
      line_id, status, hold_rule,
      case when status = 'retained' then null else reseller_id end,
      currency, category, term_duration, billing_plan, term_start,
      event_date, cycle_start, cycle_end, billing_days, cycle_days, proration_factor,
      case when status = 'retained' then null else price_book end,
      case when is_pass_through = 1 or status = 'retained' then null else rule_id end,
      case when is_pass_through = 1 or status = 'retained' then null else rule_date end,
      case when is_pass_through = 1 or status = 'retained' then null else rule_scope end,
      method, percent,
      case when method = 'fixed' then rule_fixed_unit_price end,
      case when method = 'erp-discount' then erp_used end,
      list_cycle_price, list_price_id, annual_price_id,
      case when method = 'erp-discount' and category <> 'azure-plan' then price_derived else 0 end,
      case when method = 'erp-discount' and price_derived = 1 then premium_percent end,
      case when method = 'erp-discount' and price_derived = 1 then premium_from end,
      cost, sell_exact, sell, unit_sell_price, explanation
    from ${allLines()}
    order by line_id`.execute(db)
}

async function summarize(db: RulesDb): Promise<PriceSummary> {
  const { rows } = await sql<{ status: string; n: number }>`
    select status, count(*) as n from priced_lines group by status`.execute(db)
  const count = (status: string): number => Number(rows.find((r) => r.status === status)?.n ?? 0)
  return { invoiced: count('invoiced'), held: count('held'), retained: count('retained') }
}

/** What a finding needs to know about a held or derived line. */
interface FindingRow {
  line_id: number
  source_file: string
  source_row: number
  customer_id: string
  subscription_id: string | null
  tier2_mpn_id: string | null
  raw_term: string | null
  raw_frequency: string | null
  hold_rule: string | null
  status: string
  price_derived: number
  method: string | null
  reseller_id: string | null
  reseller_source: string | null
  currency: string
  reseller_currency: string | null
  price_book: string | null
  product_id: string
  sku_id: string
  category: string
  event_date: string
  rule_date: string | null
  term_duration: string | null
  billing_plan: string | null
  term_start: string
  /** Null when the line has no PricingCurrency and a rate other than 1 (rules/category.ts pricingCurrencySql). */
  pricing_currency: string | null
  pc_to_bc_exchange_rate: string
  annual_price_id: number | null
  annual_erp_price: string | null
  premium_percent: string | null
  premium_from: string | null
  erp_cycle_price: string | null
  customer_segment: string
  /** PRICE_NOT_FOUND only: segments the price list has the line's row for (none is the customer's: it would have priced the line). */
  other_segments: string | null
  sku_twins: string | null
  book_has_rules: number | null
}

async function pricingFindings(db: RulesDb, input: PriceInput | undefined): Promise<Finding[]> {
  const { rows } = await sql<FindingRow>`
    select s.line_id, s.source_file, s.source_row, s.customer_id, s.subscription_id, s.tier2_mpn_id,
      r.term_and_billing_cycle as raw_term, r.billing_frequency as raw_frequency, r.pc_to_bc_exchange_rate,
      s.hold_rule, s.status, s.price_derived, s.method, s.reseller_id, s.reseller_source, s.currency,
      s.reseller_currency, s.price_book, s.product_id, s.sku_id, s.category, s.event_date, s.rule_date, s.term_duration,
      s.billing_plan, s.term_start, s.pricing_currency, s.annual_price_id, s.annual_erp_price,
      s.premium_percent, s.premium_from, s.erp_cycle_price, s.customer_segment,
      case when s.hold_rule = 'PRICE_NOT_FOUND' then ${sql.raw(segmentsWithRowSql('s'))} end as other_segments,
      case when s.hold_rule = 'PRICE_NOT_FOUND' then ${sql.raw(skuTwinsSql('s'))} end as sku_twins,
      case when s.hold_rule = 'NO_PRICE_RULE' then exists (select 1 from price_book_rules b where b.price_book = s.price_book) end as book_has_rules
    from (select * from ${allLines()}) as s
    join recon_lines r on r.line_id = s.line_id
    where s.status = 'held'
       or (s.status = 'invoiced' and s.method = 'erp-discount' and s.category <> 'azure-plan' and s.price_derived = 1)
    order by s.line_id`.execute(db)
  const known = await db.selectFrom('resellers').select('reseller_id').execute()
  const unknown = rows.some((l) => l.hold_rule === 'UNKNOWN_RESELLER')
  const rejected = {
    resellers: unknown ? await firstRejectedRows(db, input?.resellersFiles, 'resellers', 'reseller_id') : new Map<string, string>(),
    customers: unknown ? await firstRejectedRows(db, input?.customersFiles, 'customers', 'customer_id') : new Map<string, string>(),
  }
  const byLowerCase = new Map(known.map((r) => [r.reseller_id.toLowerCase(), r.reseller_id]))
  const books = (await db.selectFrom('price_book_rules').select('price_book').distinct().orderBy('price_book').execute()).map((b) => b.price_book)
  return rows.map((l) => toFinding(l, byLowerCase, books, rejected))
}

/**
 * The first rejected row of the resellers (customers) sheet per ResellerId (CustomerId), lower-case as repeats are
 * matched, from ingest's REJECTED_ROW findings: a line whose reseller's or customer's own row was rejected is told
 * to correct that row, not to add a row the sheet already has (README review: a customers row rejected for its
 * Segment was "no row for this customer").
 */
async function firstRejectedRows(db: RulesDb, files: readonly string[] | undefined, kind: 'resellers' | 'customers', id: 'reseller_id' | 'customer_id'): Promise<Map<string, string>> {
  const inFiles = files !== undefined
    ? sql`select value as file from json_each(${JSON.stringify(files)})`
    : sql`select file from input_files where kind = ${kind}`
  const { rows } = await sql<{ id: string; file: string; row: number }>`
    select ${sql.ref(id)} as id, file, row from findings
    where rule = 'REJECTED_ROW' and ${sql.ref(id)} is not null and file in (${inFiles})
    order by file, row`.execute(db)
  const first = new Map<string, string>()
  for (const r of rows) {
    const key = r.id.toLowerCase()
    if (!first.has(key)) first.set(key, `${r.file} row ${r.row}`)
  }
  return first
}

/**
 * `byLowerCase`: the resellers sheet's ids by their lower-case form, to name one that differs only in case; empty
 * when no resellers sheet was read (a CI job that fetched the month but not input/reference/), which is said.
 */
function toFinding(l: FindingRow, byLowerCase: ReadonlyMap<string, string>, books: readonly string[], rejected: { resellers: ReadonlyMap<string, string>; customers: ReadonlyMap<string, string> }): Finding {
  const where = { file: l.source_file, row: l.source_row, resellerId: l.reseller_id, customerId: l.customer_id, subscriptionId: l.subscription_id }
  const held = 'the line is held (not invoiced) until then.'
  const termPlan = `${l.term_duration ?? '?'}/${l.billing_plan ?? '?'}`
  switch (l.status === 'held' ? l.hold_rule : 'PRICE_DERIVED') {
    case 'UNKNOWN_RESELLER':
      if (l.reseller_id === null) {
        const tier2 = (l.tier2_mpn_id ?? '').trim()
        const rejectedAt = rejected.customers.get(l.customer_id.toLowerCase())
        return finding('UNKNOWN_RESELLER', {
          ...where, expected: null, actual: tier2,
          message: rejectedAt === undefined
            ? `No reseller for customer ${l.customer_id}: Tier2MpnId is ${tier2 === '' ? 'empty' : `'${tier2}'`} and the customers sheet has no row for this customer. Add the customer with its ResellerId to the customers sheet and re-run; ${held}`
            : `No reseller for customer ${l.customer_id}: Tier2MpnId is ${tier2 === '' ? 'empty' : `'${tier2}'`} and the customer's row in the customers sheet, ${rejectedAt}, was rejected (see its REJECTED_ROW finding). Correct that row and re-run; ${held}`,
        })
      }
      {
        // Ids match exactly, while the resellers sheet allows only one id per spelling (they name invoice files).
        const near = byLowerCase.get(l.reseller_id.toLowerCase())
        const source = l.reseller_source ?? 'Tier2MpnId'
        const rejectedAt = near === undefined ? rejected.resellers.get(l.reseller_id.toLowerCase()) : undefined
        if (rejectedAt !== undefined) {
          return finding('UNKNOWN_RESELLER', {
            ...where, expected: null, actual: l.reseller_id,
            message: `Reseller '${l.reseller_id}' (from ${source}) has a row in the resellers sheet, ${rejectedAt}, but that row was rejected (see its REJECTED_ROW finding), so the reseller's currency and price book are unknown. Correct that row and re-run; ${held}`,
          })
        }
        const hint = byLowerCase.size === 0
          ? ' (no resellers sheet was read: none in the month folder or in reference/, or every row of it was rejected)'
          : near !== undefined && near !== l.reseller_id ? ` (the sheet has '${near}', which differs only in letter case: ids must match exactly)` : ''
        return finding('UNKNOWN_RESELLER', {
          ...where, expected: null, actual: l.reseller_id,
          message: `Reseller '${l.reseller_id}' (from ${source}) is not in the resellers sheet${hint}. Add it with its currency and price book, or correct the ${source} value, and re-run; ${held}`,
        })
      }
    case 'CURRENCY_MISMATCH':
      return finding('CURRENCY_MISMATCH', {
        ...where, expected: l.reseller_currency, actual: l.currency,
        message: `Line billed in ${l.currency} but reseller '${l.reseller_id}' is invoiced in ${l.reseller_currency}. Correct the reseller's Currency in the resellers sheet (or move the customer to a ${l.currency} reseller) and re-run; ${held}`,
      })
    case 'NO_PRICE_RULE':
      // A reseller's PriceBook that no rule names (a typo, or another case): say so, not "add a rule" (review).
      if (l.book_has_rules === 0) {
        const near = books.find((b) => b.toLowerCase() === String(l.price_book).toLowerCase())
        const sheet = books.length === 0 ? 'no price book rules were read' : `the price books sheet has ${books.map((b) => `'${b}'`).join(', ')}`
        return finding('NO_PRICE_RULE', {
          ...where, expected: null, actual: l.price_book,
          message: `Reseller '${l.reseller_id}' is priced by price book '${l.price_book}' (its PriceBook in the resellers sheet), but no price book rule names that book (${sheet}${near !== undefined ? `; '${near}' differs only in letter case, and names must match exactly` : ''}). Correct the reseller's PriceBook or add the book's rules, and re-run; ${held}`,
        })
      }
      return finding('NO_PRICE_RULE', {
        ...where, expected: null, actual: l.price_book,
        message: `Price book '${l.price_book}' has no rule for product ${l.product_id} SKU ${l.sku_id} (category ${l.category}, ${termPlan}) effective on ${ruleDateText(l)}. Add a sku, product, category or default rule to that price book and re-run; ${held}`,
      })
    case 'PRICE_NOT_FOUND':
      return finding('PRICE_NOT_FOUND', {
        ...where, expected: `${l.product_id}/${l.sku_id} ${termPlan} ${l.pricing_currency} on ${l.term_start}`, actual: null,
        message: priceNotFoundMessage(l) + ` Add the price list that covers that date (or change the reseller's rule to markup or fixed) and re-run; ${held}`,
      })
    default:
      return finding('PRICE_DERIVED', {
        // Shown to 4 decimals, as PRICE_MISMATCH shows a cycle price: a derived price that does not terminate filled
        // the column with 50 digits (premium review). The line is priced with the exact one.
        ...where, expected: l.erp_cycle_price === null ? null : toFourPlaces(l.erp_cycle_price), actual: null,
        message: `The price list has no ${termPlan} row for product ${l.product_id} SKU ${l.sku_id} in ${l.pricing_currency} on the term start ${l.term_start}; its ERP price was derived from the P1Y/Annual ERP price ${l.annual_erp_price} with the ${l.premium_percent}% premium in force since ${l.premium_from}. Check it if the price list should have had that row.`,
      })
  }
}

/** The date a line's rule was looked up on, and why when it is not the line's own event date (SPEC §4.4). */
function ruleDateText(l: FindingRow): string {
  const date = l.rule_date ?? l.event_date
  return date === l.event_date ? date : `${date} (the date of the charge this refund reverses, whose rule prices it)`
}

/** A segment as the SPEC names it (stored lower-case): `education` → `Education`. */
function segmentName(segment: string): string {
  return segment.charAt(0).toUpperCase() + segment.slice(1)
}

function priceNotFoundMessage(l: FindingRow): string {
  if (l.billing_plan === null || (l.term_duration === null && l.billing_plan !== 'OneTime')) {
    return `No ERP price can be looked up for product ${l.product_id} SKU ${l.sku_id}: the line's term or billing plan is unknown (TermAndBillingCycle '${l.raw_term ?? ''}', BillingFrequency '${l.raw_frequency ?? ''}').`
  }
  if (l.pricing_currency === null) {
    return `No ERP price can be looked up for product ${l.product_id} SKU ${l.sku_id}: the line has no PricingCurrency, and its PCToBCExchangeRate ${l.pc_to_bc_exchange_rate} says it is not priced in its billing currency ${l.currency}, so the price list's currency for it is unknown (use the export with its PricingCurrency column filled, or price it by a markup or fixed rule).`
  }
  // Rows with a Segment price only customers of that segment (stages/rules/price-list.ts): say which one was looked for.
  const named = segmentName(l.customer_segment)
  const segment = l.customer_segment === 'commercial' ? '' : ` for the ${named} segment (customers sheet Segment; rows for other segments do not apply)`
  const others = l.other_segments === null ? '' : ` (it has that row only for segment ${l.other_segments}, which does not apply to a customer of segment ${named})`
  // SPEC §2 keeps ids as written (`0001` ≠ `1`): a SkuId a spreadsheet turned into a number is named, not matched.
  const twins = l.sku_twins === null ? '' : ` (it lists this product's SKU as ${l.sku_twins}, which differs only in leading zeros: a spreadsheet that saved SkuId as a number drops them; keep SkuId as text in both files)`
  const base = `The price list has no ${l.term_duration ?? ''}${l.term_duration ? '/' : ''}${l.billing_plan} row for product ${l.product_id} SKU ${l.sku_id} in ${l.pricing_currency}${segment} effective on the term start ${l.term_start}${others}${twins}`
  // A trial's (None) or one-time purchase's price is its own row's: never derived from P1Y/Annual (§4.3 premiums are for Monthly terms).
  if (l.billing_plan === 'None' || l.billing_plan === 'OneTime') return `${base} (a ${l.billing_plan === 'None' ? 'trial' : 'one-time purchase'} is priced only from its own row; or price it by a markup or fixed rule).`
  if (l.annual_price_id !== null) return `${base}, and no premium for ${l.term_duration}/${l.billing_plan} is in force on that date (settings.premiums) to derive it from the P1Y/Annual row.`
  return `${base}, nor a P1Y/Annual row to derive it from.`
}

/** A decimal's text with at most 4 decimals (half-up), as it is when it has no more. */
function toFourPlaces(value: string): string {
  const d = new Decimal(value)
  return d.decimalPlaces() > 4 ? d.toDecimalPlaces(4, Decimal.ROUND_HALF_UP).toString() : value
}
