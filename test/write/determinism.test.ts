/**
 * SPEC §6: same DB → byte-identical files. Writes twice, more than 2 s apart (zip DOS time has 2 s resolution),
 * into two folders and compares every file's bytes; also checks the pinned dates inside the container.
 */
import { describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import JSZip from 'jszip'
import { write } from '../../stages/write.js'
import { sampleDb } from './sample-db.js'
import { zipEntry } from './read-back.js'

describe('determinism', () => {
  it('two writes of the same DB, 2.1 s apart, give byte-identical files', async () => {
    const f = sampleDb()
    const first = f.context()
    const a = await write({ exitCode: 1 }, first)
    await new Promise((r) => setTimeout(r, 2100))
    const second = f.context()
    const b = await write({ exitCode: 1 }, second)
    expect(b.output.files).toEqual(a.output.files)
    for (const file of a.output.files) {
      const left = readFileSync(join(first.workDir, file))
      const right = readFileSync(join(second.workDir, file))
      expect(left.equals(right), `${file} differs between runs`).toBe(true)
    }
  })

  it('workbook properties and every zip entry are dated the period end (UTC)', async () => {
    const ctx = sampleDb().context()
    await write({ exitCode: 0 }, ctx)
    const path = join(ctx.workDir, 'invoices/R1.xlsx')
    const core = await zipEntry(path, 'docProps/core.xml')
    expect(core).toContain('<dcterms:created xsi:type="dcterms:W3CDTF">2026-10-31T00:00:00Z</dcterms:created>')
    expect(core).toContain('<dcterms:modified xsi:type="dcterms:W3CDTF">2026-10-31T00:00:00Z</dcterms:modified>')
    const zip = await JSZip.loadAsync(readFileSync(path))
    // JSZip reads the DOS fields as local time; the writer stores the UTC fields. Compare the fields.
    const local = (d: Date) => [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes()].join('-')
    const dates = new Set(Object.values(zip.files).map((e) => local(e.date)))
    expect([...dates]).toEqual(['2026-10-31-0-0'])
  })

  // The distributor's name went raw into core.xml: a CR came back as LF, a control character made the XML invalid.
  it('the creator in docProps/core.xml is kept to what XML carries, like a cell', async () => {
    const ctx = sampleDb().context(undefined, { distributorName: 'North\r\nwind\u0001 Ltd' })
    await write({ exitCode: 0 }, ctx)
    const core = await zipEntry(join(ctx.workDir, 'invoices/R1.xlsx'), 'docProps/core.xml')
    expect(core).toContain('<dc:creator>North\nwind Ltd</dc:creator>')
    expect(core.includes('\r') || core.includes('\u0001')).toBe(false)
  })
})
