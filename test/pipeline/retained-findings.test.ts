/**
 * Credits review: under creditsPolicy retain, a finding on a retained credit had no resellerId in exceptions.csv,
 * while the Retained credits sheet named its reseller (pipeline/findings-store.ts nameRetainedResellers).
 */
import { describe, expect, it } from 'vitest'
import { nameRetainedResellers } from '../../pipeline/findings-store.js'
import { Fixture } from '../write/fixture.js'

describe('findings on retained credits', () => {
  it('name the reseller the Retained credits sheet shows: Tier2MpnId, else the customers sheet\'s; others are untouched', async () => {
    const f = new Fixture()
    const byTier2 = f.line({ reseller: 'R1', customerId: 'c1', cost: '-10', status: 'retained' })
    const byCustomers = f.line({ reseller: '0', customerId: 'c2', cost: '-20', status: 'retained' })
    const invoiced = f.line({ reseller: 'R3', customerId: 'c3', cost: '30' })
    f.db.sqlite.prepare("insert into customers (customer_id, reseller_id, source_file, source_row) values ('c2', 'R2', 'reference/customers.csv', 2)").run()
    f.db.sqlite.exec("update priced_lines set reseller_id = null where status = 'retained'")
    const insert = f.db.sqlite.prepare("insert into findings (rule, severity, file, row, reseller_id, message, line_id) values ('AMOUNT_MISMATCH', 'warning', 'f.csv', ?, ?, 'm', ?)")
    for (const [id, reseller] of [[byTier2, null], [byCustomers, null], [invoiced, null]] as const) insert.run(id + 1, reseller, id)
    await nameRetainedResellers(f.db)
    expect(f.db.sqlite.prepare('select line_id, reseller_id from findings order by line_id').raw().all()).toEqual([[byTier2, 'R1'], [byCustomers, 'R2'], [invoiced, null]])
  })
})
