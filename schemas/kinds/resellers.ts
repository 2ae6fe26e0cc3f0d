/**
 * Resellers (SPEC §2.4): detected by ResellerId + PriceBook. ResellerId names the invoice file, so it must be
 * 1–64 characters of A–Z a–z 0–9 _ - and not a Windows device name. Currency is stored upper-case and must be a
 * three-letter ISO 4217 code (it picks the minor unit, the number format and the CURRENCY_MISMATCH check); empty
 * TaxRatePercent / SupportPlanPercent mean 0 and empty PaymentTermsDays means 30; none of the three is negative, and
 * PaymentTermsDays is 365 at most.
 * Repeated ResellerIds are rejected by ingest (a cross-row rule), not here.
 */
import { Decimal } from 'decimal.js'
import { columnIndex, opt, req, rowSchema, type ColumnDef } from './columns.js'

export const RESELLERS_COLUMNS: readonly ColumnDef[] = [
  req('ResellerId', 'reseller_id'),
  req('Name', 'name'),
  req('Currency', 'currency', 'text', { currency: true }),
  req('PriceBook', 'price_book'),
  opt('Email', 'email'),
  opt('Address', 'address'),
  opt('TaxRatePercent', 'tax_rate_percent', 'decimal', { default: '0' }),
  opt('SupportPlanPercent', 'support_plan_percent', 'decimal', { default: '0' }),
  opt('PaymentTermsDays', 'payment_terms_days', 'int', { default: 30 }),
]

export const RESELLERS_DOCUMENTED = [] as const
export const RESELLERS_DETECT = ['ResellerId', 'PriceBook'] as const

const RESELLER_ID = /^[A-Za-z0-9_-]{1,64}$/
const DEVICE_NAME = /^(CON|PRN|AUX|NUL|COM[1-9]|LPT[1-9])$/i

/** Why a ResellerId cannot name a file, or null when it can. */
export function resellerIdProblem(id: string): string | null {
  if (!RESELLER_ID.test(id)) return 'must be 1–64 characters of A–Z, a–z, 0–9, _ or - (it names the invoice file)'
  if (DEVICE_NAME.test(id)) return 'is a Windows device name and cannot name the invoice file'
  return null
}

const ID = columnIndex(RESELLERS_COLUMNS, 'ResellerId')
const TERMS = columnIndex(RESELLERS_COLUMNS, 'PaymentTermsDays')
const MAX_TERMS_DAYS = 365
const MAX_PERCENT_DIGITS = 15

/** Significant digits of canonical decimal text (`0.0825` → 3, `8.25` → 3, `100` → 1). */
function significantDigits(text: string): number {
  const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '')
  return text.includes('.') ? digits.length : digits.replace(/0+$/, '').length
}

const PERCENTS = [columnIndex(RESELLERS_COLUMNS, 'TaxRatePercent'), columnIndex(RESELLERS_COLUMNS, 'SupportPlanPercent')]

export const resellersRow = rowSchema(RESELLERS_COLUMNS, (values, addIssue) => {
  const problem = resellerIdProblem(String(values[ID]))
  if (problem) addIssue(ID, problem)
  for (const at of PERCENTS) {
    const percent = String(values[at])
    if (percent.startsWith('-')) addIssue(at, 'must be 0 or more')
    // A percent, not a multiplier: 825 billed a tax of 10,195.76 on a subtotal of 494.34.
    else if (new Decimal(percent).greaterThan(100)) addIssue(at, 'must be at most 100 (a percent: 8.25 for 8.25 %)')
    // The invoice shows the rate in a cell its tax and support formulas read: a spreadsheet keeps 15 significant
    // digits, so 0.49999999999999999 would show 0.5 and recalculate a tax of 0.01 where the invoice says 0.00.
    else if (significantDigits(percent) > MAX_PERCENT_DIGITS) addIssue(at, `has ${significantDigits(percent)} significant digits; a spreadsheet keeps ${MAX_PERCENT_DIGITS}, so the invoice's formulas could not recompute its amounts: round it`)
  }
  const terms = values[TERMS]
  // A due date past 9999-12-31 is no date in Excel (and addDays fails past JavaScript's last date): terms are a year at most.
  if (typeof terms === 'number' && (terms < 0 || terms > MAX_TERMS_DAYS)) addIssue(TERMS, `must be 0 to ${MAX_TERMS_DAYS} days`)
})
