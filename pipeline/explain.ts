/**
 * `csp-billing explain`: for one input row (`<file>:<row>`) or one invoice line id, says where it went —
 * invoiced (on which reseller invoice), held (why), retained, rejected, or dropped as a duplicate — and walks
 * through the computation of its sell amount in words and numbers, from the staging DB of the last completed
 * run (`<output>/<period>/staging.sqlite`). Every number is traced to its source row (`file:row`): the price-book
 * rule, the price-list row of an ERP price (or the P1Y/Annual row a derived price came from; priced_lines keeps
 * both ids), and the customers-sheet row whose Segment let a segmented price-list row apply. Read-only; returns
 * text, never throws on a missing row.
 */
import { daysBetween } from './dates.js'
import { formatMoney } from './money.js'
import BetterSqlite3 from 'better-sqlite3'
import { existsSync } from 'node:fs'
import type { FindingsTable, PriceListTable, PricedLinesTable, ReconLinesTable, UsageRowsTable } from '../schemas/tables.js'
import { PLAN_MONTHS, TERM_MONTHS } from '../stages/checks/common.js'
import { segmentsWithRowSql, skuTwinsSql } from '../stages/rules/price-list.js'
import { KINDS, type InputKind } from '../schemas/kinds/index.js'
import { TOTAL_KEY } from '../stages/usage-combiner.js'

export type ExplainTarget = { file: string; row: number } | { lineId: number }

export type ExplainResult = { ok: true; text: string } | { ok: false; message: string }

type Finding = Omit<FindingsTable, 'finding_id'>
type Recon = ReconLinesTable
type Priced = PricedLinesTable
type Usage = Omit<UsageRowsTable, 'usage_id'>

export function parseTarget(text: string): ExplainTarget | null {
  const m = /^(.+):(\d+)$/.exec(text.trim())
  return m ? { file: m[1] as string, row: Number(m[2]) } : null
}

export function explain(dbPath: string, target: ExplainTarget): ExplainResult {
  if (!existsSync(dbPath)) return { ok: false, message: `no completed run found: ${dbPath} does not exist; run \`csp-billing run\` for this period first` }
  let db: BetterSqlite3.Database | null = null
  try {
    db = new BetterSqlite3(dbPath, { readonly: true, fileMustExist: true })
    return explainIn(db, target)
  } catch (e) {
    // Not a staging DB of this version (damaged, emptied, or from another tool): name it, and how to get one.
    // Anything else is a bug here, and is reported as one.
    if (!(e instanceof BetterSqlite3.SqliteError)) throw e
    return { ok: false, message: `${dbPath} cannot be read as a run's staging DB (${e.message}); run \`csp-billing run\` for this period again` }
  } finally {
    db?.close()
  }
}

function explainIn(db: BetterSqlite3.Database, target: ExplainTarget): ExplainResult {
  let recon: Recon | undefined
  let file: string
  let row: number
  if ('lineId' in target) {
    recon = db.prepare('select * from recon_lines where line_id = ?').get(target.lineId) as Recon | undefined
    if (!recon) return { ok: false, message: `no invoice line with id ${target.lineId} in this run` }
    file = recon.source_file
    row = recon.source_row
  } else {
    const resolved = resolveFile(db, target.file)
    if (typeof resolved !== 'string') return { ok: false, message: resolved.message }
    file = resolved
    row = target.row
    recon = db.prepare('select * from recon_lines where source_file = ? and source_row = ?').get(file, row) as Recon | undefined
  }
  const findings = db.prepare('select * from findings where file = ? and row = ? order by rule, message').all(file, row) as Finding[]
  const lines: string[] = [`${file}:${row}`]

  if (recon) {
    lines.push(...describeRecon(db, recon))
  } else {
    const usage = db.prepare('select * from usage_rows where source_file = ? and source_row = ?').get(file, row) as Usage | undefined
    if (usage) lines.push(...describeUsage(db, usage))
    else if (findings.some((f) => f.rule === 'REJECTED_ROW' || f.rule === 'MISSING_COLUMN' || f.rule === 'UNREADABLE_FILE')) {
      lines.push('  went to: REJECTED — not used for billing; fix the file and run again')
    } else {
      const kind = (db.prepare('select kind from input_files where file = ?').get(file) as { kind: string } | undefined)?.kind
      // Files not read, or rejected whole, have no rows of their own: say so rather than "no data row" (which
      // contradicted run.json's row count for a file rejected whole).
      if (kind === 'ignored') {
        return { ok: false, message: `${file} was not read: run.json lists it as ignored (not a .csv, .csv.gz or .xlsx file, a folder, or a reference file the period folder overrides)` }
      }
      const whole = db.prepare(`select rule, message from findings where file = ? and row = 1 and rule in ('MISSING_COLUMN', 'UNREADABLE_FILE')`).get(file) as { rule: string; message: string } | undefined
      const rowsRead = (db.prepare('select rows from input_files where file = ?').get(file) as { rows: number } | undefined)?.rows
      if (whole !== undefined && row >= 2 && rowsRead === 0) {
        return { ok: false, message: `${file} has no data rows (run.json: 0 rows; the file was rejected whole: ${whole.message})` }
      }
      if (whole !== undefined && row >= 2) {
        lines.push(`  went to: REJECTED with the whole file (${whole.rule}): ${whole.message}`)
        return { ok: true, text: layout(lines) }
      }
      const summed = kind === 'usage' ? summedUsage(db, file, row) : null
      const kindRow = kind && kind !== 'usage' ? referenceRow(db, kind, file, row) : null
      if (summed) lines.push(...summed)
      else if (kindRow) lines.push(`  a ${kind} row, used as reference data: ${kindRow}`)
      else return { ok: false, message: `${file} has no data row ${row} (the header is row 1)` }
    }
  }
  if (findings.length > 0) {
    lines.push('  findings:')
    for (const f of findings) {
      const col = f.column_name ? ` ${f.column_name}` : ''
      const val = f.value !== null ? ` value '${f.value}'` : ''
      lines.push(`    ${f.severity.toUpperCase()} ${f.rule}${col}${val}: ${f.message}`)
    }
  }
  return { ok: true, text: layout(lines) }
}

/**
 * Each entry is one line of the layout: a line break inside a value (a customer name typed over two lines in the
 * sheet) is shown as ↵, so it cannot start a line that reads as the explanation's own.
 */
function layout(lines: string[]): string {
  return lines.map((line) => line.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ↵ ')).join('\n')
}

function resolveFile(db: BetterSqlite3.Database, given: string): string | { message: string } {
  const files = (db.prepare('select file from input_files order by file').all() as { file: string }[]).map((r) => r.file)
  const norm = given.replace(/\\/g, '/').replace(/^\.\//, '')
  const exact = files.find((f) => f === norm)
  if (exact) return exact
  const suffix = files.filter((f) => f.endsWith(`/${norm}`) || f.split('/').pop() === norm || norm.endsWith(`/${f}`))
  if (suffix.length === 1) return suffix[0] as string
  if (suffix.length > 1) return { message: `'${given}' matches several input files (${suffix.join(', ')}); give the path as shown in run.json` }
  return { message: `'${given}' is not an input file of this run; input files: ${files.join(', ')}` }
}

function describeRecon(db: BetterSqlite3.Database, r: Recon): string[] {
  const out: string[] = []
  out.push(`  reconciliation line ${r.line_id}: customer ${r.customer_name ?? ''} (${r.customer_id}), subscription ${r.subscription_id ?? '—'}`)
  out.push(`  product ${r.product_id}/${r.sku_id} ${r.sku_name ?? r.product_name ?? ''}, charge type ${r.charge_type}, quantity ${r.billable_quantity}, Microsoft cost (Subtotal) ${r.subtotal} ${r.currency}`)
  if (r.is_duplicate === 1) {
    const first = db.prepare('select source_file, source_row from recon_lines where line_id = ?').get(r.duplicate_of) as { source_file: string; source_row: number } | undefined
    out.push(`  went to: DROPPED AS DUPLICATE of ${first ? `${first.source_file}:${first.source_row}` : `line ${r.duplicate_of}`} — not priced, not invoiced, not in control totals`)
    return out
  }
  const p = db.prepare('select * from priced_lines where line_id = ?').get(r.line_id) as Priced | undefined
  if (!p) {
    out.push('  went to: not priced (the run stopped before pricing)')
    return out
  }
  if (p.status === 'invoiced') out.push(`  went to: INVOICED to reseller ${p.reseller_id} — invoices/${p.reseller_id}.xlsx, Lines sheet (source ${r.source_file}:${r.source_row})`)
  else if (p.status === 'held') out.push(`  went to: HELD (${p.hold_rule}) — not invoiced; listed on the Held lines sheet of reconciliation.xlsx`)
  else out.push('  went to: RETAINED — a customer credit kept by the distributor (creditsPolicy "retain"), not invoiced')
  if (p.status !== 'retained') out.push(describeAttribution(db, r))
  out.push(...describeComputation(db, r, p))
  return out
}

/** Which reseller the line is for and where that comes from (SPEC §4.1): its Tier2MpnId, or the customers sheet's row. */
function describeAttribution(db: BetterSqlite3.Database, r: Recon): string {
  const tier2 = (r.tier2_mpn_id ?? '').trim()
  const a = db.prepare('select reseller_id, reseller_source from int_lines_attributed where line_id = ?').get(r.line_id) as { reseller_id: string | null; reseller_source: string | null } | undefined
  if (a?.reseller_source === 'Tier2MpnId') return `  reseller ${a.reseller_id}: the line's Tier2MpnId '${tier2}'`
  const mapped = db.prepare('select source_file, source_row from customers where customer_id = ?').get(r.customer_id) as { source_file: string; source_row: number } | undefined
  const why = tier2 === '' ? 'the line has no Tier2MpnId' : `the line's Tier2MpnId is '${tier2}'`
  if (a?.reseller_source === 'customers' && mapped) return `  reseller ${a.reseller_id}: customers sheet ${mapped.source_file}:${mapped.source_row} (${why})`
  return `  reseller: none (${why}, and the customers sheet has no row for customer ${r.customer_id})`
}

/**
 * Why a line's billing days are one more than ChargeEndDate − event date + 1 (SPEC §3.3): a change a day or less after
 * the charge it changes, which Microsoft prices from that charge (stages/rules/charge-cycle.ts next_day_changes).
 */
function dayBefore(r: Recon, p: Priced): string {
  if (p.billing_days === null || r.charge_end_date === null) return ''
  const fromEvent = daysBetween(p.event_date, r.charge_end_date) + 1
  return p.billing_days === fromEvent + 1
    ? ` (${fromEvent} from the event date, and the day before: Microsoft's EffectiveUnitPrice ${r.effective_unit_price} is its price of ${p.billing_days} days, a change a day or less after the charge it changes, priced from that charge as in a refund in full within 24 hours)`
    : ''
}

function describeComputation(db: BetterSqlite3.Database, r: Recon, p: Priced): string[] {
  const out: string[] = ['  computation:']
  out.push(`    category ${p.category}; term ${p.term_duration ?? 'unknown'}; billing plan ${p.billing_plan ?? 'unknown'}; current term start ${p.term_start ?? '—'}`)
  if (p.cycle_start && p.cycle_end) {
    out.push(`    charge cycle ${p.cycle_start} → ${p.cycle_end} (${p.cycle_days ?? '?'} days); event date ${p.event_date}; billing days ${p.billing_days ?? '?'}${dayBefore(r, p)}`)
  } else {
    out.push(`    event date ${p.event_date}`)
  }
  const prorated = p.billing_days !== null && p.cycle_days !== null && p.proration_factor !== '1'
  out.push(`    proration factor ${prorated ? `${p.billing_days} ÷ ${p.cycle_days} days = ` : ''}${shortDecimal(p.proration_factor)}`)
  if (p.method) {
    const rule = p.rule_id === null
      ? null
      : (db.prepare('select * from price_book_rules where rule_id = ?').get(p.rule_id) as { source_file: string; source_row: number; scope: string; effective_from: string | null; effective_to: string | null } | undefined)
    const where = rule ? ` (${rule.source_file}:${rule.source_row}, effective ${rule.effective_from ?? 'always'} to ${rule.effective_to ?? 'open'})` : ''
    // Pass-through lines (credits) use no rule: nothing to name.
    const ruleDate = p.rule_date !== null && p.rule_date !== p.event_date
      ? `on ${p.rule_date}, the date of the charge this refund reverses (SPEC §4.4)`
      : 'on the event date'
    if (p.rule_id !== null) out.push(`    price book ${p.price_book ?? '—'}: ${p.rule_scope ?? ''} rule${where} — the most specific rule in force ${ruleDate}`)
    out.push(`    method ${p.method}${p.percent !== null ? ` ${p.percent}%` : ''}${p.fixed_unit_price !== null ? `, fixed ${p.fixed_unit_price} per cycle` : ''}`)
  }
  if (p.method === null && p.hold_rule === 'NO_PRICE_RULE') out.push(...describeMissingRule(db, r, p))
  // A line held for its reseller or currency is still priced as far as it goes: say that this is not why it is held.
  if (p.status === 'held' && (p.hold_rule === 'UNKNOWN_RESELLER' || p.hold_rule === 'CURRENCY_MISMATCH') && p.method !== null) {
    out.push(`    (how it would be priced once the ${p.hold_rule} is corrected; not a reason for the hold)`)
  }
  const pricingCurrency = pricingCurrencyOf(db, r)
  if (p.erp_cycle_price !== null && p.category === 'azure-plan') {
    out.push(`    retail price ${p.erp_cycle_price} ${pricingCurrency ?? '?'} per unit: the line's UnitPrice (Azure consumption prices are retail; no price-list row)`)
  } else if (p.erp_cycle_price !== null) {
    out.push(`    ERP cycle price ${shortDecimal(p.erp_cycle_price)} ${pricingCurrency ?? '?'}${p.price_derived ? ` (derived from the P1Y/Annual price with a ${p.premium_percent ?? '?'}% premium)` : ' (from the price list on the term start)'}`)
  }
  if (p.method === 'erp-discount' && p.category !== 'azure-plan') {
    if (p.erp_cycle_price === null) out.push(`    ERP cycle price: none found${p.hold_rule === 'PRICE_NOT_FOUND' ? ' (PRICE_NOT_FOUND)' : ''}`)
    out.push(...describePriceSources(db, r, p, pricingCurrency))
  }
  if (r.pc_to_bc_exchange_rate !== '1') out.push(`    exchange rate ${r.pricing_currency ?? '?'} → ${r.currency}: ${r.pc_to_bc_exchange_rate}`)
  if (p.explanation) out.push(`    ${p.explanation}`)
  // Shown with the currency's decimals, as on the invoice (11.50 USD, 3447 JPY), not as stored (11.5).
  if (p.sell_exact !== null) out.push(`    sell amount ${p.sell_exact} → rounded half-up (away from zero) to the currency unit: ${p.sell === null ? '—' : formatMoney(p.sell, p.currency)} ${p.currency}`)
  return out
}

type PriceRow = Omit<PriceListTable, 'price_id'> & { price_id: number }

/**
 * The currency pricing looked the line's price up in, as the rules stored it (stages/rules/category.ts
 * pricingCurrencySql: without PricingCurrency, the billing currency only at a rate of 1), not worked out again here.
 */
function pricingCurrencyOf(db: BetterSqlite3.Database, r: Recon): string | null {
  const row = db.prepare('select pricing_currency from int_lines_categorized where line_id = ?').get(r.line_id) as { pricing_currency: string | null } | undefined
  return row?.pricing_currency ?? null
}

/**
 * The price-list rows behind an erp-discount line (SPEC §2.3, §4.2, §4.3): the row of its own term and plan, or,
 * when derived, the P1Y/Annual row the price was derived from — each by file:row with the values pricing read —
 * and, when a row names a Segment, the customer's segment that made it apply. For a line held PRICE_NOT_FOUND,
 * what was looked for and why nothing matched. `list_price_id`/`annual_price_id` are absent in a staging DB
 * written before they were recorded: then say so rather than guess.
 */
function describePriceSources(db: BetterSqlite3.Database, r: Recon, p: Priced, currency: string | null): string[] {
  if (p.list_price_id === undefined && p.annual_price_id === undefined) {
    return ['      (this staging DB does not record which price-list row was used: run again to see it)']
  }
  if (p.erp_cycle_price === null && (p.billing_plan === null || (p.term_duration === null && p.billing_plan !== 'OneTime'))) {
    return ["      no price-list row can be looked up: the line's term or billing plan is unknown"]
  }
  if (currency === null) return [`      no price-list row can be looked up: the line has no PricingCurrency, and its rate ${r.pc_to_bc_exchange_rate} says it is not priced in ${r.currency}`]
  const termPlan = p.billing_plan === 'OneTime' ? 'OneTime' : `${p.term_duration ?? '?'}/${p.billing_plan ?? '?'}`
  const wanted = `${termPlan} row for ${r.product_id}/${r.sku_id} in ${currency} effective on the term start ${p.term_start ?? '?'}`
  const direct = p.list_price_id != null ? priceRow(db, p.list_price_id) : undefined
  const annual = p.annual_price_id != null ? priceRow(db, p.annual_price_id) : undefined
  const out: string[] = []
  const shown: PriceRow[] = []
  if (p.price_derived === 1 && annual) {
    out.push(`      the price list has no ${wanted}; derived from its P1Y/Annual row:`)
    out.push(`      price-list row ${describePriceRow(annual)}`)
    out.push(`      ERP Price ${annual.erp_price} per P1Y term × ${TERM_MONTHS[p.term_duration ?? ''] ?? '?'}/12 × (1 + ${p.premium_percent ?? '?'}%) premium (settings.premiums, ${termPlan}, in force since ${p.premium_from ?? '?'})${cycleShare(p)} = ${p.erp_cycle_price === null ? '?' : shortDecimal(p.erp_cycle_price)} per cycle`)
    shown.push(annual)
  } else if (p.erp_cycle_price !== null && direct) {
    out.push(`      price-list row ${describePriceRow(direct)}`)
    out.push(`      ERP Price ${direct.erp_price} per ${p.billing_plan === 'OneTime' || p.billing_plan === 'None' ? 'purchase, used whole' : `${p.term_duration ?? '?'} term${cycleShare(p)}`} = ${shortDecimal(p.erp_cycle_price)} per cycle`)
    shown.push(direct)
  } else if (p.erp_cycle_price === null) {
    const others = otherSegments(db, r, p, currency)
    out.push(`      the price list has no ${wanted}${others !== null ? " for this customer's segment" : ''}`)
    if (p.billing_plan === 'None' || p.billing_plan === 'OneTime') {
      out.push(`      a ${p.billing_plan === 'None' ? 'trial' : 'one-time purchase'} is priced only from its own row, never derived from P1Y/Annual`)
    } else if (annual) {
      out.push(`      its P1Y/Annual row ${describePriceRow(annual)}`)
      out.push(`      is not used: no ${termPlan} premium is in force on ${p.term_start ?? '?'} (settings.premiums) to derive the price from it`)
      shown.push(annual)
    } else {
      out.push('      nor a P1Y/Annual row to derive it from')
    }
    if (others !== null) out.push(`      the price list has that row only for segment ${others}`)
    const twins = skuTwins(db, r)
    if (twins !== null) out.push(`      it lists this product's SKU as ${twins}, which differs only in leading zeros (a SkuId saved as a number drops them; ids are matched as written)`)
  } else {
    out.push('      (the price-list row used is not recorded for this line)')
  }
  const segmented = shown.find((row) => (row.segment ?? '').trim() !== '')
  if (segmented && p.erp_cycle_price === null) out.push(`      ${customerSegment(db, r.customer_id)}: the row with Segment ${(segmented.segment ?? '').trim()} is for this customer's segment, but not used (see above)`)
  else if (segmented) out.push(`      ${customerSegment(db, r.customer_id)}: so the row with Segment ${(segmented.segment ?? '').trim()} applies (a row with a Segment is only for customers of that segment)`)
  else if (p.erp_cycle_price === null) out.push(`      ${customerSegment(db, r.customer_id)}: a price-list row with another Segment does not apply`)
  return out
}

function priceRow(db: BetterSqlite3.Database, priceId: number): PriceRow | undefined {
  return db.prepare('select * from price_list where price_id = ?').get(priceId) as PriceRow | undefined
}

/** One price-list row as an accountant finds it in the file: where, what it is for, its prices and dates. */
function describePriceRow(row: PriceRow): string {
  const scope = [
    (row.segment ?? '').trim() !== '' ? `Segment ${row.segment}` : null,
    (row.market ?? '').trim() !== '' ? `Market ${row.market}` : null,
  ].filter((x) => x !== null)
  const title = row.sku_title ?? row.product_title
  return `${row.source_file}:${row.source_row}: ${row.product_id}/${row.sku_id}${title ? ` ${title}` : ''}, ${row.term_duration}/${row.billing_plan}, ${row.currency}${scope.length > 0 ? `, ${scope.join(', ')}` : ''}; UnitPrice ${row.unit_price}, ERP Price ${row.erp_price} (whole-term prices); effective ${row.effective_start_date} to ${row.effective_end_date ?? 'open'}`
}

/** " × plan months ÷ term months (plan cycle)": the share of a whole-term price one charge cycle carries. */
function cycleShare(p: Priced): string {
  const term = TERM_MONTHS[p.term_duration ?? '']
  const plan = PLAN_MONTHS[p.billing_plan ?? '']
  if (term === undefined || plan === undefined || term === plan) return ''
  return ` × ${plan} ÷ ${term} months (${p.billing_plan} cycle)`
}

/** The customers sheet's Segment of the line's customer and where it comes from, as attribution.ts reads it. */
function customerSegment(db: BetterSqlite3.Database, customerId: string): string {
  const c = db.prepare('select source_file, source_row, segment from customers where customer_id = ?').get(customerId) as { source_file: string; source_row: number; segment: string | null } | undefined
  if (!c) return 'customer segment commercial (not on the customers sheet: Commercial by default)'
  if (c.segment === null) return `customer segment commercial (customers sheet ${c.source_file}:${c.source_row}, Segment empty: Commercial by default)`
  return `customer segment ${c.segment} (customers sheet ${c.source_file}:${c.source_row})`
}

/** Segments of price-list rows that would have priced the line but are for other customers' segments. */
function otherSegments(db: BetterSqlite3.Database, r: Recon, p: Priced, currency: string): string | null {
  const { segments } = db.prepare(`
    select ${segmentsWithRowSql('line')} as segments
    from (select ? as product_id, ? as sku_id, ? as pricing_currency, ? as term_start, ? as term_duration, ? as billing_plan) as line`)
    .get(r.product_id, r.sku_id, currency, p.term_start, p.term_duration, p.billing_plan) as { segments: string | null }
  return segments
}

/** The price list's SkuIds of the line's product that differ from its own only in leading zeros (`0001`, `1`). */
function skuTwins(db: BetterSqlite3.Database, r: Recon): string | null {
  const { twins } = db.prepare(`select ${skuTwinsSql('line')} as twins from (select ? as product_id, ? as sku_id) as line`)
    .get(r.product_id, r.sku_id) as { twins: string | null }
  return twins
}

/** A line held NO_PRICE_RULE: which price book was searched (the reseller's row) and for what. */
function describeMissingRule(db: BetterSqlite3.Database, r: Recon, p: Priced): string[] {
  const reseller = p.reseller_id === null
    ? undefined
    : (db.prepare('select source_file, source_row from resellers where reseller_id = ?').get(p.reseller_id) as { source_file: string; source_row: number } | undefined)
  const from = reseller ? ` (reseller ${p.reseller_id}, resellers sheet ${reseller.source_file}:${reseller.source_row})` : ''
  return [`    price book ${p.price_book ?? '—'}${from}: no price-book rule — sku ${r.product_id}/${r.sku_id}, product ${r.product_id}, category ${p.category} or default — in force on ${p.rule_date !== null && p.rule_date !== p.event_date ? `${p.rule_date}, the date of the charge this refund reverses (its rule prices it)` : `the event date ${p.event_date}`}`]
}

function describeUsage(db: BetterSqlite3.Database, u: Usage): string[] {
  const out = [`  daily usage row: customer ${u.customer_id}, Azure subscription ${u.entitlement_id ?? u.subscription_id}, ${u.meter_category} / ${u.meter_name}, ${u.usage_date}: quantity ${u.quantity}, ${u.billing_pre_tax_total} ${u.billing_currency}`]
  const outOfPeriod = db.prepare("select 1 from findings where rule = 'OUT_OF_PERIOD' and file = ? and row = ?").get(u.source_file, u.source_row)
  if (outOfPeriod) out.push('  went to: left out of the tie-out and the usage sheets (dated outside the period)')
  else out.push('  went to: the Azure usage sheet of its reseller\'s invoice (informational; billed through the reconciliation\'s Azure plan lines) and the usage tie-out')
  return out
}

/**
 * An accepted in-period usage row is summed, not stored (stages/usage-totals.ts): the usage groups whose row ranges
 * in its file cover it are the candidates. One group: the row is in it, shown with the group's totals (every part of
 * it, in every file, as the tie-out and the usage sheet sum it). Several (a file that lists every meter of a day, then
 * of the next): the row cannot be pinned, and that is said, with the groups (usage review: the first three
 * partials were named as if one held it, none of them did, and a file read by two threads named half a group).
 */
function summedUsage(db: BetterSqlite3.Database, file: string, row: number): string[] | null {
  // Rows are the file's line numbers, blank lines included: bounded by the groups' ranges, not by the row count.
  if (row < 2) return null
  const key = TOTAL_KEY.join(', ')
  const matches = TOTAL_KEY.map((c) => `t.${c} is g.${c}`).join(' and ')
  const shown = 6
  const groups = db
    .prepare(
      `with g as (
         select ${key}, count(*) over () as n from usage_partials
         where source_file = ? and in_period = 1 and ? between first_row and last_row
         group by ${key} order by ${key} limit ${shown}
       )
       select g.customer_id, g.entitlement_id, g.subscription_id, g.meter_category, g.meter_name, g.billing_currency, g.n,
         t.rows, t.billing_pre_tax_total
       from g join usage_totals t on ${matches} and t.in_period = 1`,
    )
    .all(file, row) as { customer_id: string; entitlement_id: string | null; subscription_id: string; meter_category: string; meter_name: string; billing_currency: string; n: number; rows: number; billing_pre_tax_total: string }[]
  if (groups.length === 0) return null
  const n = groups[0]!.n
  // A blank line inside a group's range reads the same: the run keeps no row, so that cannot be told apart here.
  const out = ['  daily usage row, accepted and summed (usage rows are summed per customer, Azure subscription and meter, not stored one by one; a blank line in the file would read the same)']
  out.push(n === 1
    ? '  its usage group (all its rows in the period, in every usage file):'
    : `  it is in one of the ${n} usage groups whose rows in this file span it; which one cannot be told from the run, since rows are not stored one by one${n > shown ? ` (the first ${shown} shown)` : ''}:`)
  for (const g of groups) {
    out.push(`    customer ${g.customer_id}, Azure subscription ${g.entitlement_id ?? g.subscription_id}, ${g.meter_category} / ${g.meter_name}: ${g.rows} rows, Σ ${g.billing_pre_tax_total} ${g.billing_currency}`)
  }
  out.push("  went to: the Azure usage sheet of its reseller's invoice (informational; billed through the reconciliation's Azure plan lines) and the usage tie-out")
  return out
}

function referenceRow(db: BetterSqlite3.Database, kind: string, file: string, row: number): string | null {
  const table: Record<string, string> = { pricelist: 'price_list', pricebooks: 'price_book_rules', resellers: 'resellers', customers: 'customers' }
  const name = table[kind]
  if (!name) return null
  const hit = db.prepare(`select * from ${name} where source_file = ? and source_row = ?`).get(file, row) as Record<string, unknown> | undefined
  if (hit === undefined) return null
  // In the sheet's own column names, as read (not the staging table's record with its ids and nulls).
  const parts = KINDS[kind as InputKind].columns
    .filter((c) => hit[c.db] !== null && hit[c.db] !== undefined && hit[c.db] !== '')
    .map((c) => `${c.name} ${String(hit[c.db])}`)
  return parts.length > 0 ? parts.join(', ') : 'no values'
}

/** Long quotients (17/31) shown to 8 decimals with an ellipsis; the exact value stays in the DB. */
function shortDecimal(text: string): string {
  const dot = text.indexOf('.')
  return dot >= 0 && text.length - dot - 1 > 8 ? `${text.slice(0, dot + 9)}…` : text
}
