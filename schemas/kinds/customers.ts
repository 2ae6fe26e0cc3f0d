/**
 * Customer → reseller mapping (SPEC §2.4, optional): detected by CustomerId + ResellerId.
 * Repeated CustomerIds are rejected by ingest (a cross-row rule), not here.
 */
import { opt, req, rowSchema, type ColumnDef } from './columns.js'

export const CUSTOMERS_COLUMNS: readonly ColumnDef[] = [
  req('CustomerId', 'customer_id'),
  req('ResellerId', 'reseller_id'),
  opt('McaAcceptedOn', 'mca_accepted_on', 'date'),
]

export const CUSTOMERS_DOCUMENTED = [] as const
export const CUSTOMERS_DETECT = ['CustomerId', 'ResellerId'] as const

export const customersRow = rowSchema(CUSTOMERS_COLUMNS)
