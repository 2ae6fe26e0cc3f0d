// pipeline/object-rows.ts builds the same rows as better-sqlite3's own object mode.
import BetterSqlite3 from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { objectRows } from '../../pipeline/object-rows.js'

describe('objectRows', () => {
  it('gives the keys, values and order of better-sqlite3 object rows, duplicate names and parameters included', () => {
    const db = new BetterSqlite3(':memory:')
    db.exec(`create table t (id integer primary key, name text, amount text, ratio real, blob blob, missing text)`)
    const insert = db.prepare('insert into t values (?, ?, ?, ?, ?, ?)')
    insert.run(1, 'Contoso', '12.50', 0.25, Buffer.from([1, 2]), null)
    insert.run(2, '=HYPERLINK("x")', '-0.01', -1.5, null, null)
    insert.run(3, 'é€😀', '0', 0, null, 'x')
    const query = 'select id, name, amount, ratio, blob, missing, id * 2 as doubled, name as id from t where id >= ? order by id'
    const native = db.prepare(query).all(2)
    const ours = [...objectRows(db.prepare(query), [2])]
    expect(ours).toEqual(native)
    expect(ours.map((r) => Object.keys(r as object))).toEqual(native.map((r) => Object.keys(r as object)))
    expect((ours[0] as { id: unknown }).id).toBe('=HYPERLINK("x")') // the last of two `id` columns, as better-sqlite3
    expect([...objectRows(db.prepare('select * from t where id > 9'))]).toEqual([])
    db.close()
  })
})
