/**
 * Customer → reseller mapping (SPEC §2.4, optional): detected by CustomerId + ResellerId.
 * Repeated CustomerIds are rejected by ingest (a cross-row rule), not here.
 *
 * Segment (optional, our addition; SPEC is silent): the customer's Microsoft segment, which price-list rows of
 * that Segment are for (FORMATS.md §4.1: join on Segment if present). Empty = Commercial, the segment of a
 * customer the sheet does not list. Stored lower-case; anything but the four segments is a rejected row.
 */
import { columnIndex, opt, req, rowSchema, type ColumnDef } from './columns.js'

export const SEGMENTS = ['commercial', 'education', 'government', 'charity'] as const

export const CUSTOMERS_COLUMNS: readonly ColumnDef[] = [
  req('CustomerId', 'customer_id', 'text', { lower: true }),
  req('ResellerId', 'reseller_id'),
  opt('McaAcceptedOn', 'mca_accepted_on', 'date'),
  opt('Segment', 'segment', 'text', { lower: true }),
]

export const CUSTOMERS_DOCUMENTED = [] as const
export const CUSTOMERS_DETECT = ['CustomerId', 'ResellerId'] as const

const SEGMENT = columnIndex(CUSTOMERS_COLUMNS, 'Segment')

export const customersRow = rowSchema(CUSTOMERS_COLUMNS, (values, addIssue) => {
  const segment = values[SEGMENT]
  if (typeof segment === 'string' && !(SEGMENTS as readonly string[]).includes(segment)) {
    // The value is named as typed by the finding's value column (here it is already lower-cased).
    addIssue(SEGMENT, `is not a segment: use Commercial, Education, Government or Charity (empty = Commercial)`)
  }
})
